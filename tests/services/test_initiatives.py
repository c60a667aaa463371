"""Initiatives: drafting and validation, status changes, who sees what, partners confirming
(a school's staff for the school), contact people kept private, sessions from partners' events,
materials (links and files), translations, and the catalogue's filters."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.security.permissions import Permission
from app.security.policy import can
from app.services import events, initiatives, uploads
from app.services.events import EventDraft
from app.services.initiatives import InitiativeDraft, InitiativeFilters, PartnerContact
from models import (
    AuditEntry,
    EventOrganizer,
    Initiative,
    InitiativeStatus,
    MemberRole,
    Notification,
    Organization,
    OrganizerStatus,
    OrgKind,
    PartnerStatus,
    StoredFile,
    Territory,
    TerritoryLevel,
    User,
)
from tests import factories


@dataclass
class World:
    region: Territory
    province: Territory
    comune: Territory
    lead: Organization
    school: Organization
    association: Organization
    authority: Organization
    people: dict[str, User]


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    people = {name: factories.user(home=comune) for name in (
        "lead_admin", "lead_member", "school_staff", "school_admin", "assoc_admin", "assoc_member", "official", "citizen")}
    lead = factories.organization("Casa dei Popoli", home=comune, admin=people["lead_admin"], verified=True)
    factories.member(lead, people["lead_member"], MemberRole.MEMBER)
    school = factories.organization("IC Manzoni", kind=OrgKind.SCHOOL, home=comune, admin=people["school_admin"])
    factories.member(school, people["school_staff"], MemberRole.STAFF)
    association = factories.organization("Donne in Rete", home=comune, admin=people["assoc_admin"])
    factories.member(association, people["assoc_member"], MemberRole.MEMBER)
    authority = factories.organization("Comune di Prova", kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    factories.member(authority, people["official"], MemberRole.OFFICIAL)
    people["admin"] = factories.admin()
    for person in people.values():
        session.refresh(person)
    return World(region, province, comune, lead, school, association, authority, people)


def draft(place: Territory, **kw: Any) -> InitiativeDraft:
    data: dict[str, Any] = {
        "title": "Peer education a scuola", "kind": "peer_education", "actions": ["action_01"],
        "targets": ["lower_secondary_pupils", "families"], "territory": place.istat_code,
        "starts_on": date(2026, 9, 15), "ends_on": date(2027, 6, 10),
        "objectives": "Accogliere i nuovi alunni\n\n  Coinvolgere le famiglie  ", "description": "Alunni **tutor** per i nuovi arrivati.",
    }
    data.update(kw)
    return InitiativeDraft(**data)


def start(w: World, **kw: Any) -> Initiative:
    return initiatives.create_initiative(w.people["lead_admin"], w.lead, draft(w.comune, **kw))


def invited(w: World, org: Organization, role: str = "partner", initiative: Initiative | None = None) -> Any:
    initiative = initiative or start(w)
    return initiatives.invite_partner(w.people["lead_admin"], initiative, org, role)


# ---------------------------------------------------------------- drafting


def test_a_new_initiative_is_a_draft_with_the_lead_as_its_confirmed_partner(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world, description="Alunni **tutor** <script>alert(1)</script>")
    assert item.status == InitiativeStatus.DRAFT and item.lead_id == world.lead.id and item.territory_id == world.comune.id
    assert item.action_codes == ["action_01"] and item.target_codes == ["families", "lower_secondary_pupils"]
    assert item.objectives == "Accogliere i nuovi alunni\nCoinvolgere le famiglie"
    assert "<strong>tutor</strong>" in item.description_html and "<script" not in item.description_html
    [lead_row] = item.partners
    assert (lead_row.organization_id, lead_row.role, lead_row.status) == (world.lead.id, "lead", PartnerStatus.CONFIRMED)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "initiative.create", AuditEntry.target_id == item.id))


def test_a_replicated_initiative_remembers_its_source(world) -> None:  # type: ignore[no-untyped-def]
    source = factories.initiative(world.lead, status="completed")
    item = initiatives.create_initiative(world.people["lead_admin"], world.lead, draft(world.comune), replicated_from=source)
    assert item.replicated_from_id == source.id


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "Pe"}, "title", "Write a title of 5 to 160 characters."),
    ({"title": "x" * 161}, "title", "Write a title of 5 to 160 characters."),
    ({"kind": "party"}, "kind", "Choose one option from the list."),
    ({"actions": []}, "actions", "Choose at least one action."),
    ({"actions": ["action_09"]}, "actions", "Choose one option from the list."),
    ({"targets": []}, "targets", "Choose at least one group of people the initiative is for."),
    ({"targets": ["pets"]}, "targets", "Choose one option from the list."),
    ({"territory": "Atlantide"}, "territory", "We could not find this place."),
    ({"territory": ""}, "territory", "Write the name of a comune, province or region."),
    ({"starts_on": None}, "starts_on", "Choose the first day."),
    ({"ends_on": None}, "ends_on", "Choose the last day."),
    ({"ends_on": date(2026, 9, 14)}, "ends_on", "The last day cannot come before the first day."),
    ({"ends_on": date(2031, 9, 16)}, "ends_on", "An initiative can last at most 5 years."),
    ({"starts_on": date(1999, 12, 31)}, "starts_on", "Choose a date between 2000 and 2100."),
    ({"language": "tlh"}, "language", "Choose one option from the list."),
    ({"description": "x" * 20_001}, "description", "Write at most 20000 characters."),
])
def test_validation_names_the_wrong_field(world, session, changes, field, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        start(world, **changes)
    assert str(caught.value.errors[field]).startswith(message), caught.value.errors
    assert session.scalar(select(Initiative).where(Initiative.lead_id == world.lead.id)) is None


def test_every_wrong_field_is_reported_at_once(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        start(world, title="", kind="", actions=[], targets=[], starts_on=None, ends_on=None)
    assert {"title", "kind", "actions", "targets", "starts_on", "ends_on"} <= set(caught.value.errors)


def test_five_years_exactly_is_allowed_even_from_a_leap_day(world) -> None:  # type: ignore[no-untyped-def]
    assert start(world, starts_on=date(2028, 2, 29), ends_on=date(2033, 2, 28)).ends_on == date(2033, 2, 28)


def test_the_place_is_in_the_lead_organisations_region(world, session) -> None:  # type: ignore[no-untyped-def]
    other_comune = factories.chain()[2]
    with pytest.raises(ValidationFailed) as caught:
        start(world, territory=other_comune.istat_code)
    assert "region of the lead organisation" in str(caught.value.errors["territory"])
    neighbour = factories.territory("Comune Vicino", TerritoryLevel.COMUNE, world.province, car_code="ZZ")
    for place in (world.region, world.province, neighbour):
        assert start(world, territory=place.istat_code).territory_id == place.id
    assert start(world, territory="Comune Vicino").territory_id == neighbour.id  # a typed name works too


def test_only_admins_officials_and_staff_start_initiatives_for_their_organisation(world, session) -> None:  # type: ignore[no-untyped-def]
    for who in ("lead_member", "citizen", "school_admin"):
        with pytest.raises(PermissionDenied):
            initiatives.create_initiative(world.people[who], world.lead, draft(world.comune))
    assert initiatives.create_initiative(world.people["school_staff"], world.school, draft(world.comune)).lead_id == world.school.id
    assert initiatives.create_initiative(world.people["admin"], world.lead, draft(world.comune)).created_by_id == world.people["admin"].id
    world.lead.is_hidden = True
    session.flush()
    with pytest.raises(PermissionDenied):
        start(world)
    assert initiatives.leading_choices(world.people["lead_admin"]) == []
    assert initiatives.leading_choices(world.people["school_staff"]) == [world.school]


def test_update_changes_values_and_children_and_refuses_a_stale_version(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    seen = item.version
    initiatives.update_initiative(world.people["lead_admin"], item, draft(world.comune, title="Tutor tra pari",
                                  actions=["action_01", "action_03"], targets=["families"]), seen)
    session.flush()
    session.expire_all()
    assert item.title == "Tutor tra pari" and item.action_codes == ["action_01", "action_03"] and item.target_codes == ["families"]
    assert item.version == seen + 1
    with pytest.raises(Conflict):
        initiatives.update_initiative(world.people["lead_admin"], item, draft(world.comune, title="Vecchia versione"), seen)
    with pytest.raises(PermissionDenied):
        initiatives.update_initiative(world.people["school_staff"], item, draft(world.comune), item.version)


# ---------------------------------------------------------------- status


def test_status_moves_from_draft_to_completed_step_by_step(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world, starts_on=date(2025, 9, 15), ends_on=date(2026, 6, 10))
    boss = world.people["lead_admin"]
    with pytest.raises(Conflict, match="Only a running initiative"):
        initiatives.set_status(boss, item, "completed")
    for status in ("planned", "draft", "planned", "running", "planned", "running", "completed"):
        initiatives.set_status(boss, item, status)
        assert item.status == status
    with pytest.raises(Conflict):
        initiatives.set_status(boss, item, "running")
    assert initiatives.next_statuses(item) == ()
    with pytest.raises(ValidationFailed):
        initiatives.set_status(boss, item, "cancelled")
    actions = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "initiative.status", AuditEntry.target_id == item.id)
                              .order_by(AuditEntry.id))  # PostgreSQL returns rows in no set order without one
    assert [d["after"] for d in actions][-1] == "completed"


def test_completing_before_the_last_day_needs_a_confirmation_and_ends_the_period_today(world) -> None:  # type: ignore[no-untyped-def]
    item = start(world, starts_on=initiatives.today() - timedelta(days=30), ends_on=initiatives.today() + timedelta(days=60))
    boss = world.people["lead_admin"]
    initiatives.set_status(boss, item, "running")
    with pytest.raises(ValidationFailed) as caught:
        initiatives.set_status(boss, item, "completed")
    assert "confirm" in caught.value.errors and item.status == InitiativeStatus.RUNNING
    initiatives.set_status(boss, item, "completed", confirm=True)
    assert item.status == InitiativeStatus.COMPLETED and item.ends_on == initiatives.today()


def test_only_the_lead_changes_the_status(world) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    initiatives.invite_partner(world.people["lead_admin"], item, world.school, "host_school")
    initiatives.decide_partnership(world.people["school_staff"], initiatives.get_partner(item, world.school.id), True)
    for who in ("school_staff", "lead_member", "citizen"):
        with pytest.raises(PermissionDenied):
            initiatives.set_status(world.people[who], item, "planned")
    initiatives.set_status(world.people["admin"], item, "planned")
    assert item.status == InitiativeStatus.PLANNED


# ---------------------------------------------------------------- who sees it


def test_a_draft_is_seen_by_the_lead_invited_partners_and_admins_only(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    initiatives.invite_partner(world.people["lead_admin"], item, world.school, "host_school")
    for who in ("lead_admin", "school_staff", "school_admin", "admin"):
        assert initiatives.get_initiative(item.id, world.people[who]) is item
    for who in (None, world.people["citizen"], world.people["lead_member"], world.people["assoc_admin"]):
        with pytest.raises(NotFound):
            initiatives.get_initiative(item.id, who)
    initiatives.set_status(world.people["lead_admin"], item, "planned")
    assert initiatives.get_initiative(item.id, None) is item
    world.lead.is_hidden = True
    session.flush()
    with pytest.raises(NotFound):
        initiatives.get_initiative(item.id, world.people["citizen"])
    with pytest.raises(NotFound):
        initiatives.get_initiative(999_999_999, world.people["admin"])
    with pytest.raises(NotFound):
        initiatives.get_initiative(2**40, world.people["admin"])


# ---------------------------------------------------------------- partners


def test_invitation_notifies_those_who_answer_for_the_invited_organisation(world, session) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.school, "host_school")
    assert (row.status, row.role) == (PartnerStatus.INVITED, "host_school")
    told = set(session.scalars(select(Notification.user_id).where(Notification.kind == "initiative.partner_invited")))
    assert told == {world.people["school_admin"].id, world.people["school_staff"].id}  # staff confirm for a school


@pytest.mark.parametrize(("org_key", "role", "message"), [
    ("association", "host_school", "Only a school can be the host school."),
    ("school", "supporting_authority", "Only a public body can be a supporting public body."),
    ("school", "lead", "Choose one option from the list."),
    ("school", "sponsor", "Choose one option from the list."),
    ("lead", "partner", "Choose an organisation from the list."),
])
def test_invitations_that_are_refused(world, org_key, role, message) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    with pytest.raises(ValidationFailed) as caught:
        initiatives.invite_partner(world.people["lead_admin"], item, getattr(world, org_key), role)
    assert message in str(caught.value)
    assert [p.organization_id for p in initiatives.partners_of(item, include_pending=True)] == [world.lead.id]


def test_hidden_organisations_cannot_be_invited_and_only_the_lead_invites(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    world.association.is_hidden = True
    session.flush()
    assert initiatives.invitable_organization(world.association.id) is None
    with pytest.raises(ValidationFailed):
        initiatives.invite_partner(world.people["lead_admin"], item, world.association, "partner")
    with pytest.raises(PermissionDenied):
        initiatives.invite_partner(world.people["school_admin"], item, world.authority, "supporting_authority")
    assert initiatives.invitable_organization(world.school.id) is world.school
    assert initiatives.invitable_organization(0) is None


def test_an_invited_organisation_cannot_be_invited_twice(world) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.association)
    item = row.initiative
    with pytest.raises(Conflict):
        initiatives.invite_partner(world.people["lead_admin"], item, world.association, "funder")
    initiatives.decide_partnership(world.people["assoc_admin"], row, True)
    with pytest.raises(Conflict):
        initiatives.invite_partner(world.people["lead_admin"], item, world.association, "funder")


def test_school_staff_confirm_for_the_school_and_give_the_intercultural_contact(world, session) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.school, "host_school")
    initiatives.decide_partnership(world.people["school_staff"], row, True,
                                   ("Maria Rossi", " Maria.Rossi@Scuola.EDU.it ", "080 123 4567"))
    assert row.status == PartnerStatus.CONFIRMED and row.decided_by_id == world.people["school_staff"].id
    assert (row.contact_name, row.contact_email, row.contact_phone) == ("Maria Rossi", "maria.rossi@scuola.edu.it", "+390801234567")
    told = session.scalar(select(Notification).where(Notification.kind == "initiative.partner_confirmed"))
    assert told is not None and told.user_id == world.people["lead_admin"].id
    assert [p.organization_id for p in initiatives.partners_of(row.initiative)] == [world.lead.id, world.school.id]
    assert can(world.people["school_staff"], Permission.INITIATIVE_VIEW_PRIVATE, row.initiative)


def test_an_association_member_who_is_not_an_admin_cannot_answer(world) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.association)
    for who in ("assoc_member", "citizen", "lead_admin", "admin"):
        with pytest.raises(PermissionDenied):
            initiatives.decide_partnership(world.people[who], row, True)
    assert row.status == PartnerStatus.INVITED
    assert initiatives.pending_partner_invitations(world.people["assoc_member"]) == []
    assert initiatives.pending_partner_invitations(world.people["assoc_admin"]) == [row]


def test_a_declined_invitation_can_be_sent_again_and_opens_anew(world, session) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.association)
    initiatives.decide_partnership(world.people["assoc_admin"], row, False)
    assert row.status == PartnerStatus.DECLINED
    with pytest.raises(Conflict):
        initiatives.decide_partnership(world.people["assoc_admin"], row, True)
    with pytest.raises(Conflict):
        initiatives.decide_partnership(world.people["assoc_admin"], row, False)
    again = initiatives.invite_partner(world.people["lead_admin"], row.initiative, world.association, "funder")
    assert again is row and (row.status, row.role, row.decided_at) == (PartnerStatus.INVITED, "funder", None)
    assert initiatives.pending_partner_invitations(world.people["assoc_admin"]) == [row]
    initiatives.decide_partnership(world.people["assoc_admin"], row, True)
    assert row.status == PartnerStatus.CONFIRMED


def test_contact_fields_are_validated_and_nothing_changes_when_wrong(world) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.school, "host_school")
    with pytest.raises(ValidationFailed) as caught:
        initiatives.decide_partnership(world.people["school_staff"], row, True, PartnerContact("M" * 121, "not-an-address", "12"))
    assert set(caught.value.errors) == {"contact_name", "contact_email", "contact_phone"}
    assert "valid e-mail address" in str(caught.value.errors["contact_email"])
    assert "valid phone number" in str(caught.value.errors["contact_phone"])
    assert row.status == PartnerStatus.INVITED and row.contact_email == ""


def test_partners_change_their_contact_and_leaving_removes_it(world) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.school, "host_school")
    with pytest.raises(Conflict):
        initiatives.update_partner_contact(world.people["school_staff"], row, ("Maria", "", ""))
    initiatives.decide_partnership(world.people["school_staff"], row, True)
    initiatives.update_partner_contact(world.people["school_admin"], row, ("Luca Bianchi", "luca@example.it", ""))
    assert (row.contact_name, row.contact_email) == ("Luca Bianchi", "luca@example.it")
    with pytest.raises(PermissionDenied):
        initiatives.update_partner_contact(world.people["lead_admin"], row, ("Altro", "", ""))
    lead_row = initiatives.get_partner(row.initiative, world.lead.id)
    initiatives.update_partner_contact(world.people["lead_admin"], lead_row, ("Anna", "", "+39 06 1234 5678"))
    assert lead_row.contact_phone == "+390612345678"
    initiatives.decide_partnership(world.people["school_staff"], row, False)  # the school leaves
    assert row.status == PartnerStatus.DECLINED and (row.contact_name, row.contact_email, row.contact_phone) == ("", "", "")


def test_the_lead_row_is_neither_answered_nor_removed(world) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    lead_row = initiatives.get_partner(item, world.lead.id)
    with pytest.raises(Conflict):
        initiatives.decide_partnership(world.people["lead_admin"], lead_row, False)
    with pytest.raises(Conflict):
        initiatives.remove_partner(world.people["lead_admin"], lead_row)
    with pytest.raises(NotFound):
        initiatives.get_partner(item, world.school.id)


def test_only_the_lead_removes_a_partner_and_the_partner_is_told(world, session) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.association)
    item = row.initiative
    initiatives.decide_partnership(world.people["assoc_admin"], row, True)
    with pytest.raises(PermissionDenied):
        initiatives.remove_partner(world.people["assoc_admin"], row)
    initiatives.remove_partner(world.people["lead_admin"], row)
    assert [p.organization_id for p in initiatives.partners_of(item, include_pending=True)] == [world.lead.id]
    assert session.scalar(select(Notification.user_id).where(Notification.kind == "initiative.partner_removed")) == world.people["assoc_admin"].id


def test_public_partner_list_shows_confirmed_visible_organisations_lead_first(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    boss = world.people["lead_admin"]
    for org, role in ((world.school, "host_school"), (world.association, "partner"), (world.authority, "supporting_authority")):
        initiatives.invite_partner(boss, item, org, role)
    initiatives.decide_partnership(world.people["school_staff"], initiatives.get_partner(item, world.school.id), True)
    initiatives.decide_partnership(world.people["official"], initiatives.get_partner(item, world.authority.id), True)
    assert [p.organization_id for p in initiatives.partners_of(item)] == [world.lead.id, world.school.id, world.authority.id]
    assert len(initiatives.partners_of(item, include_pending=True)) == 4
    world.authority.is_hidden = True
    session.flush()
    assert world.authority.id not in [p.organization_id for p in initiatives.partners_of(item)]


def test_pending_invitations_for_the_personal_area(world, session) -> None:  # type: ignore[no-untyped-def]
    row = invited(world, world.school, "host_school")
    other = factories.initiative(world.lead, status="planned", partners=((world.school, "partner", "invited"),))
    assert [r.initiative_id for r in initiatives.pending_partner_invitations(world.people["school_staff"])] == [row.initiative_id, other.id]
    assert initiatives.pending_partner_invitations(world.people["citizen"]) == []
    initiatives.decide_partnership(world.people["school_staff"], row, True)
    world.lead.is_hidden = True
    session.flush()
    assert initiatives.pending_partner_invitations(world.people["school_staff"]) == []


def test_my_initiatives_include_drafts_and_invitations_of_my_organisations(world) -> None:  # type: ignore[no-untyped-def]
    mine = start(world)
    row = invited(world, world.school, "host_school")
    factories.initiative(status="running")  # someone else's
    assert {i.id for i in initiatives.my_initiatives(world.people["lead_admin"])} == {mine.id, row.initiative_id}
    assert [i.id for i in initiatives.my_initiatives(world.people["school_staff"])] == [row.initiative_id]
    assert initiatives.my_initiatives(world.people["lead_member"]) == []


# ---------------------------------------------------------------- sessions


def _event(org: Organization, place: Territory, boss: User, days: int = 20, **kw: Any) -> Any:
    day = datetime.now(events.ROME).date() + timedelta(days=days)
    return events.create_event(boss, org, EventDraft(
        title=kw.pop("title", "Incontro con le famiglie"), description="Un incontro per conoscere le famiglie dei nuovi alunni.",
        kind="workshop", starts_on=day, start_time=time(17), end_time=time(19), venue="Aula magna", territory=place.istat_code, **kw))


def test_the_lead_links_events_of_the_lead_and_of_confirmed_partners_only(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world, starts_on=initiatives.today() - timedelta(days=10), ends_on=initiatives.today() + timedelta(days=200))
    boss = world.people["lead_admin"]
    initiatives.invite_partner(boss, item, world.school, "host_school")
    own = _event(world.lead, world.comune, boss, days=30, title="Secondo incontro")
    school_event = _event(world.school, world.comune, world.people["school_staff"], days=5, title="Primo incontro")
    stranger = _event(world.association, world.comune, world.people["assoc_admin"])
    with pytest.raises(ValidationFailed, match="confirmed partner"):
        initiatives.link_event(boss, item, school_event)  # the school has not confirmed yet
    assert school_event not in initiatives.linkable_events(item)
    initiatives.decide_partnership(world.people["school_staff"], initiatives.get_partner(item, world.school.id), True)
    assert {e.id for e in initiatives.linkable_events(item)} == {own.id, school_event.id}
    initiatives.link_event(boss, item, own)
    initiatives.link_event(boss, item, school_event)
    with pytest.raises(Conflict):
        initiatives.link_event(boss, item, own)
    with pytest.raises(ValidationFailed):
        initiatives.link_event(boss, item, stranger)
    with pytest.raises(PermissionDenied):
        initiatives.link_event(world.people["school_staff"], item, school_event)
    assert [e.title for e in initiatives.events_of(item)] == ["Primo incontro", "Secondo incontro"]
    assert initiatives.linkable_events(item) == []


def test_an_event_co_organised_by_a_confirmed_partner_can_be_linked(world, session) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    stranger_event = _event(world.association, world.comune, world.people["assoc_admin"])
    session.add(EventOrganizer(event_id=stranger_event.id, organization_id=world.lead.id, status=OrganizerStatus.INVITED))
    session.flush()
    session.expire(stranger_event, ["organizers"])
    with pytest.raises(ValidationFailed):
        initiatives.link_event(world.people["lead_admin"], item, stranger_event)
    events.decide_organizer(world.people["lead_admin"], events.get_organizer(stranger_event, world.lead.id), True)
    session.expire(stranger_event, ["organizers"])
    initiatives.link_event(world.people["lead_admin"], item, stranger_event)
    assert initiatives.events_of(item) == [stranger_event]


def test_cancelled_events_are_not_linked_and_unlinking_keeps_the_event(world) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    boss = world.people["lead_admin"]
    kept, cancelled = _event(world.lead, world.comune, boss), _event(world.lead, world.comune, boss)
    events.cancel_event(boss, cancelled, "Sala non disponibile")
    with pytest.raises(ValidationFailed, match="cancelled"):
        initiatives.link_event(boss, item, cancelled)
    initiatives.link_event(boss, item, kept)
    initiatives.unlink_event(boss, item, kept)
    assert initiatives.events_of(item) == [] and events.get_event(None, kept.id) is kept
    with pytest.raises(NotFound):
        initiatives.unlink_event(boss, item, kept)


def test_the_event_page_names_only_published_initiatives(world) -> None:  # type: ignore[no-untyped-def]
    boss = world.people["lead_admin"]
    public, hidden_draft = start(world, title="Iniziativa pubblica"), start(world, title="Iniziativa in bozza")
    initiatives.set_status(boss, public, "planned")
    event = _event(world.lead, world.comune, boss)
    for item in (public, hidden_draft):
        initiatives.link_event(boss, item, event)
    assert initiatives.initiatives_of_event(event) == [public]


# ---------------------------------------------------------------- materials


@pytest.fixture
def upload_dir(tmp_path: Path) -> Iterator[Path]:
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    try:
        yield tmp_path / "uploads"
    finally:
        uploads.configure(previous)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "PNG")
    return out.getvalue()


def confirmed(world: World) -> Initiative:
    item = start(world)
    initiatives.invite_partner(world.people["lead_admin"], item, world.school, "host_school")
    initiatives.decide_partnership(world.people["school_staff"], initiatives.get_partner(item, world.school.id), True)
    initiatives.invite_partner(world.people["lead_admin"], item, world.association, "partner")
    return item


def test_links_must_be_https_and_a_material_is_a_link_or_a_file(world, upload_dir) -> None:  # type: ignore[no-untyped-def]
    item = confirmed(world)
    staff = world.people["school_staff"]
    link = initiatives.add_material(staff, item, "Guida per i tutor", url="https://example.org/guida.pdf", language="it")
    assert (link.url, link.organization_id, link.file_id, link.added_by_id) == ("https://example.org/guida.pdf", world.school.id, None, staff.id)
    cases = [({"url": "http://example.org/x"}, "url"), ({"url": "javascript:alert(1)"}, "url"), ({}, "url"),
             ({"url": "https://example.org/x", "upload": uploads.Upload("a.png", png())}, "url"),
             ({"url": "https://example.org/x", "title": ""}, "title"), ({"url": "https://example.org/x", "language": "xx"}, "language")]
    for kwargs, field in cases:
        args = {"title": "Titolo", **kwargs}
        with pytest.raises(ValidationFailed) as caught:
            initiatives.add_material(staff, item, args.pop("title"), **args)
        assert field in caught.value.errors, kwargs
    assert [m.id for m in initiatives.materials_of(item)] == [link.id]


def test_uploaded_documents_are_checked_and_named_after_the_file(world, session, upload_dir) -> None:  # type: ignore[no-untyped-def]
    item = confirmed(world)
    stored = initiatives.add_material(world.people["lead_admin"], item, "", upload=uploads.Upload("locandina.png", png()))
    assert stored.title == "locandina.png" and stored.file is not None and stored.file.content_type == "image/webp"
    assert stored.organization_id == world.lead.id
    with pytest.raises(ValidationFailed) as caught:
        initiatives.add_material(world.people["lead_admin"], item, "Programma", upload=uploads.Upload("programma.pdf", b"MZ\x90\x00 not a pdf"))
    assert "file" in caught.value.errors


def test_only_the_lead_and_confirmed_partners_add_materials(world, upload_dir) -> None:  # type: ignore[no-untyped-def]
    item = confirmed(world)
    for who in ("assoc_admin", "lead_member", "citizen", "official"):  # invited, member, citizen, stranger
        with pytest.raises(PermissionDenied):
            initiatives.add_material(world.people[who], item, "Link", url="https://example.org/")
    by_admin = initiatives.add_material(world.people["admin"], item, "Link", url="https://example.org/")
    assert by_admin.organization_id is None


def test_the_lead_or_the_adder_deletes_a_material_and_its_file(world, session, upload_dir) -> None:  # type: ignore[no-untyped-def]
    item = confirmed(world)
    by_school = initiatives.add_material(world.people["school_staff"], item, "Foto", upload=uploads.Upload("foto.png", png()))
    file_id = by_school.file_id
    assert not initiatives.can_delete_material(world.people["school_admin"], item, by_school)
    with pytest.raises(PermissionDenied):
        initiatives.delete_material(world.people["school_admin"], item, by_school)
    initiatives.delete_material(world.people["school_staff"], item, by_school)
    assert session.get(StoredFile, file_id) is None
    by_school_again = initiatives.add_material(world.people["school_staff"], item, "Link", url="https://example.org/")
    assert initiatives.can_delete_material(world.people["lead_admin"], item, by_school_again)
    initiatives.delete_material(world.people["lead_admin"], item, by_school_again)
    assert initiatives.materials_of(item) == []
    with pytest.raises(NotFound):
        initiatives.get_material(item, by_school_again.id)


# ---------------------------------------------------------------- translations


def test_translations_are_shown_in_the_readers_language(world) -> None:  # type: ignore[no-untyped-def]
    item = start(world)
    boss = world.people["lead_admin"]
    with pytest.raises(ValidationFailed):
        initiatives.set_translation(boss, item, "it", "Stessa lingua", "")
    with pytest.raises(PermissionDenied):
        initiatives.set_translation(world.people["citizen"], item, "en", "Peer education", "")
    initiatives.set_translation(boss, item, "en", "Peer education at school", "Pupils as **tutors**.")
    title, html, translated = initiatives.text_for(item, "en")
    assert (title, translated) == ("Peer education at school", True) and "Pupils as <strong>tutors</strong>." in html
    assert initiatives.text_for(item, "fr")[2] is False and initiatives.text_for(item, "it")[0] == item.title
    assert initiatives.titles_for([item], "en") == {item.id: "Peer education at school"}
    initiatives.set_translation(boss, item, "en", "", "")
    assert initiatives.translations(item) == []


# ---------------------------------------------------------------- the catalogue


def _published(lead: Organization, place: Territory, **kw: Any) -> Initiative:
    return factories.initiative(lead, territory=place, **{"status": "running", **kw})


def test_drafts_and_hidden_leads_are_never_listed(world, session) -> None:  # type: ignore[no-untyped-def]
    shown = _published(world.lead, world.comune)
    _published(world.lead, world.comune, status="draft")
    _published(world.association, world.comune)
    world.association.is_hidden = True
    session.flush()
    found = initiatives.list_initiatives(InitiativeFilters(territory=world.region.istat_code)).items
    assert [i.id for i in found] == [shown.id]


def test_the_place_filter_includes_everything_inside_it(world) -> None:  # type: ignore[no-untyped-def]
    in_comune = _published(world.lead, world.comune)
    in_region = _published(world.lead, world.region)
    elsewhere = factories.initiative(status="running")
    by_region = {i.id for i in initiatives.list_initiatives(InitiativeFilters(territory=world.region.istat_code)).items}
    assert by_region == {in_comune.id, in_region.id}
    assert [i.id for i in initiatives.list_initiatives(InitiativeFilters(territory=world.comune.istat_code)).items] == [in_comune.id]
    assert [i.id for i in initiatives.initiatives_of_territory(world.province)] == [in_comune.id]
    assert elsewhere.id in {i.id for i in initiatives.list_initiatives(InitiativeFilters()).items}
    with pytest.raises(ValidationFailed):
        initiatives.list_initiatives(InitiativeFilters(territory="Atlantide"))


def test_filters_by_kind_action_target_status_and_title(world) -> None:  # type: ignore[no-untyped-def]
    where = InitiativeFilters(territory=world.region.istat_code)
    a = _published(world.lead, world.comune, kind="italian_l2", actions=("action_02",), targets=("women",), title="Corso di italiano 100%")
    b = _published(world.lead, world.comune, kind="mediation", actions=("action_01", "action_03"), targets=("families",), status="planned",
                   title="Mediazione a scuola")
    c = _published(world.lead, world.comune, status="completed", title="Piano locale")

    def ids(**kw: Any) -> list[int]:
        return [i.id for i in initiatives.list_initiatives(replace(where, **kw)).items]

    assert ids() == [a.id, b.id, c.id]  # running, planned, completed
    assert ids(kind="italian_l2") == [a.id]
    assert ids(action="action_03") == [b.id]
    assert ids(target="families") == [b.id]
    assert ids(status="completed") == [c.id]
    assert ids(q="  MEDIAZIONE ") == [b.id]
    assert ids(q="100%") == [a.id] and ids(q="_") == []
    for bad in ({"kind": "party"}, {"action": "action_9"}, {"target": "pets"}, {"status": "draft"}):
        with pytest.raises(ValidationFailed) as caught:
            initiatives.list_initiatives(replace(where, **bad))
        assert set(caught.value.errors) == set(bad)


def test_pages_are_bounded(world) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        _published(world.lead, world.comune, starts_on=date(2026, 1, 1) + timedelta(days=n))
    first = initiatives.list_initiatives(InitiativeFilters(territory=world.comune.istat_code), 1, per_page=2)
    third = initiatives.list_initiatives(InitiativeFilters(territory=world.comune.istat_code), 3, per_page=2)
    assert len(first.items) == 2 and first.has_next and not first.has_prev
    assert len(third.items) == 1 and not third.has_next
    assert initiatives.list_initiatives(InitiativeFilters(), 1, per_page=10_000).per_page == 50


def test_today_is_the_day_in_rome() -> None:
    assert initiatives.today() == datetime.now(UTC).astimezone(events.ROME).date()
