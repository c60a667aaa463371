"""Two gunicorn instances behind nginx share everything that matters: sessions, rate limits,
one-person-one-support, and survive the loss of one of them (see conftest.py for the stack).

(a) a login on instance 1 holds on instance 2 and through nginx (signed cookie + sessions table);
(b) "5 per minute" login attempts means 5 across both instances, not 5 each (limits in Redis);
(c) 200 people supporting at once, half through each instance -> exactly 200 supports;
(d) instance 2 is SIGKILLed (master and workers) mid-load: every acknowledged support is in the
    database exactly once, instance 1 and nginx keep answering.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from bench import procs
from models import Proposal, ProposalSupport
from tests.factories import PASSWORD
from tests.prod.conftest import CSRF_RE, ENABLED, Answer, Stack, call

pytestmark = [
    pytest.mark.prodlocal,
    pytest.mark.skipif(not ENABLED, reason="set PONTE_TEST_PRODLOCAL=1, with PostgreSQL and Redis on 127.0.0.1"),
]

BURST = 200
ACKNOWLEDGED = (200, 201, 204, 301, 302, 303)


def _supports(stack: Stack, proposal_id: int) -> tuple[int, int]:
    engine = stack.engine()
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(ProposalSupport)
                                .where(ProposalSupport.proposal_id == proposal_id)).scalar_one()
            counter = conn.execute(select(Proposal.supports_count).where(Proposal.id == proposal_id)).scalar_one()
    finally:
        engine.dispose()
    return rows, counter


def _support(port: int, person: dict[str, Any], proposal_id: int) -> Answer:
    return call(port, "POST", f"/proposals/{proposal_id}/support", cookies={"ponte_session": person["cookie"]},
                form={"csrf_token": person["csrf"]})


def _login_form(port: int, headers: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    page = call(port, "GET", "/auth/login", headers=headers)
    match = CSRF_RE.search(page.body)
    assert page.status == 200 and match, page.status
    return page.cookies, match.group(1)


def test_a_login_on_one_instance_holds_on_the_other_and_through_nginx(stack: Stack) -> None:
    one, two = stack.ports
    cookies, token = _login_form(one)
    login = call(one, "POST", "/auth/login", cookies=cookies,
                 form={"csrf_token": token, "email": "alice@prod.example.org", "password": PASSWORD})
    assert login.status == 302 and login.headers["location"].endswith("/me"), (login.status, login.headers)
    session = {"ponte_session": login.cookies["ponte_session"]}
    for port in (two, stack.nginx, one):
        page = call(port, "GET", "/me", cookies=session)
        assert page.status == 200, (port, page.status, page.headers.get("location"))
        assert "Alice Dueistanze" in page.body
    assert call(two, "GET", "/me").status == 302  # and without the cookie, nobody is logged in


def test_the_login_limit_is_shared_by_both_instances(stack: Stack) -> None:
    # A client address of its own (ProxyFix trusts one X-Forwarded-For hop, as from nginx), so
    # the other tests' logins from 127.0.0.1 do not count here.
    client = {"X-Forwarded-For": "10.66.0.1"}
    statuses = []
    for attempt in range(10):
        port = stack.ports[attempt % 2]
        cookies, token = _login_form(port, client)
        answer = call(port, "POST", "/auth/login", cookies=cookies, headers=client,
                      form={"csrf_token": token, "email": "limited@prod.example.org", "password": "not-the-password-1"})
        statuses.append(answer.status)
        if answer.status == 429:
            assert int(answer.headers["retry-after"]) > 0
    assert statuses == [200] * 5 + [429] * 5, statuses


def test_200_people_supporting_at_once_through_both_instances_make_exactly_200(stack: Stack) -> None:
    proposal = stack.seed["burst"]
    people = stack.seed["people"][:BURST]
    barrier = threading.Barrier(BURST)

    def run(index: int) -> Answer:
        barrier.wait()
        return _support(stack.ports[index % 2], people[index], proposal)

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(pool.map(run, range(BURST)))
    refused = [answer for answer in answers if answer.status != 302]
    assert not refused, (len(refused), refused[0].status, refused[0].body[-800:])
    assert _supports(stack, proposal) == (BURST, BURST)


def test_killing_one_instance_mid_load_loses_no_acknowledged_write(stack: Stack) -> None:
    one, two = stack.ports
    proposal = stack.seed["crash"]
    people = stack.seed["people"][BURST:]
    targets = [one, two, stack.nginx]
    results: list[tuple[int, int, float, int | str]] = []  # (person index, port, start, status or error)
    lock = threading.Lock()
    done = threading.Semaphore(0)
    killed_at: list[float] = []

    def run(index: int) -> None:
        port = targets[index % 3]
        start = time.monotonic()
        try:
            outcome: int | str = _support(port, people[index], proposal).status
        except OSError as exc:  # refused or reset: not acknowledged
            outcome = type(exc).__name__
        with lock:
            results.append((index, port, start, outcome))
        done.release()

    def kill_after(count: int) -> None:
        for _ in range(count):
            done.acquire()
        master = stack.web_pid(two)
        os.killpg(master, signal.SIGKILL)  # the master and its workers: they share the process group
        # SIGKILL is delivered asynchronously: until the last process holding the listening socket
        # is gone, the kernel still accepts connections that nobody will answer. "Gone" is when
        # the port refuses a connection; only requests sent after that must all succeed.
        procs.wait_port_closed("127.0.0.1", two)
        killed_at.append(time.monotonic())

    killer = threading.Thread(target=kill_after, args=(40,))
    killer.start()
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(run, range(len(people))))
    killer.join()
    assert killed_at, "the instance was never killed"

    acknowledged = {people[i]["id"] for i, _, _, outcome in results if outcome in ACKNOWLEDGED}
    engine = stack.engine()
    try:
        with engine.connect() as conn:
            stored = conn.execute(select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == proposal)).scalars().all()
            counter = conn.execute(select(Proposal.supports_count).where(Proposal.id == proposal)).scalar_one()
    finally:
        engine.dispose()
    assert len(stored) == len(set(stored)) == counter  # none doubled, the counter agrees with the rows
    assert acknowledged <= set(stored)  # every acknowledged write is there
    assert any(port == two and outcome not in ACKNOWLEDGED for _, port, _, outcome in results)  # it did die
    # The survivor answered everything; nginx everything sent once the instance was gone.
    assert all(outcome in ACKNOWLEDGED for _, port, _, outcome in results if port == one), results
    assert all(outcome in ACKNOWLEDGED for _, port, start, outcome in results
               if port == stack.nginx and start > killed_at[0]), results
    assert sum(1 for _, port, start, _ in results if port == stack.nginx and start > killed_at[0]) >= 10
    for port in (one, stack.nginx):
        assert call(port, "GET", "/readyz").status == 200
        assert call(port, "GET", "/").status == 200
