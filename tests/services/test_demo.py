"""Demo data: loads through the real services, covers every kind and role, and is idempotent.
The community labs show every phase and state, with counters equal to their rows; the events
fill this month and the next in the five regions, with registrations as the services keep them;
the initiatives cover every kind, with outputs that add up, good practices and case histories."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import vobject
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import scoped_session

from app.db import db
from app.sanitize import rich_text
from app.security.passwords import verify_password
from app.security.permissions import Permission
from app.security.policy import can
from app.services import (
    accounts,
    calendars,
    demo,
    demo_events,
    demo_initiatives,
    demo_labs,
    events,
    ical,
    labs,
    proposals,
    registrations,
    responses,
    uploads,
)
from models import (
    Consent,
    Event,
    EventKind,
    EventMode,
    EventOrganizer,
    EventSession,
    EventTranslation,
    Lab,
    LabBallot,
    LabPhase,
    MemberRole,
    Membership,
    Notification,
    Organization,
    OrganizerStatus,
    OrgKind,
    ProgressUpdate,
    Proposal,
    ProposalComment,
    ProposalResponse,
    ProposalSponsor,
    ProposalState,
    ProposalSupport,
    ProposalVote,
    Recurrence,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    ResponseRevision,
    ResponseTemplate,
    Role,
    RoleAssignment,
    SessionStatus,
    SponsorStatus,
    Territory,
    TerritoryLevel,
    User,
)
from models.base import utcnow
from models.initiatives import (
    AgeBand,
    ApplicationStatus,
    CaseHistory,
    CaseHistoryOrganization,
    CaseStatus,
    Gender,
    GoodPractice,
    Initiative,
    InitiativeEvent,
    InitiativeKind,
    InitiativeMaterial,
    InitiativePartner,
    InitiativeStatus,
    InitiativeTranslation,
    OutputReport,
    ParticipantCount,
    PartnerRole,
    PartnerStatus,
    VolunteerApplication,
    VolunteerCall,
)

FIVE_REGIONS = {"Abruzzo", "Puglia", "Emilia-Romagna", "Lombardia", "Toscana"}


@pytest.fixture(scope="module")
def seeded(app: Flask, engine: Engine) -> Iterator[list[str]]:
    """Seed once for this module (the ISTAT import alone takes seconds) inside a transaction rolled
    back at the end, like the ``session`` fixture. The tests below only read."""
    connection = engine.connect()
    outer = connection.begin()
    db.configure(engine, bind=connection, join_transaction_mode="create_savepoint")
    original = db.session
    db.session = scoped_session(db.factory)
    try:
        yield demo.seed()
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        db.configure(engine)


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _user(email: str) -> User:
    user = accounts.find_user_by_email(email)
    assert user is not None
    return user


def _region(territory: Territory) -> str:
    return db.session.get(Territory, int(territory.path.split("/")[1])).name  # type: ignore[union-attr]


def test_demo_data_covers_every_kind_role_and_region_and_loads_once(seeded) -> None:  # type: ignore[no-untyped-def]
    assert any("Demo accounts" in line for line in seeded)
    assert demo.seed() == ["Demo data is already loaded; nothing changed."]
    # Every demo person is in the consent log once, for the notice in force.
    assert _count(Consent) == _count(User) and {c.notice_version for c in db.session.scalars(select(Consent))} == {
        accounts.settings.privacy_version}
    assert _count(Territory, Territory.level == TerritoryLevel.REGION) == 20
    assert _count(Territory, Territory.level == TerritoryLevel.PROVINCE) == 107
    assert set(db.session.scalars(select(Organization.kind))) == set(OrgKind)
    assert set(db.session.scalars(select(Membership.role))) == set(MemberRole)
    assert set(db.session.scalars(select(RoleAssignment.role))) == set(Role)
    assert {_region(o.home_territory) for o in db.session.scalars(select(Organization))} >= FIVE_REGIONS
    assert _count(User, User.email_confirmed_at.is_(None)) == 1


def test_demo_labs_are_in_every_phase_across_the_five_regions(seeded) -> None:  # type: ignore[no-untyped-def]
    all_labs = list(db.session.scalars(select(Lab)))
    assert {lab.phase for lab in all_labs} == set(LabPhase)
    assert {_region(lab.territory) for lab in all_labs} == FIVE_REGIONS
    assert sum(lab.is_standing for lab in all_labs) == 1
    kinds = [lab.convener.kind for lab in all_labs]
    assert kinds.count(OrgKind.LOCAL_AUTHORITY) == len(all_labs) - 1
    assert all(lab.convener.is_verified for lab in all_labs)
    voting = next(lab for lab in all_labs if lab.phase == LabPhase.VOTING)
    assert voting.votes_per_participant == 3
    assert any("Laboratorio aperto" in lab.title for lab in all_labs if lab.is_standing)


def test_demo_proposals_reach_every_state_with_answers_history_and_follow_up(seeded) -> None:  # type: ignore[no-untyped-def]
    all_proposals = list(db.session.scalars(select(Proposal)))
    assert 25 <= len(all_proposals) <= 40
    assert {p.state for p in all_proposals} == set(ProposalState)
    done = next(p for p in all_proposals if p.state == ProposalState.IMPLEMENTED)
    steps = responses.progress_of(done)
    assert len(steps) >= 2 and steps[-1].percent == done.progress_percent == 100
    answer = db.session.scalar(select(ProposalResponse).where(ProposalResponse.proposal_id == done.id))
    assert answer and answer.office and answer.next_step and answer.contact and answer.cost_estimate_cents and answer.expected_on
    assert answer.created_at <= done.due_at  # type: ignore[operator]
    rejected = next(p for p in all_proposals if p.state == ProposalState.REJECTED)
    assert len(db.session.scalar(select(ProposalResponse.text).where(ProposalResponse.proposal_id == rejected.id)) or "") > 100
    assert _count(ResponseRevision) >= 1
    statuses = set(db.session.scalars(select(ProposalSponsor.status)))
    assert {SponsorStatus.ACCEPTED, SponsorStatus.INVITED} <= statuses
    authorities = {p.authority_id for p in all_proposals} | {lab.convener_id for lab in db.session.scalars(select(Lab))
                                                             if lab.convener.kind == OrgKind.LOCAL_AUTHORITY}
    assert authorities <= set(db.session.scalars(select(ResponseTemplate.organization_id)))
    assert _count(ProposalComment, ProposalComment.parent_id.is_not(None)) >= 5
    assert _count(ProposalComment, ProposalComment.is_official.is_(True)) >= 3


def test_demo_proposals_are_written_in_the_languages_of_the_people(seeded) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(f"{p.title} {p.summary} {p.body}" for p in db.session.scalars(select(Proposal)))
    scripts = {"arabic": r"[\u0600-\u06ff]", "cyrillic": r"[\u0400-\u04ff]", "bengali": r"[\u0980-\u09ff]", "han": r"[\u4e00-\u9fff]"}
    assert all(re.search(pattern, text) for pattern in scripts.values())
    assert "Mulți dintre noi" in text and "Nous voulons" in text and "Cricket is our football" in text
    assert "lorem" not in text.lower()


def test_demo_transparency_shows_an_overdue_and_an_on_time_authority(seeded) -> None:  # type: ignore[no-untyped-def]
    figures = labs.transparency()
    assert any(f.overdue > 0 for f in figures)
    assert any(f.answered > 0 and f.answered_on_time == f.answered and f.overdue == 0 for f in figures)
    assert any(f.answered > f.answered_on_time for f in figures)  # an answer given late
    due_soon = [labs.due_in_days(p) for p in db.session.scalars(select(Proposal).where(Proposal.state == ProposalState.AWAITING_RESPONSE))]
    assert any(d is not None and 0 <= d <= 7 for d in due_soon)
    assert any(d is not None and d < 0 for d in due_soon)


def test_demo_counters_equal_the_rows(seeded) -> None:  # type: ignore[no-untyped-def]
    for p in db.session.scalars(select(Proposal)):
        assert p.supports_count == _count(ProposalSupport, ProposalSupport.proposal_id == p.id), p.title
        assert p.votes_count == _count(ProposalVote, ProposalVote.proposal_id == p.id), p.title
        assert p.comments_count == _count(ProposalComment, ProposalComment.proposal_id == p.id), p.title
        assert (p.threshold_reached_at is not None) == (p.supports_count >= p.lab.support_threshold), p.title
    for lab in db.session.scalars(select(Lab)):
        assert lab.proposals_count == _count(Proposal, Proposal.lab_id == lab.id, Proposal.state != ProposalState.DRAFT)
    for ballot in db.session.scalars(select(LabBallot)):
        used = _count(ProposalVote, ProposalVote.lab_id == ballot.lab_id, ProposalVote.user_id == ballot.user_id)
        assert ballot.votes_used == used
        assert 1 <= used <= db.session.get(Lab, ballot.lab_id).votes_per_participant  # type: ignore[union-attr]
    assert _count(ProposalVote) == sum(db.session.scalars(select(LabBallot.votes_used)))


def test_demo_supporters_and_voters_may_take_part_and_turnout_is_plausible(seeded) -> None:  # type: ignore[no-untyped-def]
    for support in db.session.scalars(select(ProposalSupport)):
        proposal = db.session.get(Proposal, support.proposal_id)
        assert labs.eligibility_problem(db.session.get(User, support.user_id), proposal.lab) is None  # type: ignore[union-attr]
    voted_labs = set(db.session.scalars(select(ProposalVote.lab_id).distinct()))
    assert len(voted_labs) == 2
    for lab in db.session.scalars(select(Lab).where(Lab.id.in_(voted_labs))):
        assert lab.phase in (LabPhase.VOTING, LabPhase.RESULTS)
        voters = _count(LabBallot, LabBallot.lab_id == lab.id)
        assert 20 <= 100 * voters / labs.eligible_count(lab) <= 70
    results_lab = next(lab for lab in db.session.scalars(select(Lab)) if lab.phase == LabPhase.RESULTS)
    outcome = labs.results(results_lab)
    assert outcome.votes > outcome.voters > 0 and outcome.ranking[0].votes_count > outcome.ranking[-1].votes_count


def test_demo_moments_follow_each_other_and_lie_in_the_past(seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    for p in db.session.scalars(select(Proposal).where(Proposal.state != ProposalState.DRAFT)):
        start, end = labs.phase_window(p.lab, LabPhase.PROPOSALS)
        assert start <= p.published_at <= min(end or now, now), p.title  # type: ignore[operator]
        if p.threshold_reached_at is not None:
            assert p.published_at < p.threshold_reached_at < now, p.title  # type: ignore[operator]
            assert p.due_at == p.threshold_reached_at + timedelta(days=p.lab.response_days)
        if p.answered_at is not None:
            assert p.threshold_reached_at < p.answered_at < now, p.title  # type: ignore[operator]
    for model in (ProposalSupport, ProposalVote, ProposalComment, ProgressUpdate, ProposalResponse):
        assert db.session.scalar(select(func.max(model.created_at))) <= now  # type: ignore[attr-defined]
    first_support = select(func.min(ProposalSupport.created_at)).where(ProposalSupport.user_id == User.id).scalar_subquery()
    assert _count(User, User.created_at > first_support) == 0
    for note in db.session.scalars(select(Notification).where(Notification.kind == "proposal.threshold_reached")):
        assert note.created_at == db.session.get(Proposal, note.target_id).threshold_reached_at  # type: ignore[union-attr]
    assert db.session.scalar(select(func.min(Notification.created_at)).where(Notification.kind == "proposal.progress")) < now - timedelta(days=60)


def test_demo_people_log_in_to_something_to_do(seeded) -> None:  # type: ignore[no-untyped-def]
    marta = _user("marta.desantis@ponte.demo")
    owed = [p for p in db.session.scalars(select(Proposal).where(Proposal.state == ProposalState.AWAITING_RESPONSE))
            if can(marta, Permission.PROPOSAL_RESPOND, p)]
    assert any(labs.due_in_days(p) < 0 for p in owed)  # type: ignore[operator]
    amina = _user("amina@ponte.demo")
    voting = next(lab for lab in db.session.scalars(select(Lab)) if lab.phase == LabPhase.VOTING)
    assert 0 < proposals.votes_left(amina, voting) < voting.votes_per_participant
    ballot = proposals.list_proposals(voting, proposals.ProposalFilters()).items
    assert any(proposals.vote_problem(amina, p) is None and p.id not in proposals.my_votes(amina, voting) for p in ballot)
    olena = _user("olena@ponte.demo")
    bologna = next(lab for lab in db.session.scalars(select(Lab)) if lab.territory.istat_code == "037006")
    assert any(proposals.support_problem(olena, p) is None and not proposals.has_supported(olena, p)
               for p in proposals.list_proposals(bologna, proposals.ProposalFilters()).items)
    assert proposals.my_drafts(olena, bologna)
    assert proposals.pending_sponsorships(_user("paolo.ricci@ponte.demo"))
    assert any("elena.bassi@ponte.demo" in line for line in seeded)  # new officials get their password once


def test_demo_residents_cannot_log_in(seeded) -> None:  # type: ignore[no-untyped-def]
    residents = list(db.session.scalars(select(User).where(User.email.like(f"%@{demo_labs.RESIDENTS_DOMAIN}"))))
    assert len(residents) == sum(len(people) for people in demo_labs.RESIDENTS.values())
    assert len({u.password_hash for u in residents}) == len(residents)
    assert not any(verify_password(u.password_hash, "") or verify_password(u.password_hash, u.password_hash[1:]) for u in residents[:3])


# ---------------------------------------------------------------- events

REGION_CODES = {"Abruzzo": "13", "Puglia": "16", "Emilia-Romagna": "08", "Lombardia": "03", "Toscana": "09"}


def _sessions() -> list[EventSession]:
    return list(db.session.scalars(select(EventSession).order_by(EventSession.starts_at)))


def _registrations(session: EventSession, status: RegistrationStatus | None = None) -> list[Registration]:
    where = [Registration.session_id == session.id] + ([Registration.status == status] if status else [])
    return list(db.session.scalars(select(Registration).where(*where).order_by(Registration.position)))


def test_demo_events_cover_the_five_regions_every_kind_and_mode(seeded) -> None:  # type: ignore[no-untyped-def]
    all_events = list(db.session.scalars(select(Event)))
    assert 30 <= len(all_events) <= 40
    regions = [_region(e.territory) for e in all_events]
    assert set(regions) == FIVE_REGIONS and min(regions.count(name) for name in FIVE_REGIONS) >= 5
    assert {e.kind for e in all_events} == set(EventKind)
    assert {e.mode for e in all_events} == set(EventMode)
    assert {e.registration_mode for e in all_events} == set(RegistrationMode)
    assert {e.step_free for e in all_events} == {True, False, None}
    assert any(e.all_day and e.kind == EventKind.FESTIVAL for e in all_events)
    assert any(e.childcare and e.kind == EventKind.ITALIAN_L2 for e in all_events)
    assert any({"ar", "bn", "ur"} <= set(e.interpretation_languages) for e in all_events)
    linked = [e.online_url for e in all_events if e.mode != EventMode.IN_PERSON]
    assert linked and all(url.startswith("https://meet.example.org/") for url in linked)
    assert any(e.online_url_registrants_only for e in all_events if e.mode == EventMode.ONLINE)
    assert all(e.forum_id for e in all_events if e.kind == EventKind.FORUM_MEETING)
    assert len({e.lab_id for e in all_events if e.lab_id}) >= 4
    assert {e.language for e in all_events} > {"it"}
    assert {"ar", "en", "fr", "uk", "bn"} <= set(db.session.scalars(select(EventTranslation.language)))
    assert {OrganizerStatus.ACCEPTED, OrganizerStatus.INVITED} <= set(db.session.scalars(select(EventOrganizer.status)))
    text = " ".join(f"{e.title} {e.description} {e.accessibility_notes}" for e in all_events)
    assert "lorem" not in text.lower()
    assert _count(Event) == len(demo_events.EVENTS)


def test_demo_events_fill_this_month_and_the_next_around_today(seeded) -> None:  # type: ignore[no-untyped-def]
    today = calendars.today_in_rome()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    days = [events.local(s.starts_at).date() for s in _sessions()]
    assert any(d.month == today.month for d in days) and any(d.month == next_month.month for d in days)
    assert today - timedelta(days=35) <= min(days) and max(days) <= today + timedelta(days=70)
    assert sum(d < today for d in days) >= 10 and sum(d > today for d in days) >= 30
    for name, code in REGION_CODES.items():  # each region's calendar has something ahead
        assert calendars.sessions_between(calendars.CalendarFilters(territory=code), None, today, today + timedelta(days=45)), name
    for s in _sessions():  # no date falls on a public holiday unless it is marked cancelled
        if demo_events.is_holiday(events.local(s.starts_at).date()):
            assert s.status == SessionStatus.CANCELLED


def test_demo_weekly_series_has_a_cancelled_and_a_moved_date(seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    series = list(db.session.scalars(select(Event).where(Event.recurrence == Recurrence.WEEKLY)))
    assert {EventKind.ITALIAN_L2, EventKind.PEER_EDUCATION} <= {e.kind for e in series}
    changed = []
    for event in series:
        dates = events.list_sessions(event)
        cancelled = [s for s in dates if s.status == SessionStatus.CANCELLED and s.starts_at > now and s.confirmed_count > 0]
        moved = [s for s in dates if s.is_changed and s.status == SessionStatus.SCHEDULED and s.starts_at != s.original_start]
        if cancelled and moved:
            changed.append((event, cancelled[0], moved[0]))
    assert len(changed) == 1
    event, cancelled, moved = changed[0]
    assert cancelled.note and moved.note
    was, now_on = events.local(moved.original_start), events.local(moved.starts_at)
    assert now_on.date() - was.date() == timedelta(days=1) and now_on.time() == was.time()
    told = set(db.session.scalars(select(Notification.kind).where(Notification.target_type == "event", Notification.target_id == event.id)))
    assert {"event.session_cancelled", "event.session_changed"} <= told
    body = ical.event_calendar(event, events.list_sessions(event), "ponte.test", f"https://ponte.test/events/{event.id}").decode()
    parsed = vobject.readOne(body)
    assert parsed.vevent.rrule.value.startswith("FREQ=WEEKLY") and len(parsed.vevent_list) >= 2


def test_demo_full_session_has_a_waiting_list_and_counters_equal_the_rows(seeded) -> None:  # type: ignore[no-untyped-def]
    for s in _sessions():
        rows = _registrations(s)
        assert s.confirmed_count == sum(r.status == RegistrationStatus.CONFIRMED for r in rows), s.event.title
        assert s.waiting_count == sum(r.status == RegistrationStatus.WAITING for r in rows), s.event.title
        assert len({r.position for r in rows}) == len(rows) and all(r.position <= s.arrivals for r in rows)
        capacity = events.capacity_of(s)
        assert capacity is None or s.confirmed_count <= capacity
        if s.waiting_count:  # nobody waits while a place is free
            assert events.places_left(s) == 0
    full = [s for s in _sessions() if events.capacity_of(s) == 20 and s.waiting_count > 0]
    assert len(full) == 1
    session = full[0]
    rows = _registrations(session)
    assert 22 <= len(rows) <= 26 and session.confirmed_count == 20
    assert any(r.status == RegistrationStatus.CANCELLED for r in rows)
    promoted = [r for r in rows if r.status == RegistrationStatus.CONFIRMED and r.decided_at is not None]
    waiting = _registrations(session, RegistrationStatus.WAITING)
    assert len(promoted) == 1 and all(promoted[0].position < w.position for w in waiting)
    moussa = registrations.registration_of(_user("moussa@ponte.demo"), session)
    assert moussa is not None and registrations.waiting_rank(moussa) == len(waiting)
    assert registrations.registration_of(_user("amina@ponte.demo"), session).status == RegistrationStatus.CONFIRMED  # type: ignore[union-attr]


def test_demo_requests_await_approval_and_invitations_an_answer(seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    approval = [s for s in _sessions() if s.event.registration_mode == RegistrationMode.APPROVAL]
    upcoming = [s for s in approval if s.starts_at > now]
    assert upcoming and all(s.starts_at < now for s in approval if s not in upcoming)
    pending = _registrations(upcoming[0], RegistrationStatus.PENDING)
    assert len(pending) >= 3 and _registrations(upcoming[0], RegistrationStatus.CONFIRMED)
    organiser = _user(demo_events.TOSCANA_TRAINING.by)
    assert set(pending) <= set(registrations.attendees(organiser, upcoming[0]))
    assert registrations.registration_of(_user("ioana@ponte.demo"), upcoming[0]).status == RegistrationStatus.PENDING  # type: ignore[union-attr]
    for s in approval:  # past requests were all answered
        if s.starts_at < now:
            assert not _registrations(s, RegistrationStatus.PENDING)
            assert _registrations(s, RegistrationStatus.DECLINED)
    invitations = events.pending_organizer_invitations(_user("rahim@ponte.demo"))
    assert len(invitations) == 1 and invitations[0].status == OrganizerStatus.INVITED


def test_demo_past_dates_have_attendance_marked(seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    checked, confirmed_past, marked_events = 0, 0, set()
    for s in _sessions():
        for r in _registrations(s):
            assert s.event.created_at <= r.created_at < min(s.starts_at, now), s.event.title
            if r.decided_at is not None:
                assert r.created_at <= r.decided_at <= now
            if s.ends_at < now and s.status == SessionStatus.SCHEDULED and r.status == RegistrationStatus.CONFIRMED:
                confirmed_past += 1
            if r.attended_at is not None:
                assert r.status == RegistrationStatus.CONFIRMED and s.status == SessionStatus.SCHEDULED
                assert s.starts_at <= r.attended_at <= s.ends_at < now
                checked += 1
                marked_events.add(s.event_id)
    assert 30 <= checked < confirmed_past  # most people came; a few did not
    assert len(marked_events) >= 5
    assert len({_region(db.session.get(Event, e).territory) for e in marked_events}) >= 4  # type: ignore[union-attr]
    assert all(e.created_at < now for e in db.session.scalars(select(Event)))


def test_demo_events_give_people_something_to_do(seeded) -> None:  # type: ignore[no-untyped-def]
    today = calendars.today_in_rome()
    olena = _user("olena@ponte.demo")
    mine = calendars.registered_sessions(olena)
    assert len(mine) >= 3
    agenda = calendars.agenda(calendars.CalendarFilters(mine=True), olena, today).items
    assert agenda and all(s.starts_at.date() >= today - timedelta(days=1) for s in agenda)
    assert demo_events.needed() is False


# ---------------------------------------------------------------- initiatives, good practices, case histories

TRANSLATED = {"en", "ar", "fr", "ro", "sq", "uk", "zh_Hans", "es", "bn", "ur", "pa_Guru"}


@pytest.fixture(scope="module", autouse=True)
def _demo_pictures_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The demo case history's picture goes through the uploads service: keep it out of instance/
    (autouse, so it is in place before the module's seeding)."""
    previous = uploads.settings
    uploads.configure(dataclasses.replace(previous, directory=str(tmp_path_factory.mktemp("demo-uploads"))))
    yield
    uploads.configure(previous)


