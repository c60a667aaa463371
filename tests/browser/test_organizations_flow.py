"""Organisations on a phone-sized screen: create a profile, edit it, find it with the
directory filters; and submit the directory filters with the keyboard only.

Elements are found by id, href, class or role, never by translated text.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect

from tests.browser.helpers import ADMIN_EMAIL, ADMIN_PASSWORD, log_in

pytestmark = pytest.mark.browser

PHONE = 390
PROFILE_RE = re.compile(r"^https?://[^/]+/organizations/([a-z0-9-]+)$")


def path_re(path: str) -> re.Pattern[str]:
    """Matches a page URL whose path is exactly ``path`` (any query or fragment)."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(?:[?#].*)?$")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def active_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id"))


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


@pytest.mark.parametrize("viewport_width", [PHONE])
def test_create_edit_and_find_an_organisation(page: Page) -> None:
    suffix = uuid.uuid4().hex[:6]
    name = f"Associazione Ponte Sud {suffix}"
    renamed = f"Associazione Ponte del Levante {suffix}"

    log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    expect(page).to_have_url(path_re("/me"))

    # The creation form.
    page.goto("/organizations/new")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("#name").fill(name)
    form.locator("#kind").select_option("migrant_association")
    form.locator("#home_territory").fill("Bari")
    form.locator("#description-0-language").select_option("it")
    form.locator("#description-0-text").fill(
        "Sportello per le famiglie, corsi di **italiano** e mediazione con le scuole."
    )
    # Bootstrap Italia draws the boxes on the labels: click them, as a person does.
    for code in ("italian_l2", "mediation"):
        box = form.locator(f"input[name=areas][value={code}]")
        form.locator(f"label[for='{box.get_attribute('id')}']").click()
        expect(box).to_be_checked()
    form.locator("button[type=submit]").click()

    # The new profile: its name, its comune, its two areas, and the edit link for its admin.
    expect(page).to_have_url(PROFILE_RE)
    match = PROFILE_RE.match(page.url)
    assert match, page.url
    slug = match.group(1)
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main .ponte-dl a[href$='/territories/072006']")).to_have_text("Bari")
    expect(page.locator("main section[aria-labelledby=areas] .ponte-tags li")).to_have_count(2)
    expect(page.locator("main .ponte-prose strong")).to_have_text("italiano")

    # Edit: the form is filled in with the stored profile; change the name and save.
    page.locator(f"main a[href$='/organizations/{slug}/edit']").click()
    expect(page).to_have_url(path_re(f"/organizations/{slug}/edit"))
    form = page.locator("main form[enctype='multipart/form-data']")
    expect(form.locator("#name")).to_have_value(name)
    expect(form.locator("input[name=areas][value=mediation]")).to_be_checked()
    form.locator("#name").fill(renamed)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(path_re(f"/organizations/{slug}"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(renamed)

    # The directory: search by name with the filter form (GET); only the renamed profile matches.
    page.goto("/organizations/")
    filters = page.locator("main form.ponte-filters")
    expect(filters).to_have_attribute("method", "get")
    filters.locator("#q").fill(renamed)
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(path_re("/organizations/"))
    assert query(page).get("q") == [renamed], page.url
    cards = page.locator("main .ponte-org-card")
    expect(cards).to_have_count(1)
    expect(cards.locator(f"a[href$='/organizations/{slug}']")).to_have_text(renamed)
    expect(filters.locator("#q")).to_have_value(renamed)


@pytest.mark.parametrize("viewport_width", [PHONE])
def test_keyboard_only_directory_filters(page: Page, live_server: Any) -> None:
    seed = live_server.seed
    page.goto("/organizations/")
    keyboard = page.keyboard

    # Skip link, then Tab forward from <main> to the name field; Enter in it submits the form.
    keyboard.press("Tab")
    expect(page.locator("a.ponte-skip")).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    tab_to(page, "main form.ponte-filters #q")
    keyboard.type("Teranga")
    keyboard.press("Enter")

    expect(page).to_have_url(path_re("/organizations/"))
    assert query(page).get("q") == ["Teranga"], page.url
    cards = page.locator("main .ponte-org-card")
    expect(cards).to_have_count(1)
    expect(cards.locator(f"a[href$='/organizations/{seed['organization']}']")).to_have_count(1)

    # Back to the name field (the filters are kept), clear it, type a place, then Tab to the
    # submit button and press Enter.
    tab_to(page, "main form.ponte-filters #q", limit=60)
    keyboard.press("ControlOrMeta+a")
    keyboard.press("Backspace")
    keyboard.press("Tab")
    assert active_id(page) == "territory", f"Tab from the name field went to #{active_id(page)}"
    keyboard.type("Lecce")
    tab_to(page, "main form.ponte-filters button[type=submit]", limit=10)
    keyboard.press("Enter")

    expect(page).to_have_url(path_re("/organizations/"))
    assert query(page).get("territory") == ["Lecce"], page.url
    expect(cards).to_have_count(1)
    expect(cards.locator(f"a[href$='/organizations/{seed['mentor']}']")).to_have_count(1)
