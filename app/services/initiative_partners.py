"""Partners and materials of an initiative.

An organisation takes part with a role once it confirms (a school's staff confirm for the
school); until then it is listed to the lead only. The contact person a partner gives (a host
school's intercultural contact) is private to the lead, the confirmed partners and
administrators: callers show it only where ``Permission.INITIATIVE_VIEW_PRIVATE`` holds.
Materials are https links or uploaded documents added by the lead and confirmed partners.

Everything here is re-exported by ``app.services.initiatives``: callers use that module.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from app.db import db
from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.security.permissions import Permission
from app.security.policy import active_role, can, ensure
from app.services import audit, memberships, notifications, organizations, uploads
from app.services.accounts import normalize_email
from app.services.italian_ids import normalize_https_url, normalize_phone
from app.services.organizations import DirectoryFilters
from models import (
    Initiative,
    InitiativeMaterial,
    InitiativePartner,
    MemberRole,
    Membership,
    MembershipStatus,
    Organization,
    OrgKind,
    PartnerRole,
    PartnerStatus,
    User,
)
from models.base import utcnow

# The roles that act for an organisation in an initiative (as in the policy's rules).
ORGANIZING_ROLES = (MemberRole.ADMIN, MemberRole.OFFICIAL, MemberRole.STAFF)
MAX_MATERIALS = 50
# A role that only some kinds of organisation can have.
_ROLE_KINDS = {
    PartnerRole.HOST_SCHOOL: (OrgKind.SCHOOL, _l("Only a school can be the host school.")),
    PartnerRole.SUPPORTING_AUTHORITY: (OrgKind.LOCAL_AUTHORITY, _l("Only a public body can be a supporting public body.")),
}
_PHONE_HELP = _l("Enter a valid phone number, for example 080 123 4567 or +39 080 123 4567.")


class PartnerContact(NamedTuple):
    """The contact person a partner gives to the other partners (a plain (name, e-mail, phone) tuple works too)."""

    name: str = ""
    email: str = ""
    phone: str = ""


def _organizing_ids(user: User):  # type: ignore[no-untyped-def]
    """A subquery of the organisations the person acts for (admin, official or staff, active)."""
    return select(Membership.organization_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE, Membership.role.in_(ORGANIZING_ROLES))


def _clean_contact(contact: PartnerContact | tuple[str, str, str]) -> dict[str, str]:
    """The contact fields, normalised; ``ValidationFailed`` on the fields that are wrong."""
    name, email, phone = PartnerContact(*contact)
    errors: dict = {}
    values = {"contact_name": " ".join((name or "").split()), "contact_email": "", "contact_phone": ""}
    if len(values["contact_name"]) > 120:
        errors["contact_name"] = _l("Write at most %(max)d characters.", max=120)
    if (email or "").strip():
        try:
            values["contact_email"] = normalize_email(email)
        except ValidationFailed as exc:
            errors["contact_email"] = exc.errors["email"]
    found_phone = normalize_phone(phone or "")
    if found_phone is None:
        errors["contact_phone"] = _PHONE_HELP
    values["contact_phone"] = found_phone or ""
    if errors:
        raise ValidationFailed(errors)
    return values


# ---------------------------------------------------------------- inviting


def _checked_role(role: str, org: Organization) -> PartnerRole:
    try:
        chosen = PartnerRole(role)
    except ValueError:
        chosen = PartnerRole.LEAD
    if chosen == PartnerRole.LEAD:
        raise ValidationFailed({"role": _l("Choose one option from the list.")})
    kind, message = _ROLE_KINDS.get(chosen, (None, ""))
    if kind is not None and org.kind != kind:
        raise ValidationFailed({"role": message})
    return chosen


def invite_partner(actor: User, initiative: Initiative, org: Organization, role: str) -> InitiativePartner:
    """Invite an organisation with a role; its admins are told. An organisation that declined
    can be invited again (its invitation opens anew); one already invited or taking part cannot."""
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if org.is_hidden or org.id == initiative.lead_id:
        raise ValidationFailed({"organization_id": _l("Choose an organisation from the list.")})
    chosen = _checked_role(role, org)
    row = db.session.get(InitiativePartner, (initiative.id, org.id))
    if row is not None and row.status != PartnerStatus.DECLINED:
        raise Conflict(_l("This organisation is already invited or takes part."))
    if row is None:
        row = InitiativePartner(initiative_id=initiative.id, organization_id=org.id, organization=org, role=chosen)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            raise Conflict(_l("This organisation is already invited or takes part.")) from None
    row.role, row.status, row.decided_at, row.decided_by_id = chosen, PartnerStatus.INVITED, None, None
    db.session.flush()
    db.session.expire(initiative, ["partners"])
    notifications.notify(memberships.organizer_ids(org), "initiative.partner_invited", "initiative", initiative.id,
                         dedupe_key=f"{org.id}-{utcnow().isoformat()}", title=initiative.title, organization=org.name, role=chosen.value)
    audit.record(actor, "initiative.partner_invite", "initiative", initiative.id, initiative.title, organization=org.slug, role=chosen.value)
    return row


def invitable_organization(organization_id: int | None) -> Organization | None:
    """The organisation with this id if it can be invited (it exists and is not hidden)."""
    org = db.session.get(Organization, organization_id) if organization_id and 0 < organization_id < 2**31 else None
    return org if org is not None and not org.is_hidden else None


def search_organizations(text: str, viewer: User | None, limit: int = 10) -> list[Organization]:
    """Organisations to invite: the one whose page address is given, or those whose name contains the text."""
    text = (text or "").strip()[:300]
    if not text:
        return []
    slug = text.split("?")[0].split("#")[0].rstrip("/").rsplit("/organizations/", 1)[-1]
    try:
        return [organizations.get_by_slug(slug, viewer)]
    except NotFound:
        pass
    return list(organizations.list_organizations(DirectoryFilters(q=text[:100]), 1, per_page=limit).items)


# ---------------------------------------------------------------- answering


def get_partner(initiative: Initiative, organization_id: int) -> InitiativePartner:
    found = db.session.get(InitiativePartner, (initiative.id, organization_id)) if 0 < organization_id < 2**31 else None
    if found is None:
        raise NotFound(_l("This organisation is not a partner of the initiative."))
    return found


def decide_partnership(actor: User, partner_row: InitiativePartner, accept: bool,
                       contact: PartnerContact | tuple[str, str, str] | None = None) -> InitiativePartner:
    """Confirm or decline an invitation for the organisation (a confirmed partner may also
    leave by declining). On confirming, a contact person for the partners may be given; leaving
    removes it. The lead's admins are told."""
    ensure(actor, Permission.INITIATIVE_PARTNER_DECIDE, partner_row)
    if partner_row.role == PartnerRole.LEAD:
        raise Conflict(_l("The lead organisation takes part in its own initiative and cannot leave it."))
    if (accept and partner_row.status != PartnerStatus.INVITED) or (not accept and partner_row.status == PartnerStatus.DECLINED):
        raise Conflict(_l("This invitation was already answered."))
    values = _clean_contact(contact) if accept and contact else {}
    if not accept:
        values = {"contact_name": "", "contact_email": "", "contact_phone": ""}
    for key, value in values.items():
        setattr(partner_row, key, value)
    partner_row.status = PartnerStatus.CONFIRMED if accept else PartnerStatus.DECLINED
    partner_row.decided_at, partner_row.decided_by_id = utcnow(), actor.id
    db.session.flush()
    initiative = partner_row.initiative
    db.session.expire(initiative, ["partners"])
    kind = "initiative.partner_confirmed" if accept else "initiative.partner_declined"
    notifications.notify(memberships.organizer_ids(initiative.lead), kind, "initiative", initiative.id,
                         dedupe_key=f"{partner_row.organization_id}-{utcnow().isoformat()}", title=initiative.title,
                         organization=partner_row.organization.name)
    audit.record(actor, "initiative.partner_confirm" if accept else "initiative.partner_decline", "initiative",
                 initiative.id, initiative.title, organization=partner_row.organization.slug)
    return partner_row


