"""Joint initiatives of associations, schools and public bodies: drafting and publishing, the
catalogue, translations, and the events that are their sessions.

An initiative starts as a draft, seen by its lead and invited partners only; published, it is
planned, then running, then completed. Every list shows public statuses of visible leads only.
Partners and materials live in ``initiative_partners`` and are re-exported here, so callers
use this one module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import ACTION_NAMES, LANGUAGES, _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import Page, audit, paginate, search_index, territories
from app.services.initiative_partners import (
    MAX_MATERIALS,
    ORGANIZING_ROLES,
    PartnerContact,
    add_material,
    can_delete_material,
    contributing_organization,
    decide_partnership,
    delete_material,
    get_material,
    get_partner,
    invitable_organization,
    invite_partner,
    materials_of,
    partners_of,
    pending_partner_invitations,
    remove_partner,
    rows_acting_for,
    search_organizations,
    update_partner_contact,
)
from models import (
    PUBLIC_STATUSES,
    Event,
    EventOrganizer,
    Initiative,
    InitiativeAction,
    InitiativeEvent,
    InitiativeKind,
    InitiativePartner,
    InitiativeStatus,
    InitiativeTarget,
    InitiativeTranslation,
    Membership,
    MembershipStatus,
    Organization,
    OrganizerStatus,
    PartnerRole,
    PartnerStatus,
    TargetGroup,
    Territory,
    User,
)
from models.base import utcnow

__all__ = [
    "MAX_MATERIALS", "PUBLIC_STATUSES", "InitiativeDraft", "InitiativeFilters", "PartnerContact", "add_material",
    "can_delete_material", "contributing_organization", "create_initiative", "decide_partnership", "delete_material",
    "events_of", "get_initiative", "get_material", "get_partner", "initiatives_of_event", "initiatives_of_territory",
    "invitable_organization", "invite_partner", "leading_choices", "link_event", "linkable_events", "list_initiatives",
    "materials_of", "my_initiatives", "next_statuses", "partners_of", "pending_partner_invitations", "remove_partner",
    "rows_acting_for", "search_organizations", "set_status", "set_translation", "text_for", "titles_for", "today", "translations",
    "unlink_event", "update_initiative", "update_partner_contact",
]

ROME = ZoneInfo("Europe/Rome")
ACTIONS = tuple(ACTION_NAMES)
MAX_YEARS = 5
PER_PAGE = 20
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
_EDITED_MEANWHILE = _l("Someone else changed this initiative while you were editing it. Check the values below and save again.")
_CHOOSE = _l("Choose one option from the list.")


@dataclass(frozen=True)
class InitiativeDraft:
    title: str
    kind: str
    actions: list[str]
    targets: list[str]
    territory: str  # ISTAT code (a typed place name works too)
    starts_on: date | None
    ends_on: date | None
    objectives: str = ""  # plain text, one objective per line
    description: str = ""  # Markdown
    language: str = "it"


def today() -> date:
    """Today in Italy."""
    return datetime.now(ROME).date()


# ---------------------------------------------------------------- validation


def _codes(given: list[str], allowed: tuple[str, ...], key: str, missing: object, errors: dict) -> list[str]:
    codes = sorted({code for code in given or [] if code})
    if not codes:
        errors[key] = missing
    elif any(code not in allowed for code in codes):
        errors[key] = _CHOOSE
    return codes


def _place(text: str, lead: Organization, errors: dict) -> Territory | None:
    """The territory: it exists, and it is in the lead's region (the lead's home, around it or inside it)."""
    try:
        place = territories.from_text(text or "", "territory")
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None
    region = lead.home_territory.ancestor_ids[:1]
    if region and place.ancestor_ids[:1] != region:
        errors["territory"] = _l("Choose a place in the region of the lead organisation.")
    return place


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _period(starts_on: date | None, ends_on: date | None, errors: dict) -> None:
    for key, day, missing in (("starts_on", starts_on, _l("Choose the first day.")), ("ends_on", ends_on, _l("Choose the last day."))):
        if day is None:
            errors[key] = missing
        elif not FIRST_DAY <= day <= LAST_DAY:
            errors[key] = _l("Choose a date between 2000 and 2100.")
    if starts_on is None or ends_on is None or "starts_on" in errors or "ends_on" in errors:
        return
    if ends_on < starts_on:
        errors["ends_on"] = _l("The last day cannot come before the first day.")
    elif ends_on > _years_later(starts_on, MAX_YEARS):
        errors["ends_on"] = _l("An initiative can last at most %(years)d years.", years=MAX_YEARS)


def _validated(draft: InitiativeDraft, lead: Organization) -> dict:
    """The draft's values, cleaned; ``ValidationFailed`` with a message for every wrong field."""
    errors: dict = {}
    v: dict = {"title": " ".join((draft.title or "").split()), "language": draft.language or "",
               "objectives": "\n".join(line.strip() for line in (draft.objectives or "").strip().splitlines() if line.strip()),
               "description": (draft.description or "").strip(), "starts_on": draft.starts_on, "ends_on": draft.ends_on}
    if not 5 <= len(v["title"]) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    if draft.kind not in InitiativeKind.__members__.values():
        errors["kind"] = _CHOOSE
    v["kind"] = draft.kind
    v["actions"] = _codes(draft.actions, ACTIONS, "actions", _l("Choose at least one action."), errors)
    v["targets"] = _codes(draft.targets, tuple(TargetGroup), "targets", _l("Choose at least one group of people the initiative is for."), errors)
    v["territory"] = _place(draft.territory, lead, errors)
    _period(draft.starts_on, draft.ends_on, errors)
    if v["language"] not in LANGUAGES:
        errors["language"] = _CHOOSE
    if len(v["objectives"]) > 3000:
        errors["objectives"] = _l("Write at most %(max)d characters.", max=3000)
    if len(v["description"]) > 20_000:
        errors["description"] = _l("Write at most %(max)d characters.", max=20_000)
    if errors:
        raise ValidationFailed(errors)
    return v


