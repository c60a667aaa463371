"""Community labs on a phone-sized screen with the keyboard only (Tab, Enter, Space; no mouse):

- Chiara logs in, writes a proposal and publishes it; Rahim supports it (and then sees that he
  does, with the button to take the support back) and comments on it;
- in the voting lab (two votes each) Rahim votes for two proposals, and a third vote, sent from
  a page opened before, is refused with a visible message;
- Sara, an official of the Comune di Bari, opens the answer page of a proposal awaiting its
  answer, starts from an answer template, publishes the answer, and the proposal shows it.

On every page: the focused element has a visible focus indicator and nothing scrolls sideways.
Elements are found by id, href, class, name or role, never by translated text. The people
and their proposals come from ``seed.py``; Rahim and Sara log in once (``lab_people``).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect

from tests.browser.helpers import check_layout
from tests.browser.seed import ANSWER_ACCEPT, PASSWORD, PEOPLE
from tests.browser.test_labs_a11y import StateOf, lab_people  # noqa: F401 — the fixture is shared

pytestmark = pytest.mark.browser

PHONE = 390
PROPOSAL_RE = re.compile(r"^https?://[^/]+/proposals/(\d+)(?:\?[^#]*)?(?:#.*)?$")


def path_re(path: str, anchor: str | None = None) -> re.Pattern[str]:
    """Matches a page URL whose path is exactly ``path`` (any query; the fragment ``anchor`` if given)."""
    tail = rf"(?:\?[^#]*)?#{re.escape(anchor)}$" if anchor else r"(?:[?#].*)?$"
    return re.compile(r"^https?://[^/]+" + re.escape(path) + tail)


def focus_problem(page: Page) -> str | None:
    """Why the focused element shows no focus indicator (None when it shows one)."""
    found = page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {what: `${el.tagName.toLowerCase()}#${el.id}.${el.className}`, outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth) || 0, shadow: s.boxShadow};
        }"""
    )
    if (found["outline"] != "none" and found["width"] >= 2) or found["shadow"] not in ("", "none"):
        return None
    return f"no visible focus on {found['what']} (outline {found['outline']} {found['width']}px, box-shadow {found['shadow']})"


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus, then check the focus shows."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()
    problem = focus_problem(page)
    assert problem is None, f"{page.url}: {problem}"


def skip_to_main(page: Page) -> None:
    """The first Tab reaches the skip link; Enter moves the focus to <main>."""
    page.keyboard.press("Tab")
    expect(page.locator("a.ponte-skip")).to_be_focused()
    assert focus_problem(page) is None, f"{page.url}: {focus_problem(page)}"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()



