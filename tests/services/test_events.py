"""Events: the draft's validation, dates across the DST changes, series, changes and
cancellations (with the registrants told), co-organisers, translations, and the calendars
(ranges, filters, hidden organisations, personal feed tokens).

The helpers at the top (``Org``, ``setup``, ``draft``, ``make_event``, ``soon``, ``told``)
are shared with ``test_registrations.py`` and ``test_ical.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.security.permissions import Permission
from app.security.policy import can
from app.services import calendars, events, registrations
from app.services.calendars import CalendarFilters
from app.services.events import ROME, EventDraft, SessionChange
from models import (
    Event,
    EventSession,
    MemberRole,
    Notification,
    Organization,
    OrganizerStatus,
    Recurrence,
    RegistrationStatus,
    SessionStatus,
    Territory,
    User,
    UserStatus,
)
from tests import factories

# ---------------------------------------------------------------- shared helpers


@dataclass
class Org:
    region: Territory
    province: Territory
    comune: Territory
    org: Organization
    boss: User  # admin of org


def setup(**org_extra: Any) -> Org:
    """A comune with an association whose admin publishes events."""
    region, province, comune = factories.chain()
    boss = factories.user(home=comune)
    org = factories.organization(home=comune, admin=boss, **org_extra)
    return Org(region, province, comune, org, boss)


def soon(days: int = 3) -> date:
    """A Rome day ``days`` from today."""
    return calendars.today_in_rome() + timedelta(days=days)


def draft(where: Territory, **changes: Any) -> EventDraft:
    values: dict[str, Any] = {
        "title": "Corso di italiano", "description": "Un corso di italiano per adulti, livello A1.", "kind": "italian_l2",
        "starts_on": soon(), "start_time": time(18), "end_time": time(20), "venue": "Biblioteca comunale",
        "address": "Via Roma 1", "territory": where.istat_code,
    }
    values.update(changes)
    return EventDraft(**values)


def make_event(o: Org, **changes: Any) -> Event:
    return events.create_event(o.boss, o.org, draft(o.comune, **changes))


def weekly(o: Org, weeks: int = 4, **changes: Any) -> Event:
    """A weekly series of ``weeks`` sessions from three days ahead."""
    first = changes.pop("starts_on", soon())
    return make_event(o, starts_on=first, recurrence="weekly", repeat_until=first + timedelta(weeks=weeks - 1), **changes)


def told(session: Any, kind: str, user: User | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.kind == kind)
    if user is not None:
        stmt = stmt.where(Notification.user_id == user.id)
    return list(session.scalars(stmt))


def rome(moment: datetime) -> datetime:
    return moment.astimezone(ROME)


def as_draft(event: Event, **changes: Any) -> EventDraft:
    """The draft the edit form would show for ``event``, with ``changes``."""
    first, last = rome(event.starts_at), rome(event.ends_at)
    values: dict[str, Any] = {
        "title": event.title, "description": event.description, "kind": event.kind.value, "starts_on": first.date(),
        "start_time": None if event.all_day else first.time(), "end_time": None if event.all_day else last.time(),
        "language": event.language, "action": event.action, "mode": event.mode.value, "venue": event.venue,
        "address": event.address, "territory": event.territory.istat_code, "online_url": event.online_url,
        "online_url_registrants_only": event.online_url_registrants_only, "all_day": event.all_day,
        "recurrence": event.recurrence.value, "registration_mode": event.registration_mode.value, "capacity": event.capacity,
        "languages": list(event.languages),
    }
    if event.is_series:
        values["repeat_until"] = rome(events.list_sessions(event)[-1].original_start).date()
    values.update(changes)
    return EventDraft(**values)


def errors_of(o: Org, **changes: Any) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        make_event(o, **changes)
    return caught.value.errors


# ---------------------------------------------------------------- the draft


def test_a_single_event_is_published_with_one_session_in_utc(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    day = soon()
    event = make_event(o, starts_on=day, capacity=30, languages=["it", "ar", "ar"], interpretation_languages=["uk"])
    [one] = events.list_sessions(event)
    assert one.starts_at == datetime.combine(day, time(18), tzinfo=ROME).astimezone(UTC)
    assert (one.original_start, one.ends_at - one.starts_at) == (one.starts_at, timedelta(hours=2))
    assert (event.starts_at, event.ends_at) == (one.starts_at, one.ends_at)
    assert event.recurrence == Recurrence.NONE and event.rrule == "" and not event.is_series
    assert event.territory_id == o.comune.id and event.languages == ["ar", "it"] and event.capacity == 30
    assert event.sequence == 0 and event.description_html.startswith("<p dir=\"auto\">")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Ciao"}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"title": "   \n\t  "}, "title"),
        ({"description": "Troppo corto."}, "description"),
        ({"description": "x" * 20_001}, "description"),
        ({"kind": "party"}, "kind"),
        ({"language": "xx"}, "language"),
        ({"action": "action_99"}, "action"),
        ({"mode": "teleport"}, "mode"),
        ({"venue": "   "}, "venue"),
        ({"territory": "Nessunluogo Immaginario"}, "territory"),
        ({"territory": ""}, "territory"),
        ({"mode": "online", "online_url": ""}, "online_url"),
        ({"mode": "online", "online_url": "http://meet.example.org/a"}, "online_url"),
        ({"mode": "hybrid", "online_url": "javascript:alert(1)"}, "online_url"),
        ({"mode": "online", "online_url": "https://localhost/a"}, "online_url"),
        ({"mode": "online", "online_url": "https://user@meet.example.org/a"}, "online_url"),
        ({"languages": ["x" * 17]}, "languages"),
        ({"accessibility_notes": "x" * 501}, "accessibility_notes"),
        ({"starts_on": None}, "starts_on"),
        ({"starts_on": date(1999, 12, 31)}, "starts_on"),
        ({"starts_on": date(2101, 1, 1)}, "starts_on"),
        ({"ends_on": soon() - timedelta(days=1)}, "ends_on"),
        ({"start_time": None}, "start_time"),
        ({"end_time": None}, "end_time"),
        ({"end_time": time(18)}, "end_time"),
        ({"end_time": time(17)}, "end_time"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"recurrence": "weekly"}, "repeat_until"),
        ({"recurrence": "weekly", "repeat_until": soon()}, "repeat_until"),
        ({"recurrence": "monthly", "repeat_until": soon() - timedelta(days=7)}, "repeat_until"),
        ({"recurrence": "weekly", "repeat_until": soon() + timedelta(days=367)}, "repeat_until"),
        ({"recurrence": "weekly", "repeat_until": soon() + timedelta(days=30), "ends_on": soon() + timedelta(days=1)}, "ends_on"),
        ({"registration_mode": "lottery"}, "registration_mode"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 100_001}, "capacity"),
        ({"lab_id": 987_654_321}, "lab_id"),
    ],
)
def test_each_wrong_field_is_reported_on_that_field_only(session, changes: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    assert set(errors_of(o, **changes)) == {field}
    assert session.scalar(select(Event).where(Event.organization_id == o.org.id)) is None


def test_every_wrong_field_is_reported_at_once(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    found = errors_of(o, title="", description="", kind="", language="", action="x", mode="online", online_url="ftp://x",
                      territory="", accessibility_notes="x" * 600, starts_on=None, recurrence="yearly", registration_mode="",
                      capacity=-1)
    assert set(found) == {"title", "description", "kind", "language", "action", "online_url", "territory",
                          "accessibility_notes", "starts_on", "recurrence", "registration_mode", "capacity"}


def test_online_events_need_an_https_link_and_no_venue(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, mode="online", venue="", address="", online_url="  https://meet.example.org/ponte?x=1 ")
    assert event.online_url == "https://meet.example.org/ponte?x=1" and event.venue == ""
    hybrid = make_event(o, mode="hybrid", online_url="https://meet.example.org/h")
    assert hybrid.venue == "Biblioteca comunale" and hybrid.online_url == "https://meet.example.org/h"
    in_person = make_event(o, online_url="https://meet.example.org/ignored")
    assert in_person.online_url == ""  # a link is kept only for events that happen online


def test_all_day_events_need_no_times_and_may_last_several_days(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, all_day=True, start_time=None, end_time=None, starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 3))
    [one] = events.list_sessions(event)
    # From midnight of the first day to midnight after the last one, in Rome (summer time: UTC+2).
    assert one.starts_at == datetime(2026, 4, 30, 22, 0, tzinfo=UTC)
    assert one.ends_at == datetime(2026, 5, 3, 22, 0, tzinfo=UTC)
    assert sorted(calendars.by_day([one])) == [date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)]
    single = make_event(o, all_day=True, start_time=None, end_time=None, starts_on=date(2026, 1, 10))
    [day] = events.list_sessions(single)
    assert (day.starts_at, day.ends_at) == (datetime(2026, 1, 9, 23, tzinfo=UTC), datetime(2026, 1, 10, 23, tzinfo=UTC))


def test_an_evening_event_ending_the_next_morning_is_accepted(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 7, 4), ends_on=date(2026, 7, 5), start_time=time(21), end_time=time(2))
    [night] = events.list_sessions(event)
    assert night.ends_at - night.starts_at == timedelta(hours=5)


def test_a_weekly_series_keeps_18_00_in_rome_across_the_change_to_summer_time(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    sessions = events.list_sessions(event)
    assert [rome(s.starts_at).date() for s in sessions] == [date(2026, 3, 18), date(2026, 3, 25), date(2026, 4, 1), date(2026, 4, 8)]
    assert {rome(s.starts_at).time() for s in sessions} == {time(18)}
    assert {rome(s.ends_at).time() for s in sessions} == {time(20)}
    # Summer time begins on Sunday 29 March 2026: 17:00 UTC before it, 16:00 UTC after.
    assert [s.starts_at.hour for s in sessions] == [17, 17, 16, 16]
    assert [s.starts_at.tzinfo for s in sessions] == [UTC] * 4
    assert event.rrule == "FREQ=WEEKLY;COUNT=4"


def test_a_weekly_series_keeps_18_00_in_rome_across_the_end_of_summer_time(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 10, 21), recurrence="weekly", repeat_until=date(2026, 11, 4))
    assert [s.starts_at.hour for s in events.list_sessions(event)] == [16, 17, 17]  # back to UTC+1 on 25 October


def test_a_monthly_series_repeats_on_the_same_day_of_the_month(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 1, 15), recurrence="monthly", repeat_until=date(2026, 6, 30))
    sessions = events.list_sessions(event)
    assert [rome(s.starts_at).date() for s in sessions] == [date(2026, m, 15) for m in range(1, 7)]
    assert [s.starts_at.hour for s in sessions] == [17, 17, 17, 16, 16, 16]  # summer time from 29 March
    assert event.rrule == "FREQ=MONTHLY;COUNT=6" and event.recurrence == Recurrence.MONTHLY


def test_a_monthly_series_on_the_31st_skips_shorter_months_as_rrule_does(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 1, 31), recurrence="monthly", repeat_until=date(2026, 8, 31))
    days = [rome(s.starts_at).date() for s in events.list_sessions(event)]
    assert days == [date(2026, 1, 31), date(2026, 3, 31), date(2026, 5, 31), date(2026, 7, 31), date(2026, 8, 31)]


def test_a_series_lasts_at_most_a_year(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    first = date(2026, 1, 1)
    longest = make_event(o, starts_on=first, recurrence="weekly", repeat_until=first + timedelta(days=366))
    assert len(events.list_sessions(longest)) == 53 <= events.MAX_SESSIONS
    assert set(errors_of(o, starts_on=first, recurrence="weekly", repeat_until=first + timedelta(days=367))) == {"repeat_until"}
    monthly = make_event(o, starts_on=first, recurrence="monthly", repeat_until=first + timedelta(days=366))
    assert len(events.list_sessions(monthly)) == 13


def test_only_organisers_publish_events(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    member = factories.member(o.org).user
    with pytest.raises(PermissionDenied):
        events.create_event(member, o.org, draft(o.comune))
    for role in (MemberRole.OFFICIAL, MemberRole.STAFF):
        person = factories.member(o.org, role=role).user
        assert events.create_event(person, o.org, draft(o.comune)).created_by_id == person.id
    assert events.create_event(factories.admin(), o.org, draft(o.comune)).organization_id == o.org.id
    o.org.is_hidden = True
    with pytest.raises(PermissionDenied):
        events.create_event(o.boss, o.org, draft(o.comune))
    assert o.org not in events.organizing_choices(o.boss)


def test_organizing_choices_lists_the_organisations_a_person_publishes_for(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    other = factories.organization()
    factories.member(other, o.boss)  # a plain member there
    assert events.organizing_choices(o.boss) == [o.org]


# ---------------------------------------------------------------- changing an event


def test_update_keeps_registrations_of_kept_dates_and_cancels_removed_ones(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=4)
    first, _, _, last = events.list_sessions(event)
    early, late = factories.user(), factories.user()
    registrations.register(early, first)
    registrations.register(late, last)
    events.update_event(o.boss, event, as_draft(event, repeat_until=soon() + timedelta(weeks=2)), event.version)
    sessions = events.list_sessions(event)
    assert [s.status for s in sessions] == [SessionStatus.SCHEDULED] * 3 + [SessionStatus.CANCELLED]
    assert sessions[0].id == first.id and registrations.registration_of(early, first).status == RegistrationStatus.CONFIRMED
    assert event.rrule == "FREQ=WEEKLY;COUNT=3"
    [gone] = told(session, "event.session_cancelled")
    assert gone.user_id == late.id and gone.target_id == event.id
    assert told(session, "event.session_cancelled", early) == []
    # Both were told the event changed (its dates did).
    assert {n.user_id for n in told(session, "event.changed")} == {early.id, late.id}


def test_update_adds_new_dates_when_a_series_grows(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2)
    before = [s.id for s in events.list_sessions(event)]
    events.update_event(o.boss, event, as_draft(event, repeat_until=soon() + timedelta(weeks=4)), event.version)
    sessions = events.list_sessions(event)
    assert [s.id for s in sessions[:2]] == before and len(sessions) == 5
    assert all(s.status == SessionStatus.SCHEDULED for s in sessions)


def test_a_new_time_for_the_series_moves_every_date_and_keeps_registrations(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=3)
    sessions = events.list_sessions(event)
    person = factories.user()
    registrations.register(person, sessions[1])
    events.update_event(o.boss, event, as_draft(event, start_time=time(18, 30), end_time=time(20, 30)), event.version)
    after = events.list_sessions(event)
    assert [s.id for s in after] == [s.id for s in sessions]
    assert {rome(s.starts_at).time() for s in after} == {time(18, 30)}
    assert all(s.status == SessionStatus.SCHEDULED and s.original_start == s.starts_at for s in after)
    assert registrations.registration_of(person, after[1]).status == RegistrationStatus.CONFIRMED
    assert told(session, "event.session_cancelled") == [] and len(told(session, "event.changed", person)) == 1


def test_moving_a_single_event_to_another_day_keeps_its_registrations(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, capacity=10)
    [one] = events.list_sessions(event)
    person = factories.user()
    registrations.register(person, one)
    events.update_event(o.boss, event, as_draft(event, starts_on=soon(10)), event.version)
    [moved] = events.list_sessions(event)
    assert moved.id == one.id and rome(moved.starts_at).date() == soon(10) and moved.original_start == moved.starts_at
    assert registrations.registration_of(person, moved).status == RegistrationStatus.CONFIRMED
    assert len(told(session, "event.changed", person)) == 1


def test_a_series_turned_into_a_single_date_keeps_that_date(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=3)
    sessions = events.list_sessions(event)
    events.update_event(o.boss, event, as_draft(event, starts_on=soon(10), recurrence="none", repeat_until=None), event.version)
    after = events.list_sessions(event)
    assert [s.status for s in after] == [SessionStatus.CANCELLED, SessionStatus.SCHEDULED, SessionStatus.CANCELLED]
    assert after[1].id == sessions[1].id and event.rrule == "" and not event.is_series


def test_sequence_grows_when_dates_or_place_change_not_for_wording(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    events.update_event(o.boss, event, as_draft(event, description="Una descrizione diversa, più lunga di prima."), event.version)
    assert event.sequence == 0
    events.update_event(o.boss, event, as_draft(event, venue="Sala del consiglio"), event.version)
    assert event.sequence == 1
    events.update_event(o.boss, event, as_draft(event, end_time=time(21)), event.version)
    assert event.sequence == 2
    events.update_event(o.boss, event, as_draft(event, mode="hybrid", online_url="https://meet.example.org/x"), event.version)
    assert event.sequence == 3


def test_an_edit_based_on_an_old_version_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    seen = event.version
    events.update_event(o.boss, event, as_draft(event, venue="Sala 2"), seen)
    with pytest.raises(Conflict):
        events.update_event(o.boss, event, as_draft(event, venue="Sala 3"), seen)
    assert event.venue == "Sala 2"


def test_an_edit_racing_another_transaction_is_a_conflict_not_an_error(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2)
    session.flush()
    # Someone else saved meanwhile: the row's version moved on behind this session's back.
    session.execute(text("UPDATE events SET version = version + 1 WHERE id = :id"), {"id": event.id})
    with pytest.raises(Conflict):
        events.update_event(o.boss, event, as_draft(event, venue="Sala 4"), event.version)


def test_a_cancelled_event_cannot_be_changed(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    events.cancel_event(o.boss, event, "Maltempo")
    with pytest.raises(Conflict):
        events.update_event(o.boss, event, as_draft(event), event.version)


def test_only_organisers_change_or_cancel(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    [one] = events.list_sessions(event)
    stranger = factories.user()
    with pytest.raises(PermissionDenied):
        events.update_event(stranger, event, as_draft(event), event.version)
    with pytest.raises(PermissionDenied):
        events.cancel_event(stranger, event, "Perché sì")
    with pytest.raises(PermissionDenied):
        events.cancel_session(stranger, one, "Perché sì")
    with pytest.raises(PermissionDenied):
        events.change_session(stranger, one, SessionChange(day=soon(5), start=time(9), end=time(10)))
    assert events.update_event(factories.admin(), event, as_draft(event, venue="Sala 9"), event.version).venue == "Sala 9"


def test_cancelling_an_event_tells_every_registrant_once(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2)
    first, second = events.list_sessions(event)
    both, waiting = factories.user(), factories.user()
    registrations.register(both, first)
    registrations.register(both, second)
    registrations.register(waiting, second)
    with pytest.raises(ValidationFailed) as caught:
        events.cancel_event(o.boss, event, " ")
    assert set(caught.value.errors) == {"reason"}
    events.cancel_event(o.boss, event, "Sala  inagibile\n")
    assert event.is_cancelled and event.cancel_reason == "Sala inagibile" and event.sequence == 1
    assert first.is_cancelled and second.is_cancelled
    assert sorted(n.user_id for n in told(session, "event.cancelled")) == sorted([both.id, waiting.id])
    assert told(session, "event.cancelled")[0].data["reason"] == "Sala inagibile"
    events.cancel_event(o.boss, event, "Di nuovo")  # a second cancel changes nothing
    assert event.cancel_reason == "Sala inagibile" and event.sequence == 1


def test_changing_one_session_moves_it_and_tells_its_registrants(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=3)
    first, second, _ = events.list_sessions(event)
    here, elsewhere = factories.user(), factories.user()
    registrations.register(here, second)
    registrations.register(elsewhere, first)
    new_day = rome(second.starts_at).date() + timedelta(days=1)
    events.change_session(o.boss, second, SessionChange(day=new_day, start=time(17), end=time(19), note="  Sala 2,\nprimo piano "))
    assert rome(second.starts_at) == datetime.combine(new_day, time(17), tzinfo=ROME)
    assert second.original_start != second.starts_at and second.is_changed and second.sequence == 1
    assert second.note == "Sala 2, primo piano"
    assert [n.user_id for n in told(session, "event.session_changed")] == [here.id]
    assert not first.is_changed and first.sequence == 0 and event.sequence == 0


def test_changing_a_session_checks_its_values(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2)
    first, second = events.list_sessions(event)
    with pytest.raises(ValidationFailed) as caught:
        events.change_session(o.boss, first, SessionChange(day=None, start=time(10), end=time(9), note="x" * 301))
    assert set(caught.value.errors) == {"day", "end_time", "note"}
    for far in (date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1)):
        with pytest.raises(ValidationFailed) as caught:
            events.change_session(o.boss, first, SessionChange(day=far, start=time(9), end=time(10)))
        assert set(caught.value.errors) == {"day"}
    events.cancel_session(o.boss, second, "Festa")
    with pytest.raises(Conflict):
        events.change_session(o.boss, second, SessionChange(day=soon(20), start=time(9), end=time(10)))


def test_changing_a_session_of_an_all_day_event_moves_the_whole_day(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, all_day=True, start_time=None, end_time=None)
    [one] = events.list_sessions(event)
    events.change_session(o.boss, one, SessionChange(day=date(2026, 8, 1)))
    assert (one.starts_at, one.ends_at) == (datetime(2026, 7, 31, 22, tzinfo=UTC), datetime(2026, 8, 1, 22, tzinfo=UTC))


def test_cancelling_one_session_leaves_the_others(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=3)
    first, second, third = events.list_sessions(event)
    person = factories.user()
    for s in (first, second, third):
        registrations.register(person, s)
    events.cancel_session(o.boss, second, "  Festa  patronale ")
    assert second.status == SessionStatus.CANCELLED and second.note == "Festa patronale" and second.sequence == 1
    assert first.status == third.status == SessionStatus.SCHEDULED and not event.is_cancelled
    assert len(told(session, "event.session_cancelled", person)) == 1
    events.cancel_session(o.boss, second, "Ancora")  # already cancelled: nothing more
    assert second.sequence == 1 and len(told(session, "event.session_cancelled", person)) == 1


def test_get_event_hides_events_of_hidden_organisations(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    assert events.get_event(None, event.id) is event
    o.org.is_hidden = True
    with pytest.raises(NotFound):
        events.get_event(None, event.id)
    with pytest.raises(NotFound):
        events.get_event(None, 987_654_321)
    other = make_event(setup())
    with pytest.raises(NotFound):
        events.get_session(other, events.list_sessions(event)[0].id)


def test_upcoming_sessions_leave_out_past_dates(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=3, starts_on=soon(-8))
    assert [rome(s.starts_at).date() for s in events.upcoming_sessions(event)] == [soon(6)]


# ---------------------------------------------------------------- co-organisers


def test_a_co_organiser_is_invited_and_its_admins_are_told(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    partner_boss = factories.user()
    partner = factories.organization(admin=partner_boss)
    invitation = events.invite_organizer(o.boss, event, partner.id)
    assert invitation.status == OrganizerStatus.INVITED
    assert [n.user_id for n in told(session, "event.organizer_invited")] == [partner_boss.id]
    assert events.organizers(event) == [] and events.organizers(event, include_pending=True) == [invitation]
    assert events.pending_organizer_invitations(partner_boss) == [invitation]
    assert events.pending_organizer_invitations(o.boss) == []
    assert events.get_organizer(event, partner.id) is invitation
    with pytest.raises(NotFound):
        events.get_organizer(event, o.org.id)


def test_inviting_oneself_a_hidden_or_unknown_organisation_or_twice_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    hidden = factories.organization(is_hidden=True)
    for org_id in (o.org.id, hidden.id, 987_654_321, 0):
        with pytest.raises(ValidationFailed):
            events.invite_organizer(o.boss, event, org_id)
    partner = factories.organization()
    events.invite_organizer(o.boss, event, partner.id)
    with pytest.raises(Conflict):
        events.invite_organizer(o.boss, event, partner.id)
    with pytest.raises(PermissionDenied):
        events.invite_organizer(factories.user(), event, factories.organization().id)


def test_an_accepted_co_organiser_manages_the_event(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    partner_boss = factories.user()
    partner = factories.organization(admin=partner_boss)
    partner_member = factories.member(partner).user
    invitation = events.invite_organizer(o.boss, event, partner.id)
    assert not can(partner_boss, Permission.EVENT_MANAGE, event)  # not before accepting
    with pytest.raises(PermissionDenied):
        events.decide_organizer(partner_member, invitation, accept=True)
    with pytest.raises(PermissionDenied):
        events.decide_organizer(o.boss, invitation, accept=True)  # the inviter cannot accept for them
    events.decide_organizer(partner_boss, invitation, accept=True)
    assert invitation.status == OrganizerStatus.ACCEPTED and invitation.decided_at is not None
    assert events.organizers(event) == [invitation] and events.pending_organizer_invitations(partner_boss) == []
    assert can(partner_boss, Permission.EVENT_MANAGE, event) and not can(partner_member, Permission.EVENT_MANAGE, event)
    changed = events.update_event(partner_boss, event, as_draft(event, venue="Sala del partner"), event.version)
    assert changed.venue == "Sala del partner"
    [one] = events.list_sessions(event)
    assert registrations.attendees(partner_boss, one) == []
    with pytest.raises(Conflict):
        events.decide_organizer(partner_boss, invitation, accept=True)  # already answered


def test_a_declined_invitation_cannot_be_accepted_later_but_can_be_renewed(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    partner_boss = factories.user()
    partner = factories.organization(admin=partner_boss)
    invitation = events.invite_organizer(o.boss, event, partner.id)
    events.decide_organizer(partner_boss, invitation, accept=False)
    assert invitation.status == OrganizerStatus.DECLINED and events.organizers(event, include_pending=True) == [invitation]
    with pytest.raises(Conflict):
        events.decide_organizer(partner_boss, invitation, accept=True)
    assert not can(partner_boss, Permission.EVENT_MANAGE, event)
    again = events.invite_organizer(o.boss, event, partner.id)  # the organisers may ask again after a no
    assert again is invitation and invitation.status == OrganizerStatus.INVITED
    with pytest.raises(Conflict):
        events.invite_organizer(o.boss, event, partner.id)  # but not twice while the question is open
    events.decide_organizer(partner_boss, invitation, accept=True)
    assert can(partner_boss, Permission.EVENT_MANAGE, event)


def test_a_co_organiser_that_withdraws_stops_managing(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    partner_boss = factories.user()
    invitation = events.invite_organizer(o.boss, event, factories.organization(admin=partner_boss).id)
    events.decide_organizer(partner_boss, invitation, accept=True)
    events.decide_organizer(partner_boss, invitation, accept=False)
    assert not can(partner_boss, Permission.EVENT_MANAGE, event) and events.organizers(event) == []


# ---------------------------------------------------------------- translations


def test_translations_are_added_changed_and_removed(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    added = events.set_translation(o.boss, event, "ar", "  دورة   اللغة الإيطالية ", "وصف **الدورة** <script>alert(1)</script>")
    assert added is not None and added.title == "دورة اللغة الإيطالية"
    assert "<strong>" in added.description_html and "<script" not in added.description_html
    events.set_translation(o.boss, event, "en", "Italian course", "")
    assert [t.language for t in events.translations(event)] == ["ar", "en"]
    changed = events.set_translation(o.boss, event, "en", "Italian class", "For adults.")
    assert changed is not None and changed.id == events.translations(event)[1].id and changed.title == "Italian class"
    assert events.set_translation(o.boss, event, "en", "  ", "") is None
    assert [t.language for t in events.translations(event)] == ["ar"]
    assert events.set_translation(o.boss, event, "fr", "", "") is None  # removing a missing one is fine


@pytest.mark.parametrize(
    ("language", "title", "description", "field"),
    [("it", "Titolo valido", "", "language"), ("xx", "Valid title", "", "language"), ("en", "Tiny", "", "title"),
     ("en", "x" * 161, "", "title"), ("en", "Valid title", "x" * 20_001, "description")],
)
def test_wrong_translations_are_refused(session, language: str, title: str, description: str, field: str) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    with pytest.raises(ValidationFailed) as caught:
        events.set_translation(o.boss, event, language, title, description)
    assert set(caught.value.errors) == {field}
    with pytest.raises(PermissionDenied):
        events.set_translation(factories.user(), event, "en", "Valid title", "")


def test_text_for_picks_the_readers_language_or_the_original(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    events.set_translation(o.boss, event, "en", "Italian course", "For **adults**.")
    events.set_translation(o.boss, event, "fr", "Cours d'italien", "")
    assert events.text_for(event, "en") == ("Italian course", '<p dir="auto">For <strong>adults</strong>.</p>\n', True)
    assert events.text_for(event, "fr") == ("Cours d'italien", event.description_html, True)  # no translated description
    assert events.text_for(event, "it") == (event.title, event.description_html, False)
    assert events.text_for(event, "uk") == (event.title, event.description_html, False)


# ---------------------------------------------------------------- calendars


def _between(start: date, end: date, viewer: User | None = None, **filters: Any) -> list[EventSession]:
    return calendars.sessions_between(CalendarFilters(**filters), viewer, start, end)


def test_a_day_is_a_rome_day_on_both_sides_of_the_dst_changes(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    # 00:30 in Rome is still the previous day in UTC, by one hour in winter and two in summer.
    march = make_event(o, starts_on=date(2026, 3, 29), start_time=time(0, 30), end_time=time(1, 15))
    april = make_event(o, starts_on=date(2026, 4, 1), start_time=time(0, 30), end_time=time(1, 15))
    late = make_event(o, starts_on=date(2026, 10, 25), start_time=time(23, 30), end_time=time(23, 45))
    assert events.list_sessions(april)[0].starts_at == datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    mine = {march.id, april.id, late.id}

    def found(start: date, end: date) -> list[int]:
        return [s.event_id for s in _between(start, end, organization=o.org.slug) if s.event_id in mine]

    assert found(date(2026, 3, 28), date(2026, 3, 29)) == []
    assert found(date(2026, 3, 29), date(2026, 3, 30)) == [march.id]
    assert found(date(2026, 3, 31), date(2026, 4, 1)) == []
    assert found(date(2026, 4, 1), date(2026, 4, 2)) == [april.id]
    assert found(date(2026, 10, 25), date(2026, 10, 26)) == [late.id]
    assert found(date(2026, 10, 26), date(2026, 10, 27)) == []
    assert found(date(2026, 3, 23), date(2026, 3, 30)) == [march.id]  # a week
    assert found(date(2026, 3, 1), date(2026, 11, 1)) == [march.id, april.id, late.id]


def test_sessions_between_lists_every_date_of_a_series_in_order(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=date(2026, 3, 18), recurrence="weekly", repeat_until=date(2026, 4, 8))
    events.cancel_session(o.boss, events.list_sessions(event)[1], "Festa")
    found = _between(date(2026, 3, 1), date(2026, 4, 30), organization=o.org.slug)
    assert [rome(s.starts_at).day for s in found] == [18, 25, 1, 8]
    assert [s.is_cancelled for s in found] == [False, True, False, False]  # cancelled dates are shown, marked


def test_filters_by_territory_include_the_territories_inside(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    here = make_event(o, starts_on=date(2026, 6, 10))
    elsewhere = setup()
    there = make_event(elsewhere, starts_on=date(2026, 6, 10))
    june = (date(2026, 6, 1), date(2026, 7, 1))
    for place in (o.region, o.province, o.comune):
        assert [s.event_id for s in _between(*june, territory=place.istat_code)] == [here.id]
    assert [s.event_id for s in _between(*june, territory=o.comune.name)] == [here.id]
    assert {here.id, there.id} <= {s.event_id for s in _between(*june)}


def test_filters_by_action_kind_language_and_organisation(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    day = date(2026, 6, 11)
    course = make_event(o, starts_on=day, action="action_02", languages=["ar", "uk"])
    assembly = make_event(o, starts_on=day, kind="assembly", language="en")
    other = setup()
    partner_event = make_event(other, starts_on=day, kind="festival")
    pending_event = make_event(other, starts_on=day, kind="festival")
    invitation = events.invite_organizer(other.boss, partner_event, o.org.id)
    events.decide_organizer(o.boss, invitation, accept=True)
    events.invite_organizer(other.boss, pending_event, o.org.id)  # not accepted: not ours

    def ids(**filters: Any) -> set[int]:
        return {s.event_id for s in _between(day, day + timedelta(days=1), territory=o.region.istat_code, **filters)}

    assert ids(action="action_02") == {course.id}
    assert ids(kind="assembly") == {assembly.id}
    assert ids(language="uk") == {course.id}
    assert ids(language="en") == {assembly.id}
    assert ids(language="it") == {course.id}
    assert ids(organization=o.org.slug) == {course.id, assembly.id}
    both = {s.event_id for s in _between(day, day + timedelta(days=1), organization=o.org.slug)}
    assert both == {course.id, assembly.id, partner_event.id}
    assert {s.event_id for s in _between(day, day + timedelta(days=1), organization=other.org.slug)} == {partner_event.id, pending_event.id}


def test_the_mine_filter_lists_only_my_active_registrations(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    kept, dropped, ignored = make_event(o), make_event(o), make_event(o)
    person = factories.user()
    registrations.register(person, events.list_sessions(kept)[0])
    registrations.register(person, events.list_sessions(dropped)[0])
    registrations.cancel_registration(person, events.list_sessions(dropped)[0])
    assert [s.event_id for s in _between(soon(), soon(4), person, mine=True)] == [kept.id]
    assert ignored.id in {s.event_id for s in _between(soon(), soon(4), person)}
    with pytest.raises(ValidationFailed) as caught:
        _between(soon(), soon(4), None, mine=True)
    assert set(caught.value.errors) == {"mine"}


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"territory": "Nessunluogo Immaginario"}, "territory"), ({"action": "action_9"}, "action"), ({"kind": "rave"}, "kind"),
     ({"organization": "no-such-org"}, "organization"), ({"language": "xx"}, "language"),
     ({"language": "%"}, "language"), ({"kind": "' OR 1=1 --"}, "kind")],
)
def test_bad_filters_are_refused(session, filters: dict, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        _between(soon(), soon(4), **filters)
    assert set(caught.value.errors) == {field}


def test_events_of_hidden_organisations_are_left_out_of_calendars(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    assert [s.event_id for s in _between(soon(), soon(4), territory=o.comune.istat_code)] == [event.id]
    o.org.is_hidden = True
    session.flush()
    assert _between(soon(), soon(4), territory=o.comune.istat_code) == []
    assert calendars.agenda(CalendarFilters(territory=o.comune.istat_code), None, soon(-1)).items == []
    assert calendars.upcoming_for_territory(o.comune) == [] and calendars.upcoming_for_organization(o.org) == []
    assert calendars.feed_events(CalendarFilters(territory=o.comune.istat_code)) == []


def test_agenda_pages_through_upcoming_sessions(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=25, starts_on=soon(-14))
    filters = CalendarFilters(organization=o.org.slug)
    first = calendars.agenda(filters, None, calendars.today_in_rome())
    assert len(first.items) == calendars.AGENDA_PER_PAGE and first.has_next and not first.has_prev
    second = calendars.agenda(filters, None, calendars.today_in_rome(), page=2)
    assert len(second.items) == 23 - calendars.AGENDA_PER_PAGE and not second.has_next
    assert [s.event_id for s in first.items] == [event.id] * calendars.AGENDA_PER_PAGE
    # The agenda starts at the beginning of today (Rome): today's session is listed even once it has begun.
    assert calendars.local(first.items[0].starts_at).date() == calendars.today_in_rome()


def test_upcoming_lists_for_organisation_and_territory_pages(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    past = make_event(o, starts_on=soon(-3))
    cancelled = make_event(o)
    events.cancel_event(o.boss, cancelled, "Annullato")
    coming = weekly(o, weeks=2)
    partner = setup()
    shared = make_event(partner, starts_on=soon(1))
    events.decide_organizer(o.boss, events.invite_organizer(partner.boss, shared, o.org.id), accept=True)
    assert [s.event_id for s in calendars.upcoming_for_organization(o.org)] == [shared.id, coming.id, coming.id]
    assert [s.event_id for s in calendars.upcoming_for_territory(o.region)] == [coming.id, coming.id]
    assert past.id not in {s.event_id for s in calendars.upcoming_for_territory(o.comune)}
    assert len(calendars.upcoming_for_organization(o.org, limit=1)) == 1


def test_feed_events_and_their_sessions(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    long_ago = make_event(o, starts_on=soon(-40))
    recent = make_event(o, starts_on=soon(-10))
    series = weekly(o, weeks=3)
    found = calendars.feed_events(CalendarFilters(organization=o.org.slug))
    assert [e.id for e in found] == [recent.id, series.id]
    assert long_ago not in found
    by_event = calendars.sessions_of(found)
    assert [len(by_event[e.id]) for e in found] == [1, 3]
    assert calendars.sessions_of([]) == {}
    assert calendars.feed_events(CalendarFilters(organization=o.org.slug, kind="assembly")) == []


def test_registered_sessions_lists_my_active_dates(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    series = weekly(o, weeks=3, capacity=1)
    first, second, third = events.list_sessions(series)
    person = factories.user()
    registrations.register(factories.user(), second)
    for s in (first, second, third):
        registrations.register(person, s)
    registrations.cancel_registration(person, third)
    assert [s.id for s in calendars.registered_sessions(person)] == [first.id, second.id]  # the waiting one too


def test_month_grid_weeks_and_dates_from_the_address(session) -> None:  # type: ignore[no-untyped-def]
    grid = calendars.month_grid(2026, 3)
    assert grid[0][0] == date(2026, 2, 23) and grid[-1][-1] == date(2026, 4, 5) and all(len(w) == 7 for w in grid)
    assert calendars.week_start(date(2026, 3, 29)) == date(2026, 3, 23)
    assert calendars.parse_day("2026-03", date(2000, 1, 1)) == date(2026, 3, 1)
    assert calendars.parse_day(" 2026-03-29 ", date(2000, 1, 1)) == date(2026, 3, 29)
    assert calendars.parse_day("", date(2001, 2, 3)) == date(2001, 2, 3)
    for raw in ("2026-13", "29/03/2026", "1999-12-31", "9999-01-01", "2026-03-29'--", "x" * 500):
        with pytest.raises(ValidationFailed):
            calendars.parse_day(raw, date(2000, 1, 1))


# ---------------------------------------------------------------- personal feed tokens


def test_a_calendar_token_finds_its_owner_until_replaced_or_revoked(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    assert not calendars.has_calendar_token(person)
    first = calendars.issue_calendar_token(person)
    assert len(first) >= 32 and calendars.has_calendar_token(person)
    assert calendars.user_for_calendar_token(first) is person
    second = calendars.issue_calendar_token(person)
    assert second != first and calendars.user_for_calendar_token(second) is person
    with pytest.raises(NotFound):
        calendars.user_for_calendar_token(first)  # the old address stops working
    calendars.revoke_calendar_token(person)
    assert not calendars.has_calendar_token(person)
    with pytest.raises(NotFound):
        calendars.user_for_calendar_token(second)
    calendars.revoke_calendar_token(person)  # revoking twice is fine


def test_calendar_tokens_of_others_garbage_and_suspended_accounts_find_nobody(session) -> None:  # type: ignore[no-untyped-def]
    alice, bob = factories.user(), factories.user()
    secret = calendars.issue_calendar_token(alice)
    bob_secret = calendars.issue_calendar_token(bob)
    assert calendars.user_for_calendar_token(bob_secret) is bob and calendars.user_for_calendar_token(secret) is alice
    for garbage in ("", "x", secret[:-1], secret + "x", secret.upper() if secret.upper() != secret else secret + "A", "' OR 1=1 --"):
        with pytest.raises(NotFound):
            calendars.user_for_calendar_token(garbage)
    alice.status = UserStatus.SUSPENDED
    with pytest.raises(NotFound):
        calendars.user_for_calendar_token(secret)


def test_an_event_links_to_its_organisation_s_labs_or_a_lab_of_its_place(session) -> None:  # type: ignore[no-untyped-def]
    from app.services import labs

    o = setup(verified=True)
    own = labs.create_lab(o.boss, o.org, labs.LabDraft(title="Laboratorio del quartiere", description="Un laboratorio per il quartiere e le sue scuole.",
                                                       territory=o.comune.istat_code, proposals_on=soon(-1)))
    other = setup(verified=True)
    theirs = labs.create_lab(other.boss, other.org, labs.LabDraft(title="Laboratorio di altri", description="Un laboratorio di un'altra associazione.",
                                                                  territory=other.comune.istat_code, proposals_on=soon(-1)))
    assert make_event(o, lab_id=own.id).lab_id == own.id
    assert set(errors_of(o, lab_id=theirs.id)) == {"lab_id"}  # another organisation's lab somewhere else
    here = labs.create_lab(other.boss, other.org, labs.LabDraft(title="Laboratorio della regione", description="Un laboratorio per tutta la regione.",
                                                                territory=o.region.istat_code, proposals_on=soon(-1)))
    assert make_event(o, lab_id=here.id).lab_id == here.id  # an activity inside a lab that covers the event's place
