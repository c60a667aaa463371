"""axe-core (WCAG 2.0/2.1 A and AA) on the forum pages and on the moderation queue with a
reported message, in Italian (ltr) and Arabic (rtl), at 390 and 1280 px.

The pages show the seed discussion of ``seed.py`` (``live_server.seed["forum"]`` and
``["thread"]``). Each case also checks ``<html lang dir>``, exactly one ``h1`` and that the seed
data is really on the page, and saves ``test-artifacts/screenshots/<page>-<lang>-<width>.png`` (with
``PONTE_SCREENSHOTS=1``: ``make screenshots``).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import expect

from tests.browser.helpers import LANGUAGE_DIRECTIONS, open_page, page_problems, where_of

pytestmark = pytest.mark.browser

PREVIEW_MARKDOWN = "Grazie! Ci vediamo **sabato mattina** allo sportello.\n\n- corso A1\n- corso A2"

# (screenshot name, path with {seed} values, logged in, selector that must match: the seed data is shown)
PAGES = [
    ("forums-index", "/forums/", False, "main h1"),
    ("forum", "/forums/{forum}", False, "main .ponte-thread-list a[href$='/threads/{thread}']"),
    ("forum-new-thread", "/forums/{forum}/new", True, "main form[method=post] #title"),
    ("thread", "/threads/{thread}", False, "main #post-3 .ponte-prose strong"),
    ("thread-moderator", "/threads/{thread}", True, "main section.ponte-staff[aria-labelledby=mod-title]"),
    ("forum-moderation", "/moderation/", True, "main .ponte-report a[href$='/threads/{thread}/posts/2']"),
    ("thread-report", "/threads/{thread}/report", True, "main form #reason"),
    ("post-report", "/threads/{thread}/posts/2/report", True, "main form #reason"),
    ("post-edit", "/threads/{thread}/posts/3/edit", True, "main form textarea#body"),
    ("post-history", "/threads/{thread}/posts/2/history", True, "main h1"),
]
WIDTHS = [390, 1280]

CASES = [
    pytest.param(name, path, logged_in, selector, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, logged_in, selector in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]
PREVIEW_CASES = [
    pytest.param(lang, width, id=f"thread-preview-{lang}-{width}") for lang in LANGUAGE_DIRECTIONS for width in WIDTHS
]


@pytest.mark.parametrize(("name", "path", "logged_in", "selector", "lang", "width"), CASES)
def test_forum_page_is_accessible(
    new_context: Any,
    admin_state: dict[str, Any],
    axe_source: str,
    live_server: Any,
    name: str,
    path: str,
    logged_in: bool,
    selector: str,
    lang: str,
    width: int,
) -> None:
    seed = live_server.seed
    path = path.format(**seed)
    selector = selector.format(**seed)
    page = open_page(new_context, admin_state, path, logged_in, lang, width)
    where = where_of(path, lang, width, logged_in)
    assert page.locator(selector).count() >= 1, f"{where}: the seed data is missing (nothing matches {selector})"
    if name == "thread-moderator":
        expect(page.locator("main section.ponte-staff")).to_be_visible()
        expect(page.locator("main #reply form textarea#body")).to_be_visible()
    elif name == "thread":
        assert page.locator("main #reply").count() == 0, f"{where}: a reply form for a visitor"
        assert page.locator("main section.ponte-staff").count() == 0, f"{where}: moderator tools for a visitor"

    problems = page_problems(page, axe_source, where, name, lang, width)
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("lang", "width"), PREVIEW_CASES)
def test_reply_preview_is_accessible(
    new_context: Any,
    admin_state: dict[str, Any],
    axe_source: str,
    live_server: Any,
    lang: str,
    width: int,
) -> None:
    thread_id = live_server.seed["thread"]
    path = f"/threads/{thread_id}"
    page = open_page(new_context, admin_state, path, True, lang, width)
    where = f"{path} after Preview ({lang}, {width} px, logged in)"

    form = page.locator("main #reply form[method=post]")
    form.locator("textarea#body").fill(PREVIEW_MARKDOWN)
    with page.expect_navigation():
        form.locator("button[name=preview]").click()

    assert page.url.endswith(f"/threads/{thread_id}/reply"), f"{where}: landed on {page.url}"
    preview = page.locator("main section.ponte-preview[aria-labelledby=preview-title]")
    expect(preview).to_be_visible()
    expect(preview.locator(".ponte-prose strong")).to_have_text("sabato mattina")
    expect(preview.locator(".ponte-prose li")).to_have_count(2)
    # The text is kept in the box, ready to be sent.
    expect(page.locator("main #reply textarea#body")).to_have_value(PREVIEW_MARKDOWN)

    problems = page_problems(page, axe_source, where, "thread-preview", lang, width)
    assert not problems, f"{where}:\n" + "\n".join(problems)
