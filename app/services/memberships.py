"""Membership in organisations: join requests, invitations, roles, leaving, transfer.

The organisation's admins are notified of join requests; the person asking, of the answer;
an invited person with an account, of the invitation (besides the e-mail with the link).

An organisation always keeps at least one admin: the last admin cannot leave, be removed
or be demoted. ``members_count`` counts active members and is updated in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security import tokens
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import audit, mail, notifications
from app.services.accounts import normalize_email
from models import Invitation, MemberRole, Membership, MembershipStatus, Organization, OrgKind, User
from models.base import utcnow

INVITATION_DAYS = 14


def default_role(org: Organization) -> MemberRole:
    """What a new member is called: officials of authorities, staff of schools, members otherwise."""
    if org.kind == OrgKind.LOCAL_AUTHORITY:
        return MemberRole.OFFICIAL
    if org.kind == OrgKind.SCHOOL:
        return MemberRole.STAFF
    return MemberRole.MEMBER


def allowed_roles(org: Organization) -> list[MemberRole]:
    return [MemberRole.ADMIN, default_role(org)]


def _count(org: Organization, delta: int) -> None:
    db.session.execute(
        update(Organization).where(Organization.id == org.id)
        .values(members_count=Organization.members_count + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(org, ["members_count"])


def _is_active_admin():  # type: ignore[no-untyped-def]
    return (Membership.role == MemberRole.ADMIN) & (Membership.status == MembershipStatus.ACTIVE)


def _admins(org: Organization) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Membership).where(Membership.organization_id == org.id, _is_active_admin())
    ) or 0


def admin_ids(org: Organization) -> list[int]:
    """The people who administer an organisation (they answer invitations addressed to it)."""
    return list(db.session.scalars(select(Membership.user_id).where(Membership.organization_id == org.id, _is_active_admin())))


def organizer_ids(org: Organization) -> list[int]:
    """The people who act for an organisation in joint work: its admins, officials and school staff
    (for example, a school's staff answer a partnership invitation)."""
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.organization_id == org.id, Membership.status == MembershipStatus.ACTIVE,
        Membership.role.in_((MemberRole.ADMIN, MemberRole.OFFICIAL, MemberRole.STAFF)),
    )))


def administered(user: User):  # type: ignore[no-untyped-def]
    """A subquery of the ids of the organisations the person administers."""
    return select(Membership.organization_id).where(Membership.user_id == user.id, _is_active_admin())


def _guard_last_admin(membership: Membership) -> None:
    if membership.role == MemberRole.ADMIN and membership.status == MembershipStatus.ACTIVE and _admins(membership.organization) <= 1:
        raise Conflict(_l("An organisation needs at least one admin. First make another member admin."))


def get_membership(actor: User, membership_id: int, org: Organization) -> Membership:
    """A membership of ``org``, for someone who manages its members: the permission is checked
    first, so nobody else learns which membership ids exist (403, never 404)."""
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organization_id != org.id:
        raise NotFound(_l("This person is not a member of this organisation."))
    return membership


# ---------------------------------------------------------------- join requests


def request_join(actor: User, org: Organization, message: str = "") -> Membership:
    """Ask to join; the organisation's admins decide. Asking twice is a Conflict, never a second row."""
    if viewer_membership(actor, org) is not None:
        raise Conflict(_l("You have already asked to join, or you are already a member."))
    ensure(actor, Permission.ORGANIZATION_JOIN, org)
    membership = Membership(
        organization_id=org.id, user_id=actor.id, role=default_role(org), status=MembershipStatus.PENDING,
        request_message=" ".join((message or "").split())[:500],
    )
    try:
        with db.session.begin_nested():
            db.session.add(membership)
    except IntegrityError:
        raise Conflict(_l("You have already asked to join, or you are already a member.")) from None
    db.session.expire(actor, ["memberships"])
    notifications.notify(set(admin_ids(org)) - {actor.id}, "membership.requested", "organization", org.id,
                         dedupe_key=f"request-{membership.id}", organization=org.name, person=actor.display_name)
    return membership


