"""Initiative pages over HTTP: route × role, CSRF, drafts answering 404, starting and editing
through the form, status buttons, inviting partners and answering (also from the personal area),
contact people that never reach the public page, sessions, materials, translations, the
catalogue's filters and query budget, the event and territory pages, XSS in every sink."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.services import events, initiatives, territories, uploads
from app.services.events import EventDraft
from app.services.initiatives import InitiativeDraft
from models import (
    Initiative,
    InitiativeStatus,
    MemberRole,
    Notification,
    Organization,
    OrgKind,
    PartnerStatus,
    Territory,
    User,
)
from tests import factories
from tests.conftest import Client, login
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/initiatives/",
    "/initiatives/new",
    "/initiatives/<int:initiative_id>",
    "/initiatives/<int:initiative_id>/edit",
    "/initiatives/<int:initiative_id>/status",
    "/initiatives/<int:initiative_id>/partners",
    "/initiatives/<int:initiative_id>/partners/<int:org_id>/decide",
    "/initiatives/<int:initiative_id>/partners/<int:org_id>/remove",
    "/initiatives/<int:initiative_id>/contact",
    "/initiatives/<int:initiative_id>/events",
    "/initiatives/<int:initiative_id>/materials",
    "/initiatives/<int:initiative_id>/materials/<int:material_id>",
    "/initiatives/<int:initiative_id>/materials/<int:material_id>/delete",
    "/initiatives/<int:initiative_id>/translations",
}

ROLES = ("anonymous", "citizen", "lead_admin", "partner_staff", "invited_admin", "other_admin", "admin")
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "[x](javascript:alert(1))",
       "{{ 7*7 }}"]
# The school's intercultural contact person: for the lead and the confirmed partners only.
SECRETS = ("Maria Riservata", "maria.riservata@scuola.example.it", "080 123 4567", "+390801234567")


def person(**kw: Any) -> User:
    return factories.user(**{"locale": "en", **kw})


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    return out.getvalue()


def text(place: Territory, **kw: Any) -> InitiativeDraft:
    data: dict[str, Any] = {"title": "Tutor tra pari", "kind": "peer_education", "actions": ["action_01"], "targets": ["lower_secondary_pupils"],
                            "territory": place.istat_code, "starts_on": date(2026, 9, 15), "ends_on": date(2027, 6, 10),
                            "objectives": "Accogliere i nuovi alunni", "description": "Alunni **tutor** per chi arriva."}
    data.update(kw)
    return InitiativeDraft(**data)


def form(place: Territory, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Italiano per le mamme", "kind": "italian_l2", "actions": ["action_02"], "targets": ["women", "families"],
                            "territory": place.istat_code, "starts_on": "2026-10-01", "ends_on": "2027-05-31",
                            "objectives": "Parlare con gli insegnanti\nLeggere gli avvisi della scuola", "description": "Un corso **A1**.",
                            "language": "it"}
    data.update(kw)
    return data


def _event(org: Organization, place: Territory, boss: User, title: str = "Incontro con le famiglie") -> Any:
    day = datetime.now(events.ROME).date() + timedelta(days=15)
    return events.create_event(boss, org, EventDraft(
        title=title, description="Un incontro per conoscere le famiglie dei nuovi alunni.", kind="workshop", starts_on=day,
        start_time=time(17), end_time=time(19), venue="Aula magna", territory=place.istat_code))


@dataclass
class World:
    comune: Territory
    lead: Organization
    school: Organization
    invited: Organization
    other: Organization
    initiative: Initiative
    draft: Initiative
    file_id: int
    link_id: int
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"iid": self.initiative.id, "draft": self.draft.id, "slug": self.lead.slug, "school": self.school.id,
                "invited": self.invited.id, "file": self.file_id, "link": self.link_id}


@pytest.fixture
def world(session, tmp_path):  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    _, _, comune = factories.chain()
    people: dict[str, User | None] = {name: person(home=comune) for name in ("citizen", "lead_admin", "partner_staff", "invited_admin", "other_admin")}
    lead = factories.organization("Casa dei Popoli", home=comune, admin=people["lead_admin"], verified=True)
    school = factories.organization("IC Manzoni", kind=OrgKind.SCHOOL, home=comune)
    factories.member(school, people["partner_staff"], MemberRole.STAFF)
    invited = factories.organization("Rete Donne Migranti", home=comune, admin=people["invited_admin"])
    other = factories.organization("Associazione Altrove", home=comune, admin=people["other_admin"])
    people["anonymous"], people["admin"] = None, factories.admin(locale="en")
    for who in people.values():
        if who is not None:
            session.refresh(who)
    boss = people["lead_admin"]
    item = initiatives.create_initiative(boss, lead, text(comune))
    for org, role in ((school, "host_school"), (invited, "partner")):
        initiatives.invite_partner(boss, item, org, role)
    initiatives.decide_partnership(people["partner_staff"], initiatives.get_partner(item, school.id), True,
                                   ("Maria Riservata", "maria.riservata@scuola.example.it", "080 123 4567"))
    initiatives.set_status(boss, item, "running")
    stored = initiatives.add_material(boss, item, "Guida per i tutor", upload=uploads.Upload("guida.png", png()))
    link = initiatives.add_material(people["partner_staff"], item, "Sito della scuola", url="https://scuola.example.it/progetto")
    draft = initiatives.create_initiative(boss, lead, text(comune, title="Bozza riservata"))
    initiatives.invite_partner(boss, draft, invited, "partner")
    initiatives.invite_partner(boss, draft, school, "host_school")
    initiatives.decide_partnership(people["partner_staff"], initiatives.get_partner(draft, school.id), True)
    session.flush()
    yield World(comune, lead, school, invited, other, item, draft, stored.id, link.id, people)
    uploads.configure(previous)


def as_(app: Flask, who: User | None) -> Any:
    """A fresh browser, logged in as ``who`` (or a visitor reading English)."""
    app.test_client_class = Client
    browser = app.test_client()
    if who is not None:
        assert login(browser, who.email, factories.PASSWORD).status_code == 302
    else:
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def page(browser: Any, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- route × role

MATRIX = {
    #                                         anon citiz lead  staff invit other admin
    "/initiatives/":                          (200, 200, 200, 200, 200, 200, 200),
    "/initiatives/?kind=party":               (400, 400, 400, 400, 400, 400, 400),
    "/initiatives/?page=0":                   (400, 400, 400, 400, 400, 400, 400),
    "/initiatives/new":                       (302, 200, 200, 200, 200, 200, 200),
    "/initiatives/new?org={slug}":            (302, 403, 200, 403, 403, 403, 200),
    "/initiatives/new?org=nobody":            (302, 404, 404, 404, 404, 404, 404),
    "/initiatives/{iid}":                     (200, 200, 200, 200, 200, 200, 200),
    "/initiatives/{draft}":                   (404, 404, 200, 200, 200, 404, 200),
    "/initiatives/999999":                    (404, 404, 404, 404, 404, 404, 404),
    "/initiatives/{iid}/edit":                (302, 403, 200, 403, 403, 403, 200),
    "/initiatives/{draft}/edit":              (302, 404, 200, 403, 403, 404, 200),
    "/initiatives/{iid}/partners":            (302, 403, 200, 403, 403, 403, 200),
    "/initiatives/{iid}/partners?q=Altrove":  (302, 403, 200, 403, 403, 403, 200),
    "/initiatives/{iid}/contact":             (302, 403, 200, 200, 403, 403, 403),
    "/initiatives/{iid}/contact?org={school}": (302, 403, 404, 200, 403, 403, 403),
    "/initiatives/{iid}/translations":        (302, 403, 200, 403, 403, 403, 200),
    "/initiatives/{iid}/materials/{file}":    (200, 200, 200, 200, 200, 200, 200),
    "/initiatives/{iid}/materials/{link}":    (404, 404, 404, 404, 404, 404, 404),
    "/initiatives/{iid}/materials/999999":    (404, 404, 404, 404, 404, 404, 404),
    "/initiatives/{draft}/materials/{file}":  (404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[ROLES[role_index]])
    response = browser.get(path.format(**world.ids()))
    response.close()
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]


LEAD_POSTS = {
    "/initiatives/{iid}/edit": {"title": "Cambiato"},
    "/initiatives/{iid}/status": {"status": "planned"},
    "/initiatives/{iid}/partners": {"organization_id": "{other}", "role": "partner"},
    "/initiatives/{iid}/partners/{school}/remove": {},
    "/initiatives/{iid}/events": {"event_id": "{event}", "action": "link"},
    "/initiatives/{iid}/translations": {"language": "en", "title": "Peer tutors", "description": ""},
}


def _unchanged(session, world: World) -> None:  # type: ignore[no-untyped-def]
    session.expire_all()
    item = world.initiative
    assert item.title == "Tutor tra pari" and item.status == InitiativeStatus.RUNNING
    assert {p.organization_id for p in item.partners} == {world.lead.id, world.school.id, world.invited.id}
    assert initiatives.events_of(item) == [] and initiatives.translations(item) == []


@pytest.mark.parametrize("path", list(LEAD_POSTS))
@pytest.mark.parametrize("role", ["anonymous", "citizen", "partner_staff", "invited_admin", "other_admin"])
def test_lead_actions_are_refused_to_everyone_else(app, world, session, path: str, role: str) -> None:  # type: ignore[no-untyped-def]
    event = _event(world.school, world.comune, world.people["partner_staff"])
    ids = {**world.ids(), "other": world.other.id, "event": event.id}
    data = {k: v.format(**ids) for k, v in LEAD_POSTS[path].items()}
    response = as_(app, world.people[role]).post_form(path.format(**ids), data)
    assert response.status_code == (302 if role == "anonymous" else 403), response.status_code
    if role == "anonymous":
        assert "/auth/login" in response.headers["Location"]
    _unchanged(session, world)


PARTNER_POSTS = {
    "/initiatives/{iid}/materials": ({"title": "Scheda", "url": "https://example.org/scheda"}, ("citizen", "invited_admin", "other_admin")),
    "/initiatives/{iid}/contact": ({"contact_name": "Intruso"}, ("citizen", "invited_admin", "other_admin", "admin")),
    "/initiatives/{iid}/partners/{school}/decide?answer=decline": ({}, ("citizen", "lead_admin", "invited_admin", "other_admin", "admin")),
    "/initiatives/{iid}/materials/{link}/delete": ({}, ("citizen", "invited_admin", "other_admin")),
}


@pytest.mark.parametrize("path", list(PARTNER_POSTS))
def test_partner_actions_are_refused_to_those_who_are_not_the_partner(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    data, refused = PARTNER_POSTS[path]
    for role in refused:
        response = as_(app, world.people[role]).post_form(path.format(**world.ids()), data)
        assert response.status_code == 403, (path, role, response.status_code)
    session.expire_all()
    school_row = initiatives.get_partner(world.initiative, world.school.id)
    assert school_row.status == PartnerStatus.CONFIRMED and school_row.contact_name == "Maria Riservata"
    assert len(initiatives.materials_of(world.initiative)) == 2


POST_ROUTES = [
    "/initiatives/new?org={slug}", "/initiatives/{iid}/edit", "/initiatives/{iid}/status", "/initiatives/{iid}/partners",
    "/initiatives/{iid}/partners/{invited}/decide?answer=accept", "/initiatives/{iid}/partners/{school}/remove",
    "/initiatives/{iid}/contact", "/initiatives/{iid}/events", "/initiatives/{iid}/materials",
    "/initiatives/{iid}/materials/{link}/delete", "/initiatives/{iid}/translations",
]


@pytest.mark.parametrize("path", POST_ROUTES)
def test_every_post_needs_the_csrf_token(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    who = world.people["invited_admin"] if "decide" in path else world.people["lead_admin"]
    response = as_(app, who).post(path.format(**world.ids()), data={"title": "Senza token", "status": "planned", "url": "https://example.org/"})
    assert response.status_code == 400
    _unchanged(session, world)
    assert initiatives.get_partner(world.initiative, world.invited.id).status == PartnerStatus.INVITED
    assert len(initiatives.materials_of(world.initiative)) == 2


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("initiatives.")} == COVERED_ROUTES


# ---------------------------------------------------------------- private contact people


@pytest.mark.parametrize("role", ROLES)
def test_contact_people_are_shown_only_to_the_lead_confirmed_partners_and_admins(app, world, role: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[role])
    html = page(browser, f"/initiatives/{world.initiative.id}")
    private = role in ("lead_admin", "partner_staff", "admin")
    for secret in SECRETS[:3]:
        assert (secret in html) is private, (role, secret)
    assert SECRETS[3] not in html or private
    assert ("Contact people" in html) is private
    for url in ("/initiatives/", f"/initiatives/?territory={world.comune.istat_code}", f"/territories/{world.comune.istat_code}",
                f"/organizations/{world.school.slug}"):
        listed = page(browser, url)
        assert not any(secret in listed for secret in SECRETS), (role, url)
    if world.people[role] is not None:
        assert not any(secret in page(browser, "/me") for secret in SECRETS)


def test_invited_partners_are_listed_to_the_lead_only(app, world) -> None:  # type: ignore[no-untyped-def]
    lead_view = page(as_(app, world.people["lead_admin"]), f"/initiatives/{world.initiative.id}")
    assert "Rete Donne Migranti" in lead_view and "Invited" in lead_view
    for role in ("anonymous", "citizen", "partner_staff", "other_admin"):
        html = page(as_(app, world.people[role]), f"/initiatives/{world.initiative.id}")
        assert "Rete Donne Migranti" not in html and "IC Manzoni" in html and "Host school" in html


# ---------------------------------------------------------------- starting and editing


def test_choose_page_lists_the_organisations_the_person_can_lead(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, world.people["lead_admin"]), "/initiatives/new")
    assert f'href="/initiatives/new?org={world.lead.slug}"' in html and f'?org={world.school.slug}"' not in html
    html = page(as_(app, world.people["citizen"]), "/initiatives/new")
    assert "You do not have one of these roles" in html and "For any organisation" not in html
    assert "For any organisation" in page(as_(app, world.people["admin"]), "/initiatives/new")
    assert "Start an initiative" in page(as_(app, world.people["partner_staff"]), "/initiatives/")
    assert "Start an initiative" not in page(as_(app, world.people["citizen"]), "/initiatives/")


def test_start_an_initiative_through_the_form(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    html = page(browser, f"/initiatives/new?org={world.lead.slug}")
    assert f'value="{territories.label(world.comune)}"' in html and 'type="checkbox"' in html and 'type="date"' in html
    response = browser.post_form(f"/initiatives/new?org={world.lead.slug}", form(world.comune))
    assert response.status_code == 302
    created = session.scalar(select(Initiative).where(Initiative.title == "Italiano per le mamme"))
    assert created is not None and created.status == InitiativeStatus.DRAFT and created.target_codes == ["families", "women"]
    html = page(browser, response.headers["Location"])
    assert "This initiative is a draft" in html and "Leggere gli avvisi della scuola</li>" in html and "<strong>A1</strong>" in html
    assert page(as_(app, world.people["citizen"]), response.headers["Location"], 404)


def test_errors_are_shown_on_the_fields_and_the_input_is_kept(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    data = form(world.comune, title="Corso serale", actions=[], targets=[], ends_on="2026-09-01", territory="Atlantide")
    response = browser.post_form(f"/initiatives/new?org={world.lead.slug}", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Corso serale"' in html and 'value="Atlantide"' in html and "Parlare con gli insegnanti" in html
    for message in ("Choose at least one action.", "Choose at least one group of people", "The last day cannot come before the first day.",
                    "We could not find this place."):
        assert message in html
    assert 'href="#actions"' in html and 'id="actions"' in html and 'aria-invalid="true"' in html
    assert session.scalar(select(Initiative).where(Initiative.title == "Corso serale")) is None


def test_edit_with_a_version_conflict_keeps_the_input(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    item = world.initiative
    html = page(browser, f"/initiatives/{item.id}/edit")
    assert 'value="Tutor tra pari"' in html and 'value="2026-09-15"' in html and 'checked' in html
    seen = item.version
    initiatives.update_initiative(world.people["admin"], item, text(world.comune, title="Tutor tra pari 2026"), seen)
    session.flush()
    data = form(world.comune, title="Tutor e famiglie", version=str(seen))
    response = browser.post_form(f"/initiatives/{item.id}/edit", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this initiative" in html and 'value="Tutor e famiglie"' in html
    assert f'name="version" type="hidden" value="{seen + 1}"' in html
    assert browser.post_form(f"/initiatives/{item.id}/edit", {**data, "version": str(seen + 1)}).status_code == 302
    session.expire_all()
    assert item.title == "Tutor e famiglie" and item.kind == "italian_l2"


def test_status_buttons_follow_the_allowed_steps(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    item = initiatives.create_initiative(world.people["lead_admin"], world.lead, text(world.comune, starts_on=initiatives.today(),
                                                                                    ends_on=initiatives.today() + timedelta(days=90)))
    html = page(browser, f"/initiatives/{item.id}")
    assert "Publish as planned" in html and "Publish as running" in html and "Mark as completed" not in html
    assert browser.post_form(f"/initiatives/{item.id}/status", {"status": "running"}).status_code == 302
    refused = browser.post_form(f"/initiatives/{item.id}/status", {"status": "completed"})
    assert refused.status_code == 400 and "Tick the box to confirm" in refused.get_data(as_text=True)
    back = browser.post_form(f"/initiatives/{item.id}/status", {"status": "draft"}, follow_redirects=True)
    assert "This change of status is not possible." in back.get_data(as_text=True)
    assert browser.post_form(f"/initiatives/{item.id}/status", {"status": "completed", "confirm": "y"}).status_code == 302
    session.expire_all()
    assert item.status == InitiativeStatus.COMPLETED and item.ends_on == initiatives.today()
    assert "Mark as" not in page(browser, f"/initiatives/{item.id}")


# ---------------------------------------------------------------- partners


def test_invite_by_name_and_accept_from_the_personal_area(app, world, session) -> None:  # type: ignore[no-untyped-def]
    lead = as_(app, world.people["lead_admin"])
    url = f"/initiatives/{world.initiative.id}/partners"
    html = page(lead, f"{url}?q=altrove")
    assert "Associazione Altrove" in html and f'name="organization_id" value="{world.other.id}"' in html
    assert "Organisations in the initiative" in html and "<caption" in html
    refused = lead.post_form(url, {"organization_id": str(world.other.id), "role": "host_school", "q": "altrove"})
    assert refused.status_code == 400 and "Only a school can be the host school." in refused.get_data(as_text=True)
    assert "Associazione Altrove" in refused.get_data(as_text=True)  # the search stays on the page
    assert lead.post_form(url, {"organization_id": str(world.other.id), "role": "funder"}).status_code == 302
    twice = lead.post_form(url, {"organization_id": str(world.other.id), "role": "funder"})
    assert twice.status_code == 400 and "already invited" in twice.get_data(as_text=True)
    assert lead.post_form(url, {"organization_id": "abc", "role": "funder"}).status_code == 400
    assert session.scalar(select(Notification).where(Notification.user_id == world.people["other_admin"].id,
                                                     Notification.kind == "initiative.partner_invited"))
    guest = as_(app, world.people["other_admin"])
    home = page(guest, "/me")
    assert "Partnership invitations" in home and "Tutor tra pari" in home and "Funder" in home
    response = guest.post_form(f"/initiatives/{world.initiative.id}/partners/{world.other.id}/decide?answer=accept", {"next": "/me"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    session.expire_all()
    assert initiatives.get_partner(world.initiative, world.other.id).status == PartnerStatus.CONFIRMED
    assert "Partnership invitations" not in page(guest, "/me")
    assert "Associazione Altrove" in page(as_(app, None), f"/initiatives/{world.initiative.id}")


def test_answering_on_the_page_keeps_the_contact_input_on_errors(app, world, session) -> None:  # type: ignore[no-untyped-def]
    guest = as_(app, world.people["invited_admin"])
    html = page(guest, f"/initiatives/{world.initiative.id}")
    assert "is invited as" in html and "Confirm the partnership" in html
    url = f"/initiatives/{world.initiative.id}/partners/{world.invited.id}/decide"
    wrong = guest.post_form(url, {"answer": "accept", "contact_name": "Samira", "contact_email": "samira@", "contact_phone": "123"})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and 'value="Samira"' in html and "valid e-mail address" in html and "valid phone number" in html
    assert guest.post_form(url, {"answer": "maybe"}).status_code == 400
    assert initiatives.get_partner(world.initiative, world.invited.id).status == PartnerStatus.INVITED
    ok = guest.post_form(url, {"answer": "accept", "contact_name": "Samira", "contact_email": "samira@example.org", "contact_phone": ""})
    assert ok.status_code == 302
    session.expire_all()
    row = initiatives.get_partner(world.initiative, world.invited.id)
    assert (row.status, row.contact_email) == (PartnerStatus.CONFIRMED, "samira@example.org")
    assert "samira@example.org" in page(as_(app, world.people["partner_staff"]), f"/initiatives/{world.initiative.id}")


def test_declining_a_draft_goes_back_to_the_personal_area(app, world, session) -> None:  # type: ignore[no-untyped-def]
    guest = as_(app, world.people["invited_admin"])
    assert "Bozza riservata" in page(guest, "/me")
    response = guest.post_form(f"/initiatives/{world.draft.id}/partners/{world.invited.id}/decide", {"answer": "decline"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    assert guest.get(f"/initiatives/{world.draft.id}").status_code == 404


def test_the_partner_changes_its_contact_and_can_leave(app, world, session) -> None:  # type: ignore[no-untyped-def]
    staff = as_(app, world.people["partner_staff"])
    url = f"/initiatives/{world.initiative.id}/contact"
    assert 'value="Maria Riservata"' in page(staff, url)
    bad = staff.post_form(url, {"organization_id": str(world.school.id), "contact_name": "Luca", "contact_email": "luca", "contact_phone": ""})
    assert bad.status_code == 400 and 'value="Luca"' in bad.get_data(as_text=True)
    assert staff.post_form(url, {"organization_id": "999999", "contact_name": "Luca"}).status_code == 404
    good = staff.post_form(url, {"organization_id": str(world.school.id), "contact_name": "Luca Verdi", "contact_email": "", "contact_phone": ""})
    assert good.status_code == 302
    session.expire_all()
    assert initiatives.get_partner(world.initiative, world.school.id).contact_name == "Luca Verdi"
    leave = staff.post_form(f"/initiatives/{world.initiative.id}/partners/{world.school.id}/decide", {"answer": "decline"})
    assert leave.status_code == 302
    session.expire_all()
    assert initiatives.get_partner(world.initiative, world.school.id).status == PartnerStatus.DECLINED
    assert "Luca Verdi" not in page(as_(app, world.people["lead_admin"]), f"/initiatives/{world.initiative.id}")


def test_the_lead_removes_a_partner(app, world, session) -> None:  # type: ignore[no-untyped-def]
    lead = as_(app, world.people["lead_admin"])
    url = f"/initiatives/{world.initiative.id}/partners/{world.invited.id}/remove"
    assert lead.post_form(url, {"next": f"/initiatives/{world.initiative.id}/partners"}).status_code == 302
    session.expire_all()
    assert {p.organization_id for p in world.initiative.partners} == {world.lead.id, world.school.id}
    again = lead.post_form(f"/initiatives/{world.initiative.id}/partners/{world.lead.id}/remove", follow_redirects=True)
    assert "The lead organisation cannot be removed." in again.get_data(as_text=True)
    assert lead.post_form(url).status_code == 404


# ---------------------------------------------------------------- sessions, materials, translations


def test_link_partner_events_as_sessions_and_the_event_names_the_initiative(app, world, session) -> None:  # type: ignore[no-untyped-def]
    school_event = _event(world.school, world.comune, world.people["partner_staff"], "Laboratorio dei tutor")
    stranger = _event(world.other, world.comune, world.people["other_admin"], "Festa altrove")
    lead = as_(app, world.people["lead_admin"])
    html = page(lead, f"/initiatives/{world.initiative.id}")
    assert "Laboratorio dei tutor" in html and "Festa altrove" not in html
    url = f"/initiatives/{world.initiative.id}/events"
    assert lead.post_form(url, {"event_id": str(school_event.id), "action": "link"}).status_code == 302
    refused = lead.post_form(url, {"event_id": str(stranger.id), "action": "link"}, follow_redirects=True)
    assert "Only events of the lead organisation or of a confirmed partner" in refused.get_data(as_text=True)
    assert lead.post_form(url, {"event_id": "x", "action": "link"}).status_code == 400
    assert lead.post_form(url, {"event_id": "999999", "action": "link"}).status_code == 404
    public = page(as_(app, None), f"/initiatives/{world.initiative.id}")
    assert f'href="/events/{school_event.id}"' in public and "IC Manzoni" in public
    event_page = page(as_(app, None), f"/events/{school_event.id}")
    assert "Part of the initiative" in event_page and f'href="/initiatives/{world.initiative.id}"' in event_page
    assert lead.post_form(url, {"event_id": str(school_event.id), "action": "unlink"}).status_code == 302
    assert "Part of the initiative" not in page(as_(app, None), f"/events/{school_event.id}")
    draft_event = _event(world.lead, world.comune, world.people["lead_admin"], "Incontro della bozza")
    initiatives.link_event(world.people["lead_admin"], world.draft, draft_event)
    assert "Part of the initiative" not in page(as_(app, None), f"/events/{draft_event.id}")


def test_materials_upload_download_and_delete(app, world, session) -> None:  # type: ignore[no-untyped-def]
    staff = as_(app, world.people["partner_staff"])
    url = f"/initiatives/{world.initiative.id}/materials"
    html = page(staff, f"/initiatives/{world.initiative.id}")
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    ok = staff.post_form(url, {"title": "Locandina", "file": (io.BytesIO(png()), "locandina.png"), "language": "ar"}, content_type="multipart/form-data")
    assert ok.status_code == 302
    bad = staff.post_form(url, {"title": "Link sbagliato", "url": "http://example.org/x"}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True) and 'value="Link sbagliato"' in bad.get_data(as_text=True)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
    refused = staff.post_form(url, {"title": "Programma", "file": (io.BytesIO(exe), "programma.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "This file type is not accepted" in refused.get_data(as_text=True)
    mine = next(m for m in initiatives.materials_of(world.initiative) if m.title == "Locandina")
    download = as_(app, None).get(f"/initiatives/{world.initiative.id}/materials/{mine.id}")
    body = download.get_data()
    download.close()
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in download.headers["Content-Security-Policy"]
    assert body.startswith(b"RIFF")
    public = page(as_(app, None), f"/initiatives/{world.initiative.id}")
    assert 'href="https://scuola.example.it/progetto" rel="nofollow ugc noopener"' in public and "العربية" in public
    assert "Add a material" not in public and ">Delete<" not in public
    assert staff.post_form(f"{url}/{world.file_id}/delete").status_code == 403  # the lead added it
    assert staff.post_form(f"{url}/{mine.id}/delete").status_code == 302
    assert as_(app, world.people["lead_admin"]).post_form(f"{url}/{world.link_id}/delete").status_code == 302
    assert [m.id for m in initiatives.materials_of(world.initiative)] == [world.file_id]


def test_translations_are_shown_in_the_readers_language(app, world, session) -> None:  # type: ignore[no-untyped-def]
    lead = as_(app, world.people["lead_admin"])
    url = f"/initiatives/{world.initiative.id}/translations"
    assert lead.post_form(url, {"language": "it", "title": "Tutor", "description": ""}).status_code == 400
    assert lead.post_form(url, {"language": "en", "title": "Peer tutors", "description": "Pupils as **tutors**."}).status_code == 302
    assert 'value="Peer tutors"' in page(lead, f"{url}?language=en")
    reader = as_(app, world.people["citizen"])  # reads English
    html = page(reader, f"/initiatives/{world.initiative.id}")
    assert "Peer tutors</h1>" in html and "<strong>tutors</strong>" in html and "Translated from Italiano." in html
    assert "Tutor tra pari</h1>" in page(reader, f"/initiatives/{world.initiative.id}?original=1")
    assert "Peer tutors" in page(reader, "/initiatives/")
    assert "Peer tutors" not in page(as_(app, person(locale="it")), f"/initiatives/{world.initiative.id}")
    lead.post_form(url, {"language": "en", "remove": "1"})
    assert initiatives.translations(world.initiative) == []


# ---------------------------------------------------------------- catalogue


def test_catalogue_filters_and_drafts(app, world, session) -> None:  # type: ignore[no-untyped-def]
    factories.initiative(world.other, status="completed", kind="mediation", title="Mediazione completata")
    browser = as_(app, None)
    html = page(browser, "/initiatives/")
    assert "Tutor tra pari" in html and "Mediazione completata" in html and "Bozza riservata" not in html
    assert "Mediazione completata" not in page(browser, "/initiatives/?kind=peer_education")
    assert "Tutor tra pari" not in page(browser, "/initiatives/?status=completed")
    assert "Tutor tra pari" in page(browser, "/initiatives/?q=tutor&target=lower_secondary_pupils&action=action_01")
    elsewhere = page(browser, f"/initiatives/?territory={factories.chain()[0].istat_code}")
    assert "No initiative matches these filters." in elsewhere
    assert "We could not find this place." in page(browser, "/initiatives/?territory=Atlantide", 400)
    assert "Bozza riservata" in page(as_(app, world.people["lead_admin"]), "/initiatives/")  # under "your organisations"


def test_catalogue_query_count_does_not_grow_with_rows(app, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    counts = []
    for extra in (2, 15):
        for n in range(extra):
            factories.initiative(world.other, title=f"Iniziativa numero {n}")
        session.flush()
        page(browser, "/initiatives/")  # warm up
        with count_queries(engine) as statements:
            html = page(browser, "/initiatives/")
        assert html.count('class="card card-bg ponte-initiative-card') >= extra
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    with count_queries(engine) as statements:
        page(as_(app, None), "/initiatives/")
    assert len(statements) <= 3, statements  # rows and translated titles (a visitor has no session to load)


def test_initiative_page_query_count_does_not_grow_with_partners_materials_and_sessions(app, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    boss = world.people["lead_admin"]
    counts = []
    for round_ in range(2):
        for n in range(4):
            org = factories.organization(f"Partner {round_}-{n}", home=world.comune)
            initiatives.invite_partner(boss, world.initiative, org, "partner")
            initiatives.add_material(boss, world.initiative, f"Scheda {round_}-{n}", url=f"https://example.org/{round_}/{n}")
            initiatives.link_event(boss, world.initiative, _event(world.lead, world.comune, boss, f"Sessione {round_}-{n}"))
        session.flush()
        page(browser, f"/initiatives/{world.initiative.id}")
        with count_queries(engine) as statements:
            page(browser, f"/initiatives/{world.initiative.id}")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_territory_page_section_lists_initiatives_of_the_place(client, world) -> None:  # type: ignore[no-untyped-def]
    found = initiatives.initiatives_of_territory(world.comune)
    assert [i.id for i in found] == [world.initiative.id]
    html = client.get(f"/territories/{world.comune.istat_code}?lang=en").get_data(as_text=True)
    assert f'href="/initiatives/{world.initiative.id}"' in html and "Tutor tra pari" in html
    assert f"/initiatives/?territory={world.comune.istat_code}" in html
    elsewhere = factories.territory("Comune senza iniziative", factories.TerritoryLevel.COMUNE, world.comune.parent)
    assert "No initiative here yet." in client.get(f"/territories/{elsewhere.istat_code}?lang=en").get_data(as_text=True)


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_xss_never_executes_in_any_sink(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    lead = as_(app, world.people["lead_admin"])
    response = lead.post_form(f"/initiatives/new?org={world.lead.slug}", form(
        world.comune, title=f"Titolo {payload}", objectives=f"Obiettivo {payload}\n{payload}", description=f"Descrizione {payload}"))
    assert response.status_code == 302, response.get_data(as_text=True)
    iid = int(response.headers["Location"].rsplit("/", 1)[1])
    item = initiatives.get_initiative(iid, world.people["lead_admin"])
    initiatives.invite_partner(world.people["lead_admin"], item, world.school, "host_school")
    staff = as_(app, world.people["partner_staff"])
    staff.post_form(f"/initiatives/{iid}/partners/{world.school.id}/decide", {"answer": "accept", "contact_name": payload[:120]})
    staff.post_form(f"/initiatives/{iid}/materials", {"title": f"Materiale {payload}", "url": "https://example.org/m"},
                    content_type="multipart/form-data")
    name = payload.replace('"', "'")  # browsers escape quotes in multipart file names; the test client does not
    uploaded = staff.post_form(f"/initiatives/{iid}/materials", {"title": "", "file": (io.BytesIO(png()), f"{name}.png")},
                               content_type="multipart/form-data")
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[-3000:]
    lead.post_form(f"/initiatives/{iid}/translations", {"language": "en", "title": f"Title {payload}", "description": payload})
    lead.post_form(f"/initiatives/{iid}/status", {"status": "planned"})
    session.expire_all()
    assert initiatives.get_partner(item, world.school.id).contact_name == " ".join(payload[:120].split())
    assert len(initiatives.materials_of(item)) == 2
    other = factories.organization(f"Org {payload}"[:160], home=world.comune)
    initiatives.invite_partner(world.people["lead_admin"], item, other, "partner")
    sinks = [page(lead, f"/initiatives/{iid}"), page(lead, f"/initiatives/{iid}/edit"), page(lead, "/initiatives/"),
             page(lead, f"/initiatives/{iid}/partners?q={quote(payload[:50])}"), page(lead, f"/initiatives/{iid}/translations"),
             page(staff, f"/initiatives/{iid}"), page(staff, f"/initiatives/{iid}/contact"), page(as_(app, None), f"/initiatives/{iid}"),
             page(as_(app, world.people["citizen"]), "/initiatives/"), page(as_(app, None), f"/initiatives/?q={quote(payload)}")]
    for html in sinks:
        _assert_inert(html)
        if payload.startswith(("<", '"')):
            assert payload not in html
    assert "Title " in sinks[-2]  # the English reader got the translated title
    if "{{" in payload:
        # template syntax is shown literally, never evaluated
        assert "Title {{ 7*7 }}" in sinks[0] and "Titolo {{ 7*7 }}" in sinks[1] and "Title 49" not in sinks[0] and "Titolo 49" not in sinks[1]