def _apply(initiative: Initiative, v: dict) -> None:
    # Collections first: loading one must not flush the changed row outside the version check.
    _sync(initiative.actions, v["actions"], lambda code: InitiativeAction(action=code), lambda a: a.action)
    _sync(initiative.targets, v["targets"], lambda code: InitiativeTarget(target_group=TargetGroup(code)), lambda t: str(t.target_group))
    for key in ("title", "kind", "objectives", "description", "language", "starts_on", "ends_on"):
        setattr(initiative, key, v[key])
    initiative.description_html = rich_text(v["description"])
    initiative.territory, initiative.territory_id = v["territory"], v["territory"].id
    initiative.updated_at = utcnow()


def _sync(collection: list, wanted: list[str], make, key) -> None:  # type: ignore[no-untyped-def]
    """Make a child collection hold exactly the wanted codes, keeping the rows already there."""
    have = {key(item): item for item in collection}
    for code, item in have.items():
        if code not in wanted:
            collection.remove(item)
    collection.extend(make(code) for code in wanted if code not in have)


# ---------------------------------------------------------------- commands


def create_initiative(actor: User, lead: Organization, draft: InitiativeDraft, *,
                      replicated_from: Initiative | None = None) -> Initiative:
    """Start an initiative led by ``lead``, as a draft; the lead is its first, confirmed partner."""
    ensure(actor, Permission.INITIATIVE_CREATE, lead)
    v = _validated(draft, lead)
    initiative = Initiative(lead_id=lead.id, lead=lead, status=InitiativeStatus.DRAFT, created_by_id=actor.id,
                            replicated_from_id=replicated_from.id if replicated_from is not None else None)
    _apply(initiative, v)
    db.session.add(initiative)
    db.session.flush()
    db.session.add(InitiativePartner(initiative_id=initiative.id, organization_id=lead.id, role=PartnerRole.LEAD,
                                     status=PartnerStatus.CONFIRMED, decided_at=utcnow(), decided_by_id=actor.id))
    db.session.flush()
    db.session.expire(initiative, ["partners"])
    audit.record(actor, "initiative.create", "initiative", initiative.id, initiative.title, lead=lead.slug)
    return initiative