def _initiatives() -> list[Initiative]:
    return list(db.session.scalars(select(Initiative).order_by(Initiative.id)))


def test_demo_initiatives_cover_every_kind_and_status_in_the_five_regions(seeded) -> None:  # type: ignore[no-untyped-def]
    today = calendars.today_in_rome()
    items = _initiatives()
    assert 12 <= len(items) <= 14 and any("demo initiatives" in line for line in seeded)
    assert {i.kind for i in items} == set(InitiativeKind)
    statuses = [i.status for i in items]
    assert statuses.count(InitiativeStatus.COMPLETED) >= 4 and 1 <= statuses.count(InitiativeStatus.DRAFT) <= 2
    assert set(statuses) == set(InitiativeStatus)
    assert {_region(i.territory) for i in items} == FIVE_REGIONS
    assert {_region(i.territory) for i in items if i.kind == InitiativeKind.PEER_EDUCATION} == {"Abruzzo", "Emilia-Romagna", "Lombardia"}
    assert {_region(i.territory) for i in items if i.kind in (InitiativeKind.YOUTH_VOLUNTEERING, InitiativeKind.LOCAL_PLAN)} == {"Toscana"}
    for i in items:
        assert i.actions and set(i.action_codes) <= {"action_01", "action_02", "action_03", "action_04"} and i.targets, i.title
        assert len(i.objectives.splitlines()) >= 3 and i.description_html == rich_text(i.description), i.title
        if i.status == InitiativeStatus.RUNNING:
            assert i.starts_on <= today <= i.ends_on, i.title
        elif i.status == InitiativeStatus.COMPLETED:
            assert i.ends_on < today, i.title
        else:
            assert i.starts_on > today, i.title
        assert i.created_at < utcnow()
    translations = list(db.session.scalars(select(InitiativeTranslation)))
    assert {t.language for t in translations} >= TRANSLATED
    assert all(t.description_html == rich_text(t.description) and t.title for t in translations)
    text = " ".join(f"{i.title} {i.objectives} {i.description}" for i in items) + " ".join(t.description for t in translations)
    assert "lorem" not in text.lower()
    assert demo_initiatives.needed() is False


