"""axe-core (WCAG 2.0/2.1 A and AA) on the community-lab pages, in Italian (ltr) and Arabic
(rtl), at 390 and 1280 px; and stored XSS in proposals and comments never running in Chromium.

The pages show the lab data of ``seed.py`` (``live_server.seed``: ``lab`` takes proposals,
``voting_lab`` is voting with two votes each, ``results_lab`` has published its results;
``proposal`` is answered, followed up and commented; ``awaiting`` waits for the Comune's answer;
``editable`` is Amina's, with no supports and no attachments; ``xss`` holds the payloads).
People: logged out, the administrator, Amina (an eligible citizen of Bari, author of
``proposal``), Sara (an official of the Comune di Bari). Each case also checks ``<html lang
dir>``, exactly one ``h1`` and that the seed data is on the page, and saves
``test-artifacts/screenshots/<page>-<lang>-<width>.png`` (with
``PONTE_SCREENSHOTS=1``: ``make screenshots``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import (
    LANGUAGE_DIRECTIONS,
    horizontal_overflow,
    log_in,
    open_page,
    page_problems,
    where_of,
)
from tests.browser.seed import PASSWORD, PEOPLE

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]

# (screenshot name, path with {seed} values, who is logged in, selectors that must match: the seed data is shown)
PAGES: list[tuple[str, str, str | None, tuple[str, ...]]] = [
    (
        "labs-index",
        "/labs/",
        None,
        ("main .ponte-lab-card a[href$='/labs/{lab}']", "main .ponte-lab-card a[href$='/labs/{results_lab}']"),
    ),
    ("proposals-all", "/proposals/", None, ("main .ponte-thread a[href$='/proposals/{proposal}']", "main .badge")),
    (
        "lab",
        "/labs/{lab}",
        None,
        (
            "main .ponte-thread a[href$='/proposals/{awaiting}']",
            "main ol.ponte-timeline li[aria-current=step]",
            "main .alert a[href*='/auth/login']",
        ),
    ),
    (
        "lab-citizen",
        "/labs/{lab}",
        "amina",
        ("main a[href$='/labs/{lab}/proposals/new']", "main section[aria-labelledby=drafts-title] a"),
    ),
    (
        "lab-voting",
        "/labs/{voting_lab}",
        "amina",
        (
            "main .ponte-thread a[href$='/proposals/{voting_proposals[0]}']",
            "main ol.ponte-timeline li[aria-current=step]",
        ),
    ),
    (
        "proposal",
        "/proposals/{proposal}",
        None,
        (
            "main #response .ponte-official .ponte-prose strong",
            "main #follow-up progress",
            "main #comments ol.ponte-posts ol.ponte-posts li",
            "main #comments li.ponte-official",
            "main a[href$='/proposals/{proposal}/response/history']",
        ),
    ),
    (
        "proposal-author",
        "/proposals/{proposal}",
        "amina",
        (
            "main #author-actions",
            "main #comments details summary",
            "main #comment-form textarea#body",
            "main #follow-up progress",
        ),
    ),
    (
        "proposal-official",
        "/proposals/{proposal}",
        "sara",
        ("main #response a[href$='/proposals/{proposal}/respond']", "main #comment-form select#organization_id"),
    ),
    ("proposal-new", "/labs/{lab}/proposals/new", "amina", ("main form[method=post] #title",)),
    (
        "proposal-edit",
        "/proposals/{editable}/edit",
        "amina",
        ("main form[method=post] #title", "main form[method=post] #authority_id"),
    ),
    (
        "proposal-respond",
        "/proposals/{awaiting}/respond",
        "sara",
        ("main select#template", "main form[method=post] #decision-0"),
    ),
    (
        "response-history",
        "/proposals/{proposal}/response/history",
        None,
        ("main section.ponte-revision + section.ponte-revision",),
    ),
    (
        "answer-templates",
        "/organizations/{comune}/answer-templates",
        "sara",
        ("main .card details pre", "main form[method=post] #name"),
    ),
    (
        "lab-results",
        "/labs/{results_lab}/results",
        None,
        ("main table.ponte-table tbody tr th a", "main dl.ponte-dl dd"),
    ),
    ("transparency", "/transparency/", None, ("main table.ponte-table a[href$='/organizations/{comune}']",)),
    (
        "lab-new",
        "/labs/new?org={comune}",
        "admin",
        ("main form[method=post] #title", "main form[method=post] #eligibility"),
    ),
    ("lab-edit", "/labs/{lab}/edit", "admin", ("main form[method=post] #title", "main form[method=post] #voting_on")),
    ("proposal-report", "/proposals/{proposal}/report", "admin", ("main form[method=post] #reason",)),
    (
        "me-proposals",
        "/me",
        "admin",
        (
            "main #my-proposals + ul a[href$='/proposals/{own_proposal}']",
            "main #sponsor-invitations ~ ul button[aria-describedby]",
        ),
    ),
]

# Forms sent empty, so that their errors are shown: (screenshot name, path, who, form selector, submit button selector)
ERROR_PAGES: list[tuple[str, str, str, str, str]] = [
    ("proposal-new-error", "/labs/{lab}/proposals/new", "amina", "main form[method=post]", "button[name=publish]"),
    (
        "proposal-respond-error",
        "/proposals/{awaiting}/respond",
        "sara",
        "main form[method=post][action$='/respond']",
        ".ponte-actions button[type=submit]",
    ),
]

CASES = [
    pytest.param(name, path, who, selectors, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, who, selectors in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]
ERROR_CASES = [
    pytest.param(name, path, who, form, button, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, who, form, button in ERROR_PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]

StateOf = Callable[[str], dict[str, Any]]


@pytest.fixture(scope="session")
def lab_people(request: pytest.FixtureRequest, browser: Browser, live_server: Any) -> StateOf:
    """Cookies of the seed people, each logged in once and only when first needed (the login form
    is rate-limited per address): ``lab_people("amina")`` → a storage state; ``"admin"`` is the
    administrator's (the shared ``admin_state``)."""
    states: dict[str, dict[str, Any]] = {}

    def state_of(who: str) -> dict[str, Any]:
        if who == "admin":
            return dict(request.getfixturevalue("admin_state"))
        if who not in states:
            context = browser.new_context(base_url=live_server.url, locale="it-IT")
            try:
                page = context.new_page()
                log_in(page, PEOPLE[who][1], PASSWORD)
                assert "/me" in page.url, f"{who} could not log in, landed on {page.url}"
                states[who] = context.storage_state()
            finally:
                context.close()
        return states[who]

    return state_of


