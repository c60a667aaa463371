"""Query budgets: list and detail pages run a fixed, small number of queries (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests import factories
from tests.conftest import login


@contextmanager
def count_queries(engine):  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")):
            statements.append(statement)

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
    assert counts[1] <= 8, counts  # place, its chain, children; organisations (+ their areas), labs, events, initiatives


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
        limit = {"/me": 10}.get(path, 8 if path.startswith("/territories/") and path != "/territories/" else 6)
        assert len(statements) <= limit, (path, statements)
