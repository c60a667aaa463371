"""Registrations for event sessions: places, the waiting list in arrival order, approval,
attendance, and the reminders sent the day before.

Every change to a session's registrations first takes that session's row lock (an UPDATE that
also hands out the next arrival number), so capacity is exact and the queue keeps arrival order
under any concurrency, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import notifications
from app.services.events import capacity_of, local, upcoming_sessions
from app.services.exports import to_csv
from models import (
    ACTIVE_REGISTRATION,
    Event,
    EventSession,
    Registration,
    RegistrationMode,
    RegistrationStatus,
    SessionStatus,
    User,
    UserStatus,
)
from models.base import utcnow

REMINDER_HOURS = 24


# ---------------------------------------------------------------- registrations


def _lock(session: EventSession) -> tuple[int, int, int | None]:
    """Take the session's row lock (held to the end of the transaction) and the next arrival number.
    Returns (arrival, confirmed_count, session capacity)."""
    arrival, confirmed, capacity = db.session.execute(
        update(EventSession).where(EventSession.id == session.id)
        .values(arrivals=EventSession.arrivals + 1)
        .returning(EventSession.arrivals, EventSession.confirmed_count, EventSession.capacity)
    ).one()
    db.session.expire(session, ["arrivals", "confirmed_count", "waiting_count"])
    return arrival, confirmed, capacity if capacity is not None else session.event.capacity


def registration_problem(user: User | None, session: EventSession) -> str | None:
    """Why this person cannot register for the session now, in words; None if they can."""
    event = session.event
    if event.registration_mode == RegistrationMode.CLOSED:
        return str(_l("No registration is needed (or registrations are closed)."))
    if session.is_cancelled:
        return str(_l("This date is cancelled."))
    # An all-day event takes registrations until its last day is over; a timed one until it starts.
    if (session.ends_at if session.event.all_day else session.starts_at) <= utcnow():
        return str(_l("This date has already started."))
    if user is None:
        return str(_l("Log in to register."))
    if not user.is_confirmed:
        return str(_l("Confirm your e-mail address to register. We sent you a link."))
    return None


def registration_of(user: User | None, session: EventSession) -> Registration | None:
    if user is None:
        return None
    return db.session.scalar(select(Registration).where(Registration.session_id == session.id, Registration.user_id == user.id))


def my_registrations(user: User | None, event: Event) -> dict[int, Registration]:
    """The person's registrations for the sessions of an event, by session id (one query)."""
    if user is None:
        return {}
    rows = db.session.scalars(select(Registration).join(EventSession, EventSession.id == Registration.session_id).where(
        EventSession.event_id == event.id, Registration.user_id == user.id))
    return {r.session_id: r for r in rows}


def registration_statuses(user: User | None, session_ids: Iterable[int]) -> dict[int, RegistrationStatus]:
    """The person's active registration (confirmed, waiting, pending) for each of these sessions,
    by session id, in one query: for calendars that mark "you are registered"."""
    ids = sorted(set(session_ids))
    if user is None or not ids:
        return {}
    rows = db.session.execute(select(Registration.session_id, Registration.status).where(
        Registration.user_id == user.id, Registration.session_id.in_(ids), Registration.status.in_(ACTIVE_REGISTRATION)))
    return {session_id: status for session_id, status in rows}


def register(actor: User, session: EventSession) -> tuple[Registration, bool]:
    """Register for one session. Returns (registration, created): a second click changes nothing.

    Confirmed while places are left, else on the waiting list in arrival order; pending when
    the organisers approve each request."""
    ensure(actor, Permission.EVENT_REGISTER, session.event)
    problem = registration_problem(actor, session)
    if problem:
        raise Conflict(problem)
    arrival, confirmed, capacity = _lock(session)
    existing = registration_of(actor, session)
    if existing is not None and existing.status in ACTIVE_REGISTRATION:
        return existing, False
    if session.event.registration_mode == RegistrationMode.APPROVAL:
        status = RegistrationStatus.PENDING
    elif capacity is None or confirmed < capacity:
        status = RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITING
    _count(session, status, +1)
    if existing is None:
        existing = Registration(session_id=session.id, user_id=actor.id, status=status, position=arrival)
        db.session.add(existing)
    else:  # registering again after cancelling or being declined: back of the queue (a reminder already sent stays sent)
        existing.status, existing.position, existing.decided_at = status, arrival, None
    db.session.flush()
    return existing, True


