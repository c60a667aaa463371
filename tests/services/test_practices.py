"""Good practices: who designates which initiatives, the card (sanitized, checked against the
stored version), publishing, the catalogue's filters and headline figures, and "replicate this"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.security.permissions import Permission
from app.security.policy import can
from app.services import initiatives, practices
from app.services.practices import PracticeCard, PracticeFilters
from models import (
    AuditEntry,
    GoodPractice,
    Initiative,
    InitiativeStatus,
    MemberRole,
    Notification,
    Organization,
    OrgKind,
    OutputReport,
    ParticipantCount,
    Territory,
    TerritoryLevel,
    User,
)
from tests import factories

CARD = PracticeCard(
    title="Pari tra pari a Pescara",
    problem="Gli alunni arrivati da poco restavano soli durante la ricreazione e nei compiti.",
    method="Coppie di alunni, uno italiano e uno arrivato da poco, si incontrano due volte a settimana.",
    results="Più amicizie tra compagni, meno assenze, voti migliori in italiano.",
    replication="Una scuola, due insegnanti referenti, una stanza il pomeriggio, un'associazione che coordina.",
    contact="Ufficio intercultura, Comune di Pescara",
)


@dataclass
class World:
    region: Territory
    province: Territory
    comune: Territory
    lead: Organization
    lead_admin: User
    partner: Organization
    initiative: Initiative
    moderator: User
    moderator_elsewhere: User
    admin: User
    citizen: User


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    lead_admin = factories.user(home=comune)
    lead = factories.organization("Ponti di Carta", home=comune, admin=lead_admin, verified=True)
    partner = factories.organization("Scuola Rossetti", kind=OrgKind.SCHOOL, home=comune)
    invited = factories.organization("Invitata", home=comune)
    initiative = factories.initiative(lead, status="completed", kind="peer_education", actions=("action_01", "action_04"),
                                      targets=("lower_secondary_pupils", "families"),
                                      partners=((partner, "host_school", "confirmed"), (invited, "partner", "invited")),
                                      objectives="Accogliere i nuovi arrivati\nMigliorare l'italiano")
    other_region = factories.chain()[0]
    return World(region, province, comune, lead, lead_admin, partner, initiative, factories.moderator(region),
                 factories.moderator(other_region), factories.admin(), factories.user(home=comune))


def designated(world: World, **card: Any) -> GoodPractice:
    return practices.designate(world.moderator, world.initiative, replace(CARD, **card))


def add_outputs(initiative: Initiative, org: Organization, sessions: int, hours: int, counts: dict[str, int]) -> OutputReport:
    report = OutputReport(initiative_id=initiative.id, organization_id=org.id, period_start=initiative.starts_on,
                          period_end=initiative.ends_on, sessions_held=sessions, hours=hours, materials_produced=1,
                          participants_total=sum(counts.values()))
    report.counts = [ParticipantCount(target_group=group, count=n) for group, n in counts.items()]
    factories.db.session.add(report)
    factories.db.session.flush()
    return report


# ---------------------------------------------------------------- designating


def test_moderator_of_the_region_designates_a_completed_initiative(world: World, session) -> None:  # type: ignore[no-untyped-def]
    practice = designated(world, problem="**Soli** in classe. <script>alert(1)</script> e ancora testo")
    assert practice.initiative_id == world.initiative.id and practice.is_published and practice.designated_by_id == world.moderator.id
    assert "<strong>Soli</strong>" in practice.problem_html and "<script" not in practice.problem_html
    assert practice.method_html.startswith("<p") and practice.contact == CARD.contact
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "good_practice.designate"))
    assert entry is not None and entry.target_id == practice.id and entry.actor_id == world.moderator.id
    told = session.scalars(select(Notification).where(Notification.kind == "good_practice.designated")).all()
    assert [n.user_id for n in told] == [world.lead_admin.id] and told[0].target_id == practice.id


def test_administrators_designate_too(world: World) -> None:
    assert practices.designate(world.admin, world.initiative, CARD).id


@pytest.mark.parametrize("status", ["draft", "planned", "running"])
def test_only_completed_initiatives_become_good_practices(world: World, session, status: str) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = InitiativeStatus(status)
    session.flush()
    for who in (world.moderator, world.admin):
        with pytest.raises(PermissionDenied):
            practices.designate(who, world.initiative, CARD)
    assert practices.find_for_initiative(world.initiative) is None


@pytest.mark.parametrize("who", ["moderator_elsewhere", "lead_admin", "citizen"])
def test_only_moderators_of_the_territory_and_admins_designate(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        practices.designate(getattr(world, who), world.initiative, CARD)
    assert practices.find_for_initiative(world.initiative) is None


def test_a_second_designation_is_a_conflict(world: World, session) -> None:  # type: ignore[no-untyped-def]
    designated(world)
    with pytest.raises(Conflict):
        practices.designate(world.admin, world.initiative, replace(CARD, title="Un altro titolo"))
    assert len(session.scalars(select(GoodPractice).where(GoodPractice.initiative_id == world.initiative.id)).all()) == 1


def test_the_card_needs_every_text(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        practices.designate(world.moderator, world.initiative, PracticeCard(title="Ok", problem="", method="corto", results=" ",
                                                                             replication="x", contact="c" * 301, language="xx"))
    assert set(caught.value.errors) == {"title", "problem", "method", "results", "replication", "contact", "language"}


# ---------------------------------------------------------------- editing and publishing


def test_a_card_saved_from_an_old_version_is_refused(world: World, session) -> None:  # type: ignore[no-untyped-def]
    practice = designated(world)
    seen = practice.version
    practices.update_card(world.admin, practice, replace(CARD, results="Risultati aggiornati con le cifre dell'anno."), seen)
    session.flush()
    with pytest.raises(Conflict):
        practices.update_card(world.moderator, practice, replace(CARD, results="Una versione vecchia dei risultati."), seen)
    assert "aggiornati" in practice.results_html
    with pytest.raises(PermissionDenied):
        practices.update_card(world.lead_admin, practice, CARD, practice.version)


def test_an_unpublished_practice_is_hidden_from_readers(world: World) -> None:
    practice = designated(world)
    practices.unpublish(world.moderator, practice)
    for reader in (None, world.citizen, world.lead_admin, world.moderator_elsewhere):
        with pytest.raises(NotFound):
            practices.get_practice(practice.id, reader)
    assert practices.get_practice(practice.id, world.moderator) is practice
    assert practice.id not in _ids(PracticeFilters())
    practices.publish(world.admin, practice)
    assert practices.get_practice(practice.id, None) is practice
    with pytest.raises(PermissionDenied):
        practices.unpublish(world.lead_admin, practice)


def test_a_practice_of_a_hidden_organisation_is_not_shown(world: World, session) -> None:  # type: ignore[no-untyped-def]
    practice = designated(world)
    world.lead.is_hidden = True
    session.flush()
    with pytest.raises(NotFound):
        practices.get_practice(practice.id, world.citizen)
    assert practice.id not in {r.practice.id for r in practices.list_practices(PracticeFilters()).items}


# ---------------------------------------------------------------- the catalogue


def _ids(filters: PracticeFilters) -> set[int]:
    return {row.practice.id for row in practices.list_practices(filters, per_page=100).items}


def test_catalogue_filters_by_action_kind_target_and_territory_with_what_is_inside(world: World, session) -> None:  # type: ignore[no-untyped-def]
    here = designated(world)
    other_region, _, other_comune = factories.chain()
    elsewhere_org = factories.organization(home=other_comune)
    elsewhere = factories.initiative(elsewhere_org, status="completed", kind="italian_l2", actions=("action_02",),
                                     targets=("newly_arrived_adults",))
    there = practices.designate(world.admin, elsewhere, replace(CARD, title="Italiano per adulti"))
    both = {here.id, there.id}
    assert _ids(PracticeFilters()) >= both
    assert _ids(PracticeFilters(action="action_04")) & both == {here.id}
    assert _ids(PracticeFilters(kind="italian_l2")) & both == {there.id}
    assert _ids(PracticeFilters(target="families")) & both == {here.id}
    assert _ids(PracticeFilters(territory=world.region.istat_code)) == {here.id}  # the comune is inside the region
    assert _ids(PracticeFilters(territory=world.province.istat_code)) == {here.id}
    assert _ids(PracticeFilters(territory=other_region.istat_code)) == {there.id}
    assert _ids(PracticeFilters(territory=world.region.istat_code, kind="italian_l2")) == set()
    for bad in (PracticeFilters(action="action_99"), PracticeFilters(kind="x"), PracticeFilters(target="x"),
                PracticeFilters(territory="Nessun posto al mondo")):
        with pytest.raises(ValidationFailed):
            practices.list_practices(bad)


def test_catalogue_rows_carry_partners_and_figures_added_up(world: World) -> None:
    practice = designated(world)
    add_outputs(world.initiative, world.lead, 10, 20, {"lower_secondary_pupils": 24, "families": 6})
    add_outputs(world.initiative, world.partner, 4, 8, {"lower_secondary_pupils": 11})
    row = next(r for r in practices.list_practices(PracticeFilters(territory=world.region.istat_code)).items
               if r.practice.id == practice.id)
    # lead and host school confirmed; the invited organisation does not count
    assert (row.partners, row.participants, row.sessions, row.hours) == (2, 41, 14, 28)


def test_catalogue_pages_are_bounded(world: World, session) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        item = factories.initiative(world.lead, status="completed")
        practices.designate(world.admin, item, CARD)
    first = practices.list_practices(PracticeFilters(territory=world.region.istat_code), 1, per_page=2)
    second = practices.list_practices(PracticeFilters(territory=world.region.istat_code), 2, per_page=2)
    assert len(first.items) == 2 and first.has_next and len(second.items) == 1 and not second.has_next
    assert {r.practice.id for r in first.items}.isdisjoint({r.practice.id for r in second.items})


# ---------------------------------------------------------------- replicate this


def test_replicate_starts_a_draft_prefilled_from_the_practice(world: World, session) -> None:  # type: ignore[no-untyped-def]
    practice = designated(world)
    boss = factories.user()
    province = factories.territory("Provincia nuova", TerritoryLevel.PROVINCE, world.region)
    comune = factories.territory("Comune nuovo", TerritoryLevel.COMUNE, province)
    school = factories.organization("Istituto Comprensivo Nuovo", kind=OrgKind.SCHOOL, home=comune)
    factories.member(school, boss, MemberRole.STAFF)
    made = practices.replicate(boss, practice, school, comune.istat_code, date(2027, 9, 15), date(2028, 6, 10))
    assert made.status == InitiativeStatus.DRAFT and made.lead_id == school.id and made.replicated_from_id == world.initiative.id
    assert made.kind == world.initiative.kind and made.action_codes == ["action_01", "action_04"]
    assert sorted(made.target_codes) == ["families", "lower_secondary_pupils"]
    assert made.objectives == world.initiative.objectives and made.territory_id == comune.id
    assert made.title == practice.title and made.language == practice.language
    assert practice.title in made.description and CARD.method in made.description and CARD.replication in made.description
    assert made.starts_on == date(2027, 9, 15) and made.ends_on == date(2028, 6, 10)
    # a draft: not public, not in the catalogue of initiatives
    assert not can(None, Permission.INITIATIVE_VIEW, made) and not can(world.citizen, Permission.INITIATIVE_VIEW, made)
    assert can(boss, Permission.INITIATIVE_VIEW, made)
    listed = initiatives.list_initiatives(initiatives.InitiativeFilters(territory=world.region.istat_code), 1, per_page=100)
    assert made.id not in {i.id for i in listed.items}
    assert world.initiative.status == InitiativeStatus.COMPLETED and practice.initiative_id == world.initiative.id


def test_replicate_needs_a_role_in_the_leading_organisation(world: World) -> None:
    practice = designated(world)
    stranger_org = factories.organization(home=world.comune)
    with pytest.raises(PermissionDenied):
        practices.replicate(world.citizen, practice, stranger_org, world.comune.istat_code, date(2027, 9, 1), date(2028, 6, 1))


def test_replicate_reports_a_wrong_place_and_period(world: World) -> None:
    practice = designated(world)
    with pytest.raises(ValidationFailed) as caught:
        practices.replicate(world.lead_admin, practice, world.lead, "", None, None)
    assert {"territory", "starts_on", "ends_on"} <= set(caught.value.errors)
    with pytest.raises(ValidationFailed) as caught:
        practices.replicate(world.lead_admin, practice, world.lead, world.comune.istat_code, date(2028, 1, 1), date(2027, 1, 1))
    assert set(caught.value.errors) == {"ends_on"}


def test_an_unpublished_practice_cannot_be_replicated_by_readers(world: World) -> None:
    practice = designated(world)
    practices.unpublish(world.moderator, practice)
    with pytest.raises(PermissionDenied):
        practices.replicate(world.lead_admin, practice, world.lead, world.comune.istat_code, date(2027, 9, 1), date(2028, 6, 1))
