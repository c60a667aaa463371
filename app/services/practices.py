"""Good practices: completed initiatives that moderators or administrators designate, each with
a structured card (problem, method, results, what it takes to replicate it, a contact), a public
catalogue with filters, and "replicate this", which starts a draft initiative from the card.

Partners, indicators and materials are never copied into the card: the card page reads them
from the initiative (``initiatives.partners_of``, ``initiatives.materials_of``, ``outputs.totals``),
so the card always agrees with the initiative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import Page, audit, memberships, notifications, search_index, territories
from models import (
    PUBLIC_STATUSES,
    GoodPractice,
    Initiative,
    InitiativeAction,
    InitiativeKind,
    InitiativePartner,
    InitiativeTarget,
    Organization,
    OutputReport,
    PartnerStatus,
    TargetGroup,
    Territory,
    User,
)
from models.base import utcnow

ACTIONS = ("action_01", "action_02", "action_03", "action_04")
PRACTICES_PER_PAGE = 12
CARD_FIELDS = ("problem", "method", "results", "replication")
_EDITED_MEANWHILE = _l("Someone else changed this card while you were editing it. Check the values below and save again.")
_CHOOSE = _l("Choose one option from the list.")


@dataclass(frozen=True)
class PracticeCard:
    """The card a moderator writes: four Markdown texts, a title and a plain-text contact."""

    title: str
    problem: str
    method: str
    results: str
    replication: str
    contact: str = ""
    language: str = "it"


@dataclass(frozen=True)
class PracticeFilters:
    action: str = ""
    kind: str = ""
    territory: str = ""  # ISTAT code or a typed place name: includes everything inside it
    target: str = ""


@dataclass(frozen=True)
class PracticeRow:
    """One card of the catalogue with its headline figures (read in the same query)."""

    practice: GoodPractice
    partners: int
    participants: int
    sessions: int
    hours: int


# ---------------------------------------------------------------- the card


def _clean_card(card: PracticeCard) -> tuple[dict, dict]:
    errors: dict = {}
    values: dict = {"title": " ".join((card.title or "").split())}
    if not 5 <= len(values["title"]) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    for name in CARD_FIELDS:
        text = (getattr(card, name) or "").strip()
        if not 20 <= len(text) <= 20_000:
            errors[name] = _l("Write 20 to 20,000 characters.")
        values[name] = text
    values["contact"] = " ".join((card.contact or "").split())
    if len(values["contact"]) > 300:
        errors["contact"] = _l("Write at most %(max)d characters.", max=300)
    if card.language not in LANGUAGES:
        errors["language"] = _CHOOSE
    values["language"] = card.language
    return values, errors


def _apply(practice: GoodPractice, values: dict) -> None:
    practice.title, practice.contact, practice.language = values["title"], values["contact"], values["language"]
    for name in CARD_FIELDS:
        setattr(practice, name, values[name])
        setattr(practice, f"{name}_html", rich_text(values[name]))
    practice.updated_at = utcnow()


def designate(actor: User, initiative: Initiative, card: PracticeCard) -> GoodPractice:
    """Make a completed initiative a good practice with its card (published at once). Only
    moderators of its territory and administrators may; a second designation is a Conflict.
    The lead organisation's admins are told."""
    ensure(actor, Permission.GOOD_PRACTICE_DESIGNATE, initiative)
    values, errors = _clean_card(card)
    if errors:
        raise ValidationFailed(errors)
    if find_for_initiative(initiative) is not None:
        raise Conflict(_l("This initiative is already a good practice."))
    practice = GoodPractice(initiative_id=initiative.id, initiative=initiative, designated_by_id=actor.id, is_published=True)
    _apply(practice, values)
    try:
        with db.session.begin_nested():  # two moderators at once: the unique initiative_id keeps one
            db.session.add(practice)
    except IntegrityError:
        raise Conflict(_l("This initiative is already a good practice.")) from None
    search_index.refresh(practice)
    audit.record(actor, "good_practice.designate", "good_practice", practice.id, practice.title, initiative=initiative.id)
    notifications.notify(memberships.admin_ids(initiative.lead), "good_practice.designated", "good_practice", practice.id,
                         dedupe_key="designated", title=practice.title, initiative=initiative.title)
    return practice


def update_card(actor: User, practice: GoodPractice, card: PracticeCard, stored_version: int) -> GoodPractice:
    """Change the card; a save based on an older version than the stored one is a Conflict."""
    ensure(actor, Permission.GOOD_PRACTICE_DESIGNATE, practice.initiative)
    values, errors = _clean_card(card)
    if errors:
        raise ValidationFailed(errors)
    if stored_version != practice.version:
        raise Conflict(_EDITED_MEANWHILE)
    try:
        with db.session.begin_nested():
            _apply(practice, values)
            db.session.flush()
    except StaleDataError:
        raise Conflict(_EDITED_MEANWHILE) from None
    search_index.refresh(practice)
    audit.record(actor, "good_practice.update", "good_practice", practice.id, practice.title)
    return practice


def set_published(actor: User, practice: GoodPractice, published: bool) -> GoodPractice:
    """Show the practice in the catalogue again, or take it out (its card stays for those who designate)."""
    ensure(actor, Permission.GOOD_PRACTICE_DESIGNATE, practice.initiative)
    if practice.is_published != published:
        practice.is_published = published
        db.session.flush()
        search_index.refresh(practice)
        audit.record(actor, "good_practice.publish" if published else "good_practice.unpublish", "good_practice",
                     practice.id, practice.title)
    return practice


def publish(actor: User, practice: GoodPractice) -> GoodPractice:
    return set_published(actor, practice, True)


