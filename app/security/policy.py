"""One rule per permission. ``can`` answers, ``ensure`` raises ``PermissionDenied``.

Rules receive the real user (or ``None`` for anonymous visitors) and the target object.
Roles are data: platform administrators and territorial moderators are rows in
``role_assignments``; a moderator of a territory moderates everything inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.exceptions import PermissionDenied
from app.security.permissions import Permission
from models import (
    Event,
    EventOrganizer,
    Forum,
    FoundingPath,
    Lab,
    MemberRole,
    MembershipStatus,
    MentorStatus,
    Organization,
    OrganizerStatus,
    OrgKind,
    Post,
    Proposal,
    ProposalComment,
    ProposalSponsor,
    ProposalState,
    Report,
    Role,
    Territory,
    Thread,
    User,
    UserStatus,
)

Rule = Callable[[User | None, Any], bool]
RULES: dict[Permission, Rule] = {}


def rule(permission: Permission) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if permission in RULES:
            raise RuntimeError(f"two rules for {permission}")
        RULES[permission] = fn
        return fn

    return register


def _active(user: User | None) -> bool:
    return user is not None and user.is_active


def is_admin(user: User | None) -> bool:
    """True for an active platform administrator."""
    return _active(user) and any(r.role == Role.ADMIN for r in user.roles)  # type: ignore[union-attr]


def moderates(user: User | None, territory: Territory | None) -> bool:
    """True if the user moderates this territory or one that contains it."""
    if not _active(user) or territory is None:
        return False
    ancestors = set(territory.ancestor_ids) | {territory.id}
    return any(r.role == Role.MODERATOR and r.territory_id in ancestors for r in user.roles)  # type: ignore[union-attr]


def moderation_scope(user: User | None) -> list[Territory] | None:
    """Where the user moderates: None means everywhere (administrators), else the territories
    whose content (and everything inside them) they moderate; empty for everyone else."""
    if is_admin(user):
        return None
    if not _active(user):
        return []
    return [r.territory for r in user.roles if r.role == Role.MODERATOR and r.territory is not None]  # type: ignore[union-attr]


def is_moderator_anywhere(user: User | None) -> bool:
    return _active(user) and any(r.role == Role.MODERATOR for r in user.roles)  # type: ignore[union-attr]


def active_role(user: User | None, org: Organization | None) -> MemberRole | None:
    """The user's role in ``org`` if they are an active member, else None."""
    if not _active(user) or org is None:
        return None
    for m in user.memberships:  # type: ignore[union-attr]
        if m.organization_id == org.id and m.status == MembershipStatus.ACTIVE:
            return m.role
    return None


def is_org_admin(user: User | None, org: Organization | None) -> bool:
    return active_role(user, org) == MemberRole.ADMIN


def is_staff_for(user: User | None, org: Organization | None) -> bool:
    """Platform administrators, and moderators of the organisation's home territory."""
    return org is not None and (is_admin(user) or moderates(user, org.home_territory))


@rule(Permission.ACCOUNT_MANAGE)
def _account_manage(user: User | None, target: Any) -> bool:
    """A person manages their own account; administrators manage any account."""
    return _active(user) and (target is user or is_admin(user))


@rule(Permission.ADMIN_ACCESS)
def _admin_access(user: User | None, target: Any) -> bool:
    """Only platform administrators reach the administration area."""
    return is_admin(user)


@rule(Permission.AUDIT_VIEW)
def _audit_view(user: User | None, target: Any) -> bool:
    """Administrators read the audit log."""
    return is_admin(user)


def _participant(user: User | None) -> bool:
    """Active people with a confirmed e-mail address take part in discussions."""
    return _active(user) and user.is_confirmed  # type: ignore[union-attr]


def _forum_of(target: Any) -> Forum | None:
    if isinstance(target, Forum):
        return target
    if isinstance(target, Thread):
        return target.forum
    if isinstance(target, Post):
        return target.thread.forum
    return None


def moderates_forum(user: User | None, target: Any) -> bool:
    """Administrators, and moderators of the forum's territory or a territory containing it."""
    forum = _forum_of(target)
    return forum is not None and (is_admin(user) or moderates(user, forum.territory))


