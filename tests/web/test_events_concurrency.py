"""Exact places under concurrency, against a real server (see live_server.py): gunicorn with 2
workers x 4 threads on SQLite, or on a fresh PostgreSQL database when TEST_DATABASE_URL is set.

(a) 100 people, logged in over HTTP, register at once (released by a barrier) for a date with 30
    places -> exactly 30 confirmed and 70 waiting; the positions follow the order the server
    handled the requests, the confirmed ones hold the 30 first; no server error;
(b) one person sends the same registration 20 times at once -> one row;
(c) two ``flask events send-reminders`` runs at once -> each confirmed person gets exactly one
    reminder (mail and notification); a third run sends nothing.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import ROOT
from models import EventSession, Notification, Registration, RegistrationStatus
from tests.web.live_server import (
    VENV_BIN,
    Browser,
    Server,
    all_at_once,
    engine_for,
    fresh_database,
    logged_in,
    no_server_errors,
    running_server,
    scalar,
)

CROWD = 100
PLACES = 30
IDENTICAL = 20

SEED = r"""
import json
import sys
from datetime import timedelta

from flask import g

from app import create_app
from app.db import db
from app.services import events
from models.base import utcnow
from tests import factories

crowd, places = int(sys.argv[1]), int(sys.argv[2])
app = create_app()
with app.app_context():
    g.forced_locale = "it"
    with db.unit_of_work():
        region, province, comune = factories.chain()
        boss = factories.user(email="boss@events.example.org", home=comune)
        org = factories.organization(home=comune, admin=boss)
        # Three hours from now: open for registration, and due for a reminder.
        start = events.local(utcnow() + timedelta(hours=3)).replace(second=0, microsecond=0)
        end = start + timedelta(hours=1)

        def event(title, capacity):
            draft = events.EventDraft(
                title=title, description="Un evento per provare le iscrizioni tutte insieme.", kind="workshop",
                starts_on=start.date(), start_time=start.time(), end_time=end.time(), ends_on=end.date(),
                venue="Biblioteca comunale", territory=comune.istat_code, capacity=capacity)
            return events.create_event(boss, org, draft)

        crowded, quiet = event("Laboratorio affollato", places), event("Laboratorio tranquillo", 5)
        people = [factories.user(email=f"person{n:03d}@events.example.org", home=comune) for n in range(crowd)]
        solo = factories.user(email="solo@events.example.org", home=comune)
        out = {
            "event": crowded.id, "session": events.list_sessions(crowded)[0].id,
            "quiet_event": quiet.id, "quiet_session": events.list_sessions(quiet)[0].id,
            "people": [p.email for p in people], "solo": solo.email, "solo_id": solo.id,
        }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory, "events") as url:
        yield url


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(database, tmp_path_factory.mktemp("events-server"), SEED, [str(CROWD), str(PLACES)]) as live:
        yield live


@pytest.fixture(scope="module")
def db_engine(server: Server) -> Iterator[Any]:
    with engine_for(server) as engine:
        yield engine


def _register(browser: Browser, event_id: int, session_id: int) -> tuple[int, str]:
    return browser.post_button(f"/events/{event_id}/register", {"session_id": str(session_id)})


@pytest.fixture(scope="module")
def burst(server: Server) -> list[tuple[int, str]]:
    """The 100 people log in, then register for the 30 places all at once."""
    seed = server.seed
    people = logged_in(server, seed["people"])
    return all_at_once([lambda b=b: _register(b, seed["event"], seed["session"]) for b in people.values()])


def test_100_people_at_once_for_30_places_make_30_confirmed_and_70_waiting_in_order(
    server: Server, burst: list[tuple[int, str]], db_engine: Any,
) -> None:
    seed = server.seed
    statuses = [status for status, _ in burst]
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) <= {302, 303}, statuses
    assert all(f"/events/{seed['event']}" in location for _, location in burst)
    with db_engine.connect() as conn:
        rows = conn.execute(
            select(Registration.status, Registration.position, Registration.created_at, Registration.user_id)
            .where(Registration.session_id == seed["session"]).order_by(Registration.position)
        ).all()
        confirmed, waiting, arrivals = conn.execute(select(
            EventSession.confirmed_count, EventSession.waiting_count, EventSession.arrivals).where(EventSession.id == seed["session"])).one()
    assert len(rows) == CROWD and len({r.user_id for r in rows}) == CROWD
    assert [r.status for r in rows] == [RegistrationStatus.CONFIRMED] * PLACES + [RegistrationStatus.WAITING] * (CROWD - PLACES)
    positions = [r.position for r in rows]
    assert positions == sorted(set(positions)), "positions are unique and strictly increasing"
    assert positions == list(range(1, CROWD + 1))  # one arrival number per request, none lost or repeated
    # The position is the order the server handled the requests: each registration was written
    # under the session's lock, so the write times follow the positions.
    written = [r.created_at for r in rows]
    assert written == sorted(written)
    assert (confirmed, waiting, arrivals) == (PLACES, CROWD - PLACES, CROWD)
    no_server_errors(server)


def test_one_person_registering_20_times_at_once_holds_one_registration(server: Server, db_engine: Any) -> None:
    seed = server.seed
    solo = logged_in(server, [seed["solo"]])[seed["solo"]]
    outcomes = all_at_once([lambda: _register(solo, seed["quiet_event"], seed["quiet_session"])] * IDENTICAL)
    statuses = [status for status, _ in outcomes]
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) <= {302, 303}, statuses
    rows = scalar(db_engine, select(func.count()).select_from(Registration).where(
        Registration.session_id == seed["quiet_session"], Registration.user_id == seed["solo_id"]))
    confirmed = scalar(db_engine, select(EventSession.confirmed_count).where(EventSession.id == seed["quiet_session"]))
    assert (rows, confirmed) == (1, 1)
    no_server_errors(server)


def _send_reminders(server: Server) -> subprocess.Popen[str]:
    return subprocess.Popen([str(VENV_BIN / "flask"), "--app", "wsgi", "events", "send-reminders"], cwd=ROOT, env=server.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_reminder_runs_at_once_send_each_reminder_once(server: Server, burst: list[tuple[int, str]], db_engine: Any) -> None:
    expected = scalar(db_engine, select(func.count()).select_from(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED))
    assert expected >= PLACES
    runs = [_send_reminders(server), _send_reminders(server)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    counts = [int(re.fullmatch(r"(\d+) reminders sent\.", out.strip()).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    assert sum(counts) == expected, counts
    mailed = [line for _, err in outputs for line in err.splitlines() if "mail to " in line]
    assert len(mailed) == expected and len({line.split("mail to ")[1].split()[0] for line in mailed}) == expected
    with db_engine.connect() as conn:
        told = conn.execute(select(Notification.user_id).where(Notification.kind == "event.reminder")).scalars().all()
        unmarked = conn.execute(select(func.count()).select_from(Registration).where(
            Registration.status == RegistrationStatus.CONFIRMED, Registration.reminder_sent_at.is_(None))).scalar_one()
    assert len(told) == len(set(told)) == expected and unmarked == 0
    again = _send_reminders(server)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0 and out.strip() == "0 reminders sent." and "mail to " not in err
