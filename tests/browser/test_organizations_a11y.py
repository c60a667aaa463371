"""axe-core (WCAG 2.0/2.1 A and AA) on the organisation, founding, moderation and
administration pages, in Italian (ltr) and Arabic (rtl), at 390 and 1280 px.

The pages show the seed data of ``seed.py`` (slugs in ``live_server.seed``). Each case also
checks ``<html lang dir>``, exactly one ``h1`` and that the seed data is really on the page
(an empty page would pass axe too), and saves ``test-artifacts/screenshots/<page>-<lang>-<width>.png``.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from tests.browser.helpers import LANGUAGE_DIRECTIONS, open_page, page_problems, where_of

pytestmark = pytest.mark.browser

# (screenshot name, path with {seed} slugs, logged in, selector that must match: the seed data is shown)
PAGES = [
    ("org-directory", "/organizations/", False, "main .ponte-org-card a[href$='/organizations/{organization}']"),
    ("org-profile", "/organizations/{organization}", False, "main .ponte-dl a[href$='/territories/072006']"),
    (
        "org-profile-loggedin",
        "/organizations/{organization}",
        True,
        "main a[href$='/organizations/{organization}/edit']",
    ),
    ("org-edit", "/organizations/{organization}/edit", True, "main form[enctype='multipart/form-data'] #name"),
    ("org-members", "/organizations/{organization}/members", True, "main form[action$='/approve']"),
    ("founding-index", "/founding/", True, "main a[href$='/founding/{group}']"),
    ("founding-path", "/founding/{group}", True, "main progress"),
    ("founding-statute", "/founding/{group}/statute", True, "main article.ponte-statute"),
    ("admin", "/admin/", True, "main table.ponte-table tbody tr"),
    ("moderation", "/moderation/", True, "main .ponte-report a[href$='/organizations/{mentor}']"),
    ("org-new", "/organizations/new", True, "main form[enctype='multipart/form-data'] #name"),
    ("org-report", "/organizations/{organization}/report", True, "main form #reason"),
]
WIDTHS = [390, 1280]

CASES = [
    pytest.param(name, path, logged_in, selector, lang, width, id=f"{name}-{lang}-{width}")
    for name, path, logged_in, selector in PAGES
    for lang in LANGUAGE_DIRECTIONS
    for width in WIDTHS
]


@pytest.mark.parametrize(("name", "path", "logged_in", "selector", "lang", "width"), CASES)
def test_page_is_accessible(
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
    if "{group}" in path and not seed.get("founding"):
        pytest.fail(f"the seed could not start the founding path: {seed.get('founding_error')}", pytrace=False)
    path = path.format(**seed)
    selector = selector.format(**seed)

    page = open_page(new_context, admin_state, path, logged_in, lang, width)
    where = where_of(path, lang, width, logged_in)
    assert page.locator(selector).count() >= 1, f"{where}: the seed data is missing (nothing matches {selector})"

    problems = page_problems(page, axe_source, where, name, lang, width)
    assert not problems, f"{where}:\n" + "\n".join(problems)
