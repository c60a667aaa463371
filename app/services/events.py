"""Events: publishing (single or recurring), changes and cancellations, co-organisers,
registrations with a waiting list, attendance, calendars and reminders.

Times are stored in UTC and planned in Europe/Rome wall time: a weekly class at 18:00 stays at
18:00 across the change to and from summer time. Registrations for one session are serialised
on that session's row (an UPDATE takes its lock first), so capacity is exact and the waiting
list keeps arrival order under any concurrency, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import audit, memberships, notifications, search_index, territories
from app.services.italian_ids import normalize_https_url
from models import (
    ACTIVE_REGISTRATION,
    Event,
    EventKind,
    EventMode,
    EventOrganizer,
    EventSession,
    EventTranslation,
    FollowTarget,
    Forum,
    Lab,
    Organization,
    OrganizerStatus,
    Recurrence,
    Registration,
    RegistrationMode,
    SessionStatus,
    User,
)
from models.base import utcnow

ROME = ZoneInfo("Europe/Rome")
ACTIONS = ("action_01", "action_02", "action_03", "action_04")
MAX_SESSIONS = 60
_EDITED_MEANWHILE = _l("Someone else changed this event while you were editing it. Check the values below and save again.")


@dataclass(frozen=True)
class EventDraft:
    title: str
    description: str
    kind: str
    starts_on: date | None
    start_time: time | None
    end_time: time | None
    language: str = "it"
    action: str = ""
    mode: str = EventMode.IN_PERSON.value
    venue: str = ""
    address: str = ""
    territory: str = ""  # comune (or area) as a name or ISTAT code
    online_url: str = ""
    online_url_registrants_only: bool = False
    step_free: bool | None = None
    childcare: bool = False
    interpretation_languages: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    accessibility_notes: str = ""
    all_day: bool = False
    ends_on: date | None = None  # for events over several days; default: the start day
    recurrence: str = Recurrence.NONE.value
    repeat_until: date | None = None  # last day of a series
    registration_mode: str = RegistrationMode.OPEN.value
    capacity: int | None = None
    lab_id: int | None = None
    forum_id: int | None = None


def to_utc(day: date, at: time) -> datetime:
    """A wall-clock time in Rome on ``day`` as a UTC moment (DST handled by the zone data)."""
    return datetime.combine(day, at, tzinfo=ROME).astimezone(UTC)


def local(moment: datetime) -> datetime:
    return moment.astimezone(ROME)


# ---------------------------------------------------------------- validation


def _clean(draft: EventDraft, organization: Organization) -> tuple[dict, dict]:  # noqa: C901, PLR0912, PLR0915 — one flat list of field checks
    errors: dict = {}
    v: dict = {}
    v["title"] = " ".join((draft.title or "").split())
    if not 5 <= len(v["title"]) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    v["description"] = (draft.description or "").strip()
    if not 20 <= len(v["description"]) <= 20_000:
        errors["description"] = _l("Describe the event in 20 to 20,000 characters: what happens, for whom, what to bring.")
    try:
        v["kind"] = EventKind(draft.kind)
    except ValueError:
        errors["kind"] = _l("Choose one option from the list.")
    if draft.language not in LANGUAGES:
        errors["language"] = _l("Choose one option from the list.")
    v["language"] = draft.language
    if draft.action and draft.action not in ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    v["action"] = draft.action or ""
    try:
        v["mode"] = EventMode(draft.mode)
    except ValueError:
        errors["mode"] = _l("Choose one option from the list.")
        v["mode"] = EventMode.IN_PERSON
    v["venue"] = " ".join((draft.venue or "").split())[:200]
    v["address"] = " ".join((draft.address or "").split())[:300]
    if v["mode"] != EventMode.ONLINE and not v["venue"]:
        errors["venue"] = _l("Write where it takes place, for example: Biblioteca comunale, sala 2.")
    try:
        v["territory"] = territories.from_text(draft.territory or "", "territory")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    url = (draft.online_url or "").strip()
    if v["mode"] != EventMode.IN_PERSON:
        if not url:
            errors["online_url"] = _l("Write the link of the online meeting (it starts with https://).")
        else:
            url = normalize_https_url(url) or ""
            if not url:
                errors["online_url"] = _l("Write a link that starts with https://")
    v["online_url"] = url if v["mode"] != EventMode.IN_PERSON else ""
    v["online_url_registrants_only"] = bool(draft.online_url_registrants_only)
    v["step_free"] = draft.step_free
    v["childcare"] = bool(draft.childcare)
    v["interpretation_languages"] = sorted({code for code in draft.interpretation_languages if code})[:20]
    v["languages"] = sorted({code for code in draft.languages if code})[:20]
    if any(len(code) > 16 for code in v["interpretation_languages"] + v["languages"]):
        errors["languages"] = _l("Choose one option from the list.")
    v["accessibility_notes"] = " ".join((draft.accessibility_notes or "").split())
    if len(v["accessibility_notes"]) > 500:
        errors["accessibility_notes"] = _l("Write at most %(max)d characters.", max=500)
    v["all_day"] = bool(draft.all_day)
    if draft.starts_on is None:
        errors["starts_on"] = _l("Choose the day of the event.")
    elif not date(2000, 1, 1) <= draft.starts_on <= date(2100, 12, 31):
        errors["starts_on"] = _l("Choose a date between 2000 and 2100.")
    ends_on = draft.ends_on or draft.starts_on
    if draft.starts_on and ends_on and ends_on < draft.starts_on:
        errors["ends_on"] = _l("The last day cannot come before the first day.")
    if not v["all_day"]:
        if draft.start_time is None:
            errors["start_time"] = _l("Choose the start time, or tick \"all day\".")
        if draft.end_time is None:
            errors["end_time"] = _l("Choose the end time.")
        if (draft.start_time and draft.end_time and ends_on == draft.starts_on and draft.end_time <= draft.start_time):
            errors["end_time"] = _l("The end must come after the start.")
    try:
        v["recurrence"] = Recurrence(draft.recurrence or "none")
    except ValueError:
        errors["recurrence"] = _l("Choose one option from the list.")
        v["recurrence"] = Recurrence.NONE
    if v["recurrence"] != Recurrence.NONE:
        if draft.repeat_until is None or (draft.starts_on and draft.repeat_until <= draft.starts_on):
            errors["repeat_until"] = _l("Choose the last day of the series, after the first session.")
        elif draft.starts_on and draft.repeat_until > draft.starts_on + timedelta(days=366):
            errors["repeat_until"] = _l("A series can last at most one year.")
        if ends_on != draft.starts_on:
            errors["ends_on"] = _l("Each session of a series starts and ends on the same day.")
    try:
        v["registration_mode"] = RegistrationMode(draft.registration_mode)
    except ValueError:
        errors["registration_mode"] = _l("Choose one option from the list.")
    if draft.capacity is not None and not 1 <= draft.capacity <= 100_000:
        errors["capacity"] = _l("Write a whole number from %(low)d to %(high)d.", low=1, high=100_000)
    v["capacity"] = draft.capacity
    v["lab"] = None
    if draft.lab_id:
        v["lab"] = db.session.get(Lab, draft.lab_id)
        # The organisation's own labs, or a lab on the place of the event (an activity inside that lab).
        place = v.get("territory")
        if v["lab"] is None or not (
            v["lab"].convener_id == organization.id or (place is not None and place.path.startswith(v["lab"].territory.path))
        ):
            errors["lab_id"] = _l("Choose one option from the list.")
    v["forum"] = db.session.get(Forum, draft.forum_id) if draft.forum_id else None
    if draft.forum_id and v["forum"] is None:
        errors["forum_id"] = _l("Choose a forum from the list.")
    if not errors:
        v["slots"] = _slots(draft, v)
        if len(v["slots"]) > MAX_SESSIONS:
            errors["repeat_until"] = _l("A series can have at most %(max)d sessions.", max=MAX_SESSIONS)
    return v, errors


def _slots(draft: EventDraft, v: dict) -> list[tuple[datetime, datetime]]:
    # Called only after validation: starts_on (and the times, unless all day) are set.
    """Start and end (UTC) of every session: the series is expanded in Rome wall time."""
    ends_on = draft.ends_on or draft.starts_on
    start_time = time(0, 0) if v["all_day"] else draft.start_time
    end_time = time(0, 0) if v["all_day"] else draft.end_time
    span_days = (ends_on - draft.starts_on).days + (1 if v["all_day"] else 0)
    first = datetime.combine(draft.starts_on, start_time)  # type: ignore[arg-type]  # naive wall time
    if v["recurrence"] == Recurrence.NONE:
        days = [draft.starts_on]
    else:
        freq = WEEKLY if v["recurrence"] == Recurrence.WEEKLY else MONTHLY
        until = datetime.combine(draft.repeat_until, time(23, 59))  # type: ignore[arg-type]
        days = [d.date() for d in rrule(freq, dtstart=first, until=until)]
    slots = []
    for day in days:
        start = to_utc(day, start_time)
        end = to_utc(day + timedelta(days=span_days), end_time)
        slots.append((start, end))
    return slots


def _apply(event: Event, v: dict) -> None:
    for key in ("title", "description", "kind", "language", "action", "mode", "venue", "address", "online_url",
                "online_url_registrants_only", "step_free", "childcare", "interpretation_languages", "languages",
                "accessibility_notes", "all_day", "recurrence", "registration_mode", "capacity"):
        setattr(event, key, v[key])
    event.description_html = rich_text(v["description"])
    event.territory = v["territory"]
    event.territory_id = v["territory"].id
    event.lab_id = v["lab"].id if v["lab"] else None
    event.forum_id = v["forum"].id if v["forum"] else None
    event.starts_at, event.ends_at = v["slots"][0]
    if v["recurrence"] == Recurrence.NONE:
        event.rrule = ""
    else:
        freq = "WEEKLY" if v["recurrence"] == Recurrence.WEEKLY else "MONTHLY"
        event.rrule = f"FREQ={freq};COUNT={len(v['slots'])}"
    event.updated_at = utcnow()


# ---------------------------------------------------------------- publishing and changing


def create_event(actor: User, organization: Organization, draft: EventDraft) -> Event:
    """Publish an event of ``organization`` with all its sessions."""
    ensure(actor, Permission.EVENT_CREATE, organization)
    v, errors = _clean(draft, organization)
    if errors:
        raise ValidationFailed(errors)
    event = Event(organization_id=organization.id, organization=organization, created_by_id=actor.id, sequence=0)
    _apply(event, v)
    db.session.add(event)
    db.session.flush()
    for start, end in v["slots"]:
        db.session.add(EventSession(event_id=event.id, original_start=start, starts_at=start, ends_at=end,
                                    confirmed_count=0, waiting_count=0, arrivals=0, sequence=0))
    db.session.flush()
    search_index.refresh(event)
    audit.record(actor, "event.create", "event", event.id, event.title, organization=organization.slug)
    if not organization.is_hidden:
        notifications.notify_followers(FollowTarget.ORGANIZATION, organization.id, "organization.event", "event", event.id,
                                       exclude=[actor.id], title=event.title, organization=organization.name)
    return event


def update_event(actor: User, event: Event, draft: EventDraft, seen_version: int) -> Event:
    """Change an event. If the dates change, sessions follow: a kept date (the same Rome day of a
    series, or the one date of a single event) keeps its registrations and moves to the new time,
    new dates are added, dropped ones are cancelled (their registrants are told). More places go
    to the waiting lists at once."""
    ensure(actor, Permission.EVENT_MANAGE, event)
    if event.is_cancelled:
        raise Conflict(_l("This event is cancelled and can no longer be changed."))
    v, errors = _clean(draft, event.organization)
    if errors:
        raise ValidationFailed(errors)
    if seen_version != event.version:
        raise Conflict(_EDITED_MEANWHILE)
    # Read the sessions before touching the event: a query would autoflush it outside the
    # StaleDataError guard below.
    old_sessions = list_sessions(event)
    was_series, old_start, old_capacity = event.is_series, event.starts_at, event.capacity
    before = (event.starts_at, event.ends_at, event.venue, event.address, event.mode, event.online_url, event.rrule)
    _apply(event, v)
    changed = before != (event.starts_at, event.ends_at, event.venue, event.address, event.mode, event.online_url, event.rrule)
    if changed:
        event.sequence += 1
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_EDITED_MEANWHILE) from None
    _follow_slots(event, old_sessions, v["slots"], None if was_series else old_start)
    db.session.flush()
    search_index.refresh(event)
    if changed:
        _tell_registrants(event, None, "event.changed", f"changed-{event.sequence}")
    if old_capacity is not None and (event.capacity is None or event.capacity > old_capacity):
        from app.services import registrations  # registrations imports this module; keep this edge lazy

        for session in list_sessions(event):
            if session.capacity is None and session.status == SessionStatus.SCHEDULED and session.waiting_count:
                registrations.promote_waiting(session)
    audit.record(actor, "event.update", "event", event.id, event.title)
    return event


def _follow_slots(event: Event, old: list[EventSession], slots: list[tuple[datetime, datetime]], single_start: datetime | None) -> None:
    """Make the sessions match the new slots. Sessions are matched by Rome day (a series has at
    most one session a day); a single event's one date may also move to another day.
    ``single_start``: the old start of a single event (None if it was a series)."""
    by_day: dict[date, EventSession] = {}
    for s in old:  # prefer the scheduled session of a day (older data may hold a cancelled one too)
        day = local(s.original_start).date()
        if day not in by_day or by_day[day].status == SessionStatus.CANCELLED:
            by_day[day] = s
    current = next((s for s in old if s.original_start == single_start), None) if not event.is_series else None
    used: set[int] = set()
    for start, end in slots:
        found = by_day.get(local(start).date())
        if found is None and current is not None and current.id not in used and local(current.original_start).date() not in {
                local(slot).date() for slot, _ in slots}:
            found = current
        if found is None:
            db.session.add(EventSession(event_id=event.id, original_start=start, starts_at=start, ends_at=end,
                                        confirmed_count=0, waiting_count=0, arrivals=0, sequence=0))
            continue
        used.add(found.id)
        found.original_start = start  # its slot in the (new) pattern: the RECURRENCE-ID
        if not found.is_changed and (found.starts_at, found.ends_at) != (start, end):
            if found.starts_at != start:
                _reminder_again(found)
            found.starts_at, found.ends_at = start, end
            found.sequence += 1
    for found in old:
        if found.id not in used and found.status == SessionStatus.SCHEDULED:
            _cancel_session(found, str(_l("This date was removed from the programme.")))


def _reminder_again(session: EventSession) -> None:
    """A session moved to another time: its registrants get a reminder for the new time."""
    db.session.execute(update(Registration).where(Registration.session_id == session.id).values(reminder_sent_at=None))


def cancel_event(actor: User, event: Event, reason: str) -> Event:
    """Cancel the whole event: it stays visible, marked cancelled; every registrant is told."""
    ensure(actor, Permission.EVENT_MANAGE, event)
    if event.is_cancelled:
        return event
    text = " ".join((reason or "").split())[:300]
    if len(text) < 3:
        raise ValidationFailed({"reason": _l("Write the reason in a few words. Registered people will read it.")})
    event.cancelled_at = utcnow()
    event.cancel_reason = text
    event.sequence += 1
    db.session.flush()
    _tell_registrants(event, None, "event.cancelled", "cancelled", reason=text)
    audit.record(actor, "event.cancel", "event", event.id, event.title, reason=text)
    return event


def get_session(event: Event, session_id: int) -> EventSession:
    found = db.session.get(EventSession, session_id)
    if found is None or found.event_id != event.id:
        raise NotFound(_l("We could not find this date of the event."))
    return found


@dataclass(frozen=True)
class SessionChange:
    day: date | None
    start: time | None = None
    end: time | None = None
    note: str = ""


def change_session(actor: User, session: EventSession, change: SessionChange) -> EventSession:
    """Move one session of a series (or add a note to it); its registrants are told."""
    ensure(actor, Permission.EVENT_MANAGE, session.event)
    if session.is_cancelled:
        raise Conflict(_l("This date is cancelled."))
    day, start, end, note = change.day, change.start, change.end, change.note
    errors: dict = {}
    if day is None:
        errors["day"] = _l("Choose the day of the event.")
    elif not date(2000, 1, 1) <= day <= date(2100, 12, 31):  # as for the event itself (and year 1 would overflow in UTC)
        errors["day"] = _l("Choose a date between 2000 and 2100.")
    if not session.event.all_day and (start is None or end is None or end <= start):
        errors["end_time"] = _l("The end must come after the start.")
    text = " ".join((note or "").split())
    if len(text) > 300:
        errors["note"] = _l("Write at most %(max)d characters.", max=300)
    if errors:
        raise ValidationFailed(errors)
    if session.event.all_day:
        new_start, new_end = to_utc(day, time(0)), to_utc(day + timedelta(days=1), time(0))  # type: ignore[operator]
    else:
        new_start, new_end = to_utc(day, start), to_utc(day, end)  # type: ignore[arg-type]
    moved = (new_start, new_end) != (session.starts_at, session.ends_at)
    if new_start != session.starts_at:
        _reminder_again(session)
    session.starts_at, session.ends_at, session.note = new_start, new_end, text
    session.is_changed = session.is_changed or moved or bool(text)
    session.sequence += 1
    db.session.flush()
    _tell_registrants(session.event, session, "event.session_changed", f"session-{session.id}-{session.sequence}")
    return session


def cancel_session(actor: User, session: EventSession, reason: str = "") -> EventSession:
    """Cancel one date of a series; its registrants are told (their registrations stay on record)."""
    ensure(actor, Permission.EVENT_MANAGE, session.event)
    if session.status == SessionStatus.CANCELLED:
        return session
    _cancel_session(session, " ".join((reason or "").split())[:300])
    return session


def _cancel_session(session: EventSession, reason: str) -> None:
    session.status = SessionStatus.CANCELLED
    session.note = reason or session.note
    session.sequence += 1
    db.session.flush()
    _tell_registrants(session.event, session, "event.session_cancelled", f"session-cancelled-{session.id}", reason=reason)


def _tell_registrants(event: Event, session: EventSession | None, kind: str, key: str, **data: object) -> None:
    stmt = select(Registration.user_id).join(EventSession, EventSession.id == Registration.session_id).where(
        EventSession.event_id == event.id, Registration.status.in_(ACTIVE_REGISTRATION))
    if session is not None:
        stmt = stmt.where(Registration.session_id == session.id)
    notifications.notify_selected(stmt.distinct(), kind, "event", event.id, dedupe_key=key, title=event.title, **data)
    if session is None:  # the whole event changed: its followers hear of it too (once: same key)
        notifications.notify_followers(FollowTarget.EVENT, event.id, kind, "event", event.id, dedupe_key=key, title=event.title, **data)


def get_event(viewer: User | None, event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or not can(viewer, Permission.EVENT_VIEW, event):
        raise NotFound(_l("We could not find this event."))
    return event


def list_sessions(event: Event) -> list[EventSession]:
    return list(db.session.scalars(select(EventSession).where(EventSession.event_id == event.id).order_by(EventSession.original_start)))


def upcoming_sessions(event: Event) -> list[EventSession]:
    now = utcnow()
    return [s for s in list_sessions(event) if s.ends_at >= now]


def capacity_of(session: EventSession) -> int | None:
    return session.capacity if session.capacity is not None else session.event.capacity


def places_left(session: EventSession) -> int | None:
    cap = capacity_of(session)
    return None if cap is None else max(0, cap - session.confirmed_count)


# ---------------------------------------------------------------- translations


def translations(event: Event) -> list[EventTranslation]:
    return list(db.session.scalars(select(EventTranslation).where(EventTranslation.event_id == event.id).order_by(EventTranslation.language)))


def set_translation(actor: User, event: Event, language: str, title: str, description: str) -> EventTranslation | None:
    """Add or change the title and description in another language (empty title removes it)."""
    ensure(actor, Permission.EVENT_MANAGE, event)
    if language not in LANGUAGES or language == event.language:
        raise ValidationFailed({"language": _l("Choose a language different from the original one.")})
    existing = db.session.scalar(select(EventTranslation).where(EventTranslation.event_id == event.id, EventTranslation.language == language))
    clean_title = " ".join((title or "").split())
    if not clean_title:
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return None
    if not 5 <= len(clean_title) <= 160:
        raise ValidationFailed({"title": _l("Write a title of 5 to 160 characters.")})
    body = (description or "").strip()
    if len(body) > 20_000:
        raise ValidationFailed({"description": _l("Write at most %(max)d characters.", max=20_000)})
    if existing is None:
        existing = EventTranslation(event_id=event.id, language=language)
        db.session.add(existing)
    existing.title, existing.description, existing.description_html = clean_title, body, rich_text(body)
    db.session.flush()
    return existing


def text_for(event: Event, locale: str) -> tuple[str, str, bool]:
    """(title, description_html, is_translation) in the reader's language if there is one, else the original."""
    if locale != event.language:
        found = db.session.scalar(select(EventTranslation).where(EventTranslation.event_id == event.id, EventTranslation.language == locale))
        if found is not None:
            return found.title, found.description_html or event.description_html, True
    return event.title, event.description_html, False


