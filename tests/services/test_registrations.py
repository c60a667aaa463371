"""Registrations: places and the waiting list in arrival order, promotion when a place frees up,
approval, attendance, the organisers' list and CSV, the online link, and the reminders sent the
day before (service and ``flask events send-reminders``)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import events, registrations, reminders
from models import EventSession, Registration, RegistrationStatus, User, UserStatus
from models.base import utcnow
from tests import factories
from tests.services.test_events import as_draft, make_event, setup, soon, told, weekly

CONFIRMED, WAITING, PENDING = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.PENDING
DECLINED, CANCELLED = RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED


def one_session(capacity: int | None = None, **changes: Any) -> tuple[Any, EventSession]:
    o = setup()
    event = make_event(o, capacity=capacity, **changes)
    return o, events.list_sessions(event)[0]


def people(n: int) -> list[User]:
    return [factories.user() for _ in range(n)]


def statuses(session_row: EventSession, persons: list[User]) -> list[RegistrationStatus | None]:
    found = [registrations.registration_of(p, session_row) for p in persons]
    return [r.status if r else None for r in found]


def counts(session, session_row: EventSession) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(confirmed_count, waiting_count) as stored, checked against the rows."""
    session.refresh(session_row)
    for status, stored in ((CONFIRMED, session_row.confirmed_count), (WAITING, session_row.waiting_count)):
        rows = session.scalar(select(func.count()).select_from(Registration).where(
            Registration.session_id == session_row.id, Registration.status == status))
        assert rows == stored, (status, rows, stored)
    return session_row.confirmed_count, session_row.waiting_count


# ---------------------------------------------------------------- places and the waiting list


def test_places_go_in_arrival_order_then_the_waiting_list(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=3)
    crowd = people(5)
    results = [registrations.register(p, row) for p in crowd]
    assert [created for _, created in results] == [True] * 5
    assert [r.status for r, _ in results] == [CONFIRMED] * 3 + [WAITING] * 2
    positions = [r.position for r, _ in results]
    assert positions == sorted(positions) and len(set(positions)) == 5
    assert counts(session, row) == (3, 2) and events.places_left(row) == 0 and events.capacity_of(row) == 3
    assert [registrations.waiting_rank(r) for r, _ in results] == [None, None, None, 1, 2]


def test_without_a_capacity_everyone_is_confirmed(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=None)
    assert statuses(row, [p for p in people(4) if registrations.register(p, row)]) == [CONFIRMED] * 4
    assert events.places_left(row) is None


def test_a_freed_place_goes_to_the_first_person_waiting_who_is_told(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=2)
    a, b, c, d = people(4)
    for p in (a, b, c, d):
        registrations.register(p, row)
    assert registrations.cancel_registration(a, row)
    assert statuses(row, [a, b, c, d]) == [CANCELLED, CONFIRMED, CONFIRMED, WAITING]
    assert [n.user_id for n in told(session, "event.promoted")] == [c.id]
    assert registrations.registration_of(c, row).decided_at is not None
    assert registrations.waiting_rank(registrations.registration_of(d, row)) == 1
    assert registrations.cancel_registration(b, row)
    assert statuses(row, [b, c, d]) == [CANCELLED, CONFIRMED, CONFIRMED]
    assert sorted(n.user_id for n in told(session, "event.promoted")) == sorted([c.id, d.id])
    assert counts(session, row) == (2, 0)
    assert not registrations.cancel_registration(a, row)  # nothing left to cancel
    assert not registrations.cancel_registration(factories.user(), row)


def test_leaving_the_waiting_list_moves_the_others_up_without_promoting(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=1)
    a, b, c, d = people(4)
    for p in (a, b, c, d):
        registrations.register(p, row)
    registrations.cancel_registration(b, row)
    assert statuses(row, [a, b, c, d]) == [CONFIRMED, CANCELLED, WAITING, WAITING]
    assert [registrations.waiting_rank(registrations.registration_of(p, row)) for p in (c, d)] == [1, 2]
    assert told(session, "event.promoted") == [] and counts(session, row) == (1, 2)