def open_as(new_context: Any, lab_people: StateOf, who: str | None, path: str, lang: str, width: int) -> Page:
    return open_page(new_context, lab_people(who) if who else None, path, who is not None, lang, width)


def describe(path: str, lang: str, width: int, who: str | None) -> str:
    return where_of(path, lang, width, who is not None) + (f" as {who}" if who else "")


@pytest.mark.parametrize(("name", "path", "who", "selectors", "lang", "width"), CASES)
def test_lab_page_is_accessible(
    new_context: Any,
    lab_people: StateOf,
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
    page = open_as(new_context, lab_people, who, path, lang, width)
    where = describe(path, lang, width, who)
    for template in selectors:
        selector = template.format(**seed)
        assert page.locator(selector).count() >= 1, f"{where}: the seed data is missing (nothing matches {selector})"
    if name == "proposal":
        assert page.locator("main #support form").count() == 0, f"{where}: a support button for a visitor"
        assert page.locator("main #author-actions").count() == 0, f"{where}: author tools for a visitor"
    if name == "lab-voting":
        expect(page.locator("main a[href$='/labs/{}/proposals/new']".format(seed["voting_lab"]))).to_have_count(0)

    problems = page_problems(page, axe_source, where, name, lang, width)
    if horizontal_overflow(page) > 0:
        problems.append(f"the page scrolls sideways by {horizontal_overflow(page)} px")
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("name", "path", "who", "form_selector", "button", "lang", "width"), ERROR_CASES)
def test_lab_form_errors_are_accessible(
    new_context: Any,
    lab_people: StateOf,
    axe_source: str,
    live_server: Any,
    name: str,
    path: str,
    who: str,
    form_selector: str,
    button: str,
    lang: str,
    width: int,
) -> None:
    path = path.format(**live_server.seed)
    page = open_as(new_context, lab_people, who, path, lang, width)
    where = describe(path, lang, width, who) + " after sending the form empty"
    form = page.locator(form_selector)
    with page.expect_navigation():
        form.locator(button).click()

    assert page.url.endswith(path), f"{where}: landed on {page.url}"
    expect(page.locator("main #form-errors[role=alert]")).to_be_visible()
    invalid = page.locator("main [aria-invalid=true]")
    assert invalid.count() >= 1, f"{where}: no field is marked aria-invalid"
    for i in range(invalid.count()):
        described = invalid.nth(i).get_attribute("aria-describedby") or ""
        assert any(part.endswith("-error") for part in described.split()), (
            f"{where}: the invalid field #{invalid.nth(i).get_attribute('id')} is not described by its error ({described!r})"
        )

    problems = page_problems(page, axe_source, where, name, lang, width)
    if horizontal_overflow(page) > 0:
        problems.append(f"the page scrolls sideways by {horizontal_overflow(page)} px")
    assert not problems, f"{where}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- stored XSS

XSS_PAGES = [
    ("/proposals/{xss}", None),
    ("/proposals/{xss}", "amina"),
    ("/labs/{lab}", None),
    ("/proposals/", None),
]


@pytest.mark.parametrize(("path", "who"), XSS_PAGES, ids=[f"{p}-{w or 'visitor'}" for p, w in XSS_PAGES])
def test_stored_xss_never_runs(
    new_context: Any, lab_people: StateOf, live_server: Any, path: str, who: str | None
) -> None:
    """The payloads of the seed (``<img onerror>``, ``<script>``, ``javascript:`` links, ``<svg
    onload>``) in a proposal's title, summary and body and in a comment are shown as text: no
    element carries them, and ``window.__xss`` stays undefined after the page (and its images) load."""
    seed = live_server.seed
    path = path.format(**seed)
    context = new_context(1280, storage_state=lab_people(who) if who else None)
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
    # The payloads are there, as text: the title (and, on its page, the comment) shown literally.
    on_its_page = path == f"/proposals/{seed['xss']}"
    title = page.locator("main h1" if on_its_page else f"main a[href$='/proposals/{seed['xss']}']").first
    expect(title).to_contain_text('<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>')
    if on_its_page:
        expect(page.locator("main #comments .ponte-prose").first).to_contain_text("<script>window.__xss=1</script>")
