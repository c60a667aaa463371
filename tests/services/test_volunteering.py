"""Calls for volunteers: opening and changing calls (dates, places, initiative state), applying
once with a short message, deadlines in Rome days, places that are never exceeded (also when
another transaction took the last place meanwhile), withdrawing, the lead's answers with a
notification, and what the initiative page shows to each viewer in a constant number of queries."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import volunteering
from app.services.volunteering import CallDraft
from models import (
    ApplicationStatus,
    Initiative,
    MemberRole,
    Notification,
    Organization,
    OrgKind,
    Territory,
    User,
    VolunteerApplication,
    VolunteerCall,
)
from models.base import utcnow
from tests import factories
from tests.web.test_query_budget import count_queries


@dataclass
class World:
    lead: Organization
    boss: User  # admin of the lead organisation
    partner_staff: User  # staff of a confirmed partner school
    initiative: Initiative


def _today() -> date:
    return volunteering.today()


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    boss, staff = factories.user(), factories.user()
    lead = factories.organization(admin=boss)
    school = factories.organization(kind=OrgKind.SCHOOL)
    factories.member(school, staff, MemberRole.STAFF)
    initiative = factories.initiative(lead, partners=((school, "host_school", "confirmed"),),
                                      starts_on=_today() - timedelta(days=30), ends_on=_today() + timedelta(days=200))
    return World(lead, boss, staff, initiative)


def _call(world: World, **kw: Any) -> VolunteerCall:
    data: dict[str, Any] = {"title": "Tutor per i compiti", "description": "Due pomeriggi a settimana.", "places": 2}
    data.update(kw)
    return volunteering.open_call(world.boss, world.initiative, CallDraft(**data))


# ---------------------------------------------------------------- opening and changing calls


def test_lead_opens_a_call_with_trimmed_title_and_plain_description(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, title="  Tutor   per i compiti ", description=" <b>testo</b> \n", closes_on=_today())
    assert call.title == "Tutor per i compiti" and call.description == "<b>testo</b>"
    assert call.accepted_count == 0 and call.created_by_id == world.boss.id and volunteering.is_open(call)


@pytest.mark.parametrize(("fields", "key"), [
    ({"title": "ab"}, "title"),
    ({"title": "x" * 161}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"places": 0}, "places"),
    ({"places": -3}, "places"),
    ({"places": 10_001}, "places"),
])
def test_open_call_refuses_bad_fields(world, fields: dict, key: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        _call(world, **fields)
    assert key in caught.value.errors


def test_closing_day_must_not_be_past_nor_after_the_initiative_ends(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        _call(world, closes_on=_today() - timedelta(days=1))
    assert "closes_on" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        _call(world, closes_on=world.initiative.ends_on + timedelta(days=1))
    assert "closes_on" in caught.value.errors
    assert _call(world, closes_on=world.initiative.ends_on).closes_on == world.initiative.ends_on


@pytest.mark.parametrize("status", ["draft", "completed"])
def test_no_call_on_a_draft_or_completed_initiative(world, session, status: str) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = status
    session.flush()
    with pytest.raises(Conflict):
        _call(world)


def test_only_those_who_manage_open_change_and_close_calls(world) -> None:  # type: ignore[no-untyped-def]
    for outsider in (world.partner_staff, factories.user()):
        with pytest.raises(PermissionDenied):
            volunteering.open_call(outsider, world.initiative, CallDraft(title="Un invito"))
    call = _call(world)
    with pytest.raises(PermissionDenied):
        volunteering.update_call(world.partner_staff, call, CallDraft(title="Altro"))
    with pytest.raises(PermissionDenied):
        volunteering.close_call(world.partner_staff, call)
    assert volunteering.open_call(factories.admin(), world.initiative, CallDraft(title="Dall'amministrazione")).id


def test_places_cannot_drop_below_people_accepted(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, places=3)
    for _ in range(2):
        volunteering.decide(world.boss, volunteering.apply(factories.user(), call, "Ci sono"), accept=True)
    with pytest.raises(ValidationFailed) as caught:
        volunteering.update_call(world.boss, call, CallDraft(title=call.title, places=1))
    assert "places" in caught.value.errors
    assert volunteering.update_call(world.boss, call, CallDraft(title="Nuovo titolo", places=2)).places == 2


def test_a_past_closing_day_may_stay_unchanged_when_editing(world, session) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    call.closes_on = _today() - timedelta(days=3)  # set in the past, as time went by
    session.flush()
    volunteering.update_call(world.boss, call, CallDraft(title="Titolo cambiato", places=2, closes_on=call.closes_on))
    assert call.title == "Titolo cambiato"


def test_closed_call_cannot_be_closed_again_nor_changed(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    volunteering.close_call(world.boss, call)
    assert call.closed_at is not None and not volunteering.is_open(call)
    with pytest.raises(Conflict):
        volunteering.close_call(world.boss, call)
    with pytest.raises(Conflict):
        volunteering.update_call(world.boss, call, CallDraft(title="Altro titolo"))


# ---------------------------------------------------------------- applying


def test_apply_trims_the_message_and_a_second_application_is_a_conflict(world, session) -> None:  # type: ignore[no-untyped-def]
    call, person = _call(world), factories.user()
    application = volunteering.apply(person, call, "  Sono libera il martedì.  ")
    assert application.message == "Sono libera il martedì." and application.status == ApplicationStatus.PENDING
    with pytest.raises(Conflict):
        volunteering.apply(person, call, "Di nuovo")
    rows = session.scalars(select(VolunteerApplication).where(VolunteerApplication.call_id == call.id)).all()
    assert len(rows) == 1 and rows[0].message == "Sono libera il martedì."


@pytest.mark.parametrize("message", ["", "   ", "x" * 1001])
def test_apply_needs_a_message_of_at_most_1000_characters(world, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        volunteering.apply(factories.user(), _call(world), message)
    assert "message" in caught.value.errors


def test_apply_accepts_exactly_1000_characters(world) -> None:  # type: ignore[no-untyped-def]
    assert len(volunteering.apply(factories.user(), _call(world), "x" * 1000).message) == 1000


def test_unconfirmed_people_and_visitors_cannot_apply(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    with pytest.raises(PermissionDenied):
        volunteering.apply(factories.user(confirmed=False), call, "Vorrei aiutare")
    assert volunteering.application_problem(None, call) == "Log in to apply."


def test_closed_call_refuses_applications(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    volunteering.close_call(world.boss, call)
    with pytest.raises((PermissionDenied, Conflict)):
        volunteering.apply(factories.user(), call, "Vorrei aiutare")


def test_applications_are_refused_the_day_after_the_closing_day_in_rome(world, session) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, closes_on=_today())
    assert volunteering.apply(factories.user(), call, "Oggi va bene").id  # the closing day itself is open
    session.execute(update(VolunteerCall).where(VolunteerCall.id == call.id).values(closes_on=_today() - timedelta(days=1)))
    session.expire(call)
    with pytest.raises(Conflict) as caught:
        volunteering.apply(factories.user(), call, "Troppo tardi")
    assert "last day" in str(caught.value)
    assert volunteering.closed_reason(call, on=call.closes_on) is None


def test_full_call_refuses_applications(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, places=1)
    volunteering.decide(world.boss, volunteering.apply(factories.user(), call, "Eccomi"), accept=True)
    with pytest.raises(Conflict) as caught:
        volunteering.apply(factories.user(), call, "Anche io")
    assert "places" in str(caught.value)


@pytest.mark.parametrize("status", ["completed"])
def test_completed_initiative_refuses_applications(world, session, status: str) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    world.initiative.status = status
    session.flush()
    with pytest.raises(PermissionDenied):
        volunteering.apply(factories.user(), call, "Vorrei aiutare")


def test_withdraw_then_apply_again_reopens_the_same_application(world, session) -> None:  # type: ignore[no-untyped-def]
    call, person = _call(world), factories.user()
    first = volunteering.apply(person, call, "Prima volta")
    volunteering.withdraw(person, first)
    assert first.status == ApplicationStatus.WITHDRAWN
    again = volunteering.apply(person, call, "Seconda volta")
    assert again.id == first.id and again.status == ApplicationStatus.PENDING and again.message == "Seconda volta"


def test_withdrawing_an_accepted_application_frees_the_place(world) -> None:  # type: ignore[no-untyped-def]
    call, person = _call(world, places=1), factories.user()
    application = volunteering.apply(person, call, "Eccomi")
    volunteering.decide(world.boss, application, accept=True)
    assert call.accepted_count == 1 and volunteering.places_left(call) == 0
    volunteering.withdraw(person, application)
    assert call.accepted_count == 0 and volunteering.places_left(call) == 1
    with pytest.raises(Conflict):
        volunteering.withdraw(person, application)


def test_nobody_withdraws_someone_elses_application(world) -> None:  # type: ignore[no-untyped-def]
    application = volunteering.apply(factories.user(), _call(world), "Eccomi")
    with pytest.raises(NotFound):
        volunteering.withdraw(world.boss, application)
    assert application.status == ApplicationStatus.PENDING


# ---------------------------------------------------------------- the lead's answers and places


def test_accepting_and_declining_tell_the_applicant(world, session) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    yes, no = factories.user(), factories.user()
    volunteering.decide(world.boss, volunteering.apply(yes, call, "Sì"), accept=True)
    volunteering.decide(world.boss, volunteering.apply(no, call, "No"), accept=False)
    told = {n.user_id: n.data["status"] for n in session.scalars(select(Notification).where(Notification.kind == "volunteer.application_decided"))}
    assert told == {yes.id: "accepted", no.id: "declined"}
    assert call.accepted_count == 1


def test_the_same_answer_twice_is_a_conflict_and_a_withdrawn_one_cannot_be_answered(world) -> None:  # type: ignore[no-untyped-def]
    call, person = _call(world), factories.user()
    application = volunteering.apply(person, call, "Eccomi")
    volunteering.decide(world.boss, application, accept=True)
    with pytest.raises(Conflict):
        volunteering.decide(world.boss, application, accept=True)
    assert call.accepted_count == 1
    volunteering.withdraw(person, application)
    with pytest.raises(Conflict):
        volunteering.decide(world.boss, application, accept=False)


def test_declining_an_accepted_volunteer_frees_the_place(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, places=1)
    application = volunteering.apply(factories.user(), call, "Eccomi")
    volunteering.decide(world.boss, application, accept=True)
    volunteering.decide(world.boss, application, accept=False)
    assert application.status == ApplicationStatus.DECLINED and call.accepted_count == 0


def test_accepting_beyond_the_places_is_refused_and_changes_nothing(world, session) -> None:  # type: ignore[no-untyped-def]
    call = _call(world, places=2)
    applications = [volunteering.apply(factories.user(), call, "Eccomi") for _ in range(3)]
    for a in applications[:2]:
        volunteering.decide(world.boss, a, accept=True)
    with pytest.raises(Conflict):
        volunteering.decide(world.boss, applications[2], accept=True)
    session.expire_all()
    assert call.accepted_count == 2 and applications[2].status == ApplicationStatus.PENDING


def test_the_place_is_taken_by_a_conditional_update_even_when_memory_is_stale(world, session) -> None:  # type: ignore[no-untyped-def]
    """Another transaction took the last place after this one read the call: the in-memory
    object still says one place is left, but the UPDATE … WHERE accepted_count < places refuses."""
    call = _call(world, places=2)
    mine = volunteering.apply(factories.user(), call, "Eccomi")
    assert call.accepted_count == 0
    session.execute(text("UPDATE volunteer_calls SET accepted_count = 2 WHERE id = :id"), {"id": call.id})  # behind the ORM's back
    with pytest.raises(Conflict):
        volunteering.decide(world.boss, mine, accept=True)
    assert session.scalar(select(VolunteerCall.accepted_count).where(VolunteerCall.id == call.id)) == 2
    assert session.scalar(select(VolunteerApplication.status).where(VolunteerApplication.id == mine.id)) == ApplicationStatus.PENDING
    assert not session.scalars(select(Notification).where(Notification.kind == "volunteer.application_decided")).all()


def test_two_workers_accepting_the_last_place_at_once_take_it_once(app, engine) -> None:  # type: ignore[no-untyped-def]
    """Two transactions on two connections (two workers) accept different people for the last place
    at the same moment: the second UPDATE waits for the first one's row lock, then finds no place."""
    from app.db import db, expect_writes

    seed = db.session()  # committed data (this test does not use the rolled-back ``session`` fixture)
    lead = factories.organization(home=factories.territory())
    initiative = factories.initiative(lead)
    call = VolunteerCall(initiative_id=initiative.id, title="Un posto", places=1, accepted_count=0)
    seed.add(call)
    seed.flush()
    applications = [VolunteerApplication(call_id=call.id, user_id=factories.user().id, message="Eccomi") for _ in range(2)]
    seed.add_all(applications)
    seed.commit()
    ids = {"call": call.id, "apps": [a.id for a in applications], "initiative": initiative.id, "lead": lead.id,
           "territory": lead.home_territory_id, "people": [a.user_id for a in applications]}
    db.session.remove()
    first_took, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def worker(name: str, application_id: int) -> None:
        expect_writes(True)  # as for every POST: on SQLite the transaction waits for the write lock at BEGIN
        try:
            if name == "second":
                first_took.wait(10)
                second_started.set()
            # On PostgreSQL the second worker reads "one place left" here (the first has not committed),
            # then its UPDATE waits for the first one's row lock and re-checks the condition.
            found = db.session.get(VolunteerApplication, application_id)
            assert found is not None
            try:
                with db.session.begin_nested():
                    volunteering._move(found, ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED, utcnow())
                    volunteering._take_place(found.call)  # what decide() runs, on this worker's connection
            except Conflict:
                outcomes[name] = "full"
            else:
                outcomes[name] = "taken"
            if name == "first":
                first_took.set()
                second_started.wait(10)
                time.sleep(0.3)  # the second worker is now waiting on the row lock
            db.session.commit()
        except Exception as exc:  # reported by the main thread
            outcomes[name] = repr(exc)
        finally:
            db.session.remove()

    try:
        threads = [threading.Thread(target=worker, args=(n, a)) for n, a in zip(("first", "second"), ids["apps"], strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert outcomes == {"first": "taken", "second": "full"}
        with engine.connect() as conn:
            assert conn.execute(select(VolunteerCall.accepted_count).where(VolunteerCall.id == ids["call"])).scalar() == 1
            statuses = conn.execute(select(VolunteerApplication.status).where(VolunteerApplication.call_id == ids["call"])).scalars().all()
            assert sorted(statuses) == ["accepted", "pending"]
    finally:
        with engine.begin() as conn:
            conn.execute(delete(Initiative).where(Initiative.id == ids["initiative"]))
            conn.execute(delete(Organization).where(Organization.id == ids["lead"]))
            conn.execute(delete(User).where(User.id.in_(ids["people"])))
            conn.execute(delete(Territory).where(Territory.id == ids["territory"]))


# ---------------------------------------------------------------- privacy and the initiative page


def test_only_those_who_manage_list_applications(world) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    volunteering.apply(factories.user(), call, "Messaggio privato")
    for outsider in (world.partner_staff, factories.user()):
        with pytest.raises(PermissionDenied):
            volunteering.list_applications(outsider, call)
    assert [a.message for a in volunteering.list_applications(world.boss, call)] == ["Messaggio privato"]


def test_calls_of_a_hidden_or_draft_initiative_are_not_found_by_outsiders(world, session) -> None:  # type: ignore[no-untyped-def]
    call = _call(world)
    world.initiative.status = "draft"
    session.flush()
    with pytest.raises(NotFound):
        volunteering.get_call(factories.user(), call.id)
    assert volunteering.get_call(world.boss, call.id) is call
    with pytest.raises(NotFound):
        volunteering.get_call(None, 999_999)


def test_section_shows_open_calls_own_status_and_pending_counts_to_the_lead(world, session) -> None:  # type: ignore[no-untyped-def]
    open_call, full_call, closed_call = _call(world, title="Aperta"), _call(world, title="Piena", places=1), _call(world, title="Chiusa")
    person, other = factories.user(), factories.user()
    volunteering.apply(person, open_call, "Eccomi")
    volunteering.apply(other, open_call, "Anche io")
    volunteering.decide(world.boss, volunteering.apply(other, full_call, "Posto"), accept=True)
    volunteering.apply(person, closed_call, "Prima della chiusura")
    volunteering.close_call(world.boss, closed_call)
    citizen = volunteering.calls_section(world.initiative, factories.user())
    assert [e.call.title for e in citizen.entries] == ["Aperta"] and not citizen.can_manage and not citizen.can_open
    assert citizen.entries[0].pending == 0 and citizen.entries[0].my_status is None
    mine = volunteering.calls_section(world.initiative, person)
    assert [(e.call.title, e.my_status, e.is_open) for e in mine.entries] == [
        ("Aperta", ApplicationStatus.PENDING, True), ("Chiusa", ApplicationStatus.PENDING, False)]
    lead = volunteering.calls_section(world.initiative, world.boss)
    assert lead.can_manage and lead.can_open
    assert [(e.call.title, e.is_open, e.places_left, e.pending) for e in lead.entries] == [
        ("Aperta", True, 2, 2), ("Piena", False, 0, 0), ("Chiusa", False, 2, 1)]
    assert lead.pending_total == 3
    assert [e.call.title for e in volunteering.calls_section(world.initiative, None).entries] == ["Aperta"]


def test_section_query_count_is_constant_as_calls_and_applications_grow(world, engine, session) -> None:  # type: ignore[no-untyped-def]
    def measure() -> int:
        session.expire_all()
        initiative = session.get(Initiative, world.initiative.id)
        boss = session.get(User, world.boss.id)
        _ = boss.memberships, boss.roles, initiative.partners
        with count_queries(engine) as statements:
            section = volunteering.calls_section(initiative, boss)
            _ = [(e.call.title, e.places_left) for e in section.entries]
        return len(statements)

    _call(world)
    small = measure()
    for _ in range(6):
        call = _call(world)
        for _ in range(3):
            volunteering.apply(factories.user(), call, "Eccomi")
    assert measure() == small <= 3


def test_my_applications_lists_newest_first_with_the_initiative(world) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    first, second = _call(world, title="Prima"), _call(world, title="Seconda")
    volunteering.apply(person, first, "Uno")
    volunteering.apply(person, second, "Due")
    found = volunteering.my_applications(person)
    assert {a.call.title for a in found} == {"Prima", "Seconda"} and found[0].call.initiative.id == world.initiative.id
    assert volunteering.my_applications(factories.user()) == []
