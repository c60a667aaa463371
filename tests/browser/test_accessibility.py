"""axe-core (WCAG 2.0/2.1 A and AA) on the main pages, in Italian (ltr) and Arabic (rtl),
on a phone (390 px) and a desktop (1280 px), logged out and logged in.

Each case also checks ``<html lang dir>`` and that the page has exactly one ``h1``, and saves
a full-page screenshot to ``test-artifacts/screenshots/<page>-<lang>-<width>.png`` (with
``PONTE_SCREENSHOTS=1``: ``make screenshots``).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from tests.browser.helpers import (
    ADMIN_EMAIL,
    LANGUAGE_DIRECTIONS,
    extract_link,
    mail_text,
    newest_mail,
    open_page,
    page_problems,
    where_of,
)

pytestmark = pytest.mark.browser

# (screenshot name, path, logged in, expected status)
PAGES = [
    ("home", "/", False, 200),
    ("home-loggedin", "/", True, 200),
    ("login", "/auth/login", False, 200),
    ("register", "/auth/register", False, 200),
    ("settings", "/me/settings", True, 200),
    ("region", "/territories/16", False, 200),
    ("comune", "/territories/072006", False, 200),
    ("territories", "/territories/", False, 200),
    ("me", "/me", True, 200),
    ("privacy", "/privacy", False, 200),
    ("accessibility", "/accessibility", False, 200),
    ("feedback", "/feedback", False, 200),
    ("reset", "/auth/reset", False, 200),
    ("resend", "/auth/resend", False, 200),
    ("check-email", "/auth/check-email", False, 200),
    ("link-invalid", "/auth/confirm/not-a-valid-token", False, 400),
    ("invitation-invalid", "/invitations/not-a-valid-token", False, 400),
    ("not-found", "/no-such-page", False, 404),
    # Search, open data, notifications and the personal data pages (issue 8)
    ("search", "/search?q=Bari", False, 200),
    ("search-nothing", "/search?q=zzqqxx&type=event", True, 200),
    ("opendata", "/opendata/", False, 200),
    ("notifications", "/me/notifications", True, 200),
    ("notification-settings", "/me/notifications/settings", True, 200),
    ("following", "/me/following", True, 200),
    ("export", "/me/export", True, 200),
    ("delete-account", "/me/delete", True, 200),
]
WIDTHS = [390, 1280]

CASES = [
    pytest.param(name, path, logged_in, status, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, logged_in, status in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]


@pytest.mark.parametrize(("name", "path", "logged_in", "status", "lang", "width"), CASES)
def test_page_is_accessible(
    new_context: Any,
    admin_state: dict[str, Any],
    axe_source: str,
    name: str,
    path: str,
    logged_in: bool,
    status: int,
    lang: str,
    width: int,
) -> None:
    page = open_page(new_context, admin_state, path, logged_in, lang, width, status)
    where = where_of(path, lang, width, logged_in)

    problems = page_problems(page, axe_source, where, name, lang, width)
    assert not problems, f"{where}:\n" + "\n".join(problems)


def test_password_reset_link_page_is_accessible(new_context: Any, axe_source: str, live_server: Any) -> None:
    """The page behind the link in the reset mail, in it and ar at both widths (one reset request)."""
    context = new_context(1280)
    page = context.new_page()
    page.goto("/auth/reset")
    page.fill("#email", ADMIN_EMAIL)
    page.locator("main form button[type=submit]").click()
    deadline = time.monotonic() + 10
    text = ""
    while "/auth/reset/" not in text and time.monotonic() < deadline:  # the mail is written after the response
        text = mail_text(newest_mail(live_server.mail_dir, to=ADMIN_EMAIL))
        time.sleep(0.1)
    link = extract_link(text, live_server.url, "/auth/reset/")
    path = link.removeprefix(live_server.url)
    problems: list[str] = []
    for lang in LANGUAGE_DIRECTIONS:
        for width in WIDTHS:
            page = open_page(new_context, None, path, False, lang, width)
            assert page.locator("main form #password").count() == 1, f"{path}: no new-password field"
            problems += page_problems(page, axe_source, where_of(path, lang, width, False), "reset-password", lang, width)
    assert not problems, "\n".join(problems)