def update_partner_contact(actor: User, partner_row: InitiativePartner,
                           contact: PartnerContact | tuple[str, str, str]) -> InitiativePartner:
    """Change the contact person a confirmed partner (or the lead) gives to the other partners; empty fields remove it."""
    ensure(actor, Permission.INITIATIVE_PARTNER_DECIDE, partner_row)
    if partner_row.status != PartnerStatus.CONFIRMED:
        raise Conflict(_l("Confirm the partnership first."))
    for key, value in _clean_contact(contact).items():
        setattr(partner_row, key, value)
    db.session.flush()
    return partner_row


def remove_partner(actor: User, partner_row: InitiativePartner) -> None:
    """The lead takes an organisation off the initiative (never the lead itself); its admins are told."""
    initiative = partner_row.initiative
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    if partner_row.role == PartnerRole.LEAD:
        raise Conflict(_l("The lead organisation cannot be removed."))
    org = partner_row.organization
    db.session.delete(partner_row)
    db.session.flush()
    db.session.expire(initiative, ["partners"])
    notifications.notify(memberships.organizer_ids(org), "initiative.partner_removed", "initiative", initiative.id,
                         dedupe_key=f"{org.id}-{utcnow().isoformat()}", title=initiative.title, organization=org.name)
    audit.record(actor, "initiative.partner_remove", "initiative", initiative.id, initiative.title, organization=org.slug)


