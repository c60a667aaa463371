"""An initiative from its draft to a good practice that another association replicates, on a
phone-sized screen with the keyboard only (Tab, Enter, Space, arrows; no mouse):

1. Youssef, admin of the Associazione Al Amal Bari, starts an initiative through the form (its
   kind and groups chosen with the keyboard, its period typed into the date fields) and invites
   the Istituto Comprensivo Japigia 1 as host school, then publishes it as running;
2. Giorgio, staff of the school, finds the invitation in his personal area, opens the initiative
   and confirms for the school, giving its intercultural contact person;
3. Youssef opens a call for volunteers; Kofi applies with a message; Youssef accepts him;
4. Giorgio records outputs for the school (counts per target group); the totals on the initiative
   page are the ones he recorded; Youssef marks the initiative as completed;
5. Teresa, moderator of Puglia, makes it a good practice with its card;
6. Bilal, admin of a youth association in Altamura, replicates it and lands on the edit form of a
   draft initiative filled in from the good practice.

On every page: the focused element has a visible focus indicator and nothing scrolls sideways.
Elements are found by id, href, name or value, never by translated text. People log in once
(``initiative_people``).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Locator, Page, expect

from tests.browser.seed_initiatives import PEOPLE
from tests.browser.test_events_flow import check_layout, date_order, press_on, type_date
from tests.browser.test_initiatives_a11y import StateOf, initiative_people  # noqa: F401 — the fixture is shared
from tests.browser.test_labs_flow import path_re, skip_to_main, tab_to

pytestmark = pytest.mark.browser

PHONE = 390
ROME = ZoneInfo("Europe/Rome")
INITIATIVE_RE = re.compile(r"^https?://[^/]+/initiatives/(\d+)(?:#.*)?$")
CALL_RE = re.compile(r"^https?://[^/]+/calls/(\d+)(?:#.*)?$")
PRACTICE_RE = re.compile(r"^https?://[^/]+/good-practices/(\d+)(?:#.*)?$")
EDIT_RE = re.compile(r"^https?://[^/]+/initiatives/(\d+)/edit(?:#.*)?$")


def number_in(url: str, pattern: re.Pattern[str]) -> int:
    match = pattern.match(url)
    assert match, f"{url} does not match {pattern.pattern}"
    return int(match.group(1))


def choose(page: Page, select: Locator, value: str, limit: int = 20) -> None:
    """Move through the options of the focused <select> with the arrow key until ``value``."""
    expect(select).to_be_focused()
    for _ in range(limit):
        if select.input_value() == value:
            break
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value(value)


def tick(page: Page, form: Locator, name: str, value: str) -> None:
    """Tab to the checkbox ``name=value`` and tick it with the space bar."""
    box = form.locator(f"input[name={name}][value={value}]")
    tab_to(page, f"main form[method=post] #{box.get_attribute('id')}", limit=30)
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def type_into(page: Page, selector: str, text: str, limit: int = 40) -> None:
    tab_to(page, selector, limit=limit)
    page.keyboard.type(text)


def to_main(page: Page) -> None:
    """Move the focus to <main> with the skip link, unless it is there already (a page reached
    from a form sent from ``…#main`` keeps the fragment, and the browser focuses <main>)."""
    if not page.evaluate("() => document.activeElement && document.activeElement.id === 'main'"):
        skip_to_main(page)


def open_from_main(page: Page, selector: str, url: re.Pattern[str] | str) -> None:
    """From the top of <main>, Tab to the link and follow it with Enter."""
    expect(page.locator(selector)).to_have_count(1)  # say which link is missing, rather than time out tabbing
    to_main(page)
    press_on(page, selector)
    expect(page).to_have_url(url if isinstance(url, re.Pattern) else path_re(url))
    check_layout(page)


def test_keyboard_initiative_from_draft_to_replicated_practice(
    new_context: Any,
    initiative_people: StateOf,  # noqa: F811
    live_server: Any,
) -> None:
    seed = live_server.seed
    association, school, school_id = seed["association"], seed["school"], seed["school_id"]
    suffix = uuid.uuid4().hex[:6]
    title = f"Italiano per le mamme del quartiere {suffix}"
    today = datetime.now(ROME).date()
    first, last = today - timedelta(days=45), today  # over today: it can be completed without confirming early
    contact = (f"Maria Greco {suffix}", f"maria.greco.{suffix}@example.org", "080 555 9876")

    def page_of(who: str) -> Page:
        return new_context(PHONE, storage_state=initiative_people(who)).new_page()

    lead = page_of("youssef")
    order = date_order(lead.context)

    # 1. Youssef starts the initiative from the catalogue, for his association.
    lead.goto("/initiatives/")
    open_from_main(lead, "main .ponte-page-head a[href$='/initiatives/new']", "/initiatives/new")
    open_from_main(lead, f"main a[href$='/initiatives/new?org={association}']", re.compile(rf"/initiatives/new\?org={association}(?:#.*)?$"))
    form = lead.locator("main form[method=post]")
    to_main(lead)
    type_into(lead, "main form[method=post] #title", title)
    tab_to(lead, "main form[method=post] select#kind", limit=5)
    choose(lead, form.locator("select#kind"), "italian_l2")
    tick(lead, form, "actions", "action_04")
    tick(lead, form, "targets", "women")
    tick(lead, form, "targets", "newly_arrived_adults")
    type_into(lead, "main form[method=post] #objectives", "Parlare con la scuola dei figli\nConoscere i servizi del quartiere")
    type_into(lead, "main form[method=post] #description", "Un corso di italiano **il mercoledì mattina**, con la baby-sitter.")
    expect(form.locator("#territory")).not_to_have_value("")  # the association's comune, filled in
    tab_to(lead, "main form[method=post] #starts_on", limit=10)
    type_date(lead, form.locator("#starts_on"), first, order)
    tab_to(lead, "main form[method=post] #ends_on", limit=5)
    type_date(lead, form.locator("#ends_on"), last, order)
    press_on(lead, "main form[method=post] button[type=submit]", limit=10)

    expect(lead).to_have_url(INITIATIVE_RE)
    initiative_id = number_in(lead.url, INITIATIVE_RE)
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(lead.get_by_role("heading", level=1)).to_have_text(title)
    expect(lead.locator("main .alert-warning[role=note]")).to_be_visible()  # a draft
    check_layout(lead)
    show = f"/initiatives/{initiative_id}"

    # ...invites the school as host school (the role the page proposes for a school)...
    open_from_main(lead, f"main #partners a[href$='{show}/partners']", f"{show}/partners")
    type_into(lead, "main form[method=get] #q", "Japigia")
    lead.keyboard.press("Enter")
    expect(lead).to_have_url(re.compile(rf"{show}/partners\?q=Japigia(?:#.*)?$"))
    invite = f"main form:has(input[name=organization_id][value='{school_id}'])"
    expect(lead.locator(f"{invite} select[name=role]")).to_have_value("host_school")
    to_main(lead)
    press_on(lead, f"{invite} button[type=submit]")
    expect(lead).to_have_url(path_re(f"{show}/partners"))
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(lead.locator(f"main table a[href$='/organizations/{school}']")).to_be_visible()
    check_layout(lead)

    # ...and publishes it as running.
    lead.goto(show)
    open_from_main(lead, "main #status form:has(input[name=status][value=running]) button", re.compile(rf"{show}#status$"))
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(lead.locator("main .alert-warning[role=note]")).to_have_count(0)

    # 2. Giorgio finds the invitation in his personal area and confirms for the school, with the contact person.
    staff = page_of("giorgio")
    staff.goto("/me")
    check_layout(staff)
    open_from_main(staff, f"main #partnership-{initiative_id}-{school_id} a[href$='{show}']", show)
    name, email, phone = contact
    type_into(staff, "main #partners form[method=post] #contact_name", name, limit=80)
    staff.keyboard.press("Tab")
    expect(staff.locator("main #contact_email")).to_be_focused()
    staff.keyboard.type(email)
    staff.keyboard.press("Tab")
    expect(staff.locator("main #contact_phone")).to_be_focused()
    staff.keyboard.type(phone)
    press_on(staff, "main #partners form[method=post] button[name=answer][value=accept]", limit=5)
    expect(staff).to_have_url(re.compile(rf"{show}#partners$"))
    expect(staff.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(staff.locator("main #contacts")).to_contain_text(name)
    expect(staff.locator(f"main #contacts a[href='mailto:{email}']")).to_be_visible()
    check_layout(staff)

    # 3. Youssef opens a call for volunteers...
    lead.goto(show)
    expect(lead.locator(f"main #partners a[href$='/organizations/{school}']")).to_be_visible()
    expect(lead.locator("main #contacts")).to_contain_text(name)  # the lead sees the school's contact person
    open_from_main(lead, f"main #volunteers a[href$='{show}/calls/new']", f"{show}/calls/new")
    to_main(lead)
    type_into(lead, "main form[method=post] #title", f"Baby-sitter durante il corso {suffix}")
    lead.keyboard.press("Tab")
    expect(lead.locator("main #description")).to_be_focused()
    lead.keyboard.type("Giocare con i bambini mentre le mamme sono a lezione, il mercoledì dalle 9 alle 11.")
    type_into(lead, "main form[method=post] #places", "3", limit=5)
    press_on(lead, "main form[method=post] button[type=submit]", limit=10)
    expect(lead).to_have_url(CALL_RE)
    call_id = number_in(lead.url, CALL_RE)
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    check_layout(lead)

    # ...Kofi applies with a message...
    volunteer = page_of("kofi")
    volunteer.goto(f"/calls/{call_id}")
    check_layout(volunteer)
    to_main(volunteer)
    type_into(volunteer, "main #apply form[method=post] #message", f"Ho tre sorelle piccole: so giocare con i bambini ({suffix}).")
    press_on(volunteer, "main #apply form[method=post] button[type=submit]", limit=5)
    expect(volunteer).to_have_url(path_re(f"/calls/{call_id}", "apply"))
    expect(volunteer.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(volunteer.locator(f"main #apply form[action$='/calls/{call_id}/withdraw'] button")).to_be_visible()
    check_layout(volunteer)

    # ...and Youssef accepts him from the list of applications.
    lead.goto(f"/calls/{call_id}")
    open_from_main(lead, f"main aside a[href$='/calls/{call_id}/applications']", f"/calls/{call_id}/applications")
    row = lead.locator("main tbody tr").filter(has=lead.locator("th", has_text=PEOPLE["kofi"][0]))
    row_id = row.get_attribute("id")
    assert row_id, "Kofi's application has no row id"
    to_main(lead)
    press_on(lead, f"main tr#{row_id} button[name=answer][value=accept]")
    expect(lead).to_have_url(path_re(f"/calls/{call_id}/applications", row_id))
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(lead.locator(f"main tr#{row_id} button[value=accept]")).to_have_count(0)
    expect(lead.locator(f"main tr#{row_id} button[value=decline]")).to_be_visible()
    expect(lead.locator("main dl dd").first).to_have_text(re.compile(r"^\s*1\s*/\s*3\s*$"))
    check_layout(lead)

    # 4. Giorgio records what the school did.
    staff.goto(show)
    open_from_main(staff, f"main #outputs a[href$='{show}/outputs/new']", f"{show}/outputs/new")
    record = staff.locator("main form[method=post]")
    to_main(staff)
    tab_to(staff, "main form[method=post] #period_start", limit=40)
    type_date(staff, record.locator("#period_start"), first, order)
    tab_to(staff, "main form[method=post] #period_end", limit=5)
    type_date(staff, record.locator("#period_end"), first + timedelta(days=30), order)
    for field, value in (("sessions_held", "6"), ("hours", "12"), ("materials_produced", "1")):
        type_into(staff, f"main form[method=post] #{field}", value, limit=5)
    for row_number, (group, count) in enumerate((("women", "9"), ("newly_arrived_adults", "5"))):
        select = f"main form[method=post] #participants-{row_number}-target_group"
        tab_to(staff, select, limit=10)
        choose(staff, staff.locator(select), group)
        type_into(staff, f"main form[method=post] #participants-{row_number}-count", count, limit=5)
    type_into(staff, "main form[method=post] #outcomes", "Le mamme ora parlano con le maestre senza interprete.", limit=40)
    press_on(staff, "main form[method=post] button[type=submit]", limit=5)
    expect(staff).to_have_url(path_re(f"{show}/outputs"))
    expect(staff.locator(".ponte-flashes .alert-success")).to_be_visible()
    check_layout(staff)

    # The initiative page shows the totals: 6 sessions, 12 hours, 14 participants, 1 material.
    staff.goto(show)
    figures = staff.locator("main #outputs dl dd")
    expect(figures).to_have_text(["6", "12", "14", "1"])
    check_layout(staff)

    # Youssef marks it as completed (its last day is today: no confirmation needed).
    lead.goto(show)
    open_from_main(lead, "main #status form:has(input[name=status][value=completed]) button", re.compile(rf"{show}#status$"))
    expect(lead.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(lead.locator("main #status form:has(input[name=status])")).to_have_count(0)  # completed stays completed

    # 5. Teresa, moderator of Puglia, makes it a good practice.
    moderator = page_of("teresa")
    moderator.goto(show)
    open_from_main(moderator, f"main a[href$='{show}/good-practice']", f"{show}/good-practice")
    card = moderator.locator("main form[method=post]")
    expect(card.locator("#title")).to_have_value(title)  # the initiative's title, to start from
    to_main(moderator)
    for field, text in (
        ("problem", "Le mamme arrivate da poco non parlavano con le maestre dei figli."),
        ("method", "Un corso di italiano di mattina, con le baby-sitter volontarie per i bambini piccoli."),
        ("results", "Quattordici persone hanno seguito il corso; nove mamme parlano ora con le maestre."),
        ("replication", "Servono un'aula, un'insegnante, due volontari e il passaparola delle associazioni."),
        ("contact", "Associazione Al Amal Bari"),
    ):
        type_into(moderator, f"main form[method=post] #{field}", text, limit=20)
    press_on(moderator, "main form[method=post] button[type=submit]", limit=5)
    expect(moderator).to_have_url(PRACTICE_RE)
    practice_id = number_in(moderator.url, PRACTICE_RE)
    expect(moderator.locator(".ponte-flashes .alert-success")).to_be_visible()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(title)
    check_layout(moderator)

    # 6. Bilal replicates it for his association in Altamura: a draft, on its edit form, filled in.
    replicator = page_of("bilal")
    replicator.goto(f"/good-practices/{practice_id}")
    open_from_main(replicator, f"main a[href$='/good-practices/{practice_id}/replicate']", f"/good-practices/{practice_id}/replicate")
    start = replicator.locator("main form[method=post]")
    expect(start.locator("#territory")).to_have_value(re.compile("Altamura"))  # his association's comune
    to_main(replicator)
    tab_to(replicator, "main form[method=post] #starts_on", limit=20)
    type_date(replicator, start.locator("#starts_on"), today + timedelta(days=30), order)
    tab_to(replicator, "main form[method=post] #ends_on", limit=5)
    type_date(replicator, start.locator("#ends_on"), today + timedelta(days=210), order)
    press_on(replicator, "main form[method=post] button[type=submit]", limit=5)

    expect(replicator).to_have_url(EDIT_RE)
    copy_id = number_in(replicator.url, EDIT_RE)
    assert copy_id != initiative_id
    expect(replicator.locator(".ponte-flashes .alert-success")).to_be_visible()
    draft = replicator.locator("main form[method=post]")
    expect(draft.locator("#title")).to_have_value(title)
    expect(draft.locator("select#kind")).to_have_value("italian_l2")
    expect(draft.locator("input[name=actions][value=action_04]")).to_be_checked()
    for group in ("women", "newly_arrived_adults"):
        expect(draft.locator(f"input[name=targets][value={group}]")).to_be_checked()
    expect(draft.locator("input[name=targets][value=families]")).not_to_be_checked()
    expect(draft.locator("#objectives")).to_have_value("Parlare con la scuola dei figli\nConoscere i servizi del quartiere")
    expect(draft.locator("#description")).to_have_value(re.compile("Un corso di italiano di mattina"))  # the card's method
    expect(draft.locator("#territory")).to_have_value(re.compile("Altamura"))
    check_layout(replicator)

    # The copy is a draft of the youth association that nobody else sees yet.
    replicator.goto(f"/initiatives/{copy_id}")
    expect(replicator.locator("main .alert-warning[role=note]")).to_be_visible()
    expect(replicator.locator(f"main #partners a[href$='/organizations/{seed['youth_association']}']")).to_be_visible()
    visitor = new_context(PHONE).new_page()
    assert visitor.goto(f"/initiatives/{copy_id}").status == 404  # type: ignore[union-attr]