def test_demo_partners_confirm_and_only_host_schools_name_a_private_contact(seeded) -> None:  # type: ignore[no-untyped-def]
    rows = list(db.session.scalars(select(InitiativePartner)))
    assert {p.role for p in rows} == set(PartnerRole) and {p.status for p in rows} == set(PartnerStatus)
    assert sum(p.status == PartnerStatus.DECLINED for p in rows) == 1
    assert sum(p.status == PartnerStatus.CONFIRMED for p in rows) > 3 * sum(p.status == PartnerStatus.INVITED for p in rows)
    for i in _initiatives():
        leads = [p for p in rows if p.initiative_id == i.id and p.role == PartnerRole.LEAD]
        assert [(p.organization_id, p.status) for p in leads] == [(i.lead_id, PartnerStatus.CONFIRMED)], i.title
    for p in rows:
        assert (p.decided_at is None) == (p.status == PartnerStatus.INVITED) and (p.decided_at is None or p.decided_at >= p.created_at)
        if p.contact_name or p.contact_email or p.contact_phone:
            assert p.role == PartnerRole.HOST_SCHOOL and p.organization.kind == OrgKind.SCHOOL
        if p.role == PartnerRole.HOST_SCHOOL and p.status == PartnerStatus.CONFIRMED:
            assert p.contact_name and "@" in p.contact_email and p.contact_phone.startswith("+39")
    contact = next(p for p in rows if p.contact_name == "Francesca Di Carlo")
    assert can(_user("francesca.dicarlo@ponte.demo"), Permission.INITIATIVE_VIEW_PRIVATE, contact.initiative)
    assert not can(_user("amina@ponte.demo"), Permission.INITIATIVE_VIEW_PRIVATE, contact.initiative)
    rahim_org = next(m.organization_id for m in _user("rahim@ponte.demo").memberships if m.role == MemberRole.ADMIN)
    assert any(p.organization_id == rahim_org and p.status == PartnerStatus.INVITED for p in rows)  # something to answer