def decide_request(actor: User, membership: Membership, approve: bool, message: str = "") -> None:
    """Approve or decline a join request; the person is told by e-mail, with the optional message."""
    org = membership.organization
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    if membership.status != MembershipStatus.PENDING:
        raise Conflict(_l("This request was already answered."))
    person = membership.user
    note = " ".join((message or "").split())[:500]
    if approve:
        membership.status = MembershipStatus.ACTIVE
        membership.decided_at = utcnow()
        _count(org, +1)
    else:
        db.session.delete(membership)
    db.session.flush()
    notifications.notify([person.id], "membership.approved" if approve else "membership.declined", "organization", org.id,
                         dedupe_key=f"decision-{membership.id}", organization=org.name)
    mail.send_after_commit(
        person.email, "membership_decision", person.locale, name=person.display_name,
        organization=org.name, approved=approve, note=note, link=("organizations.show", {"slug": org.slug}),
    )


def cancel_request(actor: User, org: Organization) -> None:
    """Withdraw one's own pending request."""
    result = db.session.execute(
        delete(Membership).where(Membership.organization_id == org.id, Membership.user_id == actor.id, Membership.status == MembershipStatus.PENDING)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict(_l("There is no request to withdraw."))
    db.session.expire(actor, ["memberships"])


# ---------------------------------------------------------------- invitations


def invite(actor: User, org: Organization, email: str, role: str) -> Invitation:
    """E-mail a single-use invitation link; it works for people who have no account yet."""
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    address = normalize_email(email)
    try:
        chosen = MemberRole(role)
    except ValueError:
        raise ValidationFailed({"role": _l("Choose one option from the list.")}) from None
    if chosen not in allowed_roles(org):
        raise ValidationFailed({"role": _l("Choose one option from the list.")})
    already = db.session.scalar(
        select(Membership.id).join(User, User.id == Membership.user_id)
        .where(Membership.organization_id == org.id, User.email == address, Membership.status == MembershipStatus.ACTIVE)
    )
    if already:
        raise ValidationFailed({"email": _l("This person is already a member.")})
    db.session.execute(delete(Invitation).where(Invitation.organization_id == org.id, Invitation.email == address))
    secret, token_hash = tokens.new_token()
    invitation = Invitation(
        organization_id=org.id, email=address, role=chosen, invited_by_id=actor.id,
        token_hash=token_hash, expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    recipient = db.session.scalar(select(User).where(User.email == address))
    if recipient is not None:
        notifications.notify([recipient.id], "membership.invited", "organization", org.id,
                             dedupe_key=f"invitation-{invitation.id}", organization=org.name, person=actor.display_name)
    mail.send_after_commit(
        address, "invitation", recipient.locale if recipient else "it", organization=org.name,
        inviter=actor.display_name, link=("organizations.invitation", {"token": secret}), days=INVITATION_DAYS,
    )
    audit.record(actor, "membership.invite", "organization", org.id, org.name, email=address, role=chosen.value)
    return invitation


def find_invitation(secret: str) -> Invitation:
    """The unexpired invitation for this link, or a ValidationFailed that says what to do."""
    invalid = ValidationFailed({"token": _l("This invitation is not valid any more. Ask the organisation to invite you again.")})
    digest = tokens.lookup_digest(secret)
    if digest is None:
        raise invalid
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == digest))
    if invitation is None or invitation.expires_at <= utcnow():
        raise invalid
    return invitation


def accept_invitation(actor: User, secret: str) -> Membership:
    """Join with the invited role. The link is single-use and only for the invited address."""
    invitation = find_invitation(secret)
    if actor.email != invitation.email:
        raise ValidationFailed({"token": _l("This invitation was sent to another e-mail address. Log in with that address to accept it.")})
    org = invitation.organization
    used = db.session.execute(delete(Invitation).where(Invitation.id == invitation.id))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise ValidationFailed({"token": _l("This invitation is not valid any more. Ask the organisation to invite you again.")})
    membership = db.session.scalar(select(Membership).where(Membership.organization_id == org.id, Membership.user_id == actor.id))
    if membership is None:
        membership = Membership(organization_id=org.id, user_id=actor.id, role=invitation.role, status=MembershipStatus.ACTIVE, decided_at=utcnow())
        db.session.add(membership)
        _count(org, +1)
    elif membership.status == MembershipStatus.PENDING:
        membership.status, membership.role, membership.decided_at = MembershipStatus.ACTIVE, invitation.role, utcnow()
        _count(org, +1)
    if actor.email_confirmed_at is None:
        actor.email_confirmed_at = utcnow()  # the link proved the address
    db.session.flush()
    db.session.expire(actor, ["memberships"])
    return membership