def unpublish(actor: User, practice: GoodPractice) -> GoodPractice:
    return set_published(actor, practice, False)


# ---------------------------------------------------------------- reading


def find_for_initiative(initiative: Initiative) -> GoodPractice | None:
    return db.session.scalar(select(GoodPractice).where(GoodPractice.initiative_id == initiative.id))


def get_practice(practice_id: int, viewer: User | None) -> GoodPractice:
    """The practice, or NotFound unless the viewer may see it and its initiative (whose lead is visible)."""
    practice = db.session.get(GoodPractice, practice_id)
    if practice is None or not can(viewer, Permission.GOOD_PRACTICE_VIEW, practice) \
            or not can(viewer, Permission.INITIATIVE_VIEW, practice.initiative):
        raise NotFound(_l("We could not find this good practice."))
    return practice


def _filtered(stmt: Select, filters: PracticeFilters) -> Select:
    if filters.action:
        if filters.action not in ACTIONS:
            raise ValidationFailed({"action": _CHOOSE})
        stmt = stmt.where(exists().where(InitiativeAction.initiative_id == Initiative.id, InitiativeAction.action == filters.action))
    if filters.kind:
        if filters.kind not in InitiativeKind.__members__.values():
            raise ValidationFailed({"kind": _CHOOSE})
        stmt = stmt.where(Initiative.kind == InitiativeKind(filters.kind))
    if filters.target:
        if filters.target not in TargetGroup.__members__.values():
            raise ValidationFailed({"target": _CHOOSE})
        stmt = stmt.where(exists().where(InitiativeTarget.initiative_id == Initiative.id,
                                         InitiativeTarget.target_group == TargetGroup(filters.target)))
    if filters.territory:
        place = territories.from_text(filters.territory, "territory")
        stmt = stmt.where(Initiative.territory_id.in_(select(Territory.id).where(Territory.path.like(f"{place.path}%"))))
    return stmt


# The catalogue's cards do not show these: loading them would cost a query each.
_NOT_ON_CARDS = (Initiative.actions, Initiative.targets, Initiative.partners, Initiative.translations)


def list_practices(filters: PracticeFilters, page: int = 1, per_page: int = PRACTICES_PER_PAGE) -> Page[PracticeRow]:
    """Published practices of visible organisations, newest first, each with its confirmed partners
    and what its partners recorded: one query, however many rows."""
    partners = (select(func.count()).where(InitiativePartner.initiative_id == Initiative.id,
                                           InitiativePartner.status == PartnerStatus.CONFIRMED).scalar_subquery())
    totals = [
        select(func.coalesce(func.sum(column), 0)).where(OutputReport.initiative_id == Initiative.id).scalar_subquery()
        for column in (OutputReport.participants_total, OutputReport.sessions_held, OutputReport.hours)
    ]
    stmt = (
        select(GoodPractice, partners, *totals)
        .join(Initiative, Initiative.id == GoodPractice.initiative_id)
        .join(Organization, Organization.id == Initiative.lead_id)
        .join(Territory, Territory.id == Initiative.territory_id)
        .options(contains_eager(GoodPractice.initiative).contains_eager(Initiative.lead),
                 contains_eager(GoodPractice.initiative).contains_eager(Initiative.territory),
                 *(contains_eager(GoodPractice.initiative).raiseload(r) for r in _NOT_ON_CARDS))
        .where(GoodPractice.is_published.is_(True), Organization.is_hidden.is_(False), Initiative.status.in_(PUBLIC_STATUSES))
    )
    stmt = _filtered(stmt, filters).order_by(GoodPractice.designated_at.desc(), GoodPractice.id.desc())
    rows = list(db.session.execute(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    items = [PracticeRow(row[0], row[1], row[2], row[3], row[4]) for row in rows[:per_page]]
    return Page(items=items, page=page, per_page=per_page, has_next=len(rows) > per_page)


# ---------------------------------------------------------------- replicate this


def _replica_description(practice: GoodPractice) -> str:
    source = practice.initiative
    intro = _l('This initiative replicates the good practice "%(title)s" (%(lead)s, %(place)s).',
               title=practice.title, lead=source.lead.name, place=source.territory.name)
    method, needs = _l("Method"), _l("What it takes to replicate it")  # outside the f-strings, so that they are extracted
    parts = [str(intro), f"### {method}", practice.method, f"### {needs}", practice.replication]
    return "\n\n".join(parts)[:20_000]


def replicate(actor: User, practice: GoodPractice, lead: Organization, territory_code: str,  # noqa: PLR0917 — the agreed signature: who, what, and the new lead, place and period
              starts_on: date | None, ends_on: date | None) -> Initiative:
    """Start a draft initiative led by ``lead`` from the practice: its kind, actions, target groups
    and objectives, with a description drawn from the method and the replication notes. The draft
    is seen by its lead only until they plan it."""
    from app.services import initiatives  # initiatives may show practices: keep this edge lazy, no import cycle

    ensure(actor, Permission.GOOD_PRACTICE_VIEW, practice)
    source = practice.initiative
    draft = initiatives.InitiativeDraft(
        title=practice.title, kind=str(source.kind), actions=list(source.action_codes), targets=[str(t.target_group) for t in source.targets],
        territory=territory_code or "", starts_on=starts_on, ends_on=ends_on, objectives=source.objectives,
        description=_replica_description(practice), language=practice.language,
    )
    initiative = initiatives.create_initiative(actor, lead, draft, replicated_from=source)
    audit.record(actor, "good_practice.replicate", "initiative", initiative.id, initiative.title, practice=practice.id)
    return initiative
