"""Query budgets: list and detail pages run a fixed, small number of queries (no N+1)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event

from app.db import db
from app.services import events, forums, labs, proposals, responses, search_index
from app.services.events import EventDraft
from models import Forum, Lab, Organization, OrgKind, Proposal, Territory, Thread, User
from tests import factories
from tests.conftest import login


class Statements(list[str]):
    """The SQL statements run (their text), with their parameters beside them: ``parameters[i]``
    belongs to ``self[i]`` (to replay one under EXPLAIN)."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters: list[Any] = []


@contextmanager
def count_queries(engine):  # type: ignore[no-untyped-def]
    statements = Statements()

    def record(conn, cursor, statement, parameters, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
            statements.append(statement)
            statements.parameters.append(parameters)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _region_with(n: int):  # type: ignore[no-untyped-def]
    region = factories.territory(f"Regione con {n}")
    for i in range(n):
        province = factories.territory(f"Provincia {n}-{i}", factories.TerritoryLevel.PROVINCE, region)
        comune = factories.territory(f"Comune {n}-{i}", factories.TerritoryLevel.COMUNE, province)
        if i < 8:  # initiatives of the place, with their leads (the page shows a few)
            factories.initiative(factories.organization(home=comune), status="running")
    return region


def test_territory_page_query_count_does_not_grow_with_rows(client, engine) -> None:  # type: ignore[no-untyped-def]
    small, large = _region_with(5), _region_with(50)
    counts = []
    for region in (small, large):
        with count_queries(engine) as statements:
            assert client.get(f"/territories/{region.istat_code}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6, counts  # place with its chain and children; organisations with their areas; labs, events, initiatives


def test_home_and_territory_index_stay_within_budget_when_logged_in(client, engine) -> None:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    user = factories.user(home=comune)
    login(client, user.email, factories.PASSWORD)
    for path in ("/", "/territories/", f"/territories/{comune.istat_code}", "/me"):
        with count_queries(engine) as statements:
            assert client.get(path).status_code == 200
        # A territory page also lists the labs, the upcoming events and the initiatives of the place: one query each.
        # The personal area is a dashboard: organisations, forums, proposals, co-sponsoring invitations,
        # registrations with their status and titles in the reader's language: one query per section.
        limit = {"/me": 10}.get(path, 6)
        assert len(statements) <= limit, (path, statements)


# ---------------------------------------------------------------- the pages the benchmark measures (issue 9)

LIST_BUDGET, DETAIL_BUDGET, HOME_BUDGET = 4, 6, 8


@dataclass
class Place:
    """A comune with ``n`` rows of everything the measured pages list, and a citizen who lives there."""

    n: int
    comune: Territory
    citizen: User
    forum: Forum
    thread: Thread
    lab: Lab
    proposal: Proposal
    month: date

    def url(self, page: str) -> str:
        last = forums.page_of(max(self.thread.posts_count, 1))
        return {
            "home": "/",
            "territory": f"/territories/{self.comune.istat_code}",
            "forum": f"/forums/{self.forum.slug}",
            "forum_deep": self.deep_forum_url,
            "thread": f"/threads/{self.thread.id}",
            "thread_last": f"/threads/{self.thread.id}?page={last}",
            "proposals": f"/labs/{self.lab.slug}?sort=supported",
            "proposal": f"/proposals/{self.proposal.id}",
            "events_month": f"/events/?view=month&territory={self.comune.istat_code}&date={self.month.isoformat()}",
            "organizations": f"/organizations/?territory={self.comune.istat_code}",
            "search": "/search?q=sportello",
            "api_proposals": "/api/v1/proposals",
        }[page]

    deep_forum_url: str = ""


PAGES = {  # page → budget (the same for a visitor and a logged-in citizen)
    "home": HOME_BUDGET, "territory": DETAIL_BUDGET, "forum": LIST_BUDGET, "forum_deep": LIST_BUDGET,
    "thread": DETAIL_BUDGET, "thread_last": DETAIL_BUDGET, "proposals": LIST_BUDGET, "proposal": DETAIL_BUDGET,
    "events_month": LIST_BUDGET, "organizations": LIST_BUDGET, "search": LIST_BUDGET, "api_proposals": LIST_BUDGET,
}


def _organizations(n: int, comune: Territory, people: list[User], citizen: User) -> None:
    for i in range(n):
        org = factories.organization(f"Sportello {n}-{i:02d}", home=comune, admin=people[i % len(people)])
        if i == 0:
            factories.member(org, citizen)
        if i < 8:
            factories.initiative(org, status="running")


def _events(n: int, comune: Territory, official: User, authority: Organization) -> date:
    month = (datetime.now(events.ROME).date().replace(day=1) + timedelta(days=40)).replace(day=1)
    for i in range(n):
        events.create_event(official, authority, EventDraft(
            title=f"Sportello lavoro {i}", description="Un incontro per chi cerca lavoro.", kind="italian_l2",
            starts_on=month + timedelta(days=i % 27), start_time=time(18), end_time=time(20), venue="Biblioteca",
            address="Via Roma 1", territory=comune.istat_code))
    return month


def _lab(n: int, comune: Territory, official: User, authority: Organization, people: list[User], citizen: User) -> tuple[Lab, Proposal]:
    """A lab with n proposals (the citizen supports every other one); the first has n comments and an answer."""
    lab = labs.create_lab(official, authority, labs.LabDraft(
        title=f"Laboratorio {n}", description="Proposte dei residenti al Comune.", territory=comune.istat_code,
        proposals_on=datetime.now(events.ROME).date() - timedelta(days=1), support_threshold=1000))
    listed = [proposals.create_proposal(people[i % len(people)], lab, proposals.ProposalDraft(
        title=f"Proposta {i:02d} per il quartiere", summary="Una proposta concreta.", body="Il testo della proposta."), publish=True)
        for i in range(n)]
    for i, item in enumerate(listed):
        for person in [*people[: i % len(people)], *([citizen] if i % 2 else [])]:
            proposals.support(person, item)
    for i in range(n):
        top = proposals.add_comment(people[i % len(people)], listed[0], f"Commento numero {i}.")
        if i % 3 == 0:
            proposals.add_comment(citizen, listed[0], "Sono d'accordo.", parent_id=top.id)
    responses.respond(official, listed[0], responses.ResponseDraft(
        decision="evaluating", text="La valuteremo entro marzo con gli uffici.", next_step="Sopralluogo in aprile."))
    return lab, listed[0]


def _forum(n: int, comune: Territory, people: list[User], citizen: User) -> tuple[Forum, Thread, str]:
    """n threads, n replies in the first one; and the address of the last page, reached by "next" links."""
    forum = forums.forum_for(comune)
    threads = [forums.create_thread(people[i % len(people)], forum, forums.ThreadDraft(title=f"Discussione {i}", body="Testo di prova"))
               for i in range(n)]
    for i in range(n):
        forums.reply(people[i % len(people)], threads[0], forums.PostDraft(body=f"Risposta {i}."))
    forums.join(citizen, forum)
    db.session.flush()
    cursor, page = None, forums.list_threads(None, forum)
    while page.has_next:
        cursor, page = page.next_cursor, forums.list_threads(None, forum, after=page.next_cursor)
    return forum, threads[0], f"/forums/{forum.slug}" + (f"?after={cursor}" if cursor else "")


def _place(n: int) -> Place:
    """Everything at once, so each page is measured on the same data (about n rows per list)."""
    _, _, comune = factories.chain()
    official = factories.user(home=comune)
    authority = factories.organization(f"Comune {n}", kind=OrgKind.LOCAL_AUTHORITY, home=comune, admin=official, verified=True)
    citizen = factories.user(home=comune)
    people = [factories.user(home=comune) for _ in range(max(3, n // 5))]
    _organizations(n, comune, people, citizen)
    month = _events(n, comune, official, authority)
    lab, proposal = _lab(n, comune, official, authority, people, citizen)
    forum, thread, deep = _forum(n, comune, people, citizen)
    search_index.rebuild()
    db.session.flush()
    db.session.refresh(thread)
    return Place(n, comune, citizen, forum, thread, lab, proposal, month, deep)


MARKERS = {  # what each page must show with 50 rows, so a constant count is not an empty page
    "home": "", "territory": "Sportello 50-", "forum": "Discussione 49", "forum_deep": "Discussione 1<",
    "thread": "Risposta 0.", "thread_last": "Risposta 49.", "proposals": "Proposta 49", "proposal": "La valuteremo",
    "events_month": "Sportello lavoro 49", "organizations": "Sportello 50-", "search": "Sportello", "api_proposals": "Proposta 49",
}


def test_measured_pages_stay_within_budget_for_5_and_50_rows(client, engine) -> None:  # type: ignore[no-untyped-def]
    """Every page the benchmark measures, for a visitor and a logged-in citizen: the same number
    of queries with 5 and with 50 rows (no N+1), and within the list/detail/home budget."""
    places = {n: _place(n) for n in (5, 50)}
    counts: dict[tuple[str, str], list[int]] = {}
    for page in PAGES:
        for who in ("anonymous", "citizen"):
            counts[page, who] = [len(measure(client, engine, places[n], page, who, MARKERS[page] if n == 50 else "")) for n in (5, 50)]
    grown = {key: found for key, found in counts.items() if found[0] != found[1]}
    over = {key: found for key, found in counts.items() if max(found) > PAGES[key[0]]}
    assert not grown and not over, {"grows with rows": grown, "over budget": over, "all": counts}


def measure(client, engine, place: Place, page: str, who: str, marker: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    client.post_form("/auth/logout")
    if who == "citizen":
        login(client, place.citizen.email, factories.PASSWORD)
    url = place.url(page)
    client.get(url)  # warm up: per-process caches (translations, reference data) are not per-request costs
    with count_queries(engine) as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert marker in response.get_data(as_text=True), (url, marker)
    return statements


def test_forum_pages_walk_by_keyset_and_old_page_links_still_work(client, engine) -> None:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    forum = forums.forum_for(comune)
    author = factories.user(home=comune)
    for i in range(45):
        forums.create_thread(author, forum, forums.ThreadDraft(title=f"Filo {i:02d}", body="Testo di prova"))
    db.session.flush()
    seen: list[str] = []
    url, costs = f"/forums/{forum.slug}", []
    while url:
        with count_queries(engine) as statements:
            html = client.get(url).get_data(as_text=True)
        costs.append(len(statements))
        seen += re.findall(r">(Filo \d\d)</a>", html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
    assert sorted(seen) == [f"Filo {i:02d}" for i in range(45)] and len(costs) == 3 and len(set(costs)) == 1, (seen, costs)
    back = re.search(r'rel="prev" href="([^"]+)"', html)
    assert back and "Filo 24<" in client.get(back.group(1).replace("&amp;", "&")).get_data(as_text=True)
    old = client.get(f"/forums/{forum.slug}?page=2").get_data(as_text=True)  # links written before keyset
    assert "Filo 24<" in old and 'rel="next" href="/forums/' in old
    for bad in ("after=xyz", "after=W10", "before=%00", "page=2&after=W10"):
        assert client.get(f"/forums/{forum.slug}?{bad}").status_code == 400, bad
