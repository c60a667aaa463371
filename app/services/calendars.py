"""Calendars: month, week and agenda views with filters, upcoming events for organisation and
territory pages, subscription feeds, and the secret tokens of personal feeds."""

from __future__ import annotations

import calendar as calendar_module
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import String, and_, cast, delete, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.security.tokens import lookup_digest, new_token
from app.services import Page, paginate, territories
from app.services.events import ACTIONS, local, to_utc
from models import (
    ACTIVE_REGISTRATION,
    CalendarToken,
    Event,
    EventKind,
    EventOrganizer,
    EventSession,
    EventTranslation,
    Organization,
    OrganizerStatus,
    Registration,
    SessionStatus,
    Territory,
    User,
)
from models.base import utcnow

AGENDA_PER_PAGE = 20


# ---------------------------------------------------------------- calendars


@dataclass(frozen=True)
class CalendarFilters:
    territory: str = ""
    action: str = ""
    kind: str = ""
    organization: str = ""  # slug
    language: str = ""
    mine: bool = False


def _check(filters: CalendarFilters, viewer: User | None) -> tuple[Territory | None, int | None]:
    """Validate the filters; returns the place and the organisation id they name."""
    errors: dict = {}
    place = org_id = None
    if filters.territory:
        try:
            place = territories.from_text(filters.territory, "territory")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if filters.action and filters.action not in ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    if filters.kind and filters.kind not in {k.value for k in EventKind}:
        errors["kind"] = _l("Choose one option from the list.")
    if filters.organization:
        org_id = db.session.scalar(select(Organization.id).where(Organization.slug == filters.organization[:80]))
        if org_id is None:
            errors["organization"] = _l("Choose an organisation from the list.")
    if filters.language and filters.language not in LANGUAGES:
        errors["language"] = _l("Choose one option from the list.")
    if filters.mine and viewer is None:
        errors["mine"] = _l("Log in to see the events you registered for.")
    if errors:
        raise ValidationFailed(errors)
    return place, org_id


def _inside(place: Territory):  # type: ignore[no-untyped-def]
    """Events held in the place or anywhere inside it: a primary-key lookup of each candidate event's
    territory, not the list of every territory inside the place first (a region holds thousands of
    comuni, and ``path LIKE`` cannot use the index)."""
    return exists().where(and_(Territory.id == Event.territory_id, Territory.path.like(f"{place.path}%"))).correlate_except(Territory)


def _filtered(filters: CalendarFilters, viewer: User | None):  # type: ignore[no-untyped-def]
    """Sessions of visible events matching the filters (ValidationFailed for a bad filter)."""
    place, org_id = _check(filters, viewer)
    stmt = (
        select(EventSession).join(Event, Event.id == EventSession.event_id)
        .join(Organization, Organization.id == Event.organization_id).where(Organization.is_hidden.is_(False))
    )
    if place is not None:
        stmt = stmt.where(_inside(place))
    if filters.action:
        stmt = stmt.where(Event.action == filters.action)
    if filters.kind:
        stmt = stmt.where(Event.kind == EventKind(filters.kind))
    if org_id is not None:
        co = exists().where(and_(EventOrganizer.event_id == Event.id, EventOrganizer.organization_id == org_id,
                                 EventOrganizer.status == OrganizerStatus.ACCEPTED))
        stmt = stmt.where(or_(Event.organization_id == org_id, co))
    if filters.language:
        # The JSON list as text, on SQLite and PostgreSQL alike.
        stmt = stmt.where(or_(Event.language == filters.language, cast(Event.languages, String).like(f'%"{filters.language}"%')))
    if filters.mine and viewer is not None:
        stmt = stmt.where(exists().where(and_(Registration.session_id == EventSession.id, Registration.user_id == viewer.id,
                                              Registration.status.in_(ACTIVE_REGISTRATION))))
    return stmt


# What a calendar list reads of each session: its event and organisation (taken from the joins
# ``_filtered`` already makes) and the event's place (its name only). The models' default eager
# loads would join the event and organisation a second time, with the organisation's home territory
# and its three levels of parents, its logo and the place's parents: entities built for every row
# and never shown. Anything else is still lazy-loaded if asked for.
_CALENDAR_LOAD = (
    contains_eager(EventSession.event).options(
        contains_eager(Event.organization).options(lazyload(Organization.home_territory), lazyload(Organization.logo)),
        joinedload(Event.territory).lazyload(Territory.parent),
    ),
)


def sessions_between(filters: CalendarFilters, viewer: User | None, start: date, end: date, limit: int = 500) -> list[EventSession]:
    """Sessions overlapping [start, end) in Rome days, in time order (cancelled ones included, marked)."""
    stmt = _filtered(filters, viewer).where(EventSession.starts_at < to_utc(end, time(0)), EventSession.ends_at > to_utc(start, time(0)))
    return list(db.session.scalars(stmt.order_by(EventSession.starts_at, EventSession.id).limit(limit).options(*_CALENDAR_LOAD)))


def agenda(filters: CalendarFilters, viewer: User | None, start: date, page: int = 1) -> Page[EventSession]:
    """Upcoming sessions from ``start``, in time order."""
    stmt = _filtered(filters, viewer).where(EventSession.ends_at >= to_utc(start, time(0)))
    return paginate(stmt.order_by(EventSession.starts_at, EventSession.id).options(*_CALENDAR_LOAD), page, AGENDA_PER_PAGE)


