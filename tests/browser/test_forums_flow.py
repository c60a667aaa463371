"""Forums on a phone-sized screen with the keyboard only: open a discussion (with a preview),
reply to it, and follow a link to one message.

The test writes as Luca, a seed account with the Italian interface that takes part in nothing
else, so its posts do not count against the administrator's rate limit. Elements are found by
id, href, class, name or role, never by translated text.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in
from tests.browser.seed import PASSWORD, PEOPLE

pytestmark = pytest.mark.browser

PHONE = 390
THREAD_RE = re.compile(r"^https?://[^/]+/threads/(\d+)(?:\?[^#]*)?(?:#.*)?$")  # "#main": the skip link


def path_re(path: str) -> re.Pattern[str]:
    """Matches a page URL whose path is exactly ``path`` (any query or fragment)."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(?:[?#].*)?$")


def focused(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate("el => el === document.activeElement"))


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    expect(page.locator("a.ponte-skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


@pytest.mark.parametrize("viewport_width", [PHONE])
def test_keyboard_only_thread_and_reply(page: Page, live_server: Any) -> None:
    seed = live_server.seed
    forum = seed["forum"]
    _, email, _ = PEOPLE["luca"]
    suffix = uuid.uuid4().hex[:6]
    title = f"Doposcuola per ragazzi a Bari {suffix}"
    body = f"Cerchiamo volontari per il **doposcuola** del martedì ({suffix})."
    reply = f"Io posso dare una mano il _martedì_ pomeriggio ({suffix})."
    keyboard = page.keyboard

    log_in(page, email, PASSWORD)
    expect(page).to_have_url(path_re("/me"))

    # The forum page: Tab to "Start a discussion" and press Enter.
    page.goto(f"/forums/{forum}")
    skip_to_main(page)
    tab_to(page, f"main a[href$='/forums/{forum}/new']")
    keyboard.press("Enter")
    expect(page).to_have_url(path_re(f"/forums/{forum}/new"))

    # Title and message, typed; then Preview with Enter.
    form = page.locator("main form[method=post]")
    tab_to(page, "main form[method=post] #title")
    keyboard.type(title)
    keyboard.press("Tab")
    expect(form.locator("#body")).to_be_focused()
    keyboard.type(body)
    tab_to(page, "main form[method=post] button[name=preview]", limit=10)
    keyboard.press("Enter")

    expect(page).to_have_url(path_re(f"/forums/{forum}/new"))
    preview = page.locator("main section.ponte-preview")
    expect(preview).to_be_visible()
    expect(preview.locator(".ponte-prose strong")).to_have_text("doposcuola")
    expect(form.locator("#title")).to_have_value(title)
    expect(form.locator("#body")).to_have_value(body)
    assert page.locator("main .alert-danger").count() == 0, "the preview showed form errors"

    # Publish with the keyboard: from the top of the reloaded page, Tab to the Publish button.
    skip_to_main(page)
    tab_to(page, "main form[method=post] .ponte-actions button[type=submit]:not([name])")
    keyboard.press("Enter")

    expect(page).to_have_url(THREAD_RE)
    match = THREAD_RE.match(page.url)
    assert match, page.url
    thread_id = match.group(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    first = page.locator("main #post-1")
    expect(first.locator(".ponte-prose")).to_contain_text(suffix)
    expect(first.locator(".ponte-prose strong")).to_have_text("doposcuola")

    # Reply with the keyboard: Tab to the reply box, type, Tab to "Send reply", Enter. (The
    # page kept the skip link's #main from the form's address: Tab starts from <main>.)
    tab_to(page, "main #reply textarea#body")
    keyboard.type(reply)
    tab_to(page, "main #reply .ponte-actions button[type=submit]:not([name])", limit=10)
    keyboard.press("Enter")

    # /threads/<id>/posts/2 redirects to the thread page with the #post-2 anchor.
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/threads/{thread_id}(?:\?[^#]*)?#post-2$"))
    second = page.locator("main li#post-2")
    expect(second).to_be_visible()
    expect(second.locator(".ponte-prose")).to_contain_text(suffix)
    expect(second.locator(".ponte-prose em")).to_have_text("martedì")
    expect(second.locator(f"a[href$='/threads/{thread_id}/posts/2']")).to_have_text("#2")
    expect(second).to_be_in_viewport()

    # A link to a message on the first page: the anchor is there and the page scrolls to it.
    seeded = seed["thread"]
    page.goto(f"/threads/{seeded}#post-3")
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/threads/{seeded}#post-3$"))
    target = page.locator("main li#post-3")
    expect(target).to_have_count(1)
    expect(target).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 0, "the page did not scroll to #post-3"
    page.goto(f"/threads/{thread_id}#post-1")
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/threads/{thread_id}#post-1$"))
    expect(page.locator("main li#post-1")).to_have_count(1)
    expect(page.locator("main li#post-1")).to_be_in_viewport()
