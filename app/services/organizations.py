"""Organisation profiles: create, edit, logo, verification, directory queries."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import (
    Page,
    audit,
    italian_ids,
    memberships,
    notifications,
    paginate,
    search_index,
    territories,
    unique_slug,
    uploads,
)
from models import (
    ASSOCIATION_KINDS,
    Area,
    AuthorityType,
    LegalForm,
    MemberRole,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationArea,
    OrganizationDescription,
    OrganizationLanguage,
    OrganizationTerritory,
    OrgKind,
    SchoolLevel,
    Territory,
    ThirdSectorType,
    User,
)
from models.base import utcnow

MAX_SERVED = 20
MAX_LINKS = 5
SORTS = ("name", "newest")


@dataclass(frozen=True)
class OrganizationDraft:
    """What a profile form sends. Free text is validated here, never trusted."""

    name: str
    kind: str
    home_territory: str
    territories_served: list[str] = field(default_factory=list)
    address: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    social_links: list[str] = field(default_factory=list)
    communities_served: str = ""
    areas: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)  # language → Markdown
    original_language: str = "it"
    legal_form: str = ""
    runts_number: str = ""
    tax_code: str = ""
    founding_year: int | None = None
    school_code: str = ""
    school_level: str = ""
    authority_type: str = ""
    authority_istat_code: str = ""
    third_sector_type: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    logo: uploads.Upload | None = None


@dataclass(frozen=True)
class DirectoryFilters:
    territory: str = ""  # ISTAT/district code or a typed place name: includes everything inside
    kind: str = ""
    area: str = ""
    language: str = ""
    verified: bool = False
    q: str = ""
    sort: str = "name"


# ---------------------------------------------------------------- helpers


def _enum(enum_class, value: str, errors: dict, key: str, required: bool = False):  # type: ignore[no-untyped-def]
    if not value:
        if required:
            errors[key] = _l("Choose one option from the list.")
        return None
    try:
        return enum_class(value)
    except ValueError:
        errors[key] = _l("Choose one option from the list.")
        return None


def _clean(draft: OrganizationDraft) -> tuple[dict, dict]:  # noqa: C901, PLR0912, PLR0915 — one flat list of field checks
    """Validate a draft; return (values, errors). Nothing is written here."""
    errors: dict = {}
    values: dict = {}
    name = " ".join(draft.name.split())
    if not 3 <= len(name) <= 160:
        errors["name"] = _l("Write a name of 3 to 160 characters.")
    values["name"] = name
    kind = _enum(OrgKind, draft.kind, errors, "kind", required=True)
    values["kind"] = kind
    try:
        home = territories.resolve(draft.home_territory)
        if home is None:
            errors["home_territory"] = _l("Write the comune where the organisation is based, for example: Bari.")
        values["home_territory"] = home
    except ValidationFailed as exc:
        errors["home_territory"] = exc.errors["home_territory"]
    served: list[Territory] = []
    for text in [t for t in draft.territories_served if t.strip()][:MAX_SERVED]:
        try:
            found = territories.resolve(text)
        except ValidationFailed as exc:
            errors["territories_served"] = exc.errors["home_territory"]
            break
        if found is not None and found not in served:
            served.append(found)
    values["served"] = served
    checks = (
        ("email", _email(draft.email), _l("Enter a valid e-mail address, for example info@associazione.it.")),
        ("phone", italian_ids.normalize_phone(draft.phone), _l("Enter a valid phone number, for example 080 123 4567 or +39 080 123 4567.")),
        ("contact_phone", italian_ids.normalize_phone(draft.contact_phone), _l("Enter a valid phone number, for example 080 123 4567 or +39 080 123 4567.")),
        ("website", italian_ids.normalize_https_url(draft.website), _l("Write the full address of the website, starting with https://")),
        ("tax_code", italian_ids.normalize_tax_code(draft.tax_code), _l("This codice fiscale is not valid. Check the digits: an association's code has 11 digits.")),
        ("runts_number", italian_ids.normalize_runts(draft.runts_number), _l("The RUNTS number has only digits.")),
        ("school_code", italian_ids.normalize_school_code(draft.school_code), _l("The codice meccanografico has 10 letters and digits, for example BAIC81200X.")),
    )
    for key, value, message in checks:
        if value is None:
            errors[key] = message
        values[key] = value or ""
    links = []
    for link in [x for x in draft.social_links if x.strip()][:MAX_LINKS]:
        clean = italian_ids.normalize_https_url(link)
        if clean is None:
            errors["social_links"] = _l("Write each link in full, starting with https://")
            break
        links.append(clean)
    values["social_links"] = links
    values["areas"] = [a for a in dict.fromkeys(draft.areas) if a in Area.__members__.values()]
    if len(values["areas"]) != len(set(draft.areas)):
        errors["areas"] = _l("Choose areas of work from the list.")
    values["languages"] = [code for code in dict.fromkeys(draft.languages) if code][:20]
    if any(len(code) > 16 or not re.fullmatch(r"[a-zA-Z_]+", code) for code in values["languages"]):
        errors["languages"] = _l("Choose languages from the list.")
    descriptions = {lang: text.strip() for lang, text in draft.descriptions.items() if text and text.strip()}
    if any(lang not in LANGUAGES for lang in descriptions) or any(len(t) > 10_000 for t in descriptions.values()):
        errors["descriptions"] = _l("Write each description in 10,000 characters or fewer, in a language from the list.")
    if descriptions and draft.original_language not in descriptions:
        errors["original_language"] = _l("Choose the language the description was first written in.")
    values["descriptions"] = descriptions
    values["original_language"] = draft.original_language
    values["legal_form"] = _enum(LegalForm, draft.legal_form, errors, "legal_form")
    values["school_level"] = _enum(SchoolLevel, draft.school_level, errors, "school_level")
    values["authority_type"] = _enum(AuthorityType, draft.authority_type, errors, "authority_type")
    values["third_sector_type"] = _enum(ThirdSectorType, draft.third_sector_type, errors, "third_sector_type")
    if kind == OrgKind.LOCAL_AUTHORITY and values["authority_type"] is None:
        errors["authority_type"] = _l("Choose the type of public body.")
    if kind == OrgKind.SCHOOL and values["school_level"] is None:
        errors["school_level"] = _l("Choose the type of school.")
    year = draft.founding_year
    if year is not None and not 1800 <= year <= date.today().year:  # noqa: DTZ011 — a calendar year, zone irrelevant
        errors["founding_year"] = _l("Write a year between 1800 and this year.")
    values["founding_year"] = year
    values["address"] = " ".join(draft.address.split())[:300]
    values["communities_served"] = " ".join(draft.communities_served.split())[:300]
    values["contact_name"] = " ".join(draft.contact_name.split())[:120]
    values["authority_istat_code"] = draft.authority_istat_code.strip()[:16]
    return values, errors


def _email(raw: str) -> str | None:
    from app.services.accounts import normalize_email  # accounts imports territories; keep this edge lazy

    if not (raw or "").strip():
        return ""
    try:
        return normalize_email(raw)
    except ValidationFailed:
        return None


def _apply(org: Organization, values: dict) -> None:
    simple = (
        "name", "kind", "address", "email", "phone", "website", "social_links", "communities_served",
        "legal_form", "runts_number", "tax_code", "founding_year", "school_code", "school_level",
        "authority_type", "authority_istat_code", "third_sector_type", "contact_name", "contact_phone",
    )
    for key in simple:
        setattr(org, key, values[key])
    if org.kind not in ASSOCIATION_KINDS:
        org.legal_form = None
        org.runts_number = ""
    org.name_key = territories.name_key(values["name"])
    org.home_territory = values["home_territory"]
    org.areas = [OrganizationArea(area=Area(a)) for a in values["areas"]]
    org.languages = [OrganizationLanguage(code=c) for c in values["languages"]]
    org.served = [OrganizationTerritory(territory_id=t.id) for t in values["served"] if t.id != values["home_territory"].id]
    existing = {d.language: d for d in org.descriptions}
    kept = []
    for lang, text in values["descriptions"].items():
        item = existing.get(lang) or OrganizationDescription(language=lang)
        if item.body != text:
            item.body = text
            item.body_html = rich_text(text)
        item.is_original = lang == values["original_language"]
        kept.append(item)
    org.descriptions = kept
    org.updated_at = utcnow()


# ---------------------------------------------------------------- commands


def create_organization(actor: User, draft: OrganizationDraft) -> Organization:
    """Create a profile; its creator becomes its first admin."""
    ensure(actor, Permission.ORGANIZATION_CREATE)
    values, errors = _clean(draft)
    if errors:
        raise ValidationFailed(errors)
    org = Organization(slug=unique_slug(Organization.slug, values["name"], "organizzazione"), members_count=1)
    _apply(org, values)
    if draft.logo is not None:
        org.logo = uploads.store_image(actor, draft.logo, field="logo")
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(organization_id=org.id, user_id=actor.id, role=MemberRole.ADMIN, status=MembershipStatus.ACTIVE, decided_at=utcnow()))
    db.session.flush()
    db.session.expire(actor, ["memberships"])
    search_index.refresh(org)
    audit.record(actor, "organization.create", "organization", org.id, org.name)
    return org


def update_organization(actor: User, org: Organization, draft: OrganizationDraft, seen_version: int) -> Organization:
    """Save profile changes; if someone saved in the meantime, refuse instead of overwriting."""
    ensure(actor, Permission.ORGANIZATION_EDIT, org)
    if seen_version != org.version:
        raise Conflict(_l("Someone else changed this profile while you were editing it. Your changes are shown below: check them and save again."))
    values, errors = _clean(draft)
    if errors:
        raise ValidationFailed(errors)
    stored = uploads.store_image(actor, draft.logo, field="logo") if draft.logo is not None else None
    _apply(org, values)
    if stored is not None:
        old, org.logo = org.logo, stored
        db.session.flush()
        if old is not None:
            uploads.discard(old)
    db.session.flush()
    search_index.refresh(org)
    return org


def remove_logo(actor: User, org: Organization) -> None:
    ensure(actor, Permission.ORGANIZATION_EDIT, org)
    if org.logo is not None:
        old = org.logo
        org.logo = None
        db.session.flush()
        uploads.discard(old)


def set_verified(actor: User, org: Organization, verified: bool, note: str) -> Organization:
    """Verify (badge, who, when, note) or revoke; both go to the audit log."""
    ensure(actor, Permission.ORGANIZATION_VERIFY, org)
    note = " ".join((note or "").split())[:500]
    if verified and not note:
        raise ValidationFailed({"note": _l("Write how you checked this organisation, for example: RUNTS entry seen.")})
    org.is_verified = verified
    org.verified_at = utcnow() if verified else None
    org.verified_by_id = actor.id if verified else None
    org.verification_note = note
    audit.record(actor, "organization.verify" if verified else "organization.revoke", "organization", org.id, org.name, note=note)
    return org


def set_hidden(actor: User, org: Organization, hidden: bool, note: str = "") -> Organization:
    """Moderators hide a profile from the public (members and staff still see it) or show it again."""
    ensure(actor, Permission.ORGANIZATION_VERIFY, org)
    if org.is_hidden != hidden:  # the admins are told (members and staff still see the profile)
        notifications.notify(set(memberships.admin_ids(org)) - {actor.id},
                             "moderation.organization_hidden" if hidden else "moderation.organization_restored",
                             "organization", org.id, dedupe_key=f"hidden-{utcnow().isoformat()}", title=org.name,
                             reason=audit.public_reason(note) if hidden else "")
    org.is_hidden = hidden
    search_index.refresh(org)
    audit.record(actor, "organization.hide" if hidden else "organization.unhide", "organization", org.id, org.name, note=note)
    return org


# ---------------------------------------------------------------- queries


def get_by_slug(slug: str, viewer: User | None) -> Organization:
    """The organisation, or NotFound (also when it is hidden from this viewer)."""
    org = None
    if slug and len(slug) <= 80:
        org = db.session.scalar(
            select(Organization).where(Organization.slug == slug).options(
                selectinload(Organization.areas), selectinload(Organization.languages),
                selectinload(Organization.served), selectinload(Organization.descriptions),
            )
        )
    if org is None or not can(viewer, Permission.ORGANIZATION_VIEW, org):
        raise NotFound(_l("We could not find this organisation."))
    return org


def description_for(org: Organization, locale: str) -> OrganizationDescription | None:
    """The description in the reader's language, else the original one."""
    by_lang = {d.language: d for d in org.descriptions}
    return by_lang.get(locale) or next((d for d in org.descriptions if d.is_original), None) or next(iter(org.descriptions), None)


