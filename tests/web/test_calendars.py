"""Calendar pages and iCalendar feeds over HTTP: route × role, the month, week and agenda views and
their navigation, filters, times across the change to summer time, query budgets, feeds parsed back
by an independent parser (vobject), the personal feed's secret address, and the XSS corpus."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
import vobject

from app.services import calendars, events, registrations
from models import CalendarToken, UserStatus
from tests import factories
from tests.conftest import login
from tests.web.test_query_budget import count_queries

COVERED_ROUTES = {
    "/events/",
    "/calendar.ics",
    "/calendar/<token>.ics",
    "/events/<int:event_id>.ics",
    "/me/calendar",
}

ROLES = ("anonymous", "citizen", "organiser", "admin")
XSS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "javascript:alert(1)")
ADDRESS_RE = re.compile(r'value="(https://ponte\.test/calendar/[^"]+\.ics)"')


def _today() -> date:
    return calendars.today_in_rome()


def _draft(territory: str, title: str = "Incontro del quartiere", day: date | None = None, **fields) -> events.EventDraft:  # type: ignore[no-untyped-def]
    values = {
        "title": title, "description": "Un incontro aperto a tutte le persone del quartiere.", "kind": "assembly",
        "starts_on": day or _today() + timedelta(days=3), "start_time": time(18), "end_time": time(20),
        "venue": "Biblioteca comunale", "territory": territory,
    }
    values.update(fields)
    return events.EventDraft(**values)


@pytest.fixture
def world(session, client):  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read the English source text
    region, province, comune = factories.chain()
    other_region, _, other_comune = factories.chain()
    organiser = factories.user(home=comune, locale="en")
    org = factories.organization("Associazione Ponte Sud", home=comune, admin=organiser, verified=True)
    hidden_boss = factories.user()
    hidden = factories.organization("Gruppo nascosto", home=comune, admin=hidden_boss)
    citizen = factories.user(home=comune, locale="en")
    event = events.create_event(organiser, org, _draft(comune.istat_code, "Assemblea di quartiere"))
    hidden_event = events.create_event(hidden_boss, hidden, _draft(comune.istat_code, "Riunione riservata"))
    hidden.is_hidden = True
    session.flush()
    registrations.register(citizen, events.list_sessions(event)[0])
    token = calendars.issue_calendar_token(citizen)
    session.flush()
    people = {"anonymous": None, "citizen": citizen, "organiser": organiser, "admin": factories.admin()}
    return {
        "people": people, "org": org, "event": event, "region": region, "province": province, "comune": comune,
        "other_region": other_region, "other_comune": other_comune, "organiser": organiser, "citizen": citizen,
        "event_id": event.id, "hidden_event_id": hidden_event.id, "token": token, "today": _today().isoformat(),
        "hidden_org": hidden,
    }


def _as(client, person) -> None:  # type: ignore[no-untyped-def]
    if person is not None:
        login(client, person.email, factories.PASSWORD)


MATRIX = {
    "/events/": (200, 200, 200, 200),
    "/events/?view=week&date={today}": (200, 200, 200, 200),
    "/events/?view=agenda": (200, 200, 200, 200),
    "/events/?view=month&date=2026-03&territory={region.istat_code}&kind=assembly": (200, 200, 200, 200),
    "/events/?mine=y": (400, 200, 200, 200),
    "/events/?view=year": (400, 400, 400, 400),
    "/events/?date=2026-13-45": (400, 400, 400, 400),
    "/events/?view=agenda&page=0": (400, 400, 400, 400),
    "/calendar.ics": (200, 200, 200, 200),
    "/calendar.ics?org={org.slug}&action=action_04": (200, 200, 200, 200),
    "/calendar.ics?territory=Atlantide": (400, 400, 400, 400),
    "/calendar/{token}.ics": (200, 200, 200, 200),
    "/calendar/not-a-token.ics": (404, 404, 404, 404),
    "/events/{event_id}.ics": (200, 200, 200, 200),
    "/events/{hidden_event_id}.ics": (404, 404, 404, 200),
    "/events/999999.ics": (404, 404, 404, 404),
    "/me/calendar": (302, 200, 200, 200),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(client, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    response = client.get(path.format(**world))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_posting_to_my_calendar_by_role(client, world, session, role_index: int) -> None:  # type: ignore[no-untyped-def]
    person = world["people"][ROLES[role_index]]
    _as(client, person)
    response = client.post_form("/me/calendar", {"choice": "issue"})
    if person is None:
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == 200
        assert ADDRESS_RE.search(response.get_data(as_text=True))


def test_every_route_of_the_blueprint_is_covered(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("calendars.")} == COVERED_ROUTES



# ---------------------------------------------------------------- helpers to read the pages

TITLE_RE = re.compile(r'<bdi class="ponte-cal-title"[^>]*>(.*?)</bdi>', re.S)
CELL_RE = re.compile(r"<td(?P<attrs>[^>]*)>(?P<body>.*?)</td>", re.S)


def _titles(html: str) -> list[str]:
    return [unescape(t) for t in TITLE_RE.findall(html)]


def _cells(html: str) -> list[dict]:  # type: ignore[type-arg]
    """The month grid's cells: day number, dimmed, today, and the titles and text inside."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = []
    for match in CELL_RE.finditer(body):
        attrs, inner = match.group("attrs"), match.group("body")
        cells.append({
            "day": int(re.search(r'ponte-cal-num" aria-hidden="true">(\d+)<', inner).group(1)),  # type: ignore[union-attr]
            "dimmed": "ponte-cal-other" in attrs, "today": 'aria-current="date"' in attrs,
            "titles": _titles(inner), "text": unescape(re.sub(r"<[^>]+>", " ", inner)),
        })
    return cells


