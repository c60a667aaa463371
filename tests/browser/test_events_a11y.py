"""axe-core (WCAG 2.0/2.1 A and AA) on the event and calendar pages, in Italian (ltr) and Arabic
(rtl), at 390 and 1280 px; and stored XSS in an event never running in Chromium.

The pages show the event data of ``seed.py`` (``live_server.seed``): ``series`` (weekly, one date
cancelled and one moved, translated into Arabic), ``single`` (two places, full, one person
waiting), ``approval`` (a request waiting for the organisers), ``online`` (link for registered
people only), ``festival`` (all day) and ``xss_event`` (payloads in title, description, venue,
address and a date's note). People: logged out; Marco, admin of the Comune di Bari that
organises every seed event; Amina (registered for the series, the single event and the online
one); Chiara (waiting for the single event); Rahim (registered, no calendar address yet). Each
case also checks ``<html lang dir>``, exactly one ``h1``, no sideways scrolling and that the seed
data is on the page, and saves ``test-artifacts/screenshots/<page>-<lang>-<width>.png`` (with
``PONTE_SCREENSHOTS=1``: ``make screenshots``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import LANGUAGE_DIRECTIONS, horizontal_overflow, open_page, page_problems, where_of
from tests.browser.seed import PASSWORD, PEOPLE, SERIES_TITLE_AR

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]

# (screenshot name, path with {seed} values, who is logged in, selectors that must match: the seed data is shown)
PAGES: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    (
        "calendar-month",
        "/events/?view=month&date={event_month}",
        None,
        (
            "main table.ponte-month a.ponte-cal-link[href$='/events/{single}']",
            "main .ponte-cal-views a[aria-current=page][href*='view=month']",
            "main .ponte-cal-nav a[rel=next]",
        ),
    ),
    (
        "calendar-week",
        "/events/?view=week&date={event_day}",
        None,
        ("main .ponte-week a.ponte-cal-link[href$='/events/{single}']", "main .ponte-cal-nav a[rel=prev]"),
    ),
    (
        "calendar-agenda",
        "/events/?view=agenda",
        None,
        (
            "main .ponte-agenda a.ponte-cal-link[href$='/events/{series}']",
            "main .ponte-agenda a.ponte-cal-link[href$='/events/{festival}']",
            "main .ponte-agenda .ponte-cal-cancelled",
        ),
    ),
    (
        "calendar-filtered",
        "/events/?view=agenda&kind=italian_l2&territory=Bari",
        None,
        ("main details.ponte-cal-filters[open] select#kind", "main .ponte-agenda a[href$='/events/{series}']"),
    ),
    (
        "calendar-mine",
        "/events/?view=agenda&mine=y",
        "amina",
        ("main .ponte-agenda a[href$='/events/{online}']", "main .ponte-agenda .badge.ponte-badge-mine"),
    ),
    (
        "event-single",
        "/events/{single}",
        None,
        ("main #registration a[href*='/auth/login']", "main #session-{single_session}"),
    ),
    (
        "event-single-waiting",
        "/events/{single}",
        "chiara",
        ("main #session-{single_session} form[action$='/sessions/{single_session}/unregister'] button",),
    ),
    (
        "event-single-organiser",
        "/events/{single}",
        "marco",
        (
            "main #tools-title",
            "main #session-{single_session} a[href$='/events/{single}/attendees?session={single_session}']",
            "main form[action$='/events/{single}/cancel'] #cancel-reason",
        ),
    ),
    (
        "event-series",
        "/events/{series}",
        None,
        ("main #session-{series_cancelled} .badge.bg-danger", "main #session-{series_moved} .badge.bg-warning"),
    ),
    (
        "event-series-registered",
        "/events/{series}",
        "amina",
        ("main #session-{series_moved} form[action$='/sessions/{series_moved}/unregister'] button",),
    ),
    (
        "event-series-organiser",
        "/events/{series}",
        "marco",
        ("main a[href$='/events/{series}/sessions/{series_moved}']", "main a[href$='/events/{series}/translations']"),
    ),
    (
        "event-online-registered",
        "/events/{online}",
        "amina",
        ("main a[href='https://meet.example.org/ponte-sportello-casa']",),
    ),
    ("event-new", "/events/new?org={comune}", "marco", ("main form[method=post] #title", "main #recurrence-1")),
    ("event-edit", "/events/{series}/edit", "marco", ("main form[method=post] #title", "main #repeat_until")),
    (
        "event-session",
        "/events/{series}/sessions/{series_moved}",
        "marco",
        ("main #move-title", "main form[method=post] #day", "main #cancel-title"),
    ),
    (
        "event-attendees",
        "/events/{single}/attendees",
        "marco",
        ("main table.ponte-table tbody tr", "main form[action$='/checkin'] button"),
    ),
    (
        "event-attendees-approval",
        "/events/{approval}/attendees",
        "marco",
        ("main form[action$='/approve'] button", "main form[action$='/decline'] button"),
    ),
    ("event-translations", "/events/{series}/translations", "marco", ("main #translation-ar", "main select#language")),
    (
        "me-registrations",
        "/me",
        "amina",
        (
            "main a[href$='/events/{single}#session-{single_session}']",
            "main a[href$='/events/{online}#session-{online_session}']",
        ),
    ),
    (
        "me-calendar",
        "/me/calendar",
        "rahim",
        ("main form[method=post] button[name=choice][value=issue]", "main #my-dates ~ ul a[href$='/events/{single}']"),
    ),
]

CASES = [
    pytest.param(name, path, who, selectors, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, who, selectors in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]
LANG_WIDTHS = [pytest.param(lang, width, id=f"{lang}-{width}") for lang in LANGUAGE_DIRECTIONS for width in WIDTHS]

StateOf = Callable[[str], dict[str, Any]]

# Storage states of people already logged in, shared by every module that uses ``event_people``
# (a fixture imported into another module is a second fixture with its own cache): the login form
# is rate-limited per address, so each person logs in once per server.
_STATES: dict[tuple[str, str], dict[str, Any]] = {}


def log_in_patiently(page: Page, email: str, password: str, attempts: int = 8) -> None:
    """Log in through the form; when the per-address limit of the login form answers 429 (other
    browser tests log in too), wait for the window to move on and try again."""
    for _ in range(attempts):
        page.goto("/auth/login")
        form = page.locator("main form[method=post]")
        form.locator("#email").fill(email)
        form.locator("#password").fill(password)
        with page.expect_navigation() as navigation:
            form.locator("button[type=submit]").click()
        response = navigation.value
        if response is None or response.status != 429:
            return
        time.sleep(10)


@pytest.fixture(scope="session")
def event_people(browser: Browser, live_server: Any) -> StateOf:
    """Cookies of the seed people, each logged in once and only when first needed:
    ``event_people("marco")`` → a storage state."""

    def state_of(who: str) -> dict[str, Any]:
        key = (live_server.url, who)
        if key not in _STATES:
            context = browser.new_context(base_url=live_server.url, locale="it-IT")
            try:
                page = context.new_page()
                log_in_patiently(page, PEOPLE[who][1], PASSWORD)
                assert "/me" in page.url, f"{who} could not log in, landed on {page.url}"
                _STATES[key] = context.storage_state()
            finally:
                context.close()
        return _STATES[key]

    return state_of


def open_as(
    new_context: Any, people: StateOf, who: str | None, path: str, lang: str, width: int, status: int = 200
) -> Page:
    return open_page(new_context, people(who) if who else None, path, who is not None, lang, width, status=status)


def describe(path: str, lang: str, width: int, who: str | None) -> str:
    return where_of(path, lang, width, who is not None) + (f" as {who}" if who else "")


def layout_problems(page: Page) -> list[str]:
    overflow = horizontal_overflow(page)
    return [f"the page scrolls sideways by {overflow} px"] if overflow > 0 else []


def check_invalid_fields(page: Page, where: str) -> None:
    """Every field marked invalid is described by its error (or sits in a group that is)."""
    invalid = page.locator("main [aria-invalid=true]")
    assert invalid.count() >= 1, f"{where}: no field is marked aria-invalid"
    for i in range(invalid.count()):
        described = invalid.nth(i).evaluate(
            """el => [el, el.closest('fieldset')].filter(Boolean)
                      .map(e => e.getAttribute('aria-describedby') || '').join(' ')"""
        )
        assert any(part.endswith("-error") for part in described.split()), (
            f"{where}: the invalid field #{invalid.nth(i).get_attribute('id')} is not described by its error ({described!r})"
        )


@pytest.mark.parametrize(("name", "path", "who", "selectors", "lang", "width"), CASES)
def test_event_page_is_accessible(
    new_context: Any,
    event_people: StateOf,
    axe_source: str,
    live_server: Any,
    name: str,
    path: str,
    who: str | None,
    selectors: tuple[str, ...],
    lang: str,
    width: int,
) -> None:
    seed = live_server.seed
    path = path.format(**seed)
    page = open_as(new_context, event_people, who, path, lang, width)
    where = describe(path, lang, width, who)
    for template in selectors:
        selector = template.format(**seed)
        assert page.locator(selector).count() >= 1, f"{where}: the seed data is missing (nothing matches {selector})"
    if name == "calendar-filtered":  # the filter works: only Italian classes
        expect(page.locator(f"main a.ponte-cal-link[href$='/events/{seed['single']}']")).to_have_count(0)
    if name == "event-single":  # attendee lists and organiser tools are never public
        expect(page.locator("main a[href*='/attendees']")).to_have_count(0)
        expect(page.locator("main #tools-title")).to_have_count(0)
    if name == "event-series" and lang == "ar":  # the Arabic translation is shown, marked as Arabic
        expect(page.locator("main h1")).to_have_text(SERIES_TITLE_AR)
        expect(page.locator("main h1")).to_have_attribute("lang", "ar")
    if name == "event-online-registered":
        expect(page.locator(f"main #session-{seed['online_session']} form[action$='/unregister']")).to_have_count(1)

    problems = page_problems(page, axe_source, where, name, lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "width"), LANG_WIDTHS)
def test_calendar_filter_error_is_accessible(
    new_context: Any, event_people: StateOf, axe_source: str, live_server: Any, lang: str, width: int
) -> None:
    path = "/events/?view=month&kind=nonsense&org=nobody"
    page = open_as(new_context, event_people, None, path, lang, width, status=400)
    where = describe(path, lang, width, None) + " with bad filters"
    expect(page.locator("main #form-errors[role=alert]")).to_be_visible()
    expect(page.locator("main details.ponte-cal-filters[open]")).to_have_count(1)
    expect(page.locator("main table.ponte-month")).to_have_count(0)
    check_invalid_fields(page, where)
    problems = page_problems(page, axe_source, where, "calendar-error", lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "width"), LANG_WIDTHS)
def test_publish_form_errors_are_accessible(
    new_context: Any, event_people: StateOf, axe_source: str, live_server: Any, lang: str, width: int
) -> None:
    path = "/events/new?org={comune}".format(**live_server.seed)
    page = open_as(new_context, event_people, "marco", path, lang, width)
    where = describe(path, lang, width, "marco") + " after sending the form empty"
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").click()

    assert page.url.endswith(path), f"{where}: landed on {page.url}"
    expect(page.locator("main #form-errors[role=alert]")).to_be_visible()
    check_invalid_fields(page, where)
    problems = page_problems(page, axe_source, where, "event-new-error", lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "width"), LANG_WIDTHS)
def test_calendar_address_is_accessible(
    new_context: Any, event_people: StateOf, axe_source: str, live_server: Any, lang: str, width: int
) -> None:
    """Amina creates her calendar address (or a new one): the page shows it once, in a labelled field."""
    path = "/me/calendar"
    page = open_as(new_context, event_people, "amina", path, lang, width)
    where = describe(path, lang, width, "amina") + " after creating the address"
    with page.expect_navigation():
        page.locator("main form[method=post] button[name=choice][value=issue]").click()

    address = page.locator("main input#calendar-address[readonly]")
    expect(address).to_be_visible()
    assert "/calendar/" in address.input_value() and address.input_value().endswith(".ics"), address.input_value()
    expect(page.locator("main form[method=post] button[name=choice][value=revoke]")).to_be_visible()
    problems = page_problems(page, axe_source, where, "me-calendar-address", lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- stored XSS

XSS_PAGES = [
    ("/events/?view=month&date={xss_month}", None),
    ("/events/?view=week&date={xss_day}", None),
    ("/events/?view=agenda", None),
    ("/events/{xss_event}", None),
    ("/events/{xss_event}", "marco"),
    ("/events/{xss_event}/attendees", "marco"),
    ("/territories/072006", None),  # Bari's upcoming events
    ("/organizations/{comune}", None),  # the Comune's upcoming events
]
XSS_TITLE_TEXT = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.mark.parametrize(("path", "who"), XSS_PAGES, ids=[f"{p}-{w or 'visitor'}" for p, w in XSS_PAGES])
def test_stored_xss_never_runs(
    new_context: Any, event_people: StateOf, live_server: Any, path: str, who: str | None
) -> None:
    """The payloads of the seed event (``<img onerror>``, ``<script>``, ``javascript:`` links, ``<svg
    onload>``) in its title, description, venue, address, notes and a date's note are shown as
    text: no element carries them, and ``window.__xss`` stays undefined after the page (and its
    images) load. On a phone, their long unbroken words wrap: nothing scrolls sideways."""
    seed = dict(live_server.seed)
    seed["xss_month"] = seed["xss_day"][:7]
    path = path.format(**seed)
    context = new_context(390, storage_state=event_people(who) if who else None)  # long unbroken words must wrap
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # an <img src=x> fails asynchronously: give its onerror the chance to run

    where = f"{path} ({'as ' + who if who else 'logged out'})"
    assert page.evaluate("() => typeof window.__xss") == "undefined", f"{where}: a stored payload ran"
    assert not dialogs, f"{where}: a dialog opened: {dialogs}"
    injected = page.evaluate(
        """() => {
            const bad = [];
            for (const el of document.querySelectorAll('main *')) {
                for (const attr of el.attributes) {
                    if (attr.name.startsWith('on')) bad.push(`${el.tagName} ${attr.name}`);
                }
                const href = el.getAttribute('href') || '';
                if (/^\\s*javascript:/i.test(href)) bad.push(`${el.tagName} href=${href}`);
                if (el.tagName === 'SCRIPT' || (el.tagName === 'IMG' && el.getAttribute('src') === 'x')) bad.push(el.outerHTML);
            }
            return bad;
        }"""
    )
    assert not injected, f"{where}: markup from user text reached the DOM: {injected}"
    assert horizontal_overflow(page) <= 0, (
        f"{where}: the page scrolls sideways by {horizontal_overflow(page)} px at 390 px"
    )
    # The payloads are there, as text.
    event_id = seed["xss_event"]
    if path == f"/events/{event_id}":
        expect(page.locator("main h1")).to_contain_text(XSS_TITLE_TEXT)
        expect(page.locator("main #organizers")).to_contain_text('Sala <img src=x onerror="window.__xss=1">')
        expect(page.locator("main .ponte-prose").first).to_contain_text("<script>window.__xss=1</script>")
        expect(page.locator("main #registration")).to_contain_text("Nota <img src=x")
    elif path.endswith("/attendees"):
        expect(page.locator("main p.lead")).to_contain_text(XSS_TITLE_TEXT)
    else:
        expect(page.locator(f"main a.ponte-cal-link[href$='/events/{event_id}']").first).to_contain_text(XSS_TITLE_TEXT)