# ---------------------------------------------------------------- co-organisers


def invite_organizer(actor: User, event: Event, organization_id: int) -> EventOrganizer:
    ensure(actor, Permission.EVENT_MANAGE, event)
    org = db.session.get(Organization, organization_id) if organization_id else None
    if org is None or org.is_hidden or org.id == event.organization_id:
        raise ValidationFailed({"organization_id": _l("Choose an organisation from the list.")})
    previous = db.session.get(EventOrganizer, (event.id, org.id))
    if previous is not None and previous.status != OrganizerStatus.DECLINED:
        raise Conflict(_l("This organisation is already invited."))
    if previous is not None:  # it declined before: ask again
        previous.status, previous.decided_at = OrganizerStatus.INVITED, None
        _tell_admins_of_invitation(event, org)
        return previous
    invitation = EventOrganizer(event_id=event.id, organization_id=org.id, organization=org)
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except IntegrityError:
        raise Conflict(_l("This organisation is already invited.")) from None
    _tell_admins_of_invitation(event, org)
    return invitation


def _tell_admins_of_invitation(event: Event, org: Organization) -> None:
    notifications.notify(memberships.admin_ids(org), "event.organizer_invited", "event", event.id, dedupe_key=f"{org.id}-{utcnow().isoformat()}",
                         title=event.title, organization=org.name)
    db.session.expire(event, ["organizers"])


