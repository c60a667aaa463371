"""Events on a phone-sized screen with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows; no mouse):

- Nadia opens the calendar, moves to the next month and back with its navigation links, opens
  the online event, registers (her place is confirmed and the meeting link appears), then
  cancels her registration (the link is hidden again);
- Omar registers for the full event (two places, one person already waiting) and is told his
  number on the waiting list;
- Sara, an official of the Comune di Bari, publishes a weekly event through the form (choosing
  the repetition with the arrow keys) and then checks a person in on the attendee page of
  another event of the Comune.

On every page: the focused element has a visible focus indicator and nothing scrolls sideways.
Elements are found by id, href, class, name or role; the few texts checked are read from the
same compiled Italian catalogue the server uses. People log in once (``event_people``).
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api")

from babel.support import Translations
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.helpers import ROOT, check_layout
from tests.browser.seed import ONLINE_URL
from tests.browser.test_events_a11y import StateOf, event_people  # noqa: F401 — the fixture is shared
from tests.browser.test_labs_flow import path_re, skip_to_main, tab_to

pytestmark = pytest.mark.browser

PHONE = 390
ROME = ZoneInfo("Europe/Rome")
EVENT_RE = re.compile(r"^https?://[^/]+/events/(\d+)(?:\?[^#]*)?(?:#.*)?$")


def italian(message: str) -> str:
    """``message`` as the server shows it to people whose language is Italian (the compiled catalogue)."""
    return Translations.load(str(ROOT / "translations"), ["it"]).gettext(message)



def press_on(page: Page, selector: str, key: str = "Enter", limit: int = 150) -> None:
    """Tab to the element (checking its focus shows), then press ``key``."""
    tab_to(page, selector, limit=limit)
    page.keyboard.press(key)


def date_order(context: BrowserContext) -> str:
    """The order of the segments of a date field in this Chromium ("mdy" or "dmy"): it follows the
    browser's own language, not the page's, so ask a scratch page once."""
    probe = context.new_page()
    try:
        probe.set_content("<input id=before><input type=date id=day>")
        probe.focus("#before")
        probe.keyboard.press("Tab")
        probe.keyboard.type("01022030")
        return "mdy" if probe.input_value("#day") == "2030-01-02" else "dmy"
    finally:
        probe.close()


def type_date(page: Page, field: Locator, day: date, order: str) -> None:
    """Type a day into the focused date field, segment by segment, as a person does."""
    expect(field).to_be_focused()
    first, second = (day.month, day.day) if order == "mdy" else (day.day, day.month)
    page.keyboard.type(f"{first:02d}{second:02d}{day.year:04d}")
    expect(field).to_have_value(day.isoformat())


def month_in(href: str | None) -> str:
    """The month (YYYY-MM) a calendar link points to."""
    found = re.search(r"[?&]date=(\d{4}-\d{2})", href or "")
    assert found, f"no month in the link {href!r}"
    return found.group(1)


def test_keyboard_calendar_register_and_cancel(new_context: Any, event_people: StateOf, live_server: Any) -> None:  # noqa: F811
    seed = live_server.seed
    event_id, session_id = seed["online"], seed["online_session"]
    page = new_context(PHONE, storage_state=event_people("nadia")).new_page()

    # The calendar opens on this month; "next month" and back with the navigation links.
    page.goto("/events/")
    check_layout(page)
    nav = "main .ponte-cal-nav a[rel={}]"
    following = month_in(page.locator(nav.format("next")).get_attribute("href"))
    current = month_in(page.locator(nav.format("prev")).get_attribute("href"))
    skip_to_main(page)
    press_on(page, nav.format("next"))
    expect(page).to_have_url(re.compile(rf"[?&]date={following}(?:&|$)"))
    expect(page.locator("main table.ponte-month caption")).to_be_visible()
    check_layout(page)
    skip_to_main(page)
    press_on(page, nav.format("prev"))
    expect(page).to_have_url(re.compile(rf"[?&]date=(?!{following})\d{{4}}-\d{{2}}(?:&|$)"))
    assert month_in(page.locator(nav.format("prev")).get_attribute("href")) == current, page.url
    check_layout(page)

    # Find the online event in its month (the next one if it falls there) and open it.
    link = f"main a.ponte-cal-link[href$='/events/{event_id}']"
    if page.locator(link).count() == 0:
        skip_to_main(page)
        press_on(page, "main .ponte-cal-nav a[rel=next]")
    expect(page.locator(link).first).to_be_visible()
    skip_to_main(page)
    press_on(page, link)
    expect(page).to_have_url(path_re(f"/events/{event_id}"))
    check_layout(page)
    expect(page.locator(f"main a[href='{ONLINE_URL}']")).to_have_count(0)  # the link is for registered people

    # Register with the space bar: the place is confirmed and the meeting link appears.
    date_item = page.locator(f"main #session-{session_id}")
    skip_to_main(page)
    press_on(
        page, f"main #session-{session_id} form[action$='/events/{event_id}/register'] button[type=submit]", "Space"
    )
    expect(page).to_have_url(path_re(f"/events/{event_id}", "registration"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(date_item.locator("strong").nth(1)).to_have_text(italian("Place confirmed"))
    expect(page.locator(f"main a[href='{ONLINE_URL}']")).to_be_visible()
    check_layout(page)

    # Cancel, tabbing on from the registration box (the page's #registration anchor): the place is
    # given back, the link is hidden again, the register button is back.
    press_on(page, f"main #session-{session_id} form[action$='/sessions/{session_id}/unregister'] button[type=submit]")
    expect(page).to_have_url(path_re(f"/events/{event_id}", "registration"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(date_item.locator("form[action$='/unregister']")).to_have_count(0)
    expect(date_item.locator(f"form[action$='/events/{event_id}/register'] button")).to_be_visible()
    expect(page.locator(f"main a[href='{ONLINE_URL}']")).to_have_count(0)
    check_layout(page)


def test_keyboard_waiting_list(new_context: Any, event_people: StateOf, live_server: Any) -> None:  # noqa: F811
    seed = live_server.seed
    event_id, session_id = seed["single"], seed["single_session"]
    page = new_context(PHONE, storage_state=event_people("omar")).new_page()
    page.goto(f"/events/{event_id}")
    check_layout(page)
    skip_to_main(page)
    press_on(page, f"main #session-{session_id} form[action$='/events/{event_id}/register'] button[type=submit]")

    expect(page).to_have_url(path_re(f"/events/{event_id}", "registration"))
    expect(
        page.locator(".ponte-flashes .alert-info")
    ).to_be_visible()  # "This date is full: you are on the waiting list…"
    # Amina and Rahim hold the two places, Chiara waits first: Omar is number 2.
    expected = italian("On the waiting list: you are number %(num)d") % {"num": 2}
    expect(page.locator(f"main #session-{session_id} strong").nth(1)).to_have_text(expected)
    expect(page.locator(f"main #session-{session_id} form[action$='/unregister'] button")).to_be_visible()
    check_layout(page)


def test_keyboard_organiser_publishes_and_checks_in(
    new_context: Any,
    event_people: StateOf,  # noqa: F811
    live_server: Any,
) -> None:
    seed = live_server.seed
    comune = seed["comune"]
    suffix = uuid.uuid4().hex[:6]
    title = f"Laboratorio di conversazione in italiano {suffix}"
    description = "Ogni settimana un'ora di conversazione in piccoli gruppi, con volontari. Livello A2."
    first = datetime.now(ROME).date() + timedelta(days=3)
    last = first + timedelta(days=21)  # four weeks later: four dates
    context = new_context(PHONE, storage_state=event_people("sara"))
    order = date_order(context)
    page = context.new_page()
    keyboard = page.keyboard

    # From the calendar: "Publish an event", then the organisation.
    page.goto("/events/")
    skip_to_main(page)
    press_on(page, "main a[href$='/events/new']")
    expect(page).to_have_url(path_re("/events/new"))
    check_layout(page)
    skip_to_main(page)
    press_on(page, f"main a[href$='/events/new?org={comune}']")
    expect(page).to_have_url(re.compile(rf"/events/new\?org={re.escape(comune)}$"))
    check_layout(page)

    form = page.locator("main form[method=post]")
    tab_to(page, "main form[method=post] #title")
    keyboard.type(title)
    keyboard.press("Tab")
    expect(form.locator("#description")).to_be_focused()
    keyboard.type(description)
    keyboard.press("Shift+Tab")  # back to the title, which kept its text
    expect(form.locator("#title")).to_be_focused()
    expect(form.locator("#title")).to_have_value(title)

    # Kind: an Italian class, chosen with the arrow keys.
    kind = form.locator("select#kind")
    tab_to(page, "main form[method=post] select#kind", limit=5)
    for _ in range(12):
        if kind.input_value() == "italian_l2":
            break
        keyboard.press("ArrowDown")
    expect(kind).to_have_value("italian_l2")

    # When: the first day, 18:00–19:30, every week until the last day.
    tab_to(page, "main form[method=post] #starts_on", limit=10)
    type_date(page, form.locator("#starts_on"), first, order)
    tab_to(page, "main form[method=post] #start_time", limit=10)
    keyboard.type("1800")
    expect(form.locator("#start_time")).to_have_value("18:00")
    tab_to(page, "main form[method=post] #end_time", limit=5)
    keyboard.type("1930")
    expect(form.locator("#end_time")).to_have_value("19:30")
    tab_to(page, "main form[method=post] #recurrence-0", limit=10)  # the checked radio of the group
    keyboard.press("ArrowDown")
    expect(form.locator("#recurrence-1")).to_be_checked()
    expect(form.locator("#recurrence-1")).to_have_value("weekly")
    tab_to(page, "main form[method=post] #repeat_until", limit=5)
    type_date(page, form.locator("#repeat_until"), last, order)

    # Where (the comune is filled in with the organisation's), then childcare with the space bar, and places.
    tab_to(page, "main form[method=post] #venue", limit=10)
    keyboard.type("Centro interculturale, sala grande")
    expect(form.locator("#territory")).not_to_have_value("")
    tab_to(page, "main form[method=post] #childcare", limit=40)
    keyboard.press("Space")
    expect(form.locator("#childcare")).to_be_checked()
    tab_to(page, "main form[method=post] #capacity", limit=60)
    keyboard.type("12")
    tab_to(page, "main form[method=post] button[type=submit]", limit=5)
    keyboard.press("Enter")

    expect(page).to_have_url(EVENT_RE)
    match = EVENT_RE.match(page.url)
    seed_events = {str(seed[name]) for name in ("series", "single", "approval", "online", "festival", "xss_event")}
    assert match and match.group(1) not in seed_events, f"{page.url} is not a new event"
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main #registration li[id^=session-]")).to_have_count(4)
    expect(page.locator("main #tools-title")).to_be_visible()
    check_layout(page)

    # Check a person in on the attendee page of the event with the waiting list.
    event_id, session_id = seed["single"], seed["single_session"]
    page.goto(f"/events/{event_id}")
    skip_to_main(page)
    press_on(page, f"main #session-{session_id} a[href$='/events/{event_id}/attendees?session={session_id}']")
    expect(page).to_have_url(re.compile(rf"/events/{event_id}/attendees\?session={session_id}$"))
    check_layout(page)
    row = page.locator("main table.ponte-table tbody tr").filter(has=page.locator("form[action$='/checkin']")).first
    row_id = row.get_attribute("id")
    assert row_id, "the confirmed person's row has no id"
    skip_to_main(page)
    press_on(page, f"main tr#{row_id} form[action$='/checkin'] button[type=submit]")

    expect(page).to_have_url(re.compile(rf"/events/{event_id}/attendees\?session={session_id}#{row_id}$"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    checked = page.locator(f"main tr#{row_id}")
    expect(checked.locator("form[action$='/undo'] button")).to_be_visible()
    expect(checked.locator("td").nth(1)).not_to_be_empty()  # "Attended" (next to the actions): the time of arrival
    check_layout(page)