def test_more_places_go_to_the_waiting_list_in_order(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=1)
    crowd = people(5)
    for p in crowd:
        registrations.register(p, row)
    registrations.set_capacity(o.boss, row, 3)
    assert statuses(row, crowd) == [CONFIRMED] * 3 + [WAITING] * 2
    assert [n.user_id for n in told(session, "event.promoted")] == sorted([crowd[1].id, crowd[2].id])
    registrations.set_capacity(o.boss, row, 2)  # fewer places: nobody loses theirs
    assert statuses(row, crowd) == [CONFIRMED] * 3 + [WAITING] * 2 and events.places_left(row) == 0
    registrations.cancel_registration(crowd[0], row)  # 2 confirmed for 2 places: nobody moves up
    assert statuses(row, crowd)[3:] == [WAITING, WAITING]
    registrations.set_capacity(o.boss, row, None)  # back to the event's capacity (1)
    assert events.capacity_of(row) == 1 and counts(session, row) == (2, 2)


def test_set_capacity_is_for_organisers_and_checks_the_number(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=5)
    for bad in (0, -3, 100_001):
        with pytest.raises(ValidationFailed) as caught:
            registrations.set_capacity(o.boss, row, bad)
        assert set(caught.value.errors) == {"capacity"}
    with pytest.raises(PermissionDenied):
        registrations.set_capacity(factories.user(), row, 50)
    assert row.capacity is None


def test_a_bigger_event_capacity_promotes_the_waiting_lists_of_every_date(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2, capacity=1)
    first, second = events.list_sessions(event)
    a, b, c = people(3)
    for row in (first, second):
        for p in (a, b, c):
            registrations.register(p, row)
    registrations.set_capacity(o.boss, second, 1)  # this date keeps its own capacity
    events.update_event(o.boss, event, as_draft(event, capacity=2), event.version)
    assert statuses(first, [a, b, c]) == [CONFIRMED, CONFIRMED, WAITING]
    assert statuses(second, [a, b, c]) == [CONFIRMED, WAITING, WAITING]
    events.update_event(o.boss, event, as_draft(event, capacity=None), event.version)
    assert statuses(first, [a, b, c]) == [CONFIRMED] * 3 and counts(session, first) == (3, 0)


def test_registering_twice_changes_nothing(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=1)
    a, b = people(2)
    first, created = registrations.register(a, row)
    again, created_again = registrations.register(a, row)
    assert created and not created_again and again.id == first.id
    waiting, _ = registrations.register(b, row)
    assert registrations.register(b, row) == (waiting, False)
    assert counts(session, row) == (1, 1)


def test_the_database_holds_one_registration_per_person_and_session(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session()
    person = factories.user()
    registrations.register(person, row)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Registration(session_id=row.id, user_id=person.id, status=WAITING, position=99))
    assert session.scalar(select(func.count()).select_from(Registration).where(Registration.session_id == row.id)) == 1


def test_registering_again_after_cancelling_goes_to_the_back_of_the_queue(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=1)
    a, b, c = people(3)
    for p in (a, b, c):
        registrations.register(p, row)
    registrations.cancel_registration(b, row)
    again, created = registrations.register(b, row)
    assert created and again.status == WAITING
    assert again.position > registrations.registration_of(c, row).position
    assert registrations.waiting_rank(again) == 2
    registrations.cancel_registration(a, row)  # c was waiting first, so c gets the place
    assert statuses(row, [a, b, c]) == [CANCELLED, WAITING, CONFIRMED]
    assert session.scalar(select(func.count()).select_from(Registration).where(Registration.user_id == b.id)) == 1


def test_approval_mode_waits_for_the_organisers(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=1, registration_mode="approval")
    a, b, c = people(3)
    requests = [registrations.register(p, row)[0] for p in (a, b, c)]
    assert [r.status for r in requests] == [PENDING] * 3 and counts(session, row) == (0, 0)
    with pytest.raises(PermissionDenied):
        registrations.decide_registration(a, requests[1], approve=True)
    registrations.decide_registration(o.boss, requests[0], approve=True)
    registrations.decide_registration(o.boss, requests[1], approve=True)  # full: the waiting list
    registrations.decide_registration(o.boss, requests[2], approve=False)
    assert statuses(row, [a, b, c]) == [CONFIRMED, WAITING, DECLINED] and counts(session, row) == (1, 1)
    decided = {n.user_id: n.data["status"] for n in told(session, "event.registration_decided")}
    assert decided == {a.id: "confirmed", b.id: "waiting", c.id: "declined"}
    with pytest.raises(Conflict):
        registrations.decide_registration(o.boss, requests[2], approve=True)  # already answered
    registrations.cancel_registration(a, row)  # the approved person waiting gets the place
    assert statuses(row, [a, b]) == [CANCELLED, CONFIRMED]
    again, created = registrations.register(c, row)  # a declined person may ask again: pending once more
    assert created and again.status == PENDING