def _place(text: str) -> Territory:
    return territories.from_text(text, "territory")


def _directory_query(filters: DirectoryFilters, place: Territory | None = None) -> Select:
    stmt = select(Organization).where(Organization.is_hidden.is_(False))
    if place is None and filters.territory:
        place = _place(filters.territory)
    if place is not None:
        # Correlated lookups by primary key for each organisation scanned (the scan stops at the
        # LIMIT), not a list of every territory inside the place built first: a region holds
        # thousands of comuni and its path LIKE cannot use the index.
        inside = Territory.path.like(f"{place.path}%")
        stmt = stmt.where(
            or_(
                exists().where(and_(Territory.id == Organization.home_territory_id, inside)).correlate_except(Territory),
                exists().where(and_(OrganizationTerritory.organization_id == Organization.id,
                                    Territory.id == OrganizationTerritory.territory_id, inside))
                .correlate_except(Territory, OrganizationTerritory),
            )
        )
    if filters.kind:
        stmt = stmt.where(Organization.kind == OrgKind(filters.kind))
    if filters.area:
        stmt = stmt.where(exists().where(and_(OrganizationArea.organization_id == Organization.id, OrganizationArea.area == Area(filters.area))))
    if filters.language:
        stmt = stmt.where(exists().where(and_(OrganizationLanguage.organization_id == Organization.id, OrganizationLanguage.code == filters.language)))
    if filters.verified:
        stmt = stmt.where(Organization.is_verified.is_(True))
    if filters.q:
        key = territories.name_key(filters.q[:100])
        if key:
            escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(Organization.name_key.like(f"%{escaped}%", escape="\\"))
    return stmt


