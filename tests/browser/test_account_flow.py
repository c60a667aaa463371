"""A real journey on a phone-sized screen: register, confirm by e-mail, log in, switch to
Arabic, log out; and logging in with the keyboard only.

Elements are found by role, id, href or hreflang, never by translated text, so the test
keeps working whatever the interface language is.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    ADMIN_PASSWORD,
    extract_link,
    mail_text,
    newest_mail,
)

pytestmark = pytest.mark.browser

PHONE = 390
NAME = "Amina Haddad"
PASSWORD = "una frase lunga da ricordare"


def path_re(path: str) -> re.Pattern[str]:
    """Matches a page URL whose path is exactly ``path`` (any query or fragment)."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(?:[?#].*)?$")


def active_element(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
                    href: el.getAttribute('href'), type: el.getAttribute('type')};
        }"""
    )


@pytest.mark.parametrize("viewport_width", [PHONE])
def test_register_confirm_login_switch_language_logout(page: Page, live_server: Any) -> None:
    email_address = f"amina.{uuid.uuid4().hex[:10]}@example.org"

    # Home, in the default language (Italian), logged out.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    # "Create a free account" in the hero.
    page.locator("main a[href$='/auth/register']").first.click()
    expect(page).to_have_url(path_re("/auth/register"))
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    form = page.locator("main form[method=post]")
    form.locator("#display_name").fill(NAME)
    form.locator("#email").fill(email_address)
    form.locator("#password").fill(PASSWORD)
    form.locator("#home_territory").fill("Bari")
    # Bootstrap Italia draws the box on the label (the native input is transparent): click
    # the label, as a person does.
    form.locator("label[for='accept_privacy']").click()
    expect(form.locator("#accept_privacy")).to_be_checked()
    form.locator("button[type=submit]").click()

    # "Check your e-mail".
    expect(page).to_have_url(path_re("/auth/check-email"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # The confirmation mail: plain text, with a link to /auth/confirm/<token> on this server.
    message = newest_mail(live_server.mail_dir, to=email_address)
    body = mail_text(message)
    assert NAME in body, f"the mail does not greet the user by name:\n{body}"
    link = extract_link(body, live_server.url, "/auth/confirm/")

    # Opening the link only shows a button; pressing it confirms.
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(path_re("/auth/login"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()

    # Log in.
    form = page.locator("main form[method=post]")
    form.locator("#email").fill(email_address)
    form.locator("#password").fill(PASSWORD)
    form.locator("button[type=submit]").click()

    # Personal area: the name in the heading and in the header, the comune resolved to Bari.
    expect(page).to_have_url(path_re("/me"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.locator("header a.ponte-account[href$='/me']")).to_contain_text(NAME)
    expect(page.locator("main a[href$='/territories/072006']")).to_have_text("Bari")

    # Switch to Arabic with the language disclosure in the header.
    switch = page.locator("header details.ponte-lang")
    switch.locator("summary").click()
    expect(switch).to_have_attribute("open", "")
    arabic = switch.locator("a[hreflang='ar']")
    expect(arabic).to_be_visible()
    arabic.click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(path_re("/me"))
    expect(page.locator("header details.ponte-lang a[hreflang='ar']")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)

    # Log out with the header button: the login link is back, the language stays Arabic.
    page.locator("header button.ponte-logout").click()
    expect(page).to_have_url(path_re("/"))
    expect(page.locator("header a.ponte-account[href$='/auth/login']")).to_be_visible()
    expect(page.locator("header button.ponte-logout")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    # The personal area is closed again.
    page.goto("/me")
    expect(page).to_have_url(path_re("/auth/login"))


@pytest.mark.parametrize("viewport_width", [PHONE])
def test_keyboard_only_login(page: Page) -> None:
    page.goto("/auth/login")
    keyboard = page.keyboard

    # The first Tab reaches the skip link, which becomes visible and leads to <main>.
    keyboard.press("Tab")
    focused = active_element(page)
    assert focused["tag"] == "a" and focused["href"] == "#main" and "ponte-skip" in focused["cls"], (
        f"the first focusable element should be the skip link, got {focused}"
    )
    skip = page.locator("a.ponte-skip")
    box = skip.bounding_box()
    assert box is not None and box["width"] > 10 and box["height"] > 10, f"the focused skip link is not visible: {box}"
    keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # From <main>, Tab forward to the e-mail field (past the breadcrumb), then to the password.
    for _ in range(10):
        if active_element(page)["id"] == "email":
            break
        keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()
    keyboard.type(ADMIN_EMAIL)
    keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    keyboard.type(ADMIN_PASSWORD)
    keyboard.press("Enter")

    expect(page).to_have_url(path_re("/me"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(ADMIN_NAME)