def test_register_series_takes_each_upcoming_date_and_skips_past_and_cancelled_ones(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=4, starts_on=soon(-7), capacity=1)
    past, cancelled, full, free = events.list_sessions(event)
    events.cancel_session(o.boss, cancelled, "Festa")
    registrations.register(factories.user(), full)
    person = factories.user()
    done = registrations.register_series(person, event)
    assert [r.session_id for r in done] == [full.id, free.id]
    assert statuses(full, [person]) == [WAITING] and statuses(free, [person]) == [CONFIRMED]
    assert registrations.registration_of(person, past) is None and registrations.registration_of(person, cancelled) is None
    assert registrations.register_series(person, event) == []  # already in: nothing new, no error
    assert set(registrations.my_registrations(person, event)) == {full.id, free.id}
    assert registrations.my_registrations(None, event) == {}


def test_register_series_with_nothing_left_is_a_conflict(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = weekly(o, weeks=2, starts_on=soon(-14))
    with pytest.raises(Conflict):
        registrations.register_series(factories.user(), event)


@pytest.mark.parametrize("case", ["event_cancelled", "unconfirmed", "suspended", "hidden_org"])
def test_registration_is_forbidden_for_cancelled_events_and_unconfirmed_people(session, case: str) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session()
    person = factories.user(confirmed=case != "unconfirmed")
    if case == "event_cancelled":
        events.cancel_event(o.boss, row.event, "Maltempo")
    elif case == "suspended":
        person.status = UserStatus.SUSPENDED
    elif case == "hidden_org":
        o.org.is_hidden = True
    with pytest.raises(PermissionDenied):
        registrations.register(person, row)
    assert registrations.registration_of(person, row) is None


@pytest.mark.parametrize("case", ["session_cancelled", "started", "past", "closed"])
def test_registration_is_refused_with_a_reason(session, case: str) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    if case == "past":
        event = make_event(o, starts_on=soon(-2), all_day=True, start_time=None, end_time=None)
    else:
        event = make_event(o, registration_mode="closed" if case == "closed" else "open")
    [row] = events.list_sessions(event)
    if case == "started":  # a timed date that began an hour ago
        row.starts_at, row.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
        session.flush()
    if case == "session_cancelled":
        events.cancel_session(o.boss, row, "Festa")
    person = factories.user()
    reason = registrations.registration_problem(person, row)
    assert reason
    with pytest.raises(Conflict) as caught:
        registrations.register(person, row)
    assert str(caught.value) == reason
    assert registrations.registration_of(person, row) is None


def test_an_all_day_event_takes_registrations_until_its_day_is_over(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o, starts_on=events.local(utcnow()).date(), all_day=True, start_time=None, end_time=None)
    [row] = events.list_sessions(event)
    person = factories.user()
    assert registrations.registration_problem(person, row) is None
    assert registrations.register(person, row)[1] is True


def test_registration_problem_asks_anonymous_people_to_log_in(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session()
    assert registrations.registration_problem(None, row)
    assert registrations.registration_problem(factories.user(confirmed=False), row)
    assert registrations.registration_problem(factories.user(), row) is None
    assert registrations.registration_of(None, row) is None


# ---------------------------------------------------------------- attendance and the attendee list


def test_only_confirmed_people_are_checked_in_by_organisers(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=1)
    a, b = people(2)
    confirmed, _ = registrations.register(a, row)
    waiting, _ = registrations.register(b, row)
    with pytest.raises(PermissionDenied):
        registrations.set_attended(a, confirmed, attended=True)
    registrations.set_attended(o.boss, confirmed, attended=True)
    assert confirmed.attended_at is not None
    registrations.set_attended(o.boss, confirmed, attended=False)
    assert confirmed.attended_at is None
    with pytest.raises(Conflict):
        registrations.set_attended(o.boss, waiting, attended=True)
    assert registrations.get_registration(row, waiting.id) is waiting
    _, other = one_session()
    with pytest.raises(NotFound):
        registrations.get_registration(other, waiting.id)


def test_the_attendee_list_is_for_organisers_confirmed_first_then_the_queue(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=2)
    a, b, c, d, e = people(5)
    for p in (a, b, c, d, e):
        registrations.register(p, row)
    registrations.cancel_registration(a, row)  # c moves up
    for outsider in (a, b, factories.user(), factories.member(o.org).user):
        with pytest.raises(PermissionDenied):
            registrations.attendees(outsider, row)
        with pytest.raises(PermissionDenied):
            registrations.attendees_csv(outsider, row)
    listed = registrations.attendees(o.boss, row)
    assert [(r.user_id, r.status) for r in listed] == [(b.id, CONFIRMED), (c.id, CONFIRMED), (d.id, WAITING), (e.id, WAITING),
                                                        (a.id, CANCELLED)]
    assert registrations.attendees(factories.admin(), row) == listed


def test_the_attendee_csv_is_formula_safe(session) -> None:  # type: ignore[no-untyped-def]
    o, row = one_session(capacity=1)
    evil = factories.user(name='=HYPERLINK("http://evil.example","x")')
    plus, at = factories.user(name="+39 333 1234567"), factories.user(name="@SUM(A1:A9)")
    tab = factories.user(name="\tcmd|' /C calc'!A0")
    for p in (evil, plus, at, tab):
        registrations.register(p, row)
    registrations.set_attended(o.boss, registrations.registration_of(evil, row), attended=True)
    body = registrations.attendees_csv(o.boss, row)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == ["name", "email", "status", "queue_position", "registered_at", "attended"]
    assert [r[0] for r in rows[1:]] == ["'" + evil.display_name, "'" + plus.display_name, "'" + at.display_name, "'" + tab.display_name]
    assert [r[2] for r in rows[1:]] == ["confirmed", "waiting", "waiting", "waiting"]
    assert [r[3] for r in rows[1:]] == ["", "1", "2", "3"]
    assert rows[1][5] == "yes" and rows[2][5] == ""
    for line in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in line), line


def test_waiting_rank_counts_only_people_waiting_ahead(session) -> None:  # type: ignore[no-untyped-def]
    _, row = one_session(capacity=1)
    crowd = people(4)
    regs = [registrations.register(p, row)[0] for p in crowd]
    registrations.cancel_registration(crowd[2], row)
    assert [registrations.waiting_rank(r) for r in regs] == [None, 1, None, 2]


@pytest.mark.parametrize(("registrants_only", "who", "sees"), [
    (False, "anonymous", True), (False, "stranger", True),
    (True, "anonymous", False), (True, "stranger", False), (True, "waiting", False), (True, "pending", False),
    (True, "confirmed", True), (True, "organiser", True), (True, "admin", True),
])
def test_the_online_link_is_shown_to_registrants_when_the_organisers_want(session, registrants_only: bool, who: str, sees: bool) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    mode = "approval" if who == "pending" else "open"
    event = make_event(o, mode="online", venue="", online_url="https://meet.example.org/x", capacity=1,
                       online_url_registrants_only=registrants_only, registration_mode=mode)
    [row] = events.list_sessions(event)
    if who == "waiting":
        registrations.register(factories.user(), row)  # the only place goes to someone else
    viewer: User | None = {"anonymous": None, "organiser": o.boss, "admin": factories.admin()}.get(who, factories.user())
    if who in ("waiting", "pending", "confirmed"):
        registrations.register(viewer, row)
    mine = registrations.my_registrations(viewer, event)
    assert registrations.can_see_online_link(viewer, event, mine) is sees


def test_no_link_nothing_to_see(session) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    event = make_event(o)
    assert not registrations.can_see_online_link(o.boss, event, {})


# ---------------------------------------------------------------- reminders


def reminder_setup(hours: float = 10, **changes: Any) -> tuple[Any, EventSession]:
    """A session starting ``hours`` from now (Rome wall time rounded to the minute)."""
    o = setup()
    start = events.local(utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    end = (start + timedelta(hours=1))
    event = make_event(o, starts_on=start.date(), start_time=start.time(), end_time=end.time(),
                       ends_on=end.date() if end.date() != start.date() else None, **changes)
    return o, events.list_sessions(event)[0]


def test_due_reminders_are_confirmed_registrations_of_the_next_24_hours(session) -> None:  # type: ignore[no-untyped-def]
    _, row = reminder_setup(hours=10, capacity=1)
    _, later = reminder_setup(hours=30)
    confirmed, waiting = people(2)
    registrations.register(confirmed, row)
    registrations.register(waiting, row)
    registrations.register(confirmed, later)
    due = registrations.due_reminders()
    mine = [r for r in due if r.session_id in (row.id, later.id)]
    assert [(r.user_id, r.session_id) for r in mine] == [(confirmed.id, row.id)]
    def due_for_row(hours: float) -> bool:
        return any(r.session_id == row.id for r in registrations.due_reminders(utcnow() + timedelta(hours=hours)))

    assert not due_for_row(-14.1) and due_for_row(-13.9)  # from 24 hours before
    assert due_for_row(9.9) and not due_for_row(10)  # until it starts


def test_a_reminder_is_claimed_once(session) -> None:  # type: ignore[no-untyped-def]
    _, row = reminder_setup()
    registration, _ = registrations.register(factories.user(), row)
    assert registrations.claim_reminder(registration)
    assert not registrations.claim_reminder(registration)
    session.refresh(registration)
    assert registration.reminder_sent_at is not None


def _mine(outbox: list, person: User) -> list:
    return [m for m in outbox if m.to == person.email]


def test_send_due_mails_each_confirmed_person_once_in_their_language(session, outbox) -> None:  # type: ignore[no-untyped-def]
    o, row = reminder_setup(hours=5, capacity=2, mode="hybrid", online_url="https://meet.example.org/ponte",
                            online_url_registrants_only=True)
    events.set_translation(o.boss, row.event, "en", "Italian course for adults", "")
    italian, english, arabic, waiting = (factories.user(locale="it"), factories.user(locale="en"),
                                         factories.user(locale="ar"), factories.user(locale="en"))
    for p in (italian, english):
        registrations.register(p, row)
    registrations.register(waiting, row)
    registrations.set_capacity(o.boss, row, 3)  # waiting moves up: now confirmed too
    registrations.register(arabic, row)  # no place left: waiting
    sent, seen = reminders.send_due()
    assert outbox == []  # mails leave only after the commit
    db.commit()
    assert sent == 3 and seen >= 3
    assert {m.to for m in outbox} == {italian.email, english.email, waiting.email}
    [en] = _mine(outbox, english)
    assert en.subject == "Reminder: Italian course for adults"
    assert "Hello" in en.text and "Biblioteca comunale, Via Roma 1" in en.text
    assert "https://meet.example.org/ponte" in en.text and f"https://ponte.test/events/{row.event_id}" in en.text
    assert en.html and f"https://ponte.test/events/{row.event_id}" in en.html
    [it] = _mine(outbox, italian)
    assert row.event.title in it.subject and it.subject != en.subject
    start = events.local(row.starts_at).strftime("%H:%M")
    assert start in it.text and start in en.text
    assert {n.user_id for n in told(session, "event.reminder")} == {italian.id, english.id, waiting.id}
    outbox.clear()
    assert reminders.send_due() == (0, 0)  # a second run sends nothing
    db.commit()
    assert outbox == [] and len(told(session, "event.reminder")) == 3


def test_a_reminder_claimed_by_another_run_meanwhile_is_not_sent(session, outbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, row = reminder_setup()
    a, b = people(2)
    ra, _ = registrations.register(a, row)
    registrations.register(b, row)
    stale = registrations.due_reminders()  # what this run saw before another run claimed a's reminder
    monkeypatch.setattr(registrations, "due_reminders", lambda now=None, limit=1000: [r for r in stale if r.session_id == row.id])
    session.execute(update(Registration).where(Registration.id == ra.id).values(reminder_sent_at=utcnow()),
                    execution_options={"synchronize_session": False})
    sent, seen = reminders.send_due()
    db.commit()
    assert (sent, seen) == (1, 2)
    assert [m.to for m in outbox] == [b.email] and [n.user_id for n in told(session, "event.reminder")] == [b.id]


@pytest.mark.parametrize("case", ["session_cancelled", "event_cancelled", "registration_cancelled", "suspended", "started"])
def test_no_reminder_for_cancelled_dates_or_people_who_left(session, outbox, case: str) -> None:  # type: ignore[no-untyped-def]
    o, row = reminder_setup()
    person = factories.user()
    registrations.register(person, row)
    if case == "session_cancelled":
        events.cancel_session(o.boss, row, "Festa")
    elif case == "event_cancelled":
        events.cancel_event(o.boss, row.event, "Maltempo")
    elif case == "registration_cancelled":
        registrations.cancel_registration(person, row)
    elif case == "suspended":
        person.status = UserStatus.SUSPENDED
    elif case == "started":
        row.starts_at = utcnow() - timedelta(minutes=1)
    session.flush()
    reminders.send_due()
    db.commit()
    assert _mine(outbox, person) == [] and told(session, "event.reminder", person) == []


def test_registering_again_after_a_reminder_does_not_send_another(session, outbox) -> None:  # type: ignore[no-untyped-def]
    _, row = reminder_setup()
    person = factories.user()
    registrations.register(person, row)
    reminders.send_due()
    registrations.cancel_registration(person, row)
    registrations.register(person, row)
    reminders.send_due()
    db.commit()
    assert len(_mine(outbox, person)) == 1


def test_a_moved_date_gets_a_reminder_for_its_new_time(session, outbox) -> None:  # type: ignore[no-untyped-def]
    o, row = reminder_setup(hours=5)
    person = factories.user()
    registrations.register(person, row)
    reminders.send_due()
    later = events.local(row.starts_at + timedelta(hours=2))
    if (later + timedelta(minutes=30)).date() != later.date():  # keep the moved date within one day
        later = events.local(row.starts_at - timedelta(hours=2))
    events.change_session(o.boss, row, events.SessionChange(day=later.date(), start=later.time(),
                                                            end=(later + timedelta(minutes=30)).time(), note="Sala 3"))
    reminders.send_due()
    db.commit()
    _, second = _mine(outbox, person)
    assert later.strftime("%H:%M") in second.text and "Sala 3" in second.text
    assert len(told(session, "event.reminder", person)) == 2


def test_all_day_reminders_name_the_day(session, outbox) -> None:  # type: ignore[no-untyped-def]
    o = setup()
    tomorrow = events.local(utcnow()).date() + timedelta(days=1)
    event = make_event(o, starts_on=tomorrow, all_day=True, start_time=None, end_time=None, mode="online", venue="",
                       online_url="https://meet.example.org/day")
    [row] = events.list_sessions(event)
    person = factories.user(locale="en")
    registrations.register(person, row)
    # All-day dates start at midnight: due from midnight the day before.
    reminders.send_due(row.starts_at - timedelta(hours=1))
    db.commit()
    [mail] = _mine(outbox, person)
    assert str(tomorrow.year) in mail.text and "Place" not in mail.text and "https://meet.example.org/day" in mail.text


def test_the_cli_sends_reminders_prints_the_count_and_never_twice(app, session, outbox) -> None:  # type: ignore[no-untyped-def]
    _, row = reminder_setup()
    crowd = people(3)
    for p in crowd:
        registrations.register(p, row)
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "send-reminders"])
    assert result.exit_code == 0, result.output
    sent = int(result.output.split()[0])
    assert sent >= 3 and "reminders sent" in result.output
    assert {p.email for p in crowd} <= {m.to for m in outbox}
    outbox.clear()
    again = runner.invoke(args=["events", "send-reminders"])
    assert again.exit_code == 0 and again.output.strip() == "0 reminders sent." and outbox == []
    assert len(told(session, "event.reminder")) >= 3


def test_the_cli_works_through_more_reminders_than_one_batch(app, session, outbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(reminders, "BATCH", 2)
    _, row = reminder_setup()
    crowd = people(5)
    for p in crowd:
        registrations.register(p, row)
    db.commit()
    result = app.test_cli_runner().invoke(args=["events", "send-reminders"])
    assert result.exit_code == 0 and {p.email for p in crowd} <= {m.to for m in outbox}
    assert int(result.output.split()[0]) >= 5

