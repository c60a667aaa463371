"""Dashboard pages over HTTP: route × role, officials kept to their territory, CSV downloads
(content type, formula safety), charts with title, description and a table beside them, right to
left in Arabic, bad filters answered 400 on the form, the public summary, and a query budget."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from tests import factories
from tests.conftest import login
from tests.services.test_dashboard import World, _grow, build_world
from tests.web.test_forums import _elements
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/dashboard/",
    "/dashboard/<name>.csv",
    "/dashboard/fami.csv",
    "/dashboard/summary",
    "/dashboard/summary/<name>.csv",
}

ROLES = ("anonymous", "citizen", "association_admin", "official", "other_official", "moderator", "admin")
Y2025 = "period_from=2025-01-01&period_to=2025-12-31"
BARI, PUGLIA, PESCARA = "072006", "16", "068028"
LOGIN = "login"  # a redirect to the login form

# path → expected answer for each role, in the order of ROLES.
MATRIX: dict[str, tuple[Any, ...]] = {
    "/dashboard/": (LOGIN, 403, 403, 200, 200, 403, 200),
    f"/dashboard/?territory={BARI}": (LOGIN, 403, 403, 200, 403, 403, 200),
    f"/dashboard/?territory={PUGLIA}": (LOGIN, 403, 403, 403, 403, 403, 200),
    f"/dashboard/?territory={PESCARA}": (LOGIN, 403, 403, 403, 200, 403, 200),
    f"/dashboard/events.csv?territory={BARI}&{Y2025}": (LOGIN, 403, 403, 200, 403, 403, 200),
    f"/dashboard/organizations.csv?territory={PUGLIA}": (LOGIN, 403, 403, 403, 403, 403, 200),
    f"/dashboard/fami.csv?{Y2025}": (LOGIN, 403, 403, 200, 200, 403, 200),
    "/dashboard/summary": (200, 200, 200, 200, 200, 200, 200),
    f"/dashboard/summary?territory={PUGLIA}&{Y2025}": (200, 200, 200, 200, 200, 200, 200),
    f"/dashboard/summary/participants.csv?territory={PUGLIA}": (200, 200, 200, 200, 200, 200, 200),
}


@pytest.fixture
def w(session) -> World:  # type: ignore[no-untyped-def]
    return build_world()


def _person(w: World, role: str) -> Any:
    return {
        "anonymous": None, "citizen": w.people[0], "association_admin": w.assoc_admin, "official": w.official,
        "other_official": w.far_official, "moderator": factories.moderator(w.puglia), "admin": factories.admin(),
    }[role]


def _as(client, who) -> Any:  # type: ignore[no-untyped-def]
    if who is not None:
        assert login(client, who.email, factories.PASSWORD).status_code == 302
    return client


def _rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_expected(client, w, role) -> None:  # type: ignore[no-untyped-def]
    _as(client, _person(w, role))
    for path, expected in MATRIX.items():
        response = client.get(path)
        want = expected[ROLES.index(role)]
        if want == LOGIN:
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], (path, role)
        else:
            assert response.status_code == want, (path, role, response.status_code)


def test_people_without_a_public_body_are_told_why(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, w.assoc_admin)
    page = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "for officials of public bodies and for administrators" in page


def test_an_official_of_another_authority_cannot_see_or_download_another_territory(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, w.far_official)
    page = client.get(f"/dashboard/?territory={BARI}&lang=en")
    assert page.status_code == 403
    assert "not of other places" in page.get_data(as_text=True)
    assert client.get("/dashboard/labs.csv?territory=Bari (BA)").status_code == 403
    rows = _rows(client.get(f"/dashboard/fami.csv?{Y2025}"))
    assert {r[2] for r in rows[1:]} == {PESCARA}


def test_an_official_starts_from_the_territory_of_their_public_body(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, w.official)
    page = client.get(f"/dashboard/?{Y2025}&lang=en").get_data(as_text=True)
    assert 'value="072006"' in page
    assert "Figures of Bari and of the places inside it" in page
    assert f"/dashboard/events.csv?period_from=2025-01-01&amp;period_to=2025-12-31&amp;territory={BARI}" in page


class _Svg(HTMLParser):
    """Collects each chart's aria-labelledby, its title and desc ids, and the tables with captions."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "svg" and a.get("role") == "img" and "ponte-chart" in (a.get("class") or ""):
            self.charts.append({"labelledby": a["aria-labelledby"].split(), "ids": [], "direction": a.get("direction")})
        elif tag in ("title", "desc") and self.charts and a.get("id"):
            self.charts[-1]["ids"].append(a["id"])
        elif tag == "table":
            self.tables.append({"id": a.get("id"), "caption": False, "scopes": []})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True
        elif tag == "th" and self.tables:
            self.tables[-1]["scopes"].append(a.get("scope"))