def update_initiative(actor: User, initiative: Initiative, draft: InitiativeDraft, stored_version: int) -> Initiative:
    """Change an initiative, checked against the version the form was filled from."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    v = _validated(draft, initiative.lead)
    if stored_version != initiative.version:
        raise Conflict(_EDITED_MEANWHILE)
    _apply(initiative, v)
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_EDITED_MEANWHILE) from None
    search_index.refresh(initiative)
    audit.record(actor, "initiative.update", "initiative", initiative.id, initiative.title)
    return initiative


# Draft → planned → running → completed. A published initiative can go back one step (a date
# moved, a start announced too early); a completed one stays completed.
TRANSITIONS: dict[InitiativeStatus, tuple[InitiativeStatus, ...]] = {
    InitiativeStatus.DRAFT: (InitiativeStatus.PLANNED, InitiativeStatus.RUNNING),
    InitiativeStatus.PLANNED: (InitiativeStatus.RUNNING, InitiativeStatus.DRAFT),
    InitiativeStatus.RUNNING: (InitiativeStatus.COMPLETED, InitiativeStatus.PLANNED),
    InitiativeStatus.COMPLETED: (),
}


def next_statuses(initiative: Initiative) -> tuple[InitiativeStatus, ...]:
    return TRANSITIONS[initiative.status]


def set_status(actor: User, initiative: Initiative, status: str, *, confirm: bool = False) -> Initiative:
    """Move the initiative along draft → planned → running → completed. Completing it before its
    last day needs ``confirm`` (its period then ends today)."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if status not in InitiativeStatus.__members__.values():
        raise ValidationFailed({"status": _CHOOSE})
    new, old = InitiativeStatus(status), initiative.status
    if new == old:
        return initiative
    if new == InitiativeStatus.COMPLETED and old != InitiativeStatus.RUNNING:
        raise Conflict(_l("Only a running initiative can be marked as completed."))
    if new not in TRANSITIONS[old]:
        raise Conflict(_l("This change of status is not possible."))
    if new == InitiativeStatus.COMPLETED and initiative.ends_on > today():
        if not confirm:
            raise ValidationFailed({"confirm": _l("The last day of the initiative has not come yet. Tick the box to confirm that it is completed.")})
        initiative.ends_on = max(today(), initiative.starts_on)
    initiative.status, initiative.updated_at = new, utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_EDITED_MEANWHILE) from None
    search_index.refresh(initiative)
    audit.record(actor, "initiative.status", "initiative", initiative.id, initiative.title, before=old.value, after=new.value)
    return initiative


# ---------------------------------------------------------------- queries


def get_initiative(initiative_id: int, viewer: User | None) -> Initiative:
    """The initiative, or NotFound (also when this viewer may not see it, for example a draft)."""
    # One query for the row, its lead, place, actions and target groups (a handful of child rows).
    found = (db.session.get(Initiative, initiative_id, options=[joinedload(Initiative.actions), joinedload(Initiative.targets)])
             if 0 < initiative_id < 2**31 else None)
    if found is None or not can(viewer, Permission.INITIATIVE_VIEW, found):
        raise NotFound(_l("We could not find this initiative."))
    return found


@dataclass(frozen=True)
class InitiativeFilters:
    kind: str = ""
    action: str = ""
    territory: str = ""  # ISTAT code or a typed place name: the place and everything inside it
    target: str = ""
    status: str = ""  # planned, running or completed
    q: str = ""  # words in the title


def _public() -> Select:
    """Published initiatives of visible leads; cards need neither actions nor target groups."""
    hidden = select(Organization.id).where(Organization.is_hidden.is_(True))
    return (select(Initiative).where(Initiative.status.in_(PUBLIC_STATUSES), Initiative.lead_id.not_in(hidden))
            .options(lazyload(Initiative.actions), lazyload(Initiative.targets)))


def _checked(filters: InitiativeFilters) -> None:
    errors: dict = {}
    for key, value, allowed in (("kind", filters.kind, tuple(InitiativeKind)), ("action", filters.action, ACTIONS),
                                ("target", filters.target, tuple(TargetGroup)), ("status", filters.status, PUBLIC_STATUSES)):
        if value and value not in allowed:
            errors[key] = _CHOOSE
    if errors:
        raise ValidationFailed(errors)


