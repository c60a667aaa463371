"""axe-core (WCAG 2.0/2.1 A and AA) on the pages of initiatives, calls for volunteers, outputs, good
practices, case histories and dashboards, in Italian (ltr) and Arabic (rtl), at 390 and 1280 px;
and stored XSS in an initiative, a good practice and a story never running in Chromium.

The pages show the data of ``seed_initiatives.py`` (``live_server.seed``): ``initiative`` (running,
with a host school that confirmed and gave its intercultural contact person, a supporting Comune,
an invited cooperative, a linked event, a material, an Arabic translation, ``call`` with Kofi's
application waiting and a report of outputs), ``practice`` (the good practice of ``completed``),
``case`` (a story with a picture and a video link), and the XSS set (``xss_initiative``,
``xss_call``, ``xss_practice``, ``xss_case``). People: logged out; Youssef (the lead association's
admin); Giorgio (staff of the host school); Dario (official of the Comune di Bari: the dashboard);
Bilal (admin of a youth association: he may replicate a practice). Each case also checks ``<html
lang dir>``, exactly one ``h1``, no sideways scrolling and that the seed data is on the page, and
saves ``test-artifacts/screenshots/<page>-<lang>-<width>.png`` (with
``PONTE_SCREENSHOTS=1``: ``make screenshots``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import LANGUAGE_DIRECTIONS, open_page, page_problems, where_of
from tests.browser.seed_initiatives import (
    CASE_ALT,
    CASE_VIDEO,
    CONTACT_NAME,
    INITIATIVE_TITLE_AR,
    MATERIAL_URL,
    OUTPUT_PARTICIPANTS,
    PASSWORD,
    PEOPLE,
    XSS_CASE_TITLE,
    XSS_CONTACT,
    XSS_TITLE,
)
from tests.browser.test_events_a11y import check_invalid_fields, layout_problems, log_in_patiently

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]

# (screenshot name, path with {seed} values, who is logged in, selectors that must match: the seed data is shown)
PAGES: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    (
        "initiatives-catalogue",
        "/initiatives/?kind=peer_education&territory=Bari",
        None,
        (
            "main .ponte-card-list a[href$='/initiatives/{initiative}']",
            "main select#kind option[value=peer_education][selected]",
        ),
    ),
    (
        "initiative",
        "/initiatives/{initiative}",
        None,
        (
            "main #partners a[href$='/organizations/{school}']",
            "main #partners a[href$='/organizations/{comune}']",
            "main #sessions a[href$='/events/{series}']",
            f"main #materials a[href='{MATERIAL_URL}']",
            "main #volunteers a[href$='/calls/{call}']",
            "main #outputs a[href$='/initiatives/{initiative}/outputs']",
        ),
    ),
    (
        "initiative-partner",
        "/initiatives/{initiative}",
        "giorgio",
        (
            "main #contacts a[href='mailto:lucia.ferri@example.org']",
            "main #contacts a[href*='/initiatives/{initiative}/contact']",
            "main #materials form[action$='/initiatives/{initiative}/materials'] #url",
        ),
    ),
    (
        "initiative-lead",
        "/initiatives/{initiative}",
        "youssef",
        (
            "main #partners a[href$='/organizations/{mentor}']",  # invited: listed for the lead only
            "main #status form[action$='/initiatives/{initiative}/status'] button",
            "main #sessions form[action$='/initiatives/{initiative}/events']",
        ),
    ),
    (
        "initiative-edit",
        "/initiatives/{initiative}/edit",
        "youssef",
        ("main form[method=post] #title", "main form[method=post] #actions-0", "main form[method=post] #ends_on"),
    ),
    (
        "initiative-partners",
        "/initiatives/{initiative}/partners?q=Mosaico",
        "youssef",
        (
            "main table a[href$='/organizations/{mentor}']",
            "main form[action$='/initiatives/{initiative}/partners/{school_id}/remove'] button",
            "main form[action$='/initiatives/{initiative}/partners'] select[name=role]",
        ),
    ),
    (
        "call",
        "/calls/{call}",
        None,
        ("main a[href$='/initiatives/{initiative}']", "main #apply a[href*='/auth/login']"),
    ),
    (
        "call-applications",
        "/calls/{call}/applications",
        "youssef",
        ("main tr#a{application} form[action$='/decide'] button[value=accept]", "main tr#a{application} td[dir=auto]"),
    ),
    (
        "outputs",
        "/initiatives/{initiative}/outputs",
        None,
        ("main table#by-group", "main table#by-age", "main tr[id^=report-]", "main a[href$='/outputs.csv']"),
    ),
    (
        "outputs-new",
        "/initiatives/{initiative}/outputs/new",
        "giorgio",
        (
            "main form[method=post] #period_start",
            "main form[method=post] #participants-0-target_group option[value=primary_pupils]",
            "main form[method=post] #outcomes",
        ),
    ),
    (
        "practices-catalogue",
        "/good-practices/?action=action_03",
        None,
        ("main .ponte-card-list a[href$='/good-practices/{practice}']", "main select#action option[value=action_03][selected]"),
    ),
    (
        "practice",
        "/good-practices/{practice}",
        None,
        (
            "main #problem-title",
            "main #replication-title",
            "main a[href$='/organizations/{school}']",
            "main a[href$='/good-practices/{practice}/replicate']",
        ),
    ),
    (
        "practice-replicate",
        "/good-practices/{practice}/replicate",
        "bilal",
        ("main form[method=post] #territory", "main form[method=post] #starts_on", "main form[method=post] #lead"),
    ),
    (
        "cases-catalogue",
        "/case-histories/?youth=y",
        None,
        ("main .ponte-card-list a[href$='/case-histories/{case}']", "main .ponte-card-list img[alt]"),
    ),
    (
        "case",
        "/case-histories/{case}",
        None,
        (f"main #pictures-title ~ figure img[alt='{CASE_ALT}']", f"main a[href='{CASE_VIDEO}']", "main a[href$='/initiatives/{completed}']"),
    ),
    (
        "dashboard",
        "/dashboard/",
        "dario",
        ("main svg.ponte-chart", "main table#table-initiatives", "main a[href*='/dashboard/fami.csv']"),
    ),
    (
        "dashboard-summary",
        "/dashboard/summary",
        None,
        ("main svg.ponte-chart", "main table#table-initiatives", "main a[href*='/dashboard/summary/initiatives.csv']"),
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

# Storage states of the people of ``seed_initiatives``, shared by every module that uses
# ``initiative_people`` (a fixture imported into another module is a second fixture with its own
# cache): the login form is rate-limited per address, so each person logs in once per server.
_STATES: dict[tuple[str, str], dict[str, Any]] = {}


@pytest.fixture(scope="session")
def initiative_people(browser: Browser, live_server: Any) -> StateOf:
    """Cookies of the people of ``seed_initiatives``, each logged in once and only when first
    needed: ``initiative_people("youssef")`` → a storage state."""

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


def chart_problems(page: Page) -> list[str]:
    """Every chart is an image with a title and a description; beside it, a table with a caption
    and a CSV link (also for tables without a chart)."""
    problems: list[str] = []
    sections = page.locator("main section[aria-labelledby^='heading-']")
    if sections.count() == 0:
        return ["no section of figures"]
    for i in range(sections.count()):
        section = sections.nth(i)
        name = (section.get_attribute("aria-labelledby") or "")[len("heading-"):]
        if section.locator("table caption").count() != 1:
            problems.append(f"{name}: no table with a caption")
        if section.locator("a[href*='.csv']").count() != 1:
            problems.append(f"{name}: no CSV link")
        chart = section.locator("svg.ponte-chart")
        if chart.count() == 0:
            continue
        for part in ("title", "desc"):
            found = chart.locator(f":scope > {part}")
            if found.count() != 1 or not (found.text_content() or "").strip():
                problems.append(f"{name}: the chart has no <{part}>")
        if chart.get_attribute("role") != "img":
            problems.append(f"{name}: the chart is not role=img")
    return problems


# --------------------------------------------------------------------------- checks of single pages

Check = Callable[[Page, dict[str, Any], str, str, int], None]


def check_public_initiative(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    """The contact people, the invited cooperative and the lead's tools are not public; in Arabic
    the title is the Arabic translation, marked as Arabic."""
    expect(page.locator("main #contacts")).to_have_count(0)
    assert CONTACT_NAME not in page.content(), f"{where}: the school's contact person is shown to a visitor"
    expect(page.locator(f"main #partners a[href$='/organizations/{seed['mentor']}']")).to_have_count(0)
    expect(page.locator("main #status")).to_have_count(0)
    if lang == "ar":
        expect(page.locator("main h1")).to_have_text(INITIATIVE_TITLE_AR)
        expect(page.locator("main h1")).to_have_attribute("lang", "ar")


def check_partner_initiative(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    expect(page.locator("main #contacts")).to_contain_text(CONTACT_NAME)
    expect(page.locator("main #status")).to_have_count(0)  # the lead's tools are the lead's


def check_catalogue(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    """The filter works: neither the family involvement nor the mediation initiative."""
    for other in ("completed", "xss_initiative"):
        expect(page.locator(f"main a[href$='/initiatives/{seed[other]}']")).to_have_count(0)


def check_outputs(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    """Reports, sessions, hours, materials, participants: the school's report."""
    expect(page.locator("main #totals-title ~ dl dd")).to_have_text(["1", "8", "16", "2", str(OUTPUT_PARTICIPANTS)])


