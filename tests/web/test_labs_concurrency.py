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
the database afterwards. The server, the database and the HTTP client live in live_server.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models import LabBallot, Notification, Proposal, ProposalState, ProposalSupport, ProposalVote
from tests.web.live_server import (
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

SUPPORTERS = 200
IDENTICAL = 50
K = 3
THRESHOLD = 150  # of the proposal the 200 people also support: crossed once, mid-burst

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


# --------------------------------------------------------------------------- server and database


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory, "concurrency") as url:
        yield url


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("concurrency-server")
    with running_server(database, tmp, SEED, [str(SUPPORTERS), str(K), str(THRESHOLD)]) as live:
        yield live


@pytest.fixture(scope="module")
def db_engine(server: Server) -> Iterator[Any]:
    with engine_for(server) as engine:
        yield engine


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, Browser]:
    """The 200 supporters, logged in once for the tests that need them."""
    return logged_in(server, server.seed["people"])


# --------------------------------------------------------------------------- the tests


def _support_all(people: dict[str, Browser], proposal_id: int) -> list[tuple[int, str]]:
    path = f"/proposals/{proposal_id}/support"
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda b: b.post_button(path), people.values()))


def _supports(engine: Any, proposal_id: int) -> tuple[int, int]:
    rows = scalar(engine, select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == proposal_id))
    return rows, scalar(engine, select(Proposal.supports_count).where(Proposal.id == proposal_id))


def test_200_distinct_people_supporting_at_once_make_exactly_200_supports(
    server: Server, people: dict[str, Browser], db_engine: Any,
) -> None:
    popular = server.seed["popular"]
    outcomes = _support_all(people, popular)
    assert {status for status, _ in outcomes} == {302}, outcomes
    assert all(location.endswith(f"/proposals/{popular}#support") for _, location in outcomes)
    assert _supports(db_engine, popular) == (SUPPORTERS, SUPPORTERS)
    no_server_errors(server)


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
    assert sorted(t for t in told if t[1] != "proposal.supported") == sorted(
        [(seed["official_id"], "proposal.threshold_reached"), (seed["author_id"], "proposal.threshold_reached_author")])
    # The people who had supported when it was crossed hear it once each (later supporters see it on the page).
    supported = [user_id for user_id, kind in told if kind == "proposal.supported"]
    assert len(supported) == len(set(supported)) == THRESHOLD
    no_server_errors(server)


def test_50_identical_supports_from_one_person_make_one(server: Server, db_engine: Any) -> None:
    seed = server.seed
    solo = logged_in(server, [seed["solo"]])[seed["solo"]]
    path = f"/proposals/{seed['single']}/support"
    outcomes = all_at_once([lambda: solo.post_button(path)] * IDENTICAL)
    statuses = [status for status, _ in outcomes]
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) == {302}, statuses
    rows = scalar(db_engine, select(func.count()).select_from(ProposalSupport).where(ProposalSupport.proposal_id == seed["single"]))
    count = scalar(db_engine, select(Proposal.supports_count).where(Proposal.id == seed["single"]))
    assert (rows, count) == (1, 1)
    no_server_errors(server)


def test_k_plus_5_votes_at_once_leave_exactly_k(server: Server, db_engine: Any) -> None:
    seed = server.seed
    voter = logged_in(server, [seed["voter"]])[seed["voter"]]
    outcomes = all_at_once([lambda pid=pid: voter.post_button(f"/proposals/{pid}/vote") for pid in seed["ballot"]])
    statuses = [status for status, _ in outcomes]
    assert len(statuses) == K + 5 and all(status < 500 for status in statuses), statuses
    assert set(statuses) == {302}, statuses  # refused votes are a flashed message, not an error
    votes = scalar(db_engine, select(func.count()).select_from(ProposalVote).where(ProposalVote.user_id == seed["voter_id"]))
    used = scalar(db_engine, select(LabBallot.votes_used).where(
        LabBallot.lab_id == seed["vote_lab"], LabBallot.user_id == seed["voter_id"]))
    counted = scalar(db_engine, select(func.sum(Proposal.votes_count)).where(Proposal.id.in_(seed["ballot"])))
    assert (votes, used, counted) == (K, K, K)
    no_server_errors(server)
