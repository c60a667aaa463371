"""Open data API: events (with their dates and translations), joint initiatives and good practices."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import ACTION_NAMES, _l
from app.services import events, initiatives
from app.services.public_api import (
    ApiItem,
    ApiPage,
    choice,
    inside,
    iso,
    iso_day,
    keyset,
    org_ref,
    place,
    territory_ref,
    valid_id,
    valid_slug,
)
from models import (
    PUBLIC_STATUSES,
    Event,
    EventOrganizer,
    EventSession,
    GoodPractice,
    Initiative,
    InitiativeAction,
    InitiativeKind,
    Organization,
    OrganizerStatus,
    SessionStatus,
)

DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
ACTIONS = tuple(ACTION_NAMES)


def _translations(rows: list[Any]) -> dict[str, dict[str, str]]:
    return {t.language: {"title": t.title, "description": t.description, "description_html": t.description_html} for t in rows}


def _day(params: Mapping[str, str], key: str) -> date | None:
    raw = params.get(key)
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw) if DAY_RE.fullmatch(raw) else None
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed({key: _l("Choose a date between 2000 and 2100.")})
    return day


# ---------------------------------------------------------------- events


def _visible_events():  # type: ignore[no-untyped-def]
    return select(Event).join(Organization, Organization.id == Event.organization_id).where(Organization.is_hidden.is_(False))


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id, "title": event.title, "language": event.language, "kind": event.kind.value, "action": event.action or None,
        "organization": org_ref(event.organization), "territory": territory_ref(event.territory), "mode": event.mode.value,
        "venue": event.venue or None, "address": event.address or None,
        # A link kept for registrants is not public.
        "online_url": None if event.online_url_registrants_only else (event.online_url or None),
        "step_free": event.step_free, "childcare": bool(event.childcare), "languages": list(event.languages or []),
        "interpretation_languages": list(event.interpretation_languages or []),
        "accessibility_notes": event.accessibility_notes or None, "all_day": bool(event.all_day),
        "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at), "recurrence": event.recurrence.value,
        "registration_mode": event.registration_mode.value, "capacity": event.capacity,
        "cancelled_at": iso(event.cancelled_at), "created_at": iso(event.created_at), "updated_at": iso(event.updated_at),
    }


def list_events(params: Mapping[str, str]) -> ApiPage:
    """Events of visible organisers by territory (and inside it), organiser (its own and those it
    co-organises) and dates (a session between ``from`` and ``to``, Rome days); by first start."""
    where = place(params)
    first, last = _day(params, "from"), _day(params, "to")
    if first and last and last < first:
        raise ValidationFailed({"to": _l("Choose a date between 2000 and 2100.")})
    stmt = _visible_events()
    if where is not None:
        stmt = stmt.where(Event.territory_id.in_(inside(where)))
    slug = params.get("organization")
    if slug is not None:
        org_id = db.session.scalar(select(Organization.id).where(Organization.slug == slug, Organization.is_hidden.is_(False))) if valid_slug(slug) else None
        if org_id is None:
            raise ValidationFailed({"organization": _l("Choose an organisation from the list.")})
        co = exists().where(and_(EventOrganizer.event_id == Event.id, EventOrganizer.organization_id == org_id,
                                 EventOrganizer.status == OrganizerStatus.ACCEPTED))
        stmt = stmt.where(or_(Event.organization_id == org_id, co))
    if first or last:
        dated = [EventSession.event_id == Event.id]
        if first:
            dated.append(EventSession.ends_at >= events.to_utc(first, time(0)))
        if last:
            dated.append(EventSession.starts_at < events.to_utc(last + timedelta(days=1), time(0)))
        stmt = stmt.where(exists().where(and_(*dated)))
    rows, cursor = keyset(stmt, params, [Event.starts_at, Event.id], lambda e: (e.starts_at, e.id), kinds=(datetime, int), descending=False)
    return ApiPage([_event(e) for e in rows], cursor)


def get_event(event_id: int) -> ApiItem:
    """An event with its description, dates (places left, never who registered), accepted
    co-organisers and translations."""
    event = db.session.scalar(_visible_events().where(Event.id == event_id)) if valid_id(event_id) else None
    if event is None:
        raise NotFound(_l("We could not find this event."))
    sessions = [
        {"id": s.id, "starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at),
         "is_cancelled": s.status == SessionStatus.CANCELLED or event.is_cancelled, "note": s.note or None,
         "places_left": events.places_left(s)}
        for s in events.list_sessions(event)
    ]
    co_organizers = [ref for o in events.organizers(event) if (ref := org_ref(o.organization)) is not None]
    return ApiItem({
        **_event(event), "description": event.description, "description_html": event.description_html,
        "cancel_reason": event.cancel_reason or None, "sessions": sessions, "co_organizers": co_organizers,
        "translations": _translations(events.translations(event)),
    })


# ---------------------------------------------------------------- initiatives


def _public_initiatives():  # type: ignore[no-untyped-def]
    """Planned, running and completed initiatives of visible leads (never drafts)."""
    hidden = select(Organization.id).where(Organization.is_hidden.is_(True))
    return select(Initiative).where(Initiative.status.in_(PUBLIC_STATUSES), Initiative.lead_id.not_in(hidden))


def _initiative(item: Initiative) -> dict[str, Any]:
    return {
        "id": item.id, "title": item.title, "language": item.language, "kind": item.kind.value, "status": item.status.value,
        "lead": org_ref(item.lead), "territory": territory_ref(item.territory), "starts_on": iso_day(item.starts_on),
        "ends_on": iso_day(item.ends_on), "actions": [a.action for a in item.actions],
        "target_groups": [t.target_group.value for t in item.targets], "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }


def list_initiatives(params: Mapping[str, str]) -> ApiPage:
    """Public initiatives by kind, action, status and territory (and inside it), newest first:
    three queries a page (rows, their actions, their target groups)."""
    kind = choice(params, "kind", [k.value for k in InitiativeKind])
    action = choice(params, "action", ACTIONS)
    status = choice(params, "status", [s.value for s in PUBLIC_STATUSES])
    where = place(params)
    stmt = _public_initiatives()
    if kind:
        stmt = stmt.where(Initiative.kind == InitiativeKind(kind))
    if status:
        stmt = stmt.where(Initiative.status == status)
    if action:
        stmt = stmt.where(exists().where(and_(InitiativeAction.initiative_id == Initiative.id, InitiativeAction.action == action)))
    if where is not None:
        stmt = stmt.where(Initiative.territory_id.in_(inside(where)))
    rows, cursor = keyset(stmt, params, [Initiative.id], lambda i: (i.id,))
    return ApiPage([_initiative(i) for i in rows], cursor)


def get_initiative(initiative_id: int) -> ApiItem:
    """A public initiative with its confirmed, visible partners (their roles, never the
    partners' contact people), translations and its good practice, if designated."""
    item = db.session.scalar(_public_initiatives().where(Initiative.id == initiative_id)) if valid_id(initiative_id) else None
    if item is None:
        raise NotFound(_l("We could not find this initiative."))
    partners = [{"organization": org_ref(p.organization), "role": p.role.value} for p in initiatives.partners_of(item)]
    practice = db.session.scalar(select(GoodPractice.id).where(GoodPractice.initiative_id == item.id, GoodPractice.is_published.is_(True)))
    return ApiItem({
        **_initiative(item), "objectives": [line.strip() for line in item.objectives.splitlines() if line.strip()],
        "description": item.description, "description_html": item.description_html, "partners": partners,
        "translations": _translations(initiatives.translations(item)), "good_practice_id": practice,
    })


# ---------------------------------------------------------------- good practices

_CARD = ("problem", "method", "results", "replication")


def _public_practices():  # type: ignore[no-untyped-def]
    return (select(GoodPractice).join(Initiative, Initiative.id == GoodPractice.initiative_id)
            .join(Organization, Organization.id == Initiative.lead_id)
            .where(GoodPractice.is_published.is_(True), Organization.is_hidden.is_(False), Initiative.status.in_(PUBLIC_STATUSES)))


def _practice(practice: GoodPractice) -> dict[str, Any]:
    item = practice.initiative
    return {
        "id": practice.id, "title": practice.title, "language": practice.language,
        "initiative": {"id": item.id, "title": item.title, "kind": item.kind.value}, "lead": org_ref(item.lead),
        "territory": territory_ref(item.territory), "designated_at": iso(practice.designated_at), "updated_at": iso(practice.updated_at),
    }


def list_good_practices(params: Mapping[str, str]) -> ApiPage:
    """Published good practices of public initiatives of visible leads, by kind, action and
    territory (and inside it), newest first."""
    kind = choice(params, "kind", [k.value for k in InitiativeKind])
    action = choice(params, "action", ACTIONS)
    where = place(params)
    stmt = _public_practices()
    if kind:
        stmt = stmt.where(Initiative.kind == InitiativeKind(kind))
    if action:
        stmt = stmt.where(exists().where(and_(InitiativeAction.initiative_id == Initiative.id, InitiativeAction.action == action)))
    if where is not None:
        stmt = stmt.where(Initiative.territory_id.in_(inside(where)))
    rows, cursor = keyset(stmt, params, [GoodPractice.id], lambda p: (p.id,))
    return ApiPage([_practice(p) for p in rows], cursor)


def get_good_practice(practice_id: int) -> ApiItem:
    """A good practice's card: problem, method, results, what replicating it takes, and the
    public contact written on the card."""
    practice = db.session.scalar(_public_practices().where(GoodPractice.id == practice_id)) if valid_id(practice_id) else None
    if practice is None:
        raise NotFound(_l("We could not find this good practice."))
    card: dict[str, Any] = {}
    for name in _CARD:
        card[name] = getattr(practice, name)
        card[f"{name}_html"] = getattr(practice, f"{name}_html")
    return ApiItem({**_practice(practice), **card, "contact": practice.contact or None})