def check_practices(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    expect(page.locator(f"main a[href$='/good-practices/{seed['xss_practice']}']")).to_have_count(0)


def check_case(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    """A link to the video, never an embedded player; every picture has a text."""
    expect(page.locator("main iframe, main video, main embed, main object")).to_have_count(0)
    for image in page.locator("main img").all():
        assert (image.get_attribute("alt") or "").strip(), f"{where}: a picture without alt text"


def check_dashboard(page: Page, seed: dict[str, Any], where: str, lang: str, width: int) -> None:
    """Accessible charts beside their tables, the running initiative counted, CSV that downloads."""
    problems = chart_problems(page)
    assert not problems, f"{where}: " + "; ".join(problems)
    running = page.locator("main #table-initiatives tbody tr").first.locator("td").nth(1)
    assert (running.text_content() or "").strip() not in ("", "0"), f"{where}: the running peer-education initiative is not counted"
    if (lang, width) == ("it", 1280):  # the CSV links download CSV (once is enough)
        for link in page.locator("main a[href*='.csv']").all()[:2] + page.locator("main a[href*='fami.csv']").all():
            href = link.get_attribute("href") or ""
            answer = page.request.get(href)
            assert answer.ok and answer.headers["content-type"].startswith("text/csv"), f"{where}: {href} gave {answer.status}"


PAGE_CHECKS: dict[str, Check] = {
    "initiative": check_public_initiative,
    "initiative-partner": check_partner_initiative,
    "initiatives-catalogue": check_catalogue,
    "outputs": check_outputs,
    "practices-catalogue": check_practices,
    "case": check_case,
    "dashboard": check_dashboard,
    "dashboard-summary": check_dashboard,
}



@pytest.mark.parametrize(("name", "path", "who", "selectors", "lang", "width"), CASES)
def test_initiative_page_is_accessible(
    new_context: Any,
    initiative_people: StateOf,
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
    page = open_as(new_context, initiative_people, who, path, lang, width)
    where = describe(path, lang, width, who)
    for template in selectors:
        selector = template.format(**seed)
        assert page.locator(selector).count() >= 1, f"{where}: the seed data is missing (nothing matches {selector})"

    check = PAGE_CHECKS.get(name)
    if check is not None:
        check(page, seed, where, lang, width)

    problems = page_problems(page, axe_source, where, name, lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "width"), LANG_WIDTHS)
def test_initiative_form_errors_are_accessible(
    new_context: Any, initiative_people: StateOf, axe_source: str, live_server: Any, lang: str, width: int
) -> None:
    """The form of a new initiative sent empty: the error summary is announced (role=alert) and
    every wrong field is marked aria-invalid and described by its message."""
    path = "/initiatives/new?org={association}".format(**live_server.seed)
    page = open_as(new_context, initiative_people, "youssef", path, lang, width)
    where = describe(path, lang, width, "youssef") + " after sending the form empty"
    form = page.locator("main form[method=post]")
    form.locator("#title").fill("")
    form.locator("#territory").fill("")
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()

    assert navigation.value is not None and navigation.value.status == 400, f"{where}: HTTP {navigation.value and navigation.value.status}"
    assert page.url.endswith(path), f"{where}: landed on {page.url}"
    summary = page.locator("main #form-errors[role=alert]")
    expect(summary).to_be_visible()
    for field in ("title", "territory"):  # the fields the form itself requires; the service checks the rest
        expect(summary.locator(f"a[href='#{field}']")).to_have_count(1)
        expect(form.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    check_invalid_fields(page, where)
    problems = page_problems(page, axe_source, where, "initiative-new-error", lang, width) + layout_problems(page)
    assert not problems, f"{where}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- stored XSS

XSS_PAGES: list[tuple[str, str | None]] = [
    ("/initiatives/?status=completed", None),
    ("/initiatives/{xss_initiative}", None),
    ("/initiatives/{xss_initiative}", "giorgio"),  # a partner sees the contact person
    ("/initiatives/{xss_initiative}", "youssef"),  # the lead sees the tools
    ("/initiatives/{xss_initiative}/partners", "youssef"),
    ("/initiatives/{xss_initiative}/edit", "youssef"),
    ("/initiatives/{xss_initiative}/outputs", None),
    ("/calls/{xss_call}", None),
    ("/calls/{xss_call}", "kofi"),  # his message is shown back to him
    ("/calls/{xss_call}/applications", "youssef"),
    ("/good-practices/", None),
    ("/good-practices/{xss_practice}", None),
    ("/good-practices/{xss_practice}/replicate", "bilal"),
    ("/case-histories/", None),
    ("/case-histories/{xss_case}", None),
    ("/territories/072006", None),
    ("/organizations/{association}", None),
]
XSS_TEXT = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.mark.parametrize(("path", "who"), XSS_PAGES, ids=[f"{p}-{w or 'visitor'}" for p, w in XSS_PAGES])
def test_stored_xss_never_runs(
    new_context: Any, initiative_people: StateOf, live_server: Any, path: str, who: str | None
) -> None:
    """The payloads (``<img onerror>``, ``<script>``, ``javascript:`` links, ``<svg onload>``) in the
    initiative's title, objectives, description, material, contact person, call, application and
    outcomes, in the good practice's card and in the story's title, summary, body and picture text
    are shown as text. The page's Content Security Policy is switched off in this browser
    (``bypass_csp``), so an injected script or handler would really run: ``window.__xss`` stays
    undefined after the page and its images load, no dialog opens, and no element carries an
    event handler, a ``javascript:`` link or a ``<script>`` from the data. On a phone, their long
    unbroken words wrap: nothing scrolls sideways."""
    seed = live_server.seed
    path = path.format(**seed)
    context = new_context(390, storage_state=initiative_people(who) if who else None, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(path)
    assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
    page.wait_for_load_state("load")
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
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
    assert not layout_problems(page), f"{where}: {layout_problems(page)} at 390 px"

    # The payloads are there, as text.
    main = page.locator("main")
    if path == f"/initiatives/{seed['xss_initiative']}":
        expect(main.locator("h1")).to_have_text(XSS_TITLE)
        expect(main.locator("#objectives-title ~ ul")).to_contain_text('Obiettivo <img src=x onerror="window.__xss=1">')
        expect(main.locator(".ponte-prose").first).to_contain_text("<script>window.__xss=1</script>")
        expect(main.locator("#materials")).to_contain_text(f"Scheda {XSS_TEXT}")
        if who == "giorgio":
            expect(main.locator("#contacts")).to_contain_text(XSS_CONTACT)
        if who is None:
            assert XSS_CONTACT not in (main.text_content() or ""), f"{where}: the contact person is shown to a visitor"
    elif path == f"/case-histories/{seed['xss_case']}":
        expect(main.locator("h1")).to_have_text(XSS_CASE_TITLE)
        expect(main.locator("figure img")).to_have_attribute("alt", 'Foto <img src=x onerror="window.__xss=1">')
    elif path == f"/good-practices/{seed['xss_practice']}":
        expect(main.locator("h1")).to_contain_text(XSS_TEXT)
        expect(main.locator("#contact-title ~ p").first).to_contain_text('Contatto <img src=x onerror="window.__xss=1">')
    elif path.endswith("/applications"):
        expect(main.locator("td[dir=auto]").first).to_contain_text(f"Messaggio {XSS_TEXT}")
    elif path.endswith("/outputs"):
        expect(main.locator("tr[id^=report-]").first).to_contain_text('Risultati <img src=x onerror="window.__xss=1">')