def keyboard_login(page: Page, email: str, password: str) -> None:
    page.goto("/auth/login")
    skip_to_main(page)
    tab_to(page, "main form[method=post] #email", limit=20)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.locator("main form[method=post] #password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(path_re("/me"))


def test_keyboard_write_publish_support_and_comment(new_context: Any, lab_people: StateOf, live_server: Any) -> None:  # noqa: F811
    lab = live_server.seed["lab"]
    suffix = uuid.uuid4().hex[:6]
    title = f"Rastrelliere per bici alla stazione {suffix}"
    summary = "Venti posti bici coperti davanti alla stazione, per chi va al lavoro in treno."
    body = f"Ogni mattina le bici sono legate ai pali della luce. Servono **rastrelliere coperte** ({suffix})."
    comment = f"La sostengo: ci vado in bici ogni giorno ({suffix})."

    # Chiara logs in and writes the proposal.
    writer = new_context(PHONE).new_page()
    keyboard = writer.keyboard
    keyboard_login(writer, PEOPLE["chiara"][1], PASSWORD)
    writer.goto(f"/labs/{lab}")
    check_layout(writer)
    skip_to_main(writer)
    tab_to(writer, f"main a[href$='/labs/{lab}/proposals/new']")
    keyboard.press("Enter")
    expect(writer).to_have_url(path_re(f"/labs/{lab}/proposals/new"))
    check_layout(writer)

    form = writer.locator("main form[method=post]")
    tab_to(writer, "main form[method=post] #title")
    keyboard.type(title)
    keyboard.press("Tab")
    expect(form.locator("#summary")).to_be_focused()
    keyboard.type(summary)
    keyboard.press("Tab")
    expect(form.locator("#body")).to_be_focused()
    keyboard.type(body)
    tab_to(writer, "main form[method=post] button[name=publish]", limit=15)
    keyboard.press("Enter")

    expect(writer).to_have_url(PROPOSAL_RE)
    match = PROPOSAL_RE.match(writer.url)
    assert match, writer.url
    proposal_id = match.group(1)
    expect(writer.get_by_role("heading", level=1)).to_have_text(title)
    expect(writer.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(writer.locator("main .ponte-prose strong").first).to_have_text("rastrelliere coperte")
    expect(writer.locator("main #author-actions")).to_be_visible()
    check_layout(writer)

    # Rahim supports it with the space bar, then sees that he does and can take it back.
    supporter = new_context(PHONE, storage_state=lab_people("rahim")).new_page()
    supporter.goto(f"/proposals/{proposal_id}")
    check_layout(supporter)
    support_box = supporter.locator("main #support")
    expect(support_box.locator("p > strong")).to_have_count(1)  # the count only
    skip_to_main(supporter)
    tab_to(supporter, f"main #support form[action$='/proposals/{proposal_id}/support'] button[type=submit]")
    supporter.keyboard.press("Space")

    expect(supporter).to_have_url(path_re(f"/proposals/{proposal_id}", "support"))
    expect(supporter.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(support_box.locator("p > strong")).to_have_count(2)  # the count and "You support it"
    expect(support_box.locator("p > strong").first).to_contain_text("1")
    withdraw = support_box.locator(f"form[action$='/proposals/{proposal_id}/unsupport'] button[type=submit]")
    expect(withdraw).to_be_visible()
    check_layout(supporter)

    # ... and comments: from the support box (the page's #support anchor), Tab on to the comment box.
    tab_to(supporter, "main #comment-form textarea#body")
    supporter.keyboard.type(comment)
    tab_to(supporter, "main #comment-form button[type=submit]", limit=10)
    supporter.keyboard.press("Enter")

    expect(supporter).to_have_url(re.compile(rf"^https?://[^/]+/proposals/{proposal_id}(?:\?[^#]*)?#comment-\d+$"))
    anchor = supporter.url.rsplit("#", 1)[1]
    posted = supporter.locator(f"main li#{anchor}")
    expect(posted).to_be_visible()
    expect(posted.locator(".ponte-prose")).to_contain_text(suffix)
    expect(posted.locator(".ponte-post-head strong").first).to_have_text(PEOPLE["rahim"][0])
    check_layout(supporter)


def test_keyboard_vote_up_to_the_cap(new_context: Any, lab_people: StateOf, live_server: Any) -> None:  # noqa: F811
    first, second, third = live_server.seed["voting_proposals"][:3]
    context = new_context(PHONE, storage_state=lab_people("rahim"))

    # A page opened before voting still offers the third vote: the server must refuse it.
    stale = context.new_page()
    stale.goto(f"/proposals/{third}")
    expect(stale.locator(f"main #vote form[action$='/proposals/{third}/vote'] button[type=submit]")).to_be_visible()

    page = context.new_page()
    for proposal_id in (first, second):
        page.goto(f"/proposals/{proposal_id}")
        check_layout(page)
        skip_to_main(page)
        tab_to(page, f"main #vote form[action$='/proposals/{proposal_id}/vote'] button[type=submit]")
        page.keyboard.press("Enter")
        expect(page).to_have_url(path_re(f"/proposals/{proposal_id}", "vote"))
        expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
        expect(
            page.locator(f"main #vote form[action$='/proposals/{proposal_id}/unvote'] button[type=submit]")
        ).to_be_visible()
        check_layout(page)

    # Both votes used: a fresh page of the third proposal offers no vote button.
    page.goto(f"/proposals/{third}")
    expect(page.locator("main #vote")).to_be_visible()
    expect(page.locator("main #vote form")).to_have_count(0)

    # The old page's button: refused, and the message says so (it names the two votes).
    stale.bring_to_front()
    skip_to_main(stale)
    tab_to(stale, f"main #vote form[action$='/proposals/{third}/vote'] button[type=submit]")
    stale.keyboard.press("Enter")
    expect(stale).to_have_url(path_re(f"/proposals/{third}", "vote"))
    warning = stale.locator(".ponte-flashes .alert-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("2")
    expect(stale.locator("main #vote form")).to_have_count(0)
    check_layout(stale)


def test_keyboard_official_answers_from_a_template(new_context: Any, lab_people: StateOf, live_server: Any) -> None:  # noqa: F811
    seed = live_server.seed
    proposal_id = seed["awaiting"]
    template_id = str(seed["template_accept"])
    next_step = "Sopralluogo con i tecnici della Ripartizione entro tre settimane."
    page = new_context(PHONE, storage_state=lab_people("sara")).new_page()
    keyboard = page.keyboard

    page.goto(f"/proposals/{proposal_id}")
    check_layout(page)
    skip_to_main(page)
    tab_to(page, f"main #response a[href$='/proposals/{proposal_id}/respond']")
    keyboard.press("Enter")
    expect(page).to_have_url(path_re(f"/proposals/{proposal_id}/respond"))
    check_layout(page)

    # Choose the "accepted" template in the list with the arrow keys, then "Use this template".
    template = page.locator("main select#template")
    tab_to(page, "main select#template")
    options = template.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert template_id in options, f"the seed template {template_id} is not offered: {options}"
    for _ in range(len(options)):
        if template.input_value() == template_id:
            break
        keyboard.press("ArrowDown")
    expect(template).to_have_value(template_id)
    tab_to(page, "main form[method=get] button[type=submit]", limit=5)
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/proposals/{proposal_id}/respond\?template={template_id}$"))
    form = page.locator(f"main form[method=post][action$='/proposals/{proposal_id}/respond']")
    expect(form.locator("input[name=decision][value=accepted]")).to_be_checked()
    expect(form.locator("textarea#text")).to_have_value(ANSWER_ACCEPT)

    # An accepted answer says what happens next; then publish it.
    tab_to(page, "main #next_step")
    keyboard.type(next_step)
    tab_to(page, f"main form[action$='/proposals/{proposal_id}/respond'] .ponte-actions button[type=submit]", limit=15)
    keyboard.press("Enter")

    expect(page).to_have_url(path_re(f"/proposals/{proposal_id}", "response"))
    expect(page.locator(".ponte-flashes .alert-success")).to_be_visible()
    answer = page.locator("main #response .ponte-official")
    expect(answer).to_be_visible()
    expect(answer.locator(".ponte-prose strong")).to_have_text("accolta")
    expect(answer.locator("dd", has_text=next_step)).to_have_count(1)
    expect(
        page.locator(f"main #response a[href$='/proposals/{proposal_id}/respond']")
    ).to_be_visible()  # "Change the answer"
    check_layout(page)