# ---------------------------------------------------------------- reading


_ROLE_ORDER = {role: n for n, role in enumerate(PartnerRole)}


def partners_of(initiative: Initiative, include_pending: bool = False) -> list[InitiativePartner]:
    """The lead, then partners by role and name. Publicly: confirmed, visible organisations only;
    ``include_pending`` (for the lead) adds the invited and declined ones."""
    rows = [p for p in initiative.partners
            if include_pending or (p.status == PartnerStatus.CONFIRMED and not p.organization.is_hidden)]
    return sorted(rows, key=lambda p: (_ROLE_ORDER[p.role], p.organization.name_key))


def rows_acting_for(user: User | None, initiative: Initiative) -> list[InitiativePartner]:
    """The partner rows (invited or confirmed) of the organisations this person acts for."""
    if user is None:
        return []
    return [p for p in partners_of(initiative, include_pending=True)
            if p.status != PartnerStatus.DECLINED and active_role(user, p.organization) in ORGANIZING_ROLES]


def pending_partner_invitations(user: User) -> list[InitiativePartner]:
    """Invitations waiting for an organisation the person acts for (admin, official or school
    staff), each with its initiative, in one query (initiatives of hidden leads left out)."""
    hidden = select(Organization.id).where(Organization.is_hidden.is_(True))
    stmt = (
        select(InitiativePartner).join(Initiative, Initiative.id == InitiativePartner.initiative_id)
        .where(InitiativePartner.organization_id.in_(_organizing_ids(user)), InitiativePartner.status == PartnerStatus.INVITED,
               Initiative.lead_id.not_in(hidden))
        .options(joinedload(InitiativePartner.initiative).options(lazyload(Initiative.actions), lazyload(Initiative.targets)))
        .order_by(InitiativePartner.created_at)
    )
    return list(db.session.scalars(stmt).unique())


# ---------------------------------------------------------------- materials


def contributing_organization(user: User | None, initiative: Initiative) -> Organization | None:
    """The organisation (the lead first, then a confirmed partner) through which the person contributes."""
    for row in partners_of(initiative):
        if active_role(user, row.organization) in ORGANIZING_ROLES:
            return row.organization
    return None


