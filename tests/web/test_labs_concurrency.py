"""One person, one support, K votes: concurrent requests against a real server.

A real gunicorn (2 workers x 4 threads) on 127.0.0.1 serves its own database: a migrated
SQLite file, or, when TEST_DATABASE_URL points to PostgreSQL, a fresh PostgreSQL database
created for this module and dropped after it. A subprocess seeds it through the real services
(one password hash reused by every account). Sessions log in over HTTP, concurrently, then fire:

(a) 200 distinct people support one proposal at once -> 200 rows, supports_count 200; they do it
    again on a proposal whose threshold (150) is crossed mid-burst -> it awaits an answer, and the
    authority's official and the author are notified exactly once;
(b) one person sends the same support 50 times at once -> 1 row, count 1;
(c) one voter sends K+5 votes for K+5 proposals at once -> K votes, ballot at K.

Nothing here uses the in-process ``app``/``session`` fixtures; results are read straight from
the database afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.config import ROOT
from models import LabBallot, Notification, Proposal, ProposalState, ProposalSupport, ProposalVote
from tests.conftest import migrate
from tests.factories import PASSWORD

SUPPORTERS = 200
IDENTICAL = 50
K = 3
THRESHOLD = 150  # of the proposal the 200 people also support: crossed once, mid-burst
START_TIMEOUT = 30.0
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VENV_BIN = Path(sys.executable).parent

SEED = r"""
import json
import sys
from datetime import timedelta

from flask import g

from app import create_app
from app.db import db
from app.services import labs, proposals
from models import OrgKind
from models.base import utcnow
from tests import factories

supporters, k, threshold = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
app = create_app()
with app.app_context():
    g.forced_locale = "it"
    with db.unit_of_work():
        region, province, comune = factories.chain()
        official = factories.user(email="official@conc.example.org", home=comune)
        authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, admin=official, verified=True)
        author = factories.user(email="author@conc.example.org", home=comune)
        today = labs.local_day(utcnow())

        def lab(title, **kw):
            draft = labs.LabDraft(title=title, description="Un laboratorio per provare le richieste concorrenti.",
                                  territory=comune.istat_code, proposals_on=today - timedelta(days=1), **kw)
            return labs.create_lab(official, authority, draft)

        def propose(in_lab, n):
            draft = proposals.ProposalDraft(title=f"Proposta numero {n}", summary="Una proposta per la prova.",
                                            body="Il testo della proposta per la prova di concorrenza.")
            return proposals.create_proposal(author, in_lab, draft, publish=True)

        support_lab = lab("Laboratorio dei sostegni", support_threshold=100_000, deliberation_on=today + timedelta(days=10))
        popular, single = propose(support_lab, 1), propose(support_lab, 2)
        threshold_lab = lab("Laboratorio della soglia", support_threshold=threshold, response_days=10)
        crossing = propose(threshold_lab, 3)
        vote_lab = lab("Laboratorio del voto", votes_per_participant=k, voting_on=today + timedelta(days=2),
                       results_on=today + timedelta(days=9))
        ballot = [propose(vote_lab, 10 + n) for n in range(k + 5)]
        # Proposals were published while the lab took them; now it votes.
        vote_lab.proposals_at = labs.start_of_day(today - timedelta(days=3))
        vote_lab.voting_at = labs.start_of_day(today - timedelta(days=1))
        db.session.flush()
        assert labs.supports_open(support_lab) and labs.voting_open(vote_lab)
        people = [factories.user(email=f"person{n:03d}@conc.example.org", home=comune) for n in range(supporters)]
        solo = factories.user(email="solo@conc.example.org", home=comune)
        voter = factories.user(email="voter@conc.example.org", home=comune)
        out = {
            "popular": popular.id, "single": single.id, "crossing": crossing.id, "official_id": official.id,
            "author_id": author.id, "ballot": [p.id for p in ballot], "vote_lab": vote_lab.id,
            "people": [p.email for p in people], "solo": solo.email, "voter": voter.email, "voter_id": voter.id,
        }