def test_demo_outputs_add_up_and_lie_within_their_initiative_period(seeded) -> None:  # type: ignore[no-untyped-def]
    today, now = calendars.today_in_rome(), utcnow()
    reports = list(db.session.scalars(select(OutputReport)))
    by_initiative = {i.id: i for i in _initiatives()}
    started = {i.id for i in by_initiative.values() if i.status in (InitiativeStatus.RUNNING, InitiativeStatus.COMPLETED)}
    assert {r.initiative_id for r in reports} == started
    assert any(r.organization_id != by_initiative[r.initiative_id].lead_id for r in reports)  # partners record too
    for r in reports:
        item = by_initiative[r.initiative_id]
        assert r.participants_total == sum(c.count for c in r.counts) > 0, item.title
        assert item.starts_on <= r.period_start <= r.period_end <= item.ends_on and r.period_end < today, item.title
        assert r.period_end <= r.created_at.date() and r.created_at < now
        assert {c.target_group for c in r.counts} <= set(item.target_codes), item.title
        assert r.sessions_held > 0 and r.hours >= r.sessions_held and r.materials_produced >= 0 and r.outcomes
    counts = list(db.session.scalars(select(ParticipantCount)))
    assert any(c.gender != Gender.NOT_RECORDED and c.age_band != AgeBand.NOT_RECORDED for c in counts)
    assert any(c.gender == Gender.NOT_RECORDED for c in counts) and all(c.count > 0 for c in counts)
    assert db.session.scalar(select(func.sum(OutputReport.participants_total))) == db.session.scalar(select(func.sum(ParticipantCount.count)))