def _link(html: str, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    assert found, rel
    return unescape(found.group(1))


class _Tags(HTMLParser):
    """Every start tag with its attributes, to look for anything a payload could have injected."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []  # type: ignore[type-arg]

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))


# ---------------------------------------------------------------- month, week and agenda


def test_month_week_and_agenda_show_the_sessions_of_their_period(client, world) -> None:  # type: ignore[no-untyped-def]
    org, organiser, code = world["org"], world["organiser"], world["comune"].istat_code
    for title, day in (("Marzo dieci", date(2026, 3, 10)), ("Aprile due", date(2026, 4, 2)), ("Aprile venti", date(2026, 4, 20))):
        events.create_event(organiser, org, _draft(code, title, day=day))

    month = client.get("/events/?view=month&date=2026-03")
    assert month.status_code == 200
    cells = {(c["day"], c["dimmed"]): c for c in _cells(month.get_data(as_text=True))}
    assert cells[(10, False)]["titles"] == ["Marzo dieci"]
    assert cells[(2, True)]["titles"] == ["Aprile due"]  # in the grid's last week, dimmed but shown
    assert "Aprile venti" not in month.get_data(as_text=True)

    week = client.get("/events/?view=week&date=2026-03-11").get_data(as_text=True)
    assert _titles(week) == ["Marzo dieci"]
    assert "Week of" in week and 'id="day-2026-03-09"' in week and 'id="day-2026-03-15"' in week

    agenda = client.get("/events/?view=agenda&date=2026-03-31").get_data(as_text=True)
    assert _titles(agenda)[:2] == ["Aprile due", "Aprile venti"]
    assert "Marzo dieci" not in agenda


def test_a_busy_day_of_the_month_shows_three_events_and_links_to_its_week(client, world) -> None:  # type: ignore[no-untyped-def]
    org, organiser, code = world["org"], world["organiser"], world["comune"].istat_code
    busy = date(2026, 3, 12)
    for n in range(5):
        events.create_event(organiser, org, _draft(code, f"Laboratorio {n}", day=busy, start_time=time(9 + n), end_time=time(10 + n)))
    events.create_event(organiser, org, _draft(code, "Giorno tranquillo", day=date(2026, 3, 13)))

    month = client.get(f"/events/?view=month&date=2026-03&kind=assembly&territory={code}").get_data(as_text=True)
    cells = {(c["day"], c["dimmed"]): c for c in _cells(month)}
    assert cells[(12, False)]["titles"] == ["Laboratorio 0", "Laboratorio 1", "Laboratorio 2"]  # the first three, by time
    assert cells[(13, False)]["titles"] == ["Giorno tranquillo"]
    more = re.findall(r'<p class="ponte-cal-more"><a href="([^"]+)">2 more events<span class="visually-hidden"> · ([^<]+)</span>', month)
    assert len(more) == 1, "one link, on the busy day only"
    href, day_name = unescape(more[0][0]), more[0][1]
    assert "Thursday, March 12, 2026" in day_name
    assert "view=week" in href and "date=2026-03-12" in href and "kind=assembly" in href and f"territory={code}" in href
    week = client.get(href).get_data(as_text=True)
    assert [t for t in _titles(week) if t.startswith("Laboratorio")] == [f"Laboratorio {n}" for n in range(5)]


def test_navigation_keeps_the_filters(client, world) -> None:  # type: ignore[no-untyped-def]
    code = world["region"].istat_code
    month = client.get(f"/events/?view=month&date=2026-03&kind=assembly&territory={code}").get_data(as_text=True)
    for rel, day in (("prev", "2026-02"), ("next", "2026-04")):
        href = _link(month, rel)
        assert f"date={day}" in href and "kind=assembly" in href and f"territory={code}" in href and "view=month" in href
    week = client.get(f"/events/?view=week&date=2026-03-11&action=action_04&org={world['org'].slug}").get_data(as_text=True)
    for rel, day in (("prev", "2026-03-02"), ("next", "2026-03-16")):
        href = _link(week, rel)
        assert f"date={day}" in href and "action=action_04" in href and f"org={world['org'].slug}" in href
    assert f'href="/events/?view=agenda&amp;date=2026-03-11&amp;action=action_04&amp;org={world["org"].slug}"' in week
    assert f'href="/calendar.ics?action=action_04&amp;org={world["org"].slug}"' in week  # the feed of what is shown
    assert f'href="/events/?view=week&amp;action=action_04&amp;org={world["org"].slug}">' in week  # "Today"


def test_agenda_pages_keep_the_filters(client, world) -> None:  # type: ignore[no-untyped-def]
    start = _today() + timedelta(days=1)
    events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Corso settimanale", day=start,
                                                                  kind="italian_l2", recurrence="weekly", repeat_until=start + timedelta(days=7 * 24)))
    first = client.get(f"/events/?view=agenda&kind=italian_l2&date={start.isoformat()}").get_data(as_text=True)
    assert len(_titles(first)) == calendars.AGENDA_PER_PAGE
    href = _link(first, "next")
    assert "page=2" in href and "kind=italian_l2" in href and f"date={start.isoformat()}" in href
    second = client.get(href).get_data(as_text=True)
    assert len(_titles(second)) == 25 - calendars.AGENDA_PER_PAGE
    assert "kind=italian_l2" in _link(second, "prev")


def test_month_grid_of_a_month_that_starts_on_sunday(client, world) -> None:  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"  # Italian month names and 24-hour times
    html = client.get("/events/?date=2026-03").get_data(as_text=True)  # 1 March 2026 is a Sunday
    assert "<caption>marzo 2026</caption>" in html
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]
    cells = _cells(html)
    assert len(cells) == 42 and html.count("<tr>") == 7  # six weeks and the header row
    assert [c["day"] for c in cells[:7]] == [23, 24, 25, 26, 27, 28, 1]
    assert [c["dimmed"] for c in cells[:7]] == [True] * 6 + [False]
    assert [c["day"] for c in cells[-7:]] == [30, 31, 1, 2, 3, 4, 5]
    assert "domenica 1 marzo 2026" in cells[6]["text"]  # the full date, for screen readers and phones
    assert not any(c["today"] for c in cells)


def test_today_is_marked_and_the_today_link_comes_back(client, world) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/events/").get_data(as_text=True)
    today = [c for c in _cells(html) if c["today"]]
    assert len(today) == 1 and today[0]["day"] == _today().day and not today[0]["dimmed"]
    assert html.count('aria-current="date"') == 1
    assert 'href="/events/?view=month">' in html


def test_weekly_series_stays_at_18_across_the_change_to_summer_time(client, world) -> None:  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"  # Italian month names and 24-hour times
    events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Corso serale", day=date(2026, 3, 19),
                                                                  recurrence="weekly", repeat_until=date(2026, 4, 9)))
    before = client.get("/events/?view=week&date=2026-03-26").get_data(as_text=True)
    after = client.get("/events/?view=week&date=2026-04-02").get_data(as_text=True)
    assert '<time datetime="2026-03-26T17:00:00+00:00">18:00</time>–<time datetime="2026-03-26T19:00:00+00:00">20:00</time>' in before
    assert '<time datetime="2026-04-02T16:00:00+00:00">18:00</time>–<time datetime="2026-04-02T18:00:00+00:00">20:00</time>' in after
    cells = {(c["day"], c["dimmed"]): c for c in _cells(client.get("/events/?date=2026-03").get_data(as_text=True))}
    for key in ((19, False), (26, False), (2, True)):
        assert "18:00" in cells[key]["text"] and "20:00" in cells[key]["text"], key


def test_session_details_cancelled_places_and_my_registration(client, world, session) -> None:  # type: ignore[no-untyped-def]
    start = _today() + timedelta(days=1)
    series = events.create_event(world["organiser"], world["org"], _draft(
        world["comune"].istat_code, "Laboratorio a posti limitati", day=start, recurrence="weekly", repeat_until=start + timedelta(days=14),
        capacity=2, kind="workshop"))
    first, second, third = events.list_sessions(series)
    registrations.register(world["citizen"], first)
    registrations.register(factories.user(), second)
    registrations.register(factories.user(), second)
    registrations.register(world["citizen"], second)
    events.cancel_session(world["organiser"], third, "Festa")
    online = events.create_event(world["organiser"], world["org"], _draft(
        world["comune"].istat_code, "Incontro in rete", day=start, mode="online", online_url="https://meet.example.org/stanza", venue=""))
    session.flush()
    _as(client, world["citizen"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get(f"/events/?view=agenda&date={start.isoformat()}").get_data(as_text=True)
    items = [unescape(re.sub(r"<[^>]+>", " ", i)) for i in re.findall(r'<li class="ponte-cal-item[^"]*">(.*?)</li>', html, re.S)]
    text = {" ".join(i.split()) for i in items}
    assert any("Laboratorio a posti limitati" in t and "You are registered" in t and "1 place left" in t and "Workshop" in t
               and "Biblioteca comunale" in t for t in text), text
    assert any("Laboratorio a posti limitati" in t and "On the waiting list" in t and "Full: waiting list" in t for t in text), text
    assert any("Cancelled" in t and "Laboratorio a posti limitati" in t for t in text)
    assert re.search(r"<del><bdi[^>]*>Laboratorio a posti limitati</bdi></del>", html)
    assert any("Incontro in rete" in t and "Online" in t for t in text)
    assert "meet.example.org" not in html  # online links are for the event page, never the calendar
    assert f'href="/events/{online.id}"' in html


def test_titles_are_shown_in_the_readers_language(client, world, session) -> None:  # type: ignore[no-untyped-def]
    event = world["event"]
    events.set_translation(world["organiser"], event, "en", "Neighbourhood assembly", "An assembly open to everyone.")
    session.flush()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/events/?view=agenda").get_data(as_text=True)
    assert '<bdi class="ponte-cal-title" lang="en">Neighbourhood assembly</bdi>' in html
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "it"
    assert "Assemblea di quartiere" in _titles(client.get("/events/?view=agenda").get_data(as_text=True))


def test_publish_link_only_for_people_who_are_logged_in(client, world) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/events/new"' not in client.get("/events/").get_data(as_text=True)
    _as(client, world["citizen"])
    html = client.get("/events/").get_data(as_text=True)
    assert 'href="/events/new"' in html and 'name="mine"' in html


def test_calendar_query_count_does_not_grow_with_sessions(client, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    citizen, org, organiser, code = world["citizen"], world["org"], world["organiser"], world["comune"].istat_code
    counts = []
    for n, month in ((3, date(2027, 2, 1)), (30, date(2027, 3, 1))):
        for i in range(n):
            event = events.create_event(organiser, org, _draft(code, f"Evento numero {i}", day=month + timedelta(days=i % 27),
                                                               language="en", capacity=10))
            if i % 2:
                events.set_translation(organiser, event, "it", f"Evento tradotto {i}", "")
            if i % 3 == 0:
                registrations.register(citizen, events.list_sessions(event)[0])
        session.flush()
        _as(client, citizen)
        for view in ("month", "week", "agenda"):
            path = f"/events/?view={view}&date={month.isoformat()}&territory={code}&org={org.slug}"
            with count_queries(engine) as statements:
                response = client.get(path)
            assert response.status_code == 200
            counts.append((view, len(statements)))
        assert len(_titles(client.get(f"/events/?date={month.isoformat()}").get_data(as_text=True))) == n
    assert counts[:3] == counts[3:], counts
    assert max(c for _, c in counts) <= 6, counts


# ---------------------------------------------------------------- filters


@pytest.fixture
def spread(world, session):  # type: ignore[no-untyped-def]
    """Events in two regions, of different kinds, actions, organisations and languages."""
    day = _today() + timedelta(days=2)
    partner_boss = factories.user(home=world["other_comune"])
    partner = factories.organization("Cooperativa Altrove", home=world["other_comune"], admin=partner_boss, verified=True)
    local = events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Evento del comune", day=day,
                                                                         action="action_04", kind="italian_l2"))
    far = events.create_event(partner_boss, partner, _draft(world["other_comune"].istat_code, "Workshop lontano", day=day,
                                                            kind="workshop", language="en", languages=["ar", "en"]))
    shared = events.create_event(partner_boss, partner, _draft(world["other_comune"].istat_code, "Festa condivisa", day=day, kind="festival"))
    invitation = events.invite_organizer(partner_boss, shared, world["org"].id)
    events.decide_organizer(world["organiser"], invitation, True)
    declined = events.create_event(partner_boss, partner, _draft(world["other_comune"].istat_code, "Invito rifiutato", day=day))
    events.decide_organizer(world["organiser"], events.invite_organizer(partner_boss, declined, world["org"].id), False)
    session.flush()
    return {"local": local, "far": far, "shared": shared, "partner": partner}


FILTERS = {
    "": {"Assemblea di quartiere", "Evento del comune", "Workshop lontano", "Festa condivisa", "Invito rifiutato"},
    "territory={region.istat_code}": {"Assemblea di quartiere", "Evento del comune"},
    "territory={province.istat_code}": {"Assemblea di quartiere", "Evento del comune"},
    "territory={other_region.istat_code}": {"Workshop lontano", "Festa condivisa", "Invito rifiutato"},
    "action=action_04": {"Evento del comune"},
    "kind=workshop": {"Workshop lontano"},
    "kind=italian_l2&territory={region.istat_code}": {"Evento del comune"},
    "org={org.slug}": {"Assemblea di quartiere", "Evento del comune", "Festa condivisa"},
    "language=ar": {"Workshop lontano"},
    "language=en": {"Workshop lontano"},
    "language=it": {"Assemblea di quartiere", "Evento del comune", "Festa condivisa", "Invito rifiutato"},
}


@pytest.mark.parametrize("query", list(FILTERS))
def test_filters_choose_the_events(client, world, spread, query: str) -> None:  # type: ignore[no-untyped-def]
    html = client.get(f"/events/?view=agenda&{query.format(**world)}").get_data(as_text=True)
    assert set(_titles(html)) == FILTERS[query]
    assert "Riunione riservata" not in html  # the hidden organisation's event


def test_only_my_events(client, world, spread) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["citizen"])
    assert set(_titles(client.get("/events/?view=agenda&mine=y").get_data(as_text=True))) == {"Assemblea di quartiere"}
    assert set(_titles(client.get("/events/?view=agenda&mine=y&kind=workshop").get_data(as_text=True))) == set()


def test_the_organisation_choice_lists_organisations_in_view(client, world, spread) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/events/?view=agenda").get_data(as_text=True)
    assert f'<option value="{world["org"].slug}">Associazione Ponte Sud</option>' in html
    assert f'<option value="{spread["partner"].slug}">Cooperativa Altrove</option>' in html
    chosen = client.get(f"/events/?view=agenda&org={world['org'].slug}").get_data(as_text=True)
    assert f'<option selected value="{world["org"].slug}">Associazione Ponte Sud</option>' in chosen


BAD = {
    "territory=Atlantide": "territory",
    "action=action_99": "action",
    "kind=party": "kind",
    "org=no-such-org": "org",
    "language=xx": "language",
    "date=2026-02-30": "date",
    "date=tomorrow": "date",
    "date=1999-12-31": "date",
    "view=year": None,
    "territory=" + "x" * 101: "territory",
}


@pytest.mark.parametrize("query", list(BAD))
def test_bad_filters_answer_400_with_the_form_and_the_error(client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/events/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="form-errors"' in html and 'action="/events/"' in html and "<table" not in html
    if BAD[query]:
        assert f'id="{BAD[query]}-error"' in html
    feed = client.get(f"/calendar.ics?{query}")
    if BAD[query] in ("territory", "action", "kind", "org", "language"):
        assert feed.status_code == 400 and feed.content_type == "text/plain; charset=utf-8"


def test_only_mine_needs_an_account(client, world) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/events/?mine=y")
    assert response.status_code == 400
    assert 'id="mine-error"' in response.get_data(as_text=True)


# ---------------------------------------------------------------- organisation, territory and personal pages


def test_organisation_and_territory_pages_show_upcoming_events(client, world, spread) -> None:  # type: ignore[no-untyped-def]
    org_page = client.get(f"/organizations/{world['org'].slug}").get_data(as_text=True)
    assert {"Assemblea di quartiere", "Evento del comune", "Festa condivisa"} <= set(_titles(org_page))
    assert f'href="/events/?view=agenda&amp;org={world["org"].slug}"' in org_page
    region_page = client.get(f"/territories/{world['region'].istat_code}").get_data(as_text=True)
    assert set(_titles(region_page)) == {"Assemblea di quartiere", "Evento del comune"}
    assert f'href="/events/?view=agenda&amp;territory={world["region"].istat_code}"' in region_page


def test_upcoming_lists_stop_at_five(client, world) -> None:  # type: ignore[no-untyped-def]
    start = _today() + timedelta(days=1)
    events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Corso lungo", day=start,
                                                                  recurrence="weekly", repeat_until=start + timedelta(days=70)))
    assert len(_titles(client.get(f"/organizations/{world['org'].slug}").get_data(as_text=True))) == 5


def test_personal_area_links_to_my_calendar(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["citizen"])
    assert 'href="/me/calendar"' in client.get("/me").get_data(as_text=True)


# ---------------------------------------------------------------- iCalendar


def _parse(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return vobject.readOne(response.get_data(as_text=True))


def _vevents(cal, uid: str | None = None) -> list:  # type: ignore[no-untyped-def,type-arg]
    found = list(getattr(cal, "vevent_list", []))
    return [v for v in found if uid is None or v.uid.value == uid]


def test_event_ics_has_the_zone_a_stable_uid_and_local_times(client, world) -> None:  # type: ignore[no-untyped-def]
    path = f"/events/{world['event_id']}.ics"
    first, second = client.get(path), client.get(path)
    assert first.headers["Content-Disposition"] == f'attachment; filename="event-{world["event_id"]}.ics"'
    assert first.headers["Cache-Control"] == "public, max-age=300"
    cal_a, cal_b = _parse(first), _parse(second)
    assert cal_a.vtimezone.tzid.value == "Europe/Rome"
    (a,), (b,) = _vevents(cal_a), _vevents(cal_b)
    assert a.uid.value == b.uid.value == f"event-{world['event_id']}@ponte.test"
    day = _today() + timedelta(days=3)
    assert f"DTSTART;TZID=Europe/Rome:{day.strftime('%Y%m%d')}T180000" in first.get_data(as_text=True)
    assert a.dtstart.params.get("X-VOBJ-ORIGINAL-TZID") == ["Europe/Rome"]
    assert a.dtstart.value.hour == 18 and a.dtstart.value.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert a.summary.value == "Assemblea di quartiere" and a.status.value == "CONFIRMED"
    assert a.url.value == f"https://ponte.test/events/{world['event_id']}"


def test_series_has_rrule_exdate_and_an_override_for_a_moved_date(client, world, session) -> None:  # type: ignore[no-untyped-def]
    start = _today() + timedelta(days=7)
    series = events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Corso del giovedì", day=start,
                                                                          recurrence="weekly", repeat_until=start + timedelta(days=28)))
    sessions = events.list_sessions(series)
    events.cancel_session(world["organiser"], sessions[1], "Festa")
    events.change_session(world["organiser"], sessions[2], events.SessionChange(day=start + timedelta(days=15), start=time(17), end=time(19)))
    session.flush()
    for path in (f"/events/{series.id}.ics", f"/calendar.ics?org={world['org'].slug}"):
        vevents = _vevents(_parse(client.get(path)), f"event-{series.id}@ponte.test")
        master = next(v for v in vevents if not hasattr(v, "recurrence_id"))
        override = next(v for v in vevents if hasattr(v, "recurrence_id"))
        assert master.rrule.value == "FREQ=WEEKLY;COUNT=5"
        assert [d.date() for d in master.exdate.value] == [start + timedelta(days=7)]
        assert master.exdate.value[0].hour == 18
        assert override.recurrence_id.value.date() == start + timedelta(days=14) and override.recurrence_id.value.hour == 18
        assert override.dtstart.value.date() == start + timedelta(days=15) and override.dtstart.value.hour == 17
        assert int(override.sequence.value) >= 1 and int(master.sequence.value) >= 1  # both were changed


def test_sequence_grows_after_a_change_and_cancelled_events_say_so(client, world, session) -> None:  # type: ignore[no-untyped-def]
    event, path = world["event"], f"/events/{world['event_id']}.ics"
    before = int(_vevents(_parse(client.get(path)))[0].sequence.value)
    events.update_event(world["organiser"], event, _draft(world["comune"].istat_code, "Assemblea di quartiere", start_time=time(17)),
                        event.version)
    session.flush()
    changed = _vevents(_parse(client.get(path)))[0]
    assert int(changed.sequence.value) > before and changed.dtstart.value.hour == 17
    events.cancel_event(world["organiser"], event, "Sala non disponibile")
    session.flush()
    cancelled = _vevents(_parse(client.get(path)))[0]
    assert cancelled.status.value == "CANCELLED" and int(cancelled.sequence.value) > int(changed.sequence.value)
    in_feed = _vevents(_parse(client.get("/calendar.ics")), f"event-{event.id}@ponte.test")
    assert in_feed[0].status.value == "CANCELLED"


def test_filtered_feed_headers_and_content(client, world, spread) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/calendar.ics?territory={world['region'].istat_code}")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Content-Disposition"].startswith("inline")
    cal = _parse(response)
    assert cal.vtimezone.tzid.value == "Europe/Rome"
    assert {v.summary.value for v in _vevents(cal)} == {"Assemblea di quartiere", "Evento del comune"}
    everything = {v.summary.value for v in _vevents(_parse(client.get("/calendar.ics")))}
    assert "Riunione riservata" not in everything and "Workshop lontano" in everything
    assert {v.summary.value for v in _vevents(_parse(client.get(f"/calendar.ics?org={world['org'].slug}")))} == {
        "Assemblea di quartiere", "Evento del comune", "Festa condivisa"}
    assert {v.summary.value for v in _vevents(_parse(client.get("/calendar.ics?language=ar&kind=workshop")))} == {"Workshop lontano"}


def test_links_for_registrants_only_never_reach_public_feeds(client, world, session) -> None:  # type: ignore[no-untyped-def]
    day = _today() + timedelta(days=5)
    secret = events.create_event(world["organiser"], world["org"], _draft(
        world["comune"].istat_code, "Riunione online riservata", day=day, mode="online", venue="",
        online_url="https://meet.example.org/secret-room", online_url_registrants_only=True))
    events.create_event(world["organiser"], world["org"], _draft(
        world["comune"].istat_code, "Riunione online aperta", day=day, mode="hybrid",
        online_url="https://meet.example.org/open-room"))
    registrations.register(world["citizen"], events.list_sessions(secret)[0])
    session.flush()
    public = client.get("/calendar.ics").get_data(as_text=True)
    assert "open-room" in public and "secret-room" not in public
    assert "secret-room" not in client.get(f"/events/{secret.id}.ics").get_data(as_text=True)
    assert "secret-room" not in client.get(f"/calendar/{world['token']}.ics").get_data(as_text=True)
    _as(client, world["citizen"])
    for path in ("/events/?view=agenda", "/events/", "/me/calendar"):
        assert "secret-room" not in client.get(path).get_data(as_text=True)


def test_hidden_organisations_events_are_private_when_shown(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["admin"])
    response = client.get(f"/events/{world['hidden_event_id']}.ics")
    assert response.status_code == 200
    assert "public" not in response.headers["Cache-Control"]


# ---------------------------------------------------------------- the personal feed


def test_personal_feed_has_only_my_active_registrations(client, world, session) -> None:  # type: ignore[no-untyped-def]
    citizen, day = world["citizen"], _today() + timedelta(days=4)
    kept = events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Evento tenuto", day=day))
    dropped = events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Evento lasciato", day=day))
    others = events.create_event(world["organiser"], world["org"], _draft(world["comune"].istat_code, "Evento di altri", day=day))
    registrations.register(citizen, events.list_sessions(kept)[0])
    registrations.register(citizen, events.list_sessions(dropped)[0])
    registrations.cancel_registration(citizen, events.list_sessions(dropped)[0])
    registrations.register(factories.user(), events.list_sessions(others)[0])
    session.flush()
    response = client.get(f"/calendar/{world['token']}.ics")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response.headers
    cal = _parse(response)
    assert cal.vtimezone.tzid.value == "Europe/Rome"
    assert sorted(v.summary.value for v in _vevents(cal)) == ["Assemblea di quartiere", "Evento tenuto"]
    assert all(v.dtstart.params.get("X-VOBJ-ORIGINAL-TZID") == ["Europe/Rome"] for v in _vevents(cal))


def test_my_calendar_address_is_shown_once_replaced_and_stopped(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["citizen"])
    page = client.get("/me/calendar").get_data(as_text=True)
    assert "Make a new address" in page and not ADDRESS_RE.search(page)
    issued = client.post_form("/me/calendar", {"choice": "issue"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    first = ADDRESS_RE.search(issued.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert client.get(first.removeprefix("https://ponte.test")).status_code == 200
    assert client.get(f"/calendar/{world['token']}.ics").status_code == 404  # the one made before stopped working
    assert not ADDRESS_RE.search(client.get("/me/calendar").get_data(as_text=True))  # shown only once
    second = ADDRESS_RE.search(client.post_form("/me/calendar", {"choice": "issue"}).get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert second != first
    assert client.get(first.removeprefix("https://ponte.test")).status_code == 404
    assert client.get(second.removeprefix("https://ponte.test")).status_code == 200
    stopped = client.post_form("/me/calendar", {"choice": "revoke"})
    assert stopped.status_code == 302 and stopped.headers["Location"].endswith("/me/calendar")
    assert client.get(second.removeprefix("https://ponte.test")).status_code == 404
    assert "Create my calendar address" in client.get("/me/calendar").get_data(as_text=True)


def test_my_calendar_buttons_need_the_csrf_token(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["citizen"])
    for choice in ("issue", "revoke"):
        response = client.post("/me/calendar", data={"choice": choice})
        assert response.status_code == 400
        assert not ADDRESS_RE.search(response.get_data(as_text=True))
    assert client.get(f"/calendar/{world['token']}.ics").status_code == 200
    assert client.post_form("/me/calendar", {"choice": "everything"}).status_code == 400
    assert session.get(CalendarToken, world["citizen"].id) is not None


def test_a_suspended_persons_feed_stops(client, world, session) -> None:  # type: ignore[no-untyped-def]
    world["citizen"].status = UserStatus.SUSPENDED
    session.flush()
    assert client.get(f"/calendar/{world['token']}.ics").status_code == 404


# ---------------------------------------------------------------- XSS and injection


@pytest.fixture
def hostile(world, session):  # type: ignore[no-untyped-def]
    """One event per payload, the payload in its title, description, venue and address."""
    day = _today() + timedelta(days=6)
    made = []
    for payload in XSS:
        made.append(events.create_event(world["organiser"], world["org"], _draft(
            world["comune"].istat_code, payload, day=day, description=f"Descrizione pericolosa: {payload}",
            venue=payload, address=payload)))
    session.flush()
    return made


def _assert_inert(html: str) -> None:
    for payload in XSS[:3]:
        assert payload not in html
    tags = _Tags()
    tags.feed(html)
    for tag, attrs in tags.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
    assert "alert(1)</script>" not in html


@pytest.mark.parametrize("path", ["/events/?view=agenda", "/events/", "/events/?view=week&date={day}", "/me/calendar",
                                  "/organizations/{slug}"])
def test_payloads_are_shown_as_text_in_calendar_pages(client, world, hostile, session, path: str) -> None:  # type: ignore[no-untyped-def]
    for event in hostile:
        registrations.register(world["citizen"], events.list_sessions(event)[0])
    session.flush()
    _as(client, world["citizen"])
    html = client.get(path.format(day=(_today() + timedelta(days=6)).isoformat(), slug=world["org"].slug)).get_data(as_text=True)
    _assert_inert(html)
    shown = set(_titles(html))
    if path == "/events/":  # the month shows a day's first three events and links to its week for the rest
        assert len(set(XSS) & shown) >= 2 and 'class="ponte-cal-more"' in html
    else:
        assert set(XSS) <= shown
    for payload, escaped in (("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
                             ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")):
        assert payload not in shown or escaped in html


def test_payloads_come_back_intact_as_text_from_the_feeds(client, world, hostile, session) -> None:  # type: ignore[no-untyped-def]
    for event in hostile:
        registrations.register(world["citizen"], events.list_sessions(event)[0])
    session.flush()
    paths = ["/calendar.ics", f"/calendar/{world['token']}.ics", *(f"/events/{e.id}.ics" for e in hostile)]
    for path in paths:
        found = {v.summary.value: v for v in _vevents(_parse(client.get(path)))}
        for payload in XSS:
            if path.startswith("/events/") and path != f"/events/{hostile[XSS.index(payload)].id}.ics":
                continue
            item = found[payload]
            assert item.location.value.startswith(f"{payload}, {payload}, ")
            assert f"Descrizione pericolosa: {payload}" in item.description.value


def test_line_breaks_in_a_title_cannot_add_properties(client, world, session) -> None:  # type: ignore[no-untyped-def]
    event = world["event"]
    event.title = "Titolo\r\nATTENDEE:mailto:evil@example.org\r\nX-EVIL:1"
    event.venue = "Sala\nORGANIZER:mailto:evil@example.org"
    session.flush()
    for path in (f"/events/{event.id}.ics", "/calendar.ics", f"/calendar/{world['token']}.ics"):
        response = client.get(path)
        raw = response.get_data(as_text=True)
        assert not re.search(r"^(ATTENDEE|ORGANIZER|X-EVIL)", raw, re.M), raw
        (item,) = _vevents(_parse(response), f"event-{event.id}@ponte.test") or _vevents(_parse(response))
        names = {child.name for child in item.getChildren()}
        assert not names & {"ATTENDEE", "ORGANIZER", "X-EVIL"}
        assert item.summary.value.startswith("Titolo") and "ATTENDEE:mailto:evil@example.org" in item.summary.value



def test_feed_links_come_from_the_configured_server_name_not_the_host_header(client, world) -> None:  # type: ignore[no-untyped-def]
    for path in ("/calendar.ics", f"/events/{world['event_id']}.ics", f"/calendar/{world['token']}.ics"):
        response = client.get(path, headers={"Host": "evil.example"})
        raw = response.get_data(as_text=True)
        assert response.status_code == 200 and "evil.example" not in raw, path
        assert f"https://ponte.test/events/{world['event_id']}" in _vevents(_parse(response))[0].url.value