print(json.dumps(out))
"""


# --------------------------------------------------------------------------- a tiny HTTP client


class Browser:
    """One person's cookie jar over plain ``http.client`` (no redirects followed)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None, keep_cookies: bool = True) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept-Language": "it"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            if keep_cookies:
                for header in response.headers.get_all("Set-Cookie") or []:
                    jar = SimpleCookie()
                    jar.load(header)
                    with self.lock:
                        for name, morsel in jar.items():
                            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                                self.cookies.pop(name, None)
                            else:
                                self.cookies[name] = morsel.value
            return response.status, response.getheader("Location") or "", data
        finally:
            conn.close()

    def csrf_token(self) -> str:
        status, _, page = self.request("GET", "/feedback")
        match = CSRF_RE.search(page)
        assert status == 200 and match, f"no CSRF token (HTTP {status})"
        return match.group(1)

    def log_in(self, email: str) -> None:
        token = self.csrf_token()
        status, location, _ = self.request("POST", "/auth/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status in (302, 303) and location.endswith("/me"), f"login of {email} failed: HTTP {status} -> {location!r}"
        self.token = self.csrf_token()  # the login cleared the session: a fresh token for the forms

    def post_button(self, path: str) -> tuple[int, str]:
        status, location, _ = self.request("POST", path, {"csrf_token": self.token}, keep_cookies=False)
        return status, location


# --------------------------------------------------------------------------- server and database


@dataclass
class Server:
    host: str
    port: int
    database_url: str
    log_file: Path
    seed: dict[str, Any] = field(default_factory=dict)

    def log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of our own: a SQLite file, or a PostgreSQL database created and dropped here."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('concurrency') / 'ponte.db'}"
        return
    name = f"ponte_concurrency_{secrets.token_hex(4)}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("concurrency-server")
    migrate(database)
    port = _free_port()
    host = f"127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "FLASK_"))}
    env.update({
        "PONTE_TESTING": "1",
        "PONTE_SECRET_KEY": secrets.token_urlsafe(48),
        "PONTE_DATABASE_URL": database,
        "PONTE_MAIL_BACKEND": "file",
        "PONTE_MAIL_DIR": str(tmp / "mail"),
        "PONTE_SERVER_NAME": host,
        "PONTE_PREFERRED_URL_SCHEME": "http",
        "PONTE_RATELIMIT_ENABLED": "0",  # the per-IP login limit would stop 200 logins from one address
        "PYTHONUNBUFFERED": "1",
    })
    seeded = subprocess.run([sys.executable, "-c", SEED, str(SUPPORTERS), str(K), str(THRESHOLD)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    if seeded.returncode != 0:
        pytest.fail(f"seeding failed:\n{seeded.stdout}\n{seeded.stderr}", pytrace=False)
    log_file = tmp / "server.log"
    command = [str(VENV_BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
               "--bind", host, "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket", "wsgi:app"]
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    live = Server("127.0.0.1", port, database, log_file, json.loads(seeded.stdout.strip().splitlines()[-1]))
    try:
        _wait_healthy(live, process)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(live: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with code {process.returncode}:\n{live.log()}", pytrace=False)
        try:
            status, _, _ = Browser(live.host, live.port).request("GET", "/healthz")
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s (last: {last}):\n{live.log()}", pytrace=False)


@pytest.fixture(scope="module")
def db_engine(server: Server) -> Iterator[Any]:
    engine = create_engine(server.database_url, poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, Browser]:
    """The 200 supporters, logged in once for the tests that need them."""
    return _logged_in(server, server.seed["people"])


def _logged_in(server: Server, emails: list[str]) -> dict[str, Browser]:
    """Log everyone in at once (16 at a time)."""
    browsers = {email: Browser(server.host, server.port) for email in emails}
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda email: browsers[email].log_in(email), emails))
    return browsers


def _all_at_once(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], tuple[int, str]]) -> tuple[int, str]:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _scalar(engine: Any, stmt: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def _no_server_errors(server: Server) -> None:
    log = server.log()
    for sign in ("Traceback", "database is locked", "OperationalError", "[CRITICAL]", "WORKER TIMEOUT"):
        assert sign not in log, f"{sign!r} in the server log:\n{log[-5000:]}"


# --------------------------------------------------------------------------- the tests


def _support_all(people: dict[str, Browser], proposal_id: int) -> list[tuple[int, str]]:
    path = f"/proposals/{proposal_id}/support"
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda b: b.post_button(path), people.values()))


