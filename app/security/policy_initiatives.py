"""Rules for initiatives, volunteering, good practices, case histories and dashboards.

Kept beside ``policy.py`` (which imports this module once, so every rule is registered with
``can``/``ensure``) to keep each file readable.
"""

from __future__ import annotations

from typing import Any

from app.security.permissions import Permission
from app.security.policy import (
    _ORGANIZING_ROLES,
    _RESPONDING_ROLES,
    _active,
    _organization_view,
    _participant,
    active_role,
    is_admin,
    moderates,
    rule,
)
from models import (
    CaseHistory,
    CaseStatus,
    Initiative,
    InitiativePartner,
    InitiativeStatus,
    MembershipStatus,
    Organization,
    OrgKind,
    OutputReport,
    PartnerStatus,
    Territory,
    User,
    VolunteerCall,
)


def leads(user: User | None, initiative: Initiative) -> bool:
    """Admins, officials and school staff of the lead organisation run the initiative."""
    return active_role(user, initiative.lead) in _ORGANIZING_ROLES


def confirmed_partner_of(user: User | None, initiative: Initiative) -> bool:
    """Organising roles of the lead or of a partner that has confirmed."""
    if leads(user, initiative):
        return True
    return any(p.status == PartnerStatus.CONFIRMED and active_role(user, p.organization) in _ORGANIZING_ROLES for p in initiative.partners)


def _invited_partner_of(user: User | None, initiative: Initiative) -> bool:
    return any(p.status == PartnerStatus.INVITED and active_role(user, p.organization) in _ORGANIZING_ROLES for p in initiative.partners)


@rule(Permission.INITIATIVE_CREATE)
def _initiative_create(user: User | None, target: Any) -> bool:
    """Admins, officials and school staff of a visible organisation start initiatives it leads; administrators too."""
    if not isinstance(target, Organization) or target.is_hidden:
        return False
    return is_admin(user) or active_role(user, target) in _ORGANIZING_ROLES


@rule(Permission.INITIATIVE_MANAGE)
def _initiative_manage(user: User | None, target: Any) -> bool:
    """The lead's admins, officials and staff edit the initiative, invite partners, link events,
    run calls for volunteers; administrators too."""
    return isinstance(target, Initiative) and _active(user) and (is_admin(user) or leads(user, target))


@rule(Permission.INITIATIVE_PARTNER_DECIDE)
def _initiative_partner_decide(user: User | None, target: Any) -> bool:
    """Admins, officials and staff of an invited organisation confirm or decline (a school's staff
    confirm for the school)."""
    return isinstance(target, InitiativePartner) and active_role(user, target.organization) in _ORGANIZING_ROLES


@rule(Permission.INITIATIVE_RECORD_OUTPUTS)
def _initiative_record_outputs(user: User | None, target: Any) -> bool:
    """The lead and confirmed partners record outputs of an initiative that has started."""
    return (
        isinstance(target, Initiative) and target.status in (InitiativeStatus.RUNNING, InitiativeStatus.COMPLETED)
        and _active(user) and (is_admin(user) or confirmed_partner_of(user, target))
    )


@rule(Permission.OUTPUT_REPORT_MANAGE)
def _output_report_manage(user: User | None, target: Any) -> bool:
    """The recording partner's admins, officials and staff correct or delete its report while the
    initiative takes outputs; administrators too."""
    return (
        isinstance(target, OutputReport) and _initiative_record_outputs(user, target.initiative)
        and (is_admin(user) or active_role(user, target.organization) in _ORGANIZING_ROLES)
    )


@rule(Permission.INITIATIVE_VIEW)
def _initiative_view(user: User | None, target: Any) -> bool:
    """Initiatives are public once planned, unless the lead is hidden; drafts are seen by the lead,
    invited and confirmed partners, and administrators."""
    if not isinstance(target, Initiative):
        return False
    if is_admin(user) or confirmed_partner_of(user, target) or _invited_partner_of(user, target):
        return True
    return target.is_public and _organization_view(user, target.lead)