@rule(Permission.FORUM_JOIN)
def _forum_join(user: User | None, target: Any) -> bool:
    """Confirmed people join (and leave) any forum."""
    return _participant(user) and isinstance(target, Forum)


@rule(Permission.FORUM_MODERATE)
def _forum_moderate(user: User | None, target: Any) -> bool:
    """Hide, restore, lock, pin and move: the territory's moderators and administrators."""
    return moderates_forum(user, target)


@rule(Permission.FORUM_POST)
def _forum_post(user: User | None, target: Any) -> bool:
    """Confirmed people open threads in any forum."""
    return _participant(user) and isinstance(target, Forum)


@rule(Permission.FOUNDING_MANAGE)
def _founding_manage(user: User | None, target: Any) -> bool:
    """Admins of the group (target: FoundingPath) work on its path until it is completed."""
    return isinstance(target, FoundingPath) and target.completed_at is None and is_org_admin(user, target.organization)


@rule(Permission.FOUNDING_MENTOR)
def _founding_mentor(user: User | None, target: Any) -> bool:
    """Admins of the association invited as mentor answer the invitation."""
    return (
        isinstance(target, FoundingPath)
        and target.mentor is not None
        and target.mentor_status == MentorStatus.INVITED
        and is_org_admin(user, target.mentor)
    )


@rule(Permission.FOUNDING_START)
def _founding_start(user: User | None, target: Any) -> bool:
    """Admins of an informal group may start its founding path."""
    return isinstance(target, Organization) and target.kind == OrgKind.INFORMAL_GROUP and is_org_admin(user, target)


@rule(Permission.FOUNDING_VIEW)
def _founding_view(user: User | None, target: Any) -> bool:
    """Members of the group, admins of an accepted or invited mentor, and staff see the path."""
    if not isinstance(target, FoundingPath):
        return False
    mentor_ok = target.mentor_status in (MentorStatus.INVITED, MentorStatus.ACCEPTED) and is_org_admin(user, target.mentor)
    return active_role(user, target.organization) is not None or mentor_ok or is_staff_for(user, target.organization)


@rule(Permission.MODERATION_ACCESS)
def _moderation_access(user: User | None, target: Any) -> bool:
    """Moderators of any territory, and administrators, reach the moderation area."""
    return is_admin(user) or is_moderator_anywhere(user)


@rule(Permission.ORGANIZATION_ACT_FOR)
def _organization_act_for(user: User | None, target: Any) -> bool:
    """Active members speak on behalf of their organisation (when it is not hidden)."""
    return isinstance(target, Organization) and not target.is_hidden and active_role(user, target) is not None


@rule(Permission.ORGANIZATION_CREATE)
def _organization_create(user: User | None, target: Any) -> bool:
    """Any active person with a confirmed e-mail address can create an organisation profile."""
    return _active(user) and user.is_confirmed  # type: ignore[union-attr]


@rule(Permission.ORGANIZATION_EDIT)
def _organization_edit(user: User | None, target: Any) -> bool:
    """The organisation's admins and platform administrators edit the profile."""
    return is_org_admin(user, target) or is_admin(user)


@rule(Permission.ORGANIZATION_JOIN)
def _organization_join(user: User | None, target: Any) -> bool:
    """Confirmed people who are not yet members ask to join a visible organisation."""
    if not isinstance(target, Organization) or target.is_hidden or not _active(user) or not user.is_confirmed:  # type: ignore[union-attr]
        return False
    return all(m.organization_id != target.id for m in user.memberships)  # type: ignore[union-attr]


@rule(Permission.ORGANIZATION_MANAGE_MEMBERS)
def _organization_manage_members(user: User | None, target: Any) -> bool:
    """The organisation's admins and platform administrators manage members and invitations."""
    return is_org_admin(user, target) or is_admin(user)


@rule(Permission.ORGANIZATION_REPORT)
def _organization_report(user: User | None, target: Any) -> bool:
    """Any logged-in active person can report a profile."""
    return _active(user) and isinstance(target, Organization)