def _supports(engine: Any, proposal_id: int) -> tuple[int, int]:
    rows = _scalar(engine, select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == proposal_id))
    return rows, _scalar(engine, select(Proposal.supports_count).where(Proposal.id == proposal_id))


def test_200_distinct_people_supporting_at_once_make_exactly_200_supports(
    server: Server, people: dict[str, Browser], db_engine: Any,
) -> None:
    popular = server.seed["popular"]
    outcomes = _support_all(people, popular)
    assert {status for status, _ in outcomes} == {302}, outcomes
    assert all(location.endswith(f"/proposals/{popular}#support") for _, location in outcomes)
    assert _supports(db_engine, popular) == (SUPPORTERS, SUPPORTERS)
    _no_server_errors(server)


def test_the_threshold_is_crossed_once_in_a_burst_of_supports(server: Server, people: dict[str, Browser], db_engine: Any) -> None:
    seed = server.seed
    crossing = seed["crossing"]
    outcomes = _support_all(people, crossing)
    assert {status for status, _ in outcomes} == {302}, outcomes
    assert _supports(db_engine, crossing) == (SUPPORTERS, SUPPORTERS)
    with db_engine.connect() as conn:
        state, reached, due = conn.execute(
            select(Proposal.state, Proposal.threshold_reached_at, Proposal.due_at).where(Proposal.id == crossing)).one()
        told = conn.execute(select(Notification.user_id, Notification.kind).where(
            Notification.target_type == "proposal", Notification.target_id == crossing)).all()
    assert state == ProposalState.AWAITING_RESPONSE and reached is not None and due == reached + timedelta(days=10)
    assert sorted(told) == sorted([(seed["official_id"], "proposal.threshold_reached"),
                                   (seed["author_id"], "proposal.threshold_reached_author")])
    _no_server_errors(server)


def test_50_identical_supports_from_one_person_make_one(server: Server, db_engine: Any) -> None:
    seed = server.seed
    solo = _logged_in(server, [seed["solo"]])[seed["solo"]]
    path = f"/proposals/{seed['single']}/support"
    outcomes = _all_at_once([lambda: solo.post_button(path)] * IDENTICAL)
    statuses = [status for status, _ in outcomes]
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) == {302}, statuses
    rows = _scalar(db_engine, select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == seed["single"]))
    count = _scalar(db_engine, select(Proposal.supports_count).where(Proposal.id == seed["single"]))
    assert (rows, count) == (1, 1)
    _no_server_errors(server)


def test_k_plus_5_votes_at_once_leave_exactly_k(server: Server, db_engine: Any) -> None:
    seed = server.seed
    voter = _logged_in(server, [seed["voter"]])[seed["voter"]]
    outcomes = _all_at_once([lambda pid=pid: voter.post_button(f"/proposals/{pid}/vote") for pid in seed["ballot"]])
    statuses = [status for status, _ in outcomes]
    assert len(statuses) == K + 5 and all(status < 500 for status in statuses), statuses
    assert set(statuses) == {302}, statuses  # refused votes are a flashed message, not an error
    votes = _scalar(db_engine, select(func.count()).select_from(ProposalVote).where(ProposalVote.user_id == seed["voter_id"]))
    used = _scalar(db_engine, select(LabBallot.votes_used).where(
        LabBallot.lab_id == seed["vote_lab"], LabBallot.user_id == seed["voter_id"]))
    counted = _scalar(db_engine, select(func.sum(Proposal.votes_count)).where(Proposal.id.in_(seed["ballot"])))
    assert (votes, used, counted) == (K, K, K)
    _no_server_errors(server)
