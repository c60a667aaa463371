"""Case histories: stories told by an organisation about people of its initiatives, with images
(re-encoded, without metadata, each with a text describing it), an optional video link (https,
shown as a link to the other site, never embedded), the organisations the story is about and a
filterable tag for stories where young people of foreign origin are the protagonists.

A story is a draft until its organisation publishes it; moderators of its territory can hide it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import Page, audit, memberships, notifications, paginate, territories, uploads
from app.services.italian_ids import normalize_https_url
from app.services.territories import name_key
from models import (
    PUBLIC_STATUSES,
    CaseHistory,
    CaseHistoryImage,
    CaseHistoryOrganization,
    CaseStatus,
    Initiative,
    InitiativePartner,
    Organization,
    PartnerStatus,
    Territory,
    User,
)
from models.base import utcnow

CASES_PER_PAGE = 12
MAX_IMAGES = 12
MAX_LINKED = 10
_EDITED_MEANWHILE = _l("Someone else changed this story while you were editing it. Check the values below and save again.")
_CHOOSE = _l("Choose one option from the list.")
_SLUG_IN_LINK = re.compile(r"/organizations/([A-Za-z0-9-]{1,80})/?$")


@dataclass(frozen=True)
class CaseDraft:
    title: str
    summary: str
    body: str
    language: str = "it"
    territory: str = ""  # ISTAT code or a typed place name; empty: where the organisation is based
    initiative_id: int | None = None
    video_url: str = ""
    youth_protagonists: bool = False
    organizations: list[str] = field(default_factory=list)  # other organisations: page address or exact name, one each


@dataclass(frozen=True)
class CaseFilters:
    territory: str = ""
    organization: str = ""  # slug: the teller or an organisation the story is about
    initiative_id: int | None = None
    youth_protagonists: bool = False


# ---------------------------------------------------------------- validation


def _clean(draft: CaseDraft, organization: Organization) -> tuple[dict, dict]:
    errors: dict = {}
    values: dict = {"title": " ".join((draft.title or "").split())}
    if not 5 <= len(values["title"]) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    values["summary"] = " ".join((draft.summary or "").split())
    if not 20 <= len(values["summary"]) <= 500:
        errors["summary"] = _l("Write a summary of 20 to 500 characters: who, where, what changed.")
    values["body"] = (draft.body or "").strip()
    if not 50 <= len(values["body"]) <= 30_000:
        errors["body"] = _l("Tell the story in 50 to 30,000 characters.")
    if draft.language not in LANGUAGES:
        errors["language"] = _CHOOSE
    values["language"] = draft.language
    values["territory"] = organization.home_territory
    if (draft.territory or "").strip():
        try:
            values["territory"] = territories.from_text(draft.territory, "territory")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    url = normalize_https_url(draft.video_url or "")
    if url is None:
        errors["video_url"] = _l("Write a link that starts with https://")
    values["video_url"] = url or ""
    values["youth_protagonists"] = bool(draft.youth_protagonists)
    values["initiative"] = None
    if draft.initiative_id:
        values["initiative"] = next((i for i in initiative_choices(organization) if i.id == draft.initiative_id), None)
        if values["initiative"] is None:
            errors["initiative_id"] = _CHOOSE
    try:
        values["linked"] = _linked(draft.organizations, organization)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    return values, errors


def _linked(references: list[str], teller: Organization) -> list[Organization]:
    """The organisations named one per line: by the address of their page (or its last part) or
    by their exact name. Hidden ones, and the teller itself, are left out."""
    lines = [" ".join(r.split()) for r in references if r and r.strip()]
    if len(lines) > MAX_LINKED:
        raise ValidationFailed({"organizations": _l("Name at most %(max)d organisations.", max=MAX_LINKED)})
    if not lines:
        return []
    slugs = {_slug_of(line): line for line in lines}
    keys = {name_key(line): line for line in lines}
    found = list(db.session.scalars(
        select(Organization).where(or_(Organization.slug.in_(list(slugs)), Organization.name_key.in_(list(keys))),
                                   Organization.is_hidden.is_(False))
    ))
    matched = {slugs.get(o.slug) for o in found} | {keys.get(o.name_key) for o in found}
    missing = [line for line in lines if line not in matched]
    if missing:
        raise ValidationFailed({"organizations": _l("We could not find: %(names)s. Copy the address of each organisation's page on Ponte.",
                                                     names="; ".join(missing))})
    return [o for o in found if o.id != teller.id]


def _slug_of(line: str) -> str:
    found = _SLUG_IN_LINK.search(line)
    return (found.group(1) if found else line).lower()


def _apply(case: CaseHistory, values: dict) -> None:
    for key in ("title", "summary", "body", "language", "video_url", "youth_protagonists"):
        setattr(case, key, values[key])
    case.body_html = rich_text(values["body"])
    case.territory, case.territory_id = values["territory"], values["territory"].id
    case.initiative_id = values["initiative"].id if values["initiative"] else None
    _apply_links(case, values["linked"])
    case.updated_at = utcnow()


# ---------------------------------------------------------------- commands


def create_case_history(actor: User, organization: Organization, draft: CaseDraft) -> CaseHistory:
    """Write a story of ``organization``; it stays a draft until published."""
    ensure(actor, Permission.CASE_HISTORY_CREATE, organization)
    values, errors = _clean(draft, organization)
    if errors:
        raise ValidationFailed(errors)
    case = CaseHistory(organization_id=organization.id, organization=organization, created_by_id=actor.id, status=CaseStatus.DRAFT)
    _apply(case, values)
    db.session.add(case)
    db.session.flush()
    audit.record(actor, "case_history.create", "case_history", case.id, case.title, organization=organization.slug)
    return case


def update_case_history(actor: User, case: CaseHistory, draft: CaseDraft, stored_version: int) -> CaseHistory:
    """Change the story; a save based on an older version than the stored one is a Conflict."""
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    values, errors = _clean(draft, case.organization)
    if errors:
        raise ValidationFailed(errors)
    if stored_version != case.version:
        raise Conflict(_EDITED_MEANWHILE)
    try:
        with db.session.begin_nested():
            _apply(case, values)
            db.session.flush()
    except StaleDataError:
        raise Conflict(_EDITED_MEANWHILE) from None
    audit.record(actor, "case_history.update", "case_history", case.id, case.title)
    return case


def link_organizations(actor: User, case: CaseHistory, references: list[str]) -> CaseHistory:
    """Set the other organisations the story is about (page addresses or exact names)."""
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    _apply_links(case, _linked(references, case.organization))
    db.session.flush()
    return case


def _apply_links(case: CaseHistory, linked: list[Organization]) -> None:
    keep = {o.id for o in linked}
    current = {link.organization_id for link in case.organizations}
    case.organizations = [link for link in case.organizations if link.organization_id in keep] + [
        CaseHistoryOrganization(organization_id=o.id, organization=o) for o in linked if o.id not in current]


def set_published(actor: User, case: CaseHistory, published: bool) -> CaseHistory:
    """Publish the story (readers see it unless moderators hid it) or take it back to draft."""
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    status = CaseStatus.PUBLISHED if published else CaseStatus.DRAFT
    if case.status != status:
        case.status = status
        if published and case.published_at is None:
            case.published_at = utcnow()
        db.session.flush()
        audit.record(actor, "case_history.publish" if published else "case_history.unpublish", "case_history", case.id, case.title)
    return case


def publish(actor: User, case: CaseHistory) -> CaseHistory:
    return set_published(actor, case, True)


def unpublish(actor: User, case: CaseHistory) -> CaseHistory:
    return set_published(actor, case, False)


def set_hidden(actor: User, case: CaseHistory, hidden: bool, reason: str = "") -> CaseHistory:
    """Moderators hide a story from readers (its organisation still sees it and is told why) or restore it."""
    ensure(actor, Permission.CASE_HISTORY_MODERATE, case)
    text = audit.public_reason(reason) if hidden else ""
    if case.is_hidden == hidden:
        return case
    case.is_hidden = hidden
    db.session.flush()
    audit.record(actor, "case_history.hide" if hidden else "case_history.restore", "case_history", case.id, case.title, reason=text)
    notifications.notify(memberships.admin_ids(case.organization), "moderation.hidden" if hidden else "moderation.restored",
                         "case_history", case.id, dedupe_key=f"{'hidden' if hidden else 'restored'}-{utcnow().isoformat()}",
                         title=case.title, reason=text)
    return case


def hide(actor: User, case: CaseHistory, reason: str) -> CaseHistory:
    return set_hidden(actor, case, True, reason)


def restore(actor: User, case: CaseHistory) -> CaseHistory:
    return set_hidden(actor, case, False)


# ---------------------------------------------------------------- images


def add_image(actor: User, case: CaseHistory, upload: uploads.Upload, alt_text: str, caption: str = "") -> CaseHistoryImage:
    """Add a picture to the story. The file is re-encoded (no EXIF, no GPS position); the alt
    text, which describes the picture to people who cannot see it, is required."""
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    alt = " ".join((alt_text or "").split())
    text = " ".join((caption or "").split())
    errors: dict = {}
    if not 3 <= len(alt) <= 300:
        errors["alt_text"] = _l("Describe the picture in 3 to 300 characters, for people who cannot see it.")
    if len(text) > 300:
        errors["caption"] = _l("Write at most %(max)d characters.", max=300)
    if len(case.images) >= MAX_IMAGES:
        errors["file"] = _l("A story can have at most %(max)d pictures. Remove one first.", max=MAX_IMAGES)
    if errors:
        raise ValidationFailed(errors)
    stored = uploads.store_image(actor, upload, field="file")
    position = max((i.position for i in case.images), default=0) + 1
    image = CaseHistoryImage(case_id=case.id, file_id=stored.id, file=stored, alt_text=alt, caption=text, position=position)
    case.images.append(image)
    db.session.flush()
    audit.record(actor, "case_history.image_add", "case_history", case.id, case.title, image=image.id)
    return image


def get_image(case: CaseHistory, image_id: int) -> CaseHistoryImage:
    found = next((i for i in case.images if i.id == image_id), None)
    if found is None:
        raise NotFound(_l("We could not find this picture."))
    return found


def remove_image(actor: User, case: CaseHistory, image: CaseHistoryImage) -> None:
    """Remove a picture: the row now, the file once the transaction commits."""
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    if image.case_id != case.id:
        raise NotFound(_l("We could not find this picture."))
    stored = image.file
    case.images.remove(image)
    db.session.flush()
    uploads.discard(stored)
    audit.record(actor, "case_history.image_remove", "case_history", case.id, case.title, image=image.id)


# ---------------------------------------------------------------- reading


def get_case_history(case_id: int, viewer: User | None) -> CaseHistory:
    """The story, or NotFound unless the viewer may see it (drafts and hidden stories: its organisation and moderators)."""
    case = db.session.get(CaseHistory, case_id)
    if case is None or not can(viewer, Permission.CASE_HISTORY_VIEW, case):
        raise NotFound(_l("We could not find this story."))
    return case


def initiative_choices(organization: Organization) -> list[Initiative]:
    """Initiatives the organisation leads or is a confirmed partner of, that readers can see."""
    return list(db.session.scalars(
        select(Initiative).where(
            Initiative.status.in_(PUBLIC_STATUSES),
            exists().where(InitiativePartner.initiative_id == Initiative.id, InitiativePartner.organization_id == organization.id,
                           InitiativePartner.status == PartnerStatus.CONFIRMED),
        ).order_by(Initiative.starts_on.desc(), Initiative.id.desc()).limit(100)
    ))


def visible_initiative(case: CaseHistory, viewer: User | None) -> Initiative | None:
    """The initiative the story comes from, if the viewer may see it."""
    initiative = case.initiative
    return initiative if initiative is not None and can(viewer, Permission.INITIATIVE_VIEW, initiative) else None


def linked_organizations(case: CaseHistory) -> list[Organization]:
    """The other organisations of the story that readers can see."""
    return sorted((link.organization for link in case.organizations if not link.organization.is_hidden), key=lambda o: o.name_key)


def _filtered(stmt: Select, filters: CaseFilters) -> Select:
    if filters.territory:
        place = territories.from_text(filters.territory, "territory")
        stmt = stmt.where(CaseHistory.territory_id.in_(select(Territory.id).where(Territory.path.like(f"{place.path}%"))))
    if filters.organization:
        slug = filters.organization.strip()[:80]
        org_id = select(Organization.id).where(Organization.slug == slug).scalar_subquery()
        stmt = stmt.where(or_(CaseHistory.organization_id == org_id, exists().where(
            CaseHistoryOrganization.case_id == CaseHistory.id, CaseHistoryOrganization.organization_id == org_id)))
    if filters.initiative_id:
        stmt = stmt.where(CaseHistory.initiative_id == filters.initiative_id)
    if filters.youth_protagonists:
        stmt = stmt.where(CaseHistory.youth_protagonists.is_(True))
    return stmt


def list_case_histories(filters: CaseFilters, page: int = 1, per_page: int = CASES_PER_PAGE) -> Page[CaseHistory]:
    """Published stories of visible organisations, not hidden, newest first (teller, place and
    pictures loaded with them: a fixed number of queries)."""
    stmt = (
        select(CaseHistory).join(Organization, Organization.id == CaseHistory.organization_id)
        .where(CaseHistory.status == CaseStatus.PUBLISHED, CaseHistory.is_hidden.is_(False), Organization.is_hidden.is_(False))
    )
    stmt = _filtered(stmt, filters).order_by(CaseHistory.published_at.desc(), CaseHistory.id.desc())
    return paginate(stmt, page, per_page)


def drafts_of(actor: User, limit: int = 20) -> list[CaseHistory]:
    """Unpublished or hidden stories of the organisations the person manages stories for."""
    org_ids = [m.organization_id for m in actor.memberships if can(actor, Permission.CASE_HISTORY_CREATE, m.organization)]
    if not org_ids:
        return []
    return list(db.session.scalars(
        select(CaseHistory).where(CaseHistory.organization_id.in_(org_ids),
                                  or_(CaseHistory.status == CaseStatus.DRAFT, CaseHistory.is_hidden.is_(True)))
        .order_by(CaseHistory.updated_at.desc(), CaseHistory.id.desc()).limit(limit)
    ))