def list_organizations(filters: DirectoryFilters, page: int = 1, per_page: int = 20) -> Page[Organization]:
    """One page of the directory: two queries whatever the page size (rows, then their areas)."""
    if filters.kind and filters.kind not in OrgKind.__members__.values():
        raise ValidationFailed({"kind": _l("Choose one option from the list.")})
    if filters.area and filters.area not in Area.__members__.values():
        raise ValidationFailed({"area": _l("Choose one option from the list.")})
    if filters.sort not in SORTS:
        raise ValidationFailed({"sort": _l("Choose one option from the list.")})
    order = (Organization.name_key, Organization.id) if filters.sort == "name" else (Organization.created_at.desc(), Organization.id.desc())
    stmt = (
        _directory_query(filters)
        .options(selectinload(Organization.areas))
        .order_by(*order)
    )
    return paginate(stmt, page, per_page)


def list_for_territory(territory: Territory, limit: int = 8) -> list[Organization]:
    """Organisations based in or serving a territory (and what is inside it), verified first."""
    stmt = (
        _directory_query(DirectoryFilters(), place=territory)
        .options(joinedload(Organization.areas))  # a LIMIT with a joined collection: SQLAlchemy limits in a subquery
        .order_by(Organization.is_verified.desc(), Organization.name_key)
        .limit(limit)
    )
    return list(db.session.scalars(stmt).unique())


def my_organizations(user: User) -> list[Membership]:
    """The user's memberships (active and pending), with their organisations."""
    return list(
        db.session.scalars(
            select(Membership).where(Membership.user_id == user.id).order_by(Membership.status, Membership.created_at)
        )
    )