def _material_errors(title: str, link: str, upload: uploads.Upload | None, language: str) -> dict:
    errors: dict = {}
    if len(title) > 160:
        errors["title"] = _l("Write at most %(max)d characters.", max=160)
    if link and upload is not None:
        errors["url"] = _l("Give a link or a file, not both.")
    elif not link and upload is None:
        errors["url"] = _l("Write a link (it starts with https://) or choose a file.")
    elif link and not normalize_https_url(link):
        errors["url"] = _l("Write a link that starts with https://")
    if link and not title:
        errors["title"] = _l("Write a title for the link.")
    if language and language not in LANGUAGES:
        errors["language"] = _l("Choose one option from the list.")
    return errors


def add_material(actor: User, initiative: Initiative, title: str, url: str | None = None,  # noqa: PLR0917 — the agreed signature other features call
                 upload: uploads.Upload | None = None, language: str = "") -> InitiativeMaterial:
    """Add an https link or a document (a PDF or an image, checked by the upload rules). The lead
    and the confirmed partners add materials; the partner organisation of the person is recorded."""
    # Those who see the partners' private part (lead, confirmed partners, administrators) contribute.
    ensure(actor, Permission.INITIATIVE_VIEW_PRIVATE, initiative)
    clean_title, link, language = " ".join((title or "").split()), (url or "").strip(), language or ""
    errors = _material_errors(clean_title, link, upload, language)
    count = db.session.scalar(select(func.count()).select_from(InitiativeMaterial)
                              .where(InitiativeMaterial.initiative_id == initiative.id)) or 0
    if count >= MAX_MATERIALS:
        errors["url"] = _l("An initiative can have at most %(max)d materials. Remove one first.", max=MAX_MATERIALS)
    if errors:
        raise ValidationFailed(errors)
    stored = uploads.store_document(actor, upload, field="file") if upload is not None else None
    org = contributing_organization(actor, initiative)
    material = InitiativeMaterial(
        initiative_id=initiative.id, organization_id=org.id if org else None, organization=org, file=stored,
        file_id=stored.id if stored else None, title=clean_title or (stored.original_name[:160] if stored else ""),
        url=(normalize_https_url(link) or "") if link else "", language=language, added_by_id=actor.id)
    db.session.add(material)
    db.session.flush()
    audit.record(actor, "initiative.material_add", "initiative", initiative.id, initiative.title, material=material.title)
    return material


def materials_of(initiative: Initiative) -> list[InitiativeMaterial]:
    """The materials in the order they were added (with their files and organisations: one query)."""
    return list(db.session.scalars(select(InitiativeMaterial).where(InitiativeMaterial.initiative_id == initiative.id)
                                   .order_by(InitiativeMaterial.created_at, InitiativeMaterial.id)))


def get_material(initiative: Initiative, material_id: int) -> InitiativeMaterial:
    found = db.session.get(InitiativeMaterial, material_id) if 0 < material_id < 2**31 else None
    if found is None or found.initiative_id != initiative.id:
        raise NotFound(_l("We could not find this material."))
    return found


def can_delete_material(user: User | None, initiative: Initiative, material: InitiativeMaterial) -> bool:
    """The lead deletes any material; the person who added one deletes it while still a contributor."""
    if can(user, Permission.INITIATIVE_MANAGE, initiative):
        return True
    return user is not None and material.added_by_id == user.id and can(user, Permission.INITIATIVE_VIEW_PRIVATE, initiative)


def delete_material(actor: User, initiative: Initiative, material: InitiativeMaterial) -> None:
    """Delete a material (and its file, once the deletion is committed)."""
    if material.initiative_id != initiative.id or not can_delete_material(actor, initiative, material):
        raise PermissionDenied(_l("Only the lead organisation and the person who added it can delete this material."))
    stored = material.file
    db.session.delete(material)
    db.session.flush()
    if stored is not None:
        uploads.discard(stored)
    audit.record(actor, "initiative.material_delete", "initiative", initiative.id, initiative.title, material=material.title)