def register_series(actor: User, event: Event) -> list[Registration]:
    """Register for every upcoming session of a series (each with its own place or queue)."""
    done = []
    for session in upcoming_sessions(event):
        if registration_problem(actor, session) is None:
            registration, created = register(actor, session)
            if created:
                done.append(registration)
    if not done and not any(r.status in ACTIVE_REGISTRATION for r in my_registrations(actor, event).values()):
        raise Conflict(_l("There is no upcoming date you can register for."))
    return done


def _count(session: EventSession, status: RegistrationStatus, delta: int) -> None:
    if status == RegistrationStatus.CONFIRMED:
        db.session.execute(update(EventSession).where(EventSession.id == session.id).values(confirmed_count=EventSession.confirmed_count + delta))
    elif status == RegistrationStatus.WAITING:
        db.session.execute(update(EventSession).where(EventSession.id == session.id).values(waiting_count=EventSession.waiting_count + delta))
    db.session.expire(session, ["confirmed_count", "waiting_count"])


def _promote(session: EventSession, capacity: int | None) -> list[Registration]:
    """Give free places to the waiting list, first come first served; the promoted are told."""
    confirmed = db.session.scalar(select(EventSession.confirmed_count).where(EventSession.id == session.id)) or 0
    free = (capacity - confirmed) if capacity is not None else 10**9
    promoted = []
    if free <= 0:
        return promoted
    for waiting in db.session.scalars(
        select(Registration).where(Registration.session_id == session.id, Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.position).limit(min(free, 1000))
    ):
        waiting.status, waiting.decided_at = RegistrationStatus.CONFIRMED, utcnow()
        _count(session, RegistrationStatus.WAITING, -1)
        _count(session, RegistrationStatus.CONFIRMED, +1)
        promoted.append(waiting)
    db.session.flush()
    for registration in promoted:
        notifications.notify([registration.user_id], "event.promoted", "event", session.event_id,
                             dedupe_key=f"promoted-{registration.id}-{registration.position}", title=session.event.title,
                             starts_at=session.starts_at.isoformat())
    return promoted


def cancel_registration(actor: User, session: EventSession) -> bool:
    """Give one's place back; the first person waiting gets it. False if there was nothing to cancel."""
    _, _, capacity = _lock(session)
    registration = registration_of(actor, session)
    if registration is None or registration.status not in ACTIVE_REGISTRATION:
        return False
    _count(session, registration.status, -1)
    registration.status, registration.decided_at = RegistrationStatus.CANCELLED, utcnow()
    db.session.flush()
    _promote(session, capacity)
    return True


def decide_registration(actor: User, registration: Registration, approve: bool) -> Registration:
    """Organisers approve (a place, or the waiting list when full) or decline a pending request."""
    session = registration.session
    ensure(actor, Permission.EVENT_MANAGE, session.event)
    _, confirmed, capacity = _lock(session)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(_l("This request was already answered."))
    if approve:
        registration.status = RegistrationStatus.CONFIRMED if capacity is None or confirmed < capacity else RegistrationStatus.WAITING
        _count(session, registration.status, +1)
    else:
        registration.status = RegistrationStatus.DECLINED
    registration.decided_at = utcnow()
    db.session.flush()
    notifications.notify([registration.user_id], "event.registration_decided", "event", session.event_id,
                         dedupe_key=f"decided-{registration.id}-{registration.position}", title=session.event.title,
                         status=registration.status.value)
    return registration


def set_capacity(actor: User, session: EventSession, capacity: int | None) -> EventSession:
    """Change the places of one session; more places go to the waiting list at once."""
    ensure(actor, Permission.EVENT_MANAGE, session.event)
    if capacity is not None and not 1 <= capacity <= 100_000:
        raise ValidationFailed({"capacity": _l("Write a whole number from %(low)d to %(high)d.", low=1, high=100_000)})
    _lock(session)
    session.capacity = capacity
    db.session.flush()
    _promote(session, capacity_of(session))
    return session