@rule(Permission.ORGANIZATION_VERIFY)
def _organization_verify(user: User | None, target: Any) -> bool:
    """Administrators and moderators of the organisation's territory verify or revoke."""
    return isinstance(target, Organization) and is_staff_for(user, target)


@rule(Permission.ORGANIZATION_VIEW)
def _organization_view(user: User | None, target: Any) -> bool:
    """Profiles are public; a hidden one only for its members and staff."""
    if not isinstance(target, Organization):
        return False
    return not target.is_hidden or active_role(user, target) is not None or is_staff_for(user, target)


@rule(Permission.ORGANIZATION_VIEW_MEMBERS)
def _organization_view_members(user: User | None, target: Any) -> bool:
    """Member names are for members and staff; the public sees only the count."""
    return isinstance(target, Organization) and (active_role(user, target) is not None or is_staff_for(user, target))


@rule(Permission.ORGANIZATION_VIEW_PRIVATE)
def _organization_view_private(user: User | None, target: Any) -> bool:
    """Tax code and contact phone: the organisation's admins and staff only."""
    return isinstance(target, Organization) and (is_org_admin(user, target) or is_staff_for(user, target))


@rule(Permission.POST_DELETE)
def _post_delete(user: User | None, target: Any) -> bool:
    """Authors delete their own posts (softly) while the post is visible."""
    return (
        isinstance(target, Post) and _active(user) and target.author_id == user.id  # type: ignore[union-attr]
        and target.deleted_at is None and not target.is_hidden
    )


@rule(Permission.POST_EDIT)
def _post_edit(user: User | None, target: Any) -> bool:
    """Authors edit their own visible posts while the thread is open."""
    return _post_delete(user, target) and not target.thread.is_locked


@rule(Permission.POST_HISTORY)
def _post_history(user: User | None, target: Any) -> bool:
    """Earlier versions of a post are for moderators."""
    return moderates_forum(user, target)


@rule(Permission.POST_REPORT)
def _post_report(user: User | None, target: Any) -> bool:
    """Logged-in people report threads and posts."""
    return _active(user) and isinstance(target, Post | Thread)


@rule(Permission.REPORT_HANDLE)
def _report_handle(user: User | None, target: Any) -> bool:
    """Administrators, and moderators of the reported object's territory, decide reports."""
    return is_admin(user) or (isinstance(target, Report) and moderates(user, target.territory))


@rule(Permission.ROLE_GRANT)
def _role_grant(user: User | None, target: Any) -> bool:
    """Only administrators grant or revoke platform roles."""
    return is_admin(user)


@rule(Permission.TERRITORY_MANAGE)
def _territory_manage(user: User | None, target: Any) -> bool:
    """Administrators edit territories and social districts."""
    return is_admin(user)


@rule(Permission.TERRITORY_MODERATE)
def _territory_moderate(user: User | None, target: Any) -> bool:
    """Moderators of the territory or of any territory containing it; administrators."""
    return is_admin(user) or moderates(user, target)


@rule(Permission.THREAD_FOLLOW)
def _thread_follow(user: User | None, target: Any) -> bool:
    """Logged-in people follow threads they can see."""
    return _active(user) and isinstance(target, Thread)


@rule(Permission.THREAD_REPLY)
def _thread_reply(user: User | None, target: Any) -> bool:
    """Confirmed people reply to visible, open threads; moderators also to locked ones."""
    if not isinstance(target, Thread) or not _participant(user) or target.is_hidden:
        return False
    return not target.is_locked or moderates_forum(user, target)


@rule(Permission.THREAD_VIEW)
def _thread_view(user: User | None, target: Any) -> bool:
    """Threads are public; hidden ones only for moderators (kept for appeal)."""
    return isinstance(target, Thread) and (not target.is_hidden or moderates_forum(user, target))


@rule(Permission.TERRITORY_VIEW)
def _territory_view(user: User | None, target: Any) -> bool:
    """Territory pages are public."""
    return True


@rule(Permission.USER_SUSPEND)
def _user_suspend(user: User | None, target: Any) -> bool:
    """Administrators suspend accounts (never their own, nor an account its owner deleted)."""
    return is_admin(user) and target is not user and getattr(target, "status", None) != UserStatus.DELETED


# ---------------------------------------------------------------- events