def test_demo_calls_for_volunteers_are_full_open_and_closed(seeded) -> None:  # type: ignore[no-untyped-def]
    today = calendars.today_in_rome()
    calls = list(db.session.scalars(select(VolunteerCall)))
    assert len(calls) == len({c.initiative_id for c in calls}) == 3
    kinds = set()
    for call in calls:
        rows = list(db.session.scalars(select(VolunteerApplication).where(VolunteerApplication.call_id == call.id)))
        accepted = sum(a.status == ApplicationStatus.ACCEPTED for a in rows)
        assert call.accepted_count == accepted and call.places is not None and accepted <= call.places
        assert call.initiative.status != InitiativeStatus.DRAFT
        for a in rows:
            assert call.created_at < a.created_at < utcnow() and a.user.email.endswith("ponte.demo") and a.message
            assert (a.decided_at is None) == (a.status == ApplicationStatus.PENDING)
        if call.closes_on < today:
            kinds.add("closed")
        elif accepted == call.places:
            kinds.add("full")
        elif any(a.status == ApplicationStatus.PENDING for a in rows):
            kinds.add("open")
            assert call.initiative.status != InitiativeStatus.COMPLETED and call.closed_at is None
    assert kinds == {"closed", "full", "open"}
    statuses = set(db.session.scalars(select(VolunteerApplication.status)))
    assert {ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED} <= statuses


