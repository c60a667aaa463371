"""Privacy: the versioned notice and the consent log, and erasing an account on its owner's request.

The notice in force is ``accounts.settings.privacy_version`` (``PONTE_PRIVACY_NOTICE_VERSION``).
``users.privacy_version`` is the latest version the person accepted, so checking it costs no query;
``consents`` keeps every acceptance. Someone whose version is not the current one is asked to
accept again before going on (see blueprints/privacy).

Erasing keeps the ``users`` row, so what the person published stays in place (shown as
"deleted participant") and every count (supports, votes, registrations, posts) stays as it
was; everything that identifies the person goes:

- the address becomes ``deleted-<id>@deleted.invalid`` (free to register again), the name a
  neutral mark, the password unusable, language, comune, languages spoken and dates cleared;
- sessions, e-mail tokens, calendar feed tokens, platform roles, memberships (the counts of
  members go down), forum memberships, follows, notifications, e-mail settings and the mails
  queued for the person are deleted; invitations sent to the address too;
- the messages of volunteer applications and the reply address of feedback are emptied;
  pending applications are withdrawn; no event reminder is sent any more;
- the name in other people's notifications ("X replied…") and the address in the audit log are
  replaced by the same neutral mark.

Kept, without the person's identity: posts, threads, proposals, comments, answers, supports,
votes, registrations (attendance figures), reports, uploaded files of public content, the
consent log (versions and dates only), and the audit trail of what the account did.
Mails already queued for other people keep their sealed text until the outbox purges them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from app.db import db
from app.exceptions import ValidationFailed
from app.i18n import _l
from app.security.passwords import verify_password
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import accounts, audit
from models import (
    AccountToken,
    ApplicationStatus,
    AuditEntry,
    CalendarToken,
    Consent,
    ConsentMethod,
    Feedback,
    Follow,
    Forum,
    ForumMember,
    InitiativePartner,
    Invitation,
    MemberRole,
    Membership,
    MembershipStatus,
    Notification,
    NotificationPreference,
    Organization,
    OutboxMail,
    Registration,
    RoleAssignment,
    User,
    UserSession,
    UserStatus,
    VolunteerApplication,
)
from models.base import utcnow

DELETED_NAME = "—"  # what a deleted person's name becomes where the row is read as it is (API, feeds, CSV)
UNUSABLE_HASH = "!deleted"  # not an argon2 hash, so no password ever matches it
NAME_KEYS = ("actor", "person", "inviter", "name")  # where notifications keep the name of who did something


# ---------------------------------------------------------------- notice and consent log


def current_version() -> str:
    """The version of the privacy notice in force."""
    return accounts.settings.privacy_version


def needs_acceptance(user: User) -> bool:
    """True when the person last accepted another version than the one in force."""
    return user.status == UserStatus.ACTIVE and user.privacy_version != current_version()


def accept_notice(actor: User) -> Consent | None:
    """Record that the actor accepts the notice in force (None if they already had: a second click adds nothing)."""
    ensure(actor, Permission.ACCOUNT_MANAGE, actor)
    if not needs_acceptance(actor):
        return None
    consent = Consent(user_id=actor.id, notice_version=current_version(), method=ConsentMethod.RE_ACCEPTANCE, accepted_at=utcnow())
    db.session.add(consent)
    actor.privacy_version, actor.privacy_accepted_at = consent.notice_version, consent.accepted_at
    db.session.flush()
    return consent


def consent_history(user: User) -> list[Consent]:
    """Every acceptance of the notice by ``user``, oldest first."""
    return list(db.session.scalars(select(Consent).where(Consent.user_id == user.id).order_by(Consent.accepted_at, Consent.id)))


# ---------------------------------------------------------------- erasure


@dataclass(frozen=True)
class DeletionDraft:
    password: str
    confirmed: bool


def sole_admin_of(user: User) -> list[Organization]:
    """Organisations in which ``user`` is the only active admin (they must hand over first)."""
    active_admin = (Membership.role == MemberRole.ADMIN) & (Membership.status == MembershipStatus.ACTIVE)
    mine = select(Membership.organization_id).where(Membership.user_id == user.id, active_admin)
    alone = (
        select(Membership.organization_id).where(active_admin, Membership.organization_id.in_(mine))
        .group_by(Membership.organization_id).having(func.count() == 1)
    )
    return list(db.session.scalars(select(Organization).where(Organization.id.in_(alone)).order_by(Organization.name_key)))


def erase_account(actor: User, draft: DeletionDraft) -> None:
    """Delete the actor's personal data for good, keeping their public contributions anonymous.

    Needs the password and the ticked confirmation; refused while the actor is the only admin
    of an organisation. Every session of the account ends. See the module docstring for what
    is deleted and what is kept."""
    ensure(actor, Permission.ACCOUNT_MANAGE, actor)
    errors: dict[str, Any] = {}
    if not draft.confirmed:
        errors["confirm"] = _l("Tick the box to confirm that you want to delete your account.")
    db.release_write_lock()  # the KDF runs without SQLite's write lock (as at login)
    if not verify_password(actor.password_hash, draft.password[:1024]):
        errors["password"] = _l("The password is not correct.")
    if errors:
        raise ValidationFailed(errors)
    alone = sole_admin_of(actor)
    if alone:
        raise ValidationFailed({"organizations": _l(
            "You are the only admin of %(names)s. First make another member admin (on the members page), then delete your account.",
            names=", ".join(org.name for org in alone),
        )})
    email, name = actor.email, actor.display_name
    _end_everything(actor, email)
    _leave_groups(actor)
    _anonymise_contributions(actor, email, name)
    _scrub_elsewhere(actor, email, name)
    _erase_profile(actor)
    audit.record(actor, "account.delete", "user", actor.id, "")
    db.session.flush()


def _run(statement: Any) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def _end_everything(user: User, email: str) -> None:
    for model in (UserSession, AccountToken, RoleAssignment, CalendarToken, Follow, Notification, NotificationPreference):
        _run(delete(model).where(model.user_id == user.id))
    _run(delete(OutboxMail).where(or_(OutboxMail.user_id == user.id, func.lower(OutboxMail.to_address) == email)))
    _run(delete(Invitation).where(func.lower(Invitation.email) == email))
    db.session.expire(user, ["roles"])


def _leave_groups(user: User) -> None:
    active = select(Membership.organization_id).where(Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE)
    _run(update(Organization).where(Organization.id.in_(active)).values(members_count=Organization.members_count - 1))
    _run(delete(Membership).where(Membership.user_id == user.id))
    forums = select(ForumMember.forum_id).where(ForumMember.user_id == user.id)
    _run(update(Forum).where(Forum.id.in_(forums)).values(members_count=Forum.members_count - 1))
    _run(delete(ForumMember).where(ForumMember.user_id == user.id))
    db.session.expire(user, ["memberships"])


def _anonymise_contributions(user: User, email: str, name: str) -> None:
    _run(update(VolunteerApplication).where(VolunteerApplication.user_id == user.id).values(message=""))
    _run(update(VolunteerApplication).where(VolunteerApplication.user_id == user.id,
                                            VolunteerApplication.status == ApplicationStatus.PENDING)
         .values(status=ApplicationStatus.WITHDRAWN, decided_at=utcnow()))
    # Registrations stay (capacity and attendance figures do not move); their reminders stop.
    _run(update(Registration).where(Registration.user_id == user.id, Registration.reminder_sent_at.is_(None))
         .values(reminder_sent_at=utcnow()))
    _run(update(Feedback).where(or_(Feedback.user_id == user.id, func.lower(Feedback.reply_to) == email)).values(reply_to=""))
    # Contact details typed into organisation and partner records that are this person's own.
    _run(update(InitiativePartner).where(func.lower(InitiativePartner.contact_email) == email).values(contact_email=""))
    _run(update(InitiativePartner).where(InitiativePartner.contact_name == name).values(contact_name=""))
    _run(update(Organization).where(func.lower(Organization.email) == email).values(email=""))
    _run(update(Organization).where(Organization.contact_name == name).values(contact_name=""))


def _scrub_elsewhere(user: User, email: str, name: str) -> None:
    """The name in other people's notifications and the address and name in the audit log."""
    since = user.created_at
    _replace_in_json(Notification.data, NAME_KEYS, name, Notification.created_at >= since)
    _replace_in_json(AuditEntry.detail, ("email",), email, AuditEntry.created_at >= since)
    _run(update(AuditEntry).where(AuditEntry.target_type == "user", AuditEntry.target_id == user.id).values(target_label=""))


def _replace_in_json(column: InstrumentedAttribute, keys: tuple[str, ...], value: str, *where: Any) -> None:
    """Set ``keys`` of the JSON objects in ``column`` that hold exactly ``value`` to DELETED_NAME.
    The database narrows the rows down by text (as stored: JSON escapes non-ASCII letters)."""
    model = column.class_
    as_text = cast(column, Text)
    found = or_(as_text.contains(value, autoescape=True), as_text.contains(json.dumps(value)[1:-1], autoescape=True))
    for row_id, data in db.session.execute(select(model.id, column).where(found, *where)).all():
        if isinstance(data, dict) and any(data.get(k) == value for k in keys):
            cleaned = {k: (DELETED_NAME if k in keys and v == value else v) for k, v in data.items()}
            _run(update(model).where(model.id == row_id).values({column.key: cleaned}))


def _erase_profile(user: User) -> None:
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = DELETED_NAME
    user.password_hash = UNUSABLE_HASH
    user.locale = "it"
    user.timezone = "Europe/Rome"
    user.languages_spoken = []
    user.home_territory = None
    user.email_confirmed_at = None
    user.last_login_at = None
    user.status = UserStatus.DELETED
