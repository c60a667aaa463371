"""axe-core (WCAG 2.0/2.1 A and AA) on the main pages, in Italian (ltr) and Arabic (rtl),
on a phone (390 px) and a desktop (1280 px), logged out and logged in.

Each case also checks ``<html lang dir>`` and that the page has exactly one ``h1``, and saves
a full-page screenshot to ``test-artifacts/screenshots/<page>-<lang>-<width>.png``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

pytest.importorskip("playwright.sync_api")

from tests.browser.helpers import LANGUAGE_DIRECTIONS, page_problems

pytestmark = pytest.mark.browser

# (screenshot name, path, logged in)
PAGES = [
    ("home", "/", False),
    ("home-loggedin", "/", True),
    ("login", "/auth/login", False),
    ("register", "/auth/register", False),
    ("settings", "/me/settings", True),
    ("region", "/territories/16", False),
    ("comune", "/territories/072006", False),
]
WIDTHS = [390, 1280]

CASES = [
    pytest.param(name, path, logged_in, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, logged_in in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]


@pytest.mark.parametrize(("name", "path", "logged_in", "lang", "width"), CASES)
def test_page_is_accessible(
    new_context: Any,
    admin_state: dict[str, Any],
    axe_source: str,
    name: str,
    path: str,
    logged_in: bool,
    lang: str,
    width: int,
) -> None:
    context = new_context(width, storage_state=admin_state if logged_in else None)
    page = context.new_page()
    response = page.goto(f"/lang/{lang}?next={quote(path, safe='/')}")
    where = f"{path} ({lang}, {width} px, {'logged in' if logged_in else 'logged out'})"
    assert response is not None
    assert response.ok, f"{where}: HTTP {response.status} at {page.url}"
    assert page.url.endswith(path), f"{where}: expected to land on {path}, landed on {page.url}"
    if logged_in:
        assert page.locator("header .ponte-logout").count() == 1, f"{where}: not logged in"
    else:
        assert page.locator("header .ponte-logout").count() == 0, f"{where}: unexpectedly logged in"

    problems = page_problems(page, axe_source, where, name, lang, width)
    assert not problems, f"{where}:\n" + "\n".join(problems)