def get_organizer(event: Event, organization_id: int) -> EventOrganizer:
    found = db.session.get(EventOrganizer, (event.id, organization_id))
    if found is None:
        raise NotFound(_l("We could not find this invitation."))
    return found


def decide_organizer(actor: User, invitation: EventOrganizer, accept: bool) -> EventOrganizer:
    ensure(actor, Permission.EVENT_ORGANIZER_DECIDE, invitation)
    if accept and invitation.status != OrganizerStatus.INVITED:
        raise Conflict(_l("This invitation was already answered."))
    invitation.status = OrganizerStatus.ACCEPTED if accept else OrganizerStatus.DECLINED
    invitation.decided_at = utcnow()
    db.session.flush()
    return invitation


def organizers(event: Event, include_pending: bool = False) -> list[EventOrganizer]:
    return [o for o in event.organizers if include_pending or o.status == OrganizerStatus.ACCEPTED]


def pending_organizer_invitations(user: User) -> list[EventOrganizer]:
    """Invitations to co-organise waiting for an organisation the person administers, for events
    the person can see (each invitation carries its event): one query."""
    found = db.session.scalars(
        select(EventOrganizer).where(EventOrganizer.organization_id.in_(memberships.administered(user)),
                                     EventOrganizer.status == OrganizerStatus.INVITED).order_by(EventOrganizer.created_at)
    )
    return [invitation for invitation in found if can(user, Permission.EVENT_VIEW, invitation.event)]


def organizing_choices(user: User) -> list[Organization]:
    """Organisations the person can publish events for."""
    return [m.organization for m in user.memberships if can(user, Permission.EVENT_CREATE, m.organization)]