def promote_waiting(session: EventSession) -> list[Registration]:
    """Give the places left to the waiting list, in arrival order (after the event's capacity grew)."""
    _, _, capacity = _lock(session)
    return _promote(session, capacity)


def get_registration(session: EventSession, registration_id: int) -> Registration:
    found = db.session.get(Registration, registration_id)
    if found is None or found.session_id != session.id:
        raise NotFound(_l("We could not find this registration."))
    return found


def set_attended(actor: User, registration: Registration, attended: bool) -> Registration:
    """Check a person in (or undo it)."""
    ensure(actor, Permission.EVENT_MANAGE, registration.session.event)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(_l("Only confirmed people can be checked in."))
    registration.attended_at = utcnow() if attended else None
    db.session.flush()
    return registration


def attendees(actor: User, session: EventSession) -> list[Registration]:
    """Everyone registered for a session, confirmed first, then the queue in order. Organisers only."""
    ensure(actor, Permission.EVENT_MANAGE, session.event)
    order = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.PENDING: 1, RegistrationStatus.WAITING: 2,
             RegistrationStatus.DECLINED: 3, RegistrationStatus.CANCELLED: 4}
    rows = list(db.session.scalars(select(Registration).where(Registration.session_id == session.id)))
    return sorted(rows, key=lambda r: (order[r.status], r.position))


def attendees_csv(actor: User, session: EventSession) -> str:
    """The attendee list of a session for the organisers (formula-safe CSV)."""
    rows = attendees(actor, session)
    header = ["name", "email", "status", "queue_position", "registered_at", "attended"]
    body = []
    waiting_rank = 0
    for r in rows:
        if r.status == RegistrationStatus.WAITING:
            waiting_rank += 1
        body.append([r.user.display_name, r.user.email, r.status.value, waiting_rank if r.status == RegistrationStatus.WAITING else "",
                     local(r.created_at).strftime("%Y-%m-%d %H:%M"), "yes" if r.attended_at else ""])
    return to_csv(header, body)


def waiting_rank(registration: Registration) -> int | None:
    """1 for the first person waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == registration.session_id, Registration.status == RegistrationStatus.WAITING,
        Registration.position < registration.position)) or 0
    return ahead + 1


def can_see_online_link(user: User | None, event: Event, mine: dict[int, Registration]) -> bool:
    if not event.online_url:
        return False
    if not event.online_url_registrants_only:
        return True
    if can(user, Permission.EVENT_MANAGE, event):
        return True
    return any(r.status == RegistrationStatus.CONFIRMED for r in mine.values())


# ---------------------------------------------------------------- reminders


def due_reminders(now: datetime | None = None, limit: int = 1000) -> list[Registration]:
    """Confirmed registrations of active accounts for sessions starting within 24 hours that have had no reminder."""
    moment = now or utcnow()
    return list(db.session.scalars(
        select(Registration).join(EventSession, EventSession.id == Registration.session_id).join(Event, Event.id == EventSession.event_id)
        .join(User, User.id == Registration.user_id)
        .where(Registration.status == RegistrationStatus.CONFIRMED, Registration.reminder_sent_at.is_(None),
               User.status == UserStatus.ACTIVE,
               EventSession.status == SessionStatus.SCHEDULED, Event.cancelled_at.is_(None),
               EventSession.starts_at > moment, EventSession.starts_at <= moment + timedelta(hours=REMINDER_HOURS))
        .order_by(EventSession.starts_at, Registration.id).limit(limit)
    ))


def claim_reminder(registration: Registration, now: datetime | None = None) -> bool:
    """Mark the reminder as sent, once: only the first caller (of any process) gets True."""
    claimed = db.session.execute(
        update(Registration).where(Registration.id == registration.id, Registration.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now or utcnow())
    ).rowcount  # type: ignore[attr-defined]
    return bool(claimed)