def test_each_chart_has_title_description_and_the_table_beside_it(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.admin())
    page = client.get(f"/dashboard/?territory={PUGLIA}&{Y2025}&lang=en").get_data(as_text=True)
    parsed = _Svg()
    parsed.feed(page)
    names = ["organizations", "forums", "labs", "events", "initiatives", "initiative-outputs", "participants"]
    assert [t["id"] for t in parsed.tables] == [f"table-{n}" for n in names]
    for table in parsed.tables:
        assert table["caption"] and table["scopes"] and all(s in ("col", "row") for s in table["scopes"]), table
    assert len(parsed.charts) == 6  # the outputs table mixes units: no chart
    for chart in parsed.charts:
        assert chart["labelledby"] == chart["ids"] and chart["labelledby"][0].endswith("-title"), chart
        assert chart["direction"] == "ltr"
    for name in names:
        assert f"/dashboard/{name}.csv?period_from=2025-01-01&amp;period_to=2025-12-31&amp;territory={PUGLIA}" in page
    assert "/dashboard/fami.csv?period_from=2025-01-01&amp;period_to=2025-12-31" in page
    # The figures of the fixture, in the events table: 2 events, 3 dates, 5 places, 3 present.
    events = page[page.index('id="table-events"'):]
    events = events[: events.index("</table>")]
    assert re.findall(r"<td>(\d+)</td>", events) == ["2", "3", "5", "3"]
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_charts_are_drawn_right_to_left_in_arabic(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.admin())
    page = client.get(f"/dashboard/summary?territory={PUGLIA}&{Y2025}&lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page
    parsed = _Svg()
    parsed.feed(page)
    assert parsed.charts and all(c["direction"] == "rtl" for c in parsed.charts)
    # Every label and value is anchored inside the picture (no negative or too large x).
    for x in re.findall(r'<text x="([\d.-]+)"', page):
        assert 0 <= float(x) <= 560


def test_table_csv_has_the_figures_and_a_csv_content_type(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, w.official)
    response = client.get(f"/dashboard/organizations.csv?territory={BARI}&{Y2025}&lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="organizations-072006-2025-01-01-2025-12-31.csv"'
    rows = _rows(response)
    assert rows[0] == ["kind", "kind_name", "total", "verified", "not_verified", "members"]
    assert {r[0]: r[2:] for r in rows[1:]}["migrant_association"] == ["2", "1", "1", "4"]


def test_fami_csv_is_formula_safe(client, w) -> None:  # type: ignore[no-untyped-def]
    w.piemonte.name = "=cmd|' /C calc'!A0"
    factories.db.session.flush()
    _as(client, factories.admin())
    response = client.get(f"/dashboard/fami.csv?{Y2025}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="fami-indicators.csv"'
    rows = _rows(response)
    assert rows[0][:5] == ["region_istat_code", "region_name", "territory_istat_code", "territory_name", "action"]
    assert "'=cmd|' /C calc'!A0" in {r[1] for r in rows[1:]}
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r)
    puglia = next(r for r in rows if r[0] == PUGLIA and r[4] == "all")
    assert dict(zip(rows[0], puglia, strict=True))["organisations_total"] == "7"


def test_public_summary_counts_only_public_items(client, w) -> None:  # type: ignore[no-untyped-def]
    rows = _rows(client.get(f"/dashboard/summary/events.csv?territory={PUGLIA}&{Y2025}"))
    assert [r[2] for r in rows[1:]] == ["1", "2", "3", "2"]
    rows = _rows(client.get(f"/dashboard/summary/labs.csv?territory={PUGLIA}&{Y2025}"))
    assert {r[0]: r[2] for r in rows[1:]} == {
        "labs": "1", "proposals_received": "5", "supports": "6", "proposals_supported": "5", "proposals_answered": "3",
        "proposals_overdue": "2", "median_days_to_answer": "20.0",
    }
    rows = _rows(client.get(f"/dashboard/summary/organizations.csv?territory={PUGLIA}&{Y2025}"))
    assert {r[0]: r[2:] for r in rows[1:]}["migrant_association"] == ["2", "1", "1", "4"]
    page = client.get(f"/dashboard/summary?territory={PUGLIA}&{Y2025}").get_data(as_text=True)
    assert f"/dashboard/summary/participants.csv?period_from=2025-01-01&amp;period_to=2025-12-31&amp;territory={PUGLIA}" in page


@pytest.mark.parametrize("query", [
    "period_from=2025-13-45",
    "period_from=yesterday",
    "period_from=2025-05-01&period_to=2025-04-30",
    "period_from=1800-01-01",
    "territory=Atlantide",
    "action=action_99",
    "territory=" + "x" * 300,
])
def test_bad_filters_are_answered_400_on_the_form(client, w, query) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.admin())
    response = client.get(f"/dashboard/?{query}&lang=en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page and "Please correct the form" in page
    assert 'id="table-' not in page
    assert client.get(f"/dashboard/events.csv?{query}").status_code == 400


@pytest.mark.parametrize("query", ["territory=99", "territory=072006", "period_to=2025-02-30", "action=<script>"])
def test_bad_filters_of_the_summary_are_answered_400(client, w, query) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/dashboard/summary?{query}&lang=en")
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)
    assert client.get(f"/dashboard/summary/forums.csv?{query}").status_code == 400


def test_fami_with_a_bad_period_is_400(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.admin())
    assert client.get("/dashboard/fami.csv?period_from=2025-06-01&period_to=2025-01-01").status_code == 400
    assert client.get("/dashboard/fami.csv?period_to=not-a-date").status_code == 400


def test_unknown_tables_are_not_found(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.admin())
    for path in ("/dashboard/nothing.csv", "/dashboard/summary/nothing.csv", "/dashboard/summary/..%2Fetc.csv"):
        assert client.get(path).status_code == 404, path


def test_names_from_the_database_are_shown_inert(client, w) -> None:  # type: ignore[no-untyped-def]
    payload = '<script>alert(1)</script>"><svg onload=alert(1)>'
    w.bari.name = payload
    factories.db.session.flush()
    _as(client, w.official)
    page = client.get(f"/dashboard/?{Y2025}").get_data(as_text=True)
    assert payload not in page
    for tag, attrs in _elements(page):
        a = dict(attrs)
        assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
        if tag == "svg":
            assert "icon" in (a.get("class") or "") or "ponte-chart" in (a.get("class") or ""), a
        if tag == "script":
            assert (a.get("src") or "").startswith("/static/"), a


def test_dashboard_pages_are_never_cached(client, w) -> None:  # type: ignore[no-untyped-def]
    _as(client, w.official)
    assert client.get("/dashboard/").headers["Cache-Control"] == "no-store"
    assert client.get(f"/dashboard/events.csv?territory={BARI}").headers["Cache-Control"] == "no-store"


def test_the_number_of_queries_does_not_grow_with_the_data(client, w, engine) -> None:  # type: ignore[no-untyped-def]
    counts: dict[str, list[int]] = {}
    paths = (f"/dashboard/summary?territory={PUGLIA}&{Y2025}", f"/dashboard/?territory={PUGLIA}&{Y2025}",
             f"/dashboard/labs.csv?territory={PUGLIA}&{Y2025}")
    _as(client, factories.admin())
    for path in paths:  # the first request of a session does a little more (unread notifications)
        client.get(path)
    for n in (1, 6):
        _grow(w, n)
        for path in paths:
            with count_queries(engine) as statements:
                assert client.get(path).status_code == 200
            counts.setdefault(path, []).append(len(statements))
    for path, found in counts.items():
        assert found[0] == found[1], (path, found)
    assert counts[paths[0]][0] <= 16  # the regions, the territory, the session, 12 aggregate queries


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("dashboard.")} == COVERED_ROUTES