def _filtered(stmt: Select, filters: InitiativeFilters) -> Select:
    _checked(filters)
    if filters.territory:
        place = territories.from_text(filters.territory[:100], "territory")
        stmt = stmt.where(Initiative.territory_id.in_(select(Territory.id).where(Territory.path.like(f"{place.path}%"))))
    if filters.kind:
        stmt = stmt.where(Initiative.kind == InitiativeKind(filters.kind))
    if filters.status:
        stmt = stmt.where(Initiative.status == InitiativeStatus(filters.status))
    if filters.action:
        stmt = stmt.where(exists().where(and_(InitiativeAction.initiative_id == Initiative.id, InitiativeAction.action == filters.action)))
    if filters.target:
        stmt = stmt.where(exists().where(and_(InitiativeTarget.initiative_id == Initiative.id,
                                              InitiativeTarget.target_group == TargetGroup(filters.target))))
    words = " ".join(filters.q.split())[:100].lower()
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(func.lower(Initiative.title).like(f"%{escaped}%", escape="\\"))
    return stmt


_STATUS_ORDER = case((Initiative.status == InitiativeStatus.RUNNING, 0), (Initiative.status == InitiativeStatus.PLANNED, 1), else_=2)


def list_initiatives(filters: InitiativeFilters, page: int = 1, per_page: int = PER_PAGE) -> Page[Initiative]:
    """One page of the catalogue: running first, then planned, then completed; the newest start
    first. One query whatever the page size (lead and place are joined)."""
    stmt = _filtered(_public(), filters).order_by(_STATUS_ORDER, Initiative.starts_on.desc(), Initiative.id.desc())
    return paginate(stmt, page, min(max(per_page, 1), 50))