def month_grid(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday first) covering a month, as lists of seven days."""
    return calendar_module.Calendar(firstweekday=0).monthdatescalendar(year, month)


def by_day(sessions: list[EventSession]) -> dict[date, list[EventSession]]:
    """Sessions by each Rome day they cover."""
    days: dict[date, list[EventSession]] = {}
    for s in sessions:
        day = local(s.starts_at).date()
        last = local(s.ends_at - timedelta(seconds=1)).date()
        while day <= last:
            days.setdefault(day, []).append(s)
            day += timedelta(days=1)
    return days


def titles_for(events: list[Event], locale: str) -> dict[int, tuple[str, str]]:
    """Each event's title in the reader's language when it has that translation, else the original,
    as {event_id: (title, language code)}: one query for a whole calendar page (``events.text_for``
    answers for one event)."""
    found = {e.id: (e.title, e.language) for e in events}
    others = [event_id for event_id, (_, language) in found.items() if language != locale]
    if others:
        for event_id, title in db.session.execute(select(EventTranslation.event_id, EventTranslation.title).where(
                EventTranslation.event_id.in_(others), EventTranslation.language == locale)):
            found[event_id] = (title, locale)
    return found


def upcoming_for_organization(org: Organization, limit: int = 5) -> list[EventSession]:
    return list(db.session.scalars(
        _filtered(CalendarFilters(), None).where(
            or_(Event.organization_id == org.id, exists().where(and_(EventOrganizer.event_id == Event.id,
                EventOrganizer.organization_id == org.id, EventOrganizer.status == OrganizerStatus.ACCEPTED))),
            EventSession.ends_at >= utcnow(), EventSession.status == SessionStatus.SCHEDULED, Event.cancelled_at.is_(None),
        ).order_by(EventSession.starts_at).limit(limit).options(*_CALENDAR_LOAD)
    ))


def upcoming_for_territory(territory: Territory, limit: int = 5) -> list[EventSession]:
    return list(db.session.scalars(
        _filtered(CalendarFilters(), None).where(
            _inside(territory), EventSession.ends_at >= utcnow(), EventSession.status == SessionStatus.SCHEDULED,
            Event.cancelled_at.is_(None),
        ).order_by(EventSession.starts_at).limit(limit).options(*_CALENDAR_LOAD)
    ))


def feed_events(filters: CalendarFilters, limit: int = 500) -> list[Event]:
    """Events for a subscription feed: those with a session from 30 days ago on, newest changes included."""
    since = utcnow() - timedelta(days=30)
    ids = _filtered(filters, None).where(EventSession.ends_at >= since).with_only_columns(EventSession.event_id).distinct()
    return list(db.session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.starts_at).limit(limit)))


def sessions_of(events: list[Event]) -> dict[int, list[EventSession]]:
    """Sessions of many events in one query."""
    found: dict[int, list[EventSession]] = {}
    if events:
        for s in db.session.scalars(select(EventSession).where(EventSession.event_id.in_([e.id for e in events])).order_by(EventSession.original_start)):
            found.setdefault(s.event_id, []).append(s)
    return found


def registered_sessions(user: User) -> list[EventSession]:
    """Sessions the person holds an active registration for (from 30 days ago), for the personal feed and the personal area."""
    since = utcnow() - timedelta(days=30)
    return list(db.session.scalars(
        select(EventSession).join(Registration, Registration.session_id == EventSession.id)
        .where(Registration.user_id == user.id, Registration.status.in_(ACTIVE_REGISTRATION), EventSession.ends_at >= since)
        .order_by(EventSession.starts_at).limit(500)
    ))


# ---------------------------------------------------------------- personal feed tokens


def issue_calendar_token(actor: User) -> str:
    """A new secret address for the personal feed; the previous one stops working."""
    secret, hashed = new_token()
    db.session.execute(delete(CalendarToken).where(CalendarToken.user_id == actor.id))
    db.session.add(CalendarToken(user_id=actor.id, token_hash=hashed))
    db.session.flush()
    return secret


def revoke_calendar_token(actor: User) -> None:
    db.session.execute(delete(CalendarToken).where(CalendarToken.user_id == actor.id))


def has_calendar_token(user: User) -> bool:
    return db.session.get(CalendarToken, user.id) is not None


def user_for_calendar_token(secret: str) -> User:
    hashed = lookup_digest(secret)
    token = db.session.scalar(select(CalendarToken).where(CalendarToken.token_hash == hashed)) if hashed else None
    user = db.session.get(User, token.user_id) if token else None
    if user is None or not user.is_active:
        raise NotFound(_l("This calendar address does not work any more."))
    return user


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_day(raw: str | None, default: date) -> date:
    """A YYYY-MM-DD (or YYYY-MM) from the address; ValidationFailed for anything else."""
    if not raw:
        return default
    text = raw.strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        text += "-01"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({"date": _l("Choose a date between 2000 and 2100.")}) from None
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ValidationFailed({"date": _l("Choose a date between 2000 and 2100.")})
    return day


def today_in_rome() -> date:
    return local(utcnow()).date()