_ORGANIZING_ROLES = (MemberRole.ADMIN, MemberRole.OFFICIAL, MemberRole.STAFF)


@rule(Permission.EVENT_CREATE)
def _event_create(user: User | None, target: Any) -> bool:
    """Admins, officials and school staff of a visible organisation publish its events; administrators too."""
    if not isinstance(target, Organization) or target.is_hidden:
        return False
    return is_admin(user) or active_role(user, target) in _ORGANIZING_ROLES


def organizes(user: User | None, event: Event) -> bool:
    """Admins, officials and staff of the organising organisation or of an accepted co-organiser."""
    if active_role(user, event.organization) in _ORGANIZING_ROLES:
        return True
    return any(o.status == OrganizerStatus.ACCEPTED and active_role(user, o.organization) in _ORGANIZING_ROLES for o in event.organizers)


@rule(Permission.EVENT_MANAGE)
def _event_manage(user: User | None, target: Any) -> bool:
    """Organisers edit, cancel, see the attendee list and check people in; administrators too."""
    return isinstance(target, Event) and _active(user) and (is_admin(user) or organizes(user, target))


@rule(Permission.EVENT_ORGANIZER_DECIDE)
def _event_organizer_decide(user: User | None, target: Any) -> bool:
    """Admins of an invited organisation accept or decline co-organising."""
    return isinstance(target, EventOrganizer) and is_org_admin(user, target.organization)


@rule(Permission.EVENT_REGISTER)
def _event_register(user: User | None, target: Any) -> bool:
    """Confirmed people register for events that are not cancelled (the service checks places and dates)."""
    return isinstance(target, Event) and _participant(user) and not target.is_cancelled and not target.organization.is_hidden


@rule(Permission.EVENT_VIEW)
def _event_view(user: User | None, target: Any) -> bool:
    """Events are public, except those of a hidden organisation (its members and staff still see them)."""
    return isinstance(target, Event) and _organization_view(user, target.organization)


# ---------------------------------------------------------------- labs and proposals

_RESPONDING_ROLES = (MemberRole.ADMIN, MemberRole.OFFICIAL)


def _lab_of(target: Any) -> Lab | None:
    if isinstance(target, Lab):
        return target
    if isinstance(target, Proposal):
        return target.lab
    if isinstance(target, ProposalComment):
        return target.proposal.lab
    return None


def moderates_lab(user: User | None, target: Any) -> bool:
    """Administrators, and moderators of the lab's territory or a territory containing it."""
    lab = _lab_of(target)
    return lab is not None and (is_admin(user) or moderates(user, lab.territory))


def speaks_for_authority(user: User | None, org: Organization | None) -> bool:
    """Admins and officials of a verified, visible local authority speak for it."""
    return (
        org is not None and org.kind == OrgKind.LOCAL_AUTHORITY and org.is_verified and not org.is_hidden
        and active_role(user, org) in _RESPONDING_ROLES
    )


@rule(Permission.LAB_CREATE)
def _lab_create(user: User | None, target: Any) -> bool:
    """Admins and officials of a verified organisation convene labs for it; administrators too."""
    if not isinstance(target, Organization) or target.is_hidden:
        return False
    return is_admin(user) or (target.is_verified and active_role(user, target) in _RESPONDING_ROLES)


@rule(Permission.LAB_MANAGE)
def _lab_manage(user: User | None, target: Any) -> bool:
    """The convener's admins and officials edit the lab and export its proposals; administrators too."""
    return isinstance(target, Lab) and (is_admin(user) or active_role(user, target.convener) in _RESPONDING_ROLES)


@rule(Permission.PROPOSAL_COMMENT)
def _proposal_comment(user: User | None, target: Any) -> bool:
    """Confirmed people comment on public proposals that are not withdrawn."""
    return (
        isinstance(target, Proposal) and _participant(user) and not target.is_hidden
        and target.state not in (ProposalState.DRAFT, ProposalState.WITHDRAWN)
    )