@rule(Permission.INITIATIVE_VIEW_PRIVATE)
def _initiative_view_private(user: User | None, target: Any) -> bool:
    """Contact people of partners (a school's intercultural contact) are shown to the lead and
    confirmed partners only, and to administrators."""
    return isinstance(target, Initiative) and _active(user) and (is_admin(user) or confirmed_partner_of(user, target))


@rule(Permission.VOLUNTEER_APPLY)
def _volunteer_apply(user: User | None, target: Any) -> bool:
    """Confirmed people apply to an open call of a public initiative (dates and places are checked by the service)."""
    return (
        isinstance(target, VolunteerCall) and _participant(user) and target.closed_at is None
        and target.initiative.is_public and target.initiative.status != InitiativeStatus.COMPLETED
    )


@rule(Permission.GOOD_PRACTICE_DESIGNATE)
def _good_practice_designate(user: User | None, target: Any) -> bool:
    """Moderators of the initiative's territory and administrators designate completed initiatives
    as good practices and edit their cards."""
    return (
        isinstance(target, Initiative) and target.status == InitiativeStatus.COMPLETED
        and (is_admin(user) or moderates(user, target.territory))
    )


@rule(Permission.GOOD_PRACTICE_VIEW)
def _good_practice_view(user: User | None, target: Any) -> bool:
    """Published good practices are public; unpublished ones are seen by those who designate them."""
    initiative = getattr(target, "initiative", None)
    if not isinstance(initiative, Initiative):
        return False
    return bool(target.is_published) or _good_practice_designate(user, initiative)


@rule(Permission.CASE_HISTORY_CREATE)
def _case_history_create(user: User | None, target: Any) -> bool:
    """Admins, officials and staff of a visible organisation tell its stories; administrators too."""
    if not isinstance(target, Organization) or target.is_hidden:
        return False
    return is_admin(user) or active_role(user, target) in _ORGANIZING_ROLES


@rule(Permission.CASE_HISTORY_MANAGE)
def _case_history_manage(user: User | None, target: Any) -> bool:
    """The telling organisation's admins, officials and staff edit, publish and unpublish; administrators too."""
    return isinstance(target, CaseHistory) and _active(user) and (is_admin(user) or active_role(user, target.organization) in _ORGANIZING_ROLES)


@rule(Permission.CASE_HISTORY_MODERATE)
def _case_history_moderate(user: User | None, target: Any) -> bool:
    """Moderators of the story's territory and administrators hide and restore it."""
    return isinstance(target, CaseHistory) and (is_admin(user) or moderates(user, target.territory))


@rule(Permission.CASE_HISTORY_VIEW)
def _case_history_view(user: User | None, target: Any) -> bool:
    """Published stories are public; drafts and hidden ones are seen by their organisation and moderators."""
    if not isinstance(target, CaseHistory):
        return False
    if _case_history_manage(user, target) or _case_history_moderate(user, target):
        return True
    return target.status == CaseStatus.PUBLISHED and not target.is_hidden and _organization_view(user, target.organization)


def official_territories(user: User | None) -> list[Territory]:
    """Home territories of the verified, visible public bodies the user is an admin or official of."""
    if not _active(user):
        return []
    return [
        m.organization.home_territory for m in user.memberships  # type: ignore[union-attr]
        if m.status == MembershipStatus.ACTIVE and m.role in _RESPONDING_ROLES
        and m.organization.kind == OrgKind.LOCAL_AUTHORITY and m.organization.is_verified and not m.organization.is_hidden
    ]


@rule(Permission.DASHBOARD_VIEW)
def _dashboard_view(user: User | None, target: Any) -> bool:
    """Administrators see every territory's figures; officials of a verified public body see its
    territory and everything inside it (target None: the dashboard itself)."""
    if is_admin(user):
        return True
    mine = official_territories(user)
    if target is None:
        return bool(mine)
    if not isinstance(target, Territory):
        return False
    reach = set(target.ancestor_ids) | {target.id}
    return any(t.id in reach for t in mine)