# ---------------------------------------------------------------- roles, leaving


def change_role(actor: User, membership: Membership, role: str) -> Membership:
    """Make a member admin or not; the last admin cannot be demoted."""
    org = membership.organization
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    try:
        chosen = MemberRole(role)
    except ValueError:
        raise ValidationFailed({"role": _l("Choose one option from the list.")}) from None
    if chosen not in allowed_roles(org) or membership.status != MembershipStatus.ACTIVE:
        raise ValidationFailed({"role": _l("Choose one option from the list.")})
    if chosen != MemberRole.ADMIN:
        _guard_last_admin(membership)
    membership.role = chosen
    audit.record(actor, "membership.role", "organization", org.id, org.name, user=membership.user_id, role=chosen.value)
    return membership


def remove_member(actor: User, membership: Membership) -> None:
    """Remove someone from the organisation (an admin's decision)."""
    org = membership.organization
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    _guard_last_admin(membership)
    was_active = membership.status == MembershipStatus.ACTIVE
    db.session.delete(membership)
    if was_active:
        _count(org, -1)
    audit.record(actor, "membership.remove", "organization", org.id, org.name, user=membership.user_id)


def leave(actor: User, org: Organization) -> None:
    """Leave an organisation; the last admin must first hand over."""
    membership = db.session.scalar(
        select(Membership).where(Membership.organization_id == org.id, Membership.user_id == actor.id, Membership.status == MembershipStatus.ACTIVE)
    )
    if membership is None:
        raise Conflict(_l("You are not a member of this organisation."))
    _guard_last_admin(membership)
    db.session.delete(membership)
    _count(org, -1)
    db.session.flush()
    db.session.expire(actor, ["memberships"])


def transfer(actor: User, org: Organization, to: Membership) -> None:
    """Hand the organisation over: ``to`` becomes admin and the actor becomes an ordinary member."""
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    mine = db.session.scalar(
        select(Membership).where(Membership.organization_id == org.id, Membership.user_id == actor.id, Membership.status == MembershipStatus.ACTIVE)
    )
    if to.organization_id != org.id or to.status != MembershipStatus.ACTIVE or mine is None or to.id == mine.id:
        raise ValidationFailed({"member": _l("Choose another active member.")})
    to.role = MemberRole.ADMIN
    mine.role = default_role(org)
    db.session.flush()
    db.session.expire(actor, ["memberships"])
    audit.record(actor, "membership.transfer", "organization", org.id, org.name, to=to.user_id)


# ---------------------------------------------------------------- queries


def list_members(actor: User | None, org: Organization) -> list[Membership]:
    """Active members by name; only members and staff may see them."""
    ensure(actor, Permission.ORGANIZATION_VIEW_MEMBERS, org)
    return list(
        db.session.scalars(
            select(Membership).join(User, User.id == Membership.user_id)
            .where(Membership.organization_id == org.id, Membership.status == MembershipStatus.ACTIVE)
            .order_by(Membership.role, User.display_name)
        )
    )


def list_requests(actor: User, org: Organization) -> list[Membership]:
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    return list(
        db.session.scalars(
            select(Membership).where(Membership.organization_id == org.id, Membership.status == MembershipStatus.PENDING)
            .order_by(Membership.created_at)
        )
    )


def list_invitations(actor: User, org: Organization) -> list[Invitation]:
    ensure(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    return list(
        db.session.scalars(
            select(Invitation).where(Invitation.organization_id == org.id, Invitation.expires_at > utcnow()).order_by(Invitation.created_at.desc())
        )
    )


def viewer_membership(user: User | None, org: Organization) -> Membership | None:
    """The viewer's own membership row (active or pending), if any."""
    if user is None:
        return None
    return next((m for m in user.memberships if m.organization_id == org.id), None)


def acting_organizations(user: User) -> list[Organization]:
    """Organisations the user may speak for ("on behalf of"): active memberships, visible profiles.
    Read from the person's memberships, which are loaded with them once per request."""
    orgs = [m.organization for m in user.memberships if m.status == MembershipStatus.ACTIVE and not m.organization.is_hidden]
    return sorted(orgs, key=lambda org: org.name_key)