@rule(Permission.PROPOSAL_COMMENT_DELETE)
def _proposal_comment_delete(user: User | None, target: Any) -> bool:
    """Authors delete their own visible comments."""
    return (
        isinstance(target, ProposalComment) and _active(user) and target.author_id == user.id  # type: ignore[union-attr]
        and target.deleted_at is None and not target.is_hidden
    )


@rule(Permission.PROPOSAL_CREATE)
def _proposal_create(user: User | None, target: Any) -> bool:
    """Confirmed people write proposals in a lab (phase and eligibility are checked by the service,
    which says what is missing)."""
    return isinstance(target, Lab) and _participant(user)


@rule(Permission.PROPOSAL_EDIT)
def _proposal_edit(user: User | None, target: Any) -> bool:
    """The author edits a draft, and a published proposal until its first support."""
    if not isinstance(target, Proposal) or not _active(user) or target.author_id != user.id or target.is_hidden:  # type: ignore[union-attr]
        return False
    return target.state == ProposalState.DRAFT or (target.state == ProposalState.PUBLISHED and target.supports_count == 0)


@rule(Permission.PROPOSAL_MODERATE)
def _proposal_moderate(user: User | None, target: Any) -> bool:
    """Hide and restore proposals and comments: the lab territory's moderators and administrators."""
    return moderates_lab(user, target)


@rule(Permission.PROPOSAL_PARTICIPATE)
def _proposal_participate(user: User | None, target: Any) -> bool:
    """Confirmed people support and vote (phase, cap and eligibility are checked by the service)."""
    return isinstance(target, Proposal) and _participant(user) and not target.is_hidden


@rule(Permission.PROPOSAL_REPORT)
def _proposal_report(user: User | None, target: Any) -> bool:
    """Logged-in people report proposals and comments."""
    return _active(user) and isinstance(target, Proposal | ProposalComment)


@rule(Permission.PROPOSAL_RESPOND)
def _proposal_respond(user: User | None, target: Any) -> bool:
    """Admins and officials of the addressed, verified authority answer and report progress."""
    return (
        isinstance(target, Proposal) and target.state not in (ProposalState.DRAFT, ProposalState.WITHDRAWN)
        and not target.is_hidden and speaks_for_authority(user, target.authority)
    )


@rule(Permission.PROPOSAL_SPONSOR_DECIDE)
def _proposal_sponsor_decide(user: User | None, target: Any) -> bool:
    """Admins of an invited association accept or decline co-sponsoring."""
    return isinstance(target, ProposalSponsor) and is_org_admin(user, target.organization)


@rule(Permission.PROPOSAL_VIEW)
def _proposal_view(user: User | None, target: Any) -> bool:
    """Published proposals are public; drafts only for their author; hidden ones for the author
    and moderators."""
    if not isinstance(target, Proposal):
        return False
    own = _active(user) and target.author_id == user.id  # type: ignore[union-attr]
    if target.state == ProposalState.DRAFT:
        return own
    return not target.is_hidden or own or moderates_lab(user, target)


@rule(Permission.PROPOSAL_WITHDRAW)
def _proposal_withdraw(user: User | None, target: Any) -> bool:
    """The author withdraws a proposal until the authority has decided on it."""
    return (
        isinstance(target, Proposal) and _active(user) and target.author_id == user.id  # type: ignore[union-attr]
        and target.state in (ProposalState.PUBLISHED, ProposalState.AWAITING_RESPONSE, ProposalState.EVALUATING)
    )


@rule(Permission.RESPONSE_TEMPLATES_MANAGE)
def _response_templates_manage(user: User | None, target: Any) -> bool:
    """Admins and officials of a verified authority keep its answer templates."""
    return isinstance(target, Organization) and speaks_for_authority(user, target)


def can(user: User | None, permission: Permission, target: Any = None) -> bool:
    """Whether ``user`` (None = anonymous) holds ``permission`` on ``target``."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return RULES[permission](user, target)


def ensure(user: User | None, permission: Permission, target: Any = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, permission, target)``."""
    if not can(user, permission, target):
        raise PermissionDenied(permission.value)


# Rules of initiatives, good practices, case histories and dashboards live beside this module;
# importing it here registers them whenever the policy is loaded.
from app.security import policy_initiatives  # noqa: E402, F401 — registration side effect, after the helpers it uses