def test_demo_initiatives_list_events_of_their_kind_within_their_period(seeded) -> None:  # type: ignore[no-untyped-def]
    links = list(db.session.scalars(select(InitiativeEvent)))
    assert len(links) >= 8
    kinds = set()
    for link in links:
        item = db.session.get(Initiative, link.initiative_id)
        for session in events.list_sessions(link.event):
            assert item.starts_on <= events.local(session.starts_at).date() <= item.ends_on, (item.title, link.event.title)  # type: ignore[union-attr]
        kinds.add((item.kind.value, link.event.kind.value))  # type: ignore[union-attr]
    assert {("peer_education", "peer_education"), ("italian_l2", "italian_l2"), ("operator_training", "training_day")} <= kinds
    materials = list(db.session.scalars(select(InitiativeMaterial)))
    assert len(materials) >= 20 and all(m.url.startswith("https://") and m.title for m in materials)


def test_demo_good_practices_and_case_histories_tell_completed_work(seeded) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    practices = list(db.session.scalars(select(GoodPractice)))
    assert len(practices) >= 3
    for gp in practices:
        assert gp.initiative.status == InitiativeStatus.COMPLETED and gp.is_published and gp.contact
        assert gp.initiative.ends_on < gp.designated_at.date() and gp.designated_at < now
        for field in ("problem", "method", "results", "replication"):
            assert getattr(gp, field) and getattr(gp, f"{field}_html") == rich_text(getattr(gp, field)), (gp.title, field)
    cases = list(db.session.scalars(select(CaseHistory)))
    assert len(cases) == 2 and all(c.status == CaseStatus.PUBLISHED and c.published_at < now for c in cases)
    youth = [c for c in cases if c.youth_protagonists]
    assert len(youth) == 1
    assert {_region(c.territory) for c in cases} >= {"Emilia-Romagna"}
    for c in cases:
        assert c.initiative_id is not None and c.body_html == rich_text(c.body) and c.summary
        assert c.video_url == "" or c.video_url.startswith("https://")
        assert _count(CaseHistoryOrganization, CaseHistoryOrganization.case_id == c.id) >= 2
    images = [image for c in cases for image in c.images]
    assert images and all(len(image.alt_text) > 40 and uploads.path_of(image.file).exists() for image in images)