def initiatives_of_territory(territory: Territory, limit: int = 6) -> list[Initiative]:
    """Published initiatives in the territory and inside it, running first (for territory pages): one query."""
    inside = select(Territory.id).where(Territory.path.like(f"{territory.path}%"))
    stmt = (_public().where(Initiative.territory_id.in_(inside))
            .order_by(_STATUS_ORDER, Initiative.starts_on.desc(), Initiative.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def my_initiatives(user: User, limit: int = 20) -> list[Initiative]:
    """Initiatives (drafts too) that the organisations the person acts for lead, take part in or are invited to."""
    mine = select(Membership.organization_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE, Membership.role.in_(ORGANIZING_ROLES))
    taking_part = select(InitiativePartner.initiative_id).where(
        InitiativePartner.organization_id.in_(mine), InitiativePartner.status.in_((PartnerStatus.INVITED, PartnerStatus.CONFIRMED)))
    stmt = (select(Initiative).where(Initiative.id.in_(taking_part))
            .options(lazyload(Initiative.actions), lazyload(Initiative.targets))
            .order_by(Initiative.updated_at.desc(), Initiative.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def leading_choices(user: User | None) -> list[Organization]:
    """Organisations the person can start an initiative for."""
    if user is None:
        return []
    return [m.organization for m in user.memberships if can(user, Permission.INITIATIVE_CREATE, m.organization)]


# ---------------------------------------------------------------- translations


def translations(initiative: Initiative) -> list[InitiativeTranslation]:
    return list(initiative.translations)


def set_translation(actor: User, initiative: Initiative, language: str, title: str, description: str) -> InitiativeTranslation | None:
    """Add or change the title and description in another language (an empty title removes it)."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if language not in LANGUAGES or language == initiative.language:
        raise ValidationFailed({"language": _l("Choose a language different from the original one.")})
    existing = next((t for t in initiative.translations if t.language == language), None)
    clean_title = " ".join((title or "").split())
    if not clean_title:
        if existing is not None:
            initiative.translations.remove(existing)
            db.session.flush()
        return None
    if not 5 <= len(clean_title) <= 160:
        raise ValidationFailed({"title": _l("Write a title of 5 to 160 characters.")})
    body = (description or "").strip()
    if len(body) > 20_000:
        raise ValidationFailed({"description": _l("Write at most %(max)d characters.", max=20_000)})
    if existing is None:
        existing = InitiativeTranslation(language=language)
        initiative.translations.append(existing)
    existing.title, existing.description, existing.description_html = clean_title, body, rich_text(body)
    db.session.flush()
    return existing


def text_for(initiative: Initiative, locale: str) -> tuple[str, str, bool]:
    """(title, description_html, is_translation) in the reader's language if there is one, else the original."""
    if locale != initiative.language:
        found = db.session.scalar(select(InitiativeTranslation).where(
            InitiativeTranslation.initiative_id == initiative.id, InitiativeTranslation.language == locale))
        if found is not None:
            return found.title, found.description_html or initiative.description_html, True
    return initiative.title, initiative.description_html, False


def titles_for(items: list[Initiative], locale: str) -> dict[int, str]:
    """Titles in the reader's language for a list of initiatives (only those translated): one query."""
    ids = [i.id for i in items if i.language != locale]
    if not ids:
        return {}
    rows = db.session.execute(select(InitiativeTranslation.initiative_id, InitiativeTranslation.title).where(
        InitiativeTranslation.initiative_id.in_(ids), InitiativeTranslation.language == locale))
    return {initiative_id: title for initiative_id, title in rows}


# ---------------------------------------------------------------- sessions (linked events)


def _running_organizations(initiative: Initiative) -> set[int]:
    return {initiative.lead_id} | {p.organization_id for p in initiative.partners if p.status == PartnerStatus.CONFIRMED}


def _organised_by_partners(initiative: Initiative) -> object:
    """A condition on Event: organised by the lead or a confirmed partner, or co-organised by one of them."""
    orgs = list(_running_organizations(initiative))
    co_organised = exists().where(and_(EventOrganizer.event_id == Event.id, EventOrganizer.status == OrganizerStatus.ACCEPTED,
                                       EventOrganizer.organization_id.in_(orgs)))
    return or_(Event.organization_id.in_(orgs), co_organised)


def link_event(actor: User, initiative: Initiative, event: Event) -> InitiativeEvent:
    """Make an event a session of the initiative: it must be organised (or co-organised) by the
    lead or a confirmed partner."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if not can(actor, Permission.EVENT_VIEW, event):
        raise NotFound(_l("We could not find this event."))
    if event.is_cancelled:
        raise ValidationFailed({"event_id": _l("This event is cancelled.")})
    orgs = _running_organizations(initiative)
    if event.organization_id not in orgs and not any(
            o.status == OrganizerStatus.ACCEPTED and o.organization_id in orgs for o in event.organizers):
        raise ValidationFailed({"event_id": _l("Only events of the lead organisation or of a confirmed partner can be sessions of the initiative.")})
    link = InitiativeEvent(initiative_id=initiative.id, event_id=event.id, event=event)
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:
        raise Conflict(_l("This event is already a session of the initiative.")) from None
    audit.record(actor, "initiative.event_link", "initiative", initiative.id, initiative.title, event=event.id)
    return link


def unlink_event(actor: User, initiative: Initiative, event: Event) -> None:
    """The event stays; it is no longer a session of the initiative."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    link = db.session.get(InitiativeEvent, (initiative.id, event.id))
    if link is None:
        raise NotFound(_l("This event is not a session of the initiative."))
    db.session.delete(link)
    db.session.flush()
    audit.record(actor, "initiative.event_unlink", "initiative", initiative.id, initiative.title, event=event.id)


def events_of(initiative: Initiative) -> list[Event]:
    """The sessions in date order (events of hidden organisations left out): one query."""
    hidden = select(Organization.id).where(Organization.is_hidden.is_(True))
    return list(db.session.scalars(
        select(Event).join(InitiativeEvent, InitiativeEvent.event_id == Event.id)
        .where(InitiativeEvent.initiative_id == initiative.id, Event.organization_id.not_in(hidden))
        .order_by(Event.starts_at, Event.id)))


def linkable_events(initiative: Initiative, limit: int = 50) -> list[Event]:
    """Events the lead can link: of the lead or a confirmed partner, not cancelled, not linked yet,
    not over before the initiative starts; the latest first."""
    linked = select(InitiativeEvent.event_id).where(InitiativeEvent.initiative_id == initiative.id)
    starts = datetime.combine(initiative.starts_on, datetime.min.time(), tzinfo=ROME)
    return list(db.session.scalars(
        select(Event).where(_organised_by_partners(initiative), Event.cancelled_at.is_(None), Event.id.not_in(linked),
                            Event.ends_at >= starts)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))


def initiatives_of_event(event: Event) -> list[Initiative]:
    """The published initiatives this event is a session of (for the event page): one query."""
    linked = select(InitiativeEvent.initiative_id).where(InitiativeEvent.event_id == event.id)
    return list(db.session.scalars(_public().where(Initiative.id.in_(linked)).order_by(Initiative.starts_on, Initiative.id)))
