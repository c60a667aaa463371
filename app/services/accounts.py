"""Accounts: registration, confirmation, login sessions, password reset, settings, roles.

No answer here tells a visitor whether an e-mail address has an account: registration,
login, reset and resend-confirmation behave the same (and spend the same KDF time) for
known and unknown addresses; the owner of a known address is told by e-mail instead.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, exists, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _l
from app.security import tokens
from app.security.passwords import fingerprint, hash_password, needs_rehash, verify_password
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import audit, mail, territories
from models import (
    AccountToken,
    Consent,
    ConsentMethod,
    Membership,
    Role,
    RoleAssignment,
    Territory,
    TokenPurpose,
    User,
    UserSession,
    UserStatus,
)
from models.base import utcnow

COMMON_PASSWORDS = frozenset(
    {
        "password", "password1", "password123", "123456789", "1234567890", "12345678910",
        "qwertyuiop", "iloveyou", "passw0rd", "ciaociao", "ciao123456", "amoremio",
        "forzajuve", "forzainter", "forzamilan", "napolinapoli", "qwerty123", "qwertyuiop1",
        "abcdefghij", "abcd123456", "1q2w3e4r5t", "11111111111", "0000000000", "ponteponte",
        "password12", "admin12345", "welcome123", "benvenuto1", "trustno1234",
    }
)


@dataclass(frozen=True)
class Settings:
    min_password_length: int = 10
    privacy_version: str = "2026-11"
    confirm_max_age: int = 3 * 24 * 3600
    reset_max_age: int = 3600


settings = Settings()


def configure(new: Settings) -> None:
    """Set account rules from the app configuration (called by ``create_app``)."""
    global settings  # noqa: PLW0603 — one process-wide settings object, set once at start-up
    settings = new


@dataclass(frozen=True)
class RegistrationDraft:
    display_name: str
    email: str
    password: str
    locale: str
    home_territory: str  # as typed: "Bari", "Castro (LE)"; resolved by the territories service
    accepted_privacy: bool


@dataclass(frozen=True)
class SettingsDraft:
    display_name: str
    locale: str
    home_territory: str
    languages_spoken: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- validation helpers


def normalize_email(raw: str) -> str:
    """Lower-cased, validated address; raises ValidationFailed on bad syntax."""
    try:
        info = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed({"email": _l("Enter a valid e-mail address, for example name@example.it.")}) from None
    return info.normalized.lower()


def password_problems(password: str, email: str = "", display_name: str = "") -> list:
    """Reasons a password is too weak (translated lazily); empty when it is acceptable."""
    problems = []
    if len(password) < settings.min_password_length:
        problems.append(_l("Use at least %(n)d characters.", n=settings.min_password_length))
    if len(password) > 1024:
        problems.append(_l("Use at most 1024 characters."))
    low = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if low in COMMON_PASSWORDS or len(set(low)) < 4:
        problems.append(_l("This password is too easy to guess. Try a short sentence you remember."))
    elif (len(local_part) >= 4 and local_part in low) or (len(display_name) >= 4 and display_name.lower() in low):
        problems.append(_l("Do not use your name or e-mail address in the password."))
    return problems


def _check_password(password: str, email: str = "", display_name: str = "", field_name: str = "password") -> None:
    problems = password_problems(password, email, display_name)
    if problems:
        raise ValidationFailed({field_name: " ".join(str(p) for p in problems)})


def _resolve_territory(text: str, errors: dict) -> Territory | None:
    try:
        return territories.resolve(text)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None


# ---------------------------------------------------------------- queries


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("This person does not exist."))
    return user


def find_user_by_email(email: str) -> User | None:
    try:
        address = normalize_email(email)
    except ValidationFailed:
        return None
    return db.session.scalar(select(User).where(User.email == address))


# ---------------------------------------------------------------- tokens


def _issue_token(user: User, purpose: TokenPurpose, max_age: int) -> str:
    """Create a single-use token; any older token of the same purpose stops working."""
    db.session.execute(
        delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose)
    )
    secret, token_hash = tokens.new_token()
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash,
            password_fingerprint=fingerprint(user.password_hash),
            expires_at=utcnow() + timedelta(seconds=max_age),
        )
    )
    db.session.flush()
    return secret


def _valid_token(secret: str, purpose: TokenPurpose) -> AccountToken:
    """The stored token for ``secret`` if it is unused, unexpired and its password unchanged."""
    invalid = ValidationFailed({"token": _l("This link is not valid any more. Ask for a new one.")})
    digest = tokens.lookup_digest(secret)
    if digest is None:
        raise invalid
    token = db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == digest, AccountToken.purpose == purpose)
    )
    if (
        token is None
        or token.expires_at <= utcnow()
        or token.password_fingerprint != fingerprint(token.user.password_hash)
        or token.user.status != UserStatus.ACTIVE
    ):
        raise invalid
    return token


def _consume_token(token: AccountToken) -> User:
    """Use the token up; of two simultaneous uses only one deletes the row and succeeds."""
    user = token.user
    result = db.session.execute(delete(AccountToken).where(AccountToken.id == token.id))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ValidationFailed({"token": _l("This link is not valid any more. Ask for a new one.")})
    db.session.expunge(token)
    return user


def peek_token(secret: str, purpose: TokenPurpose) -> bool:
    """Whether a token would currently be accepted (without using it up)."""
    try:
        _valid_token(secret, purpose)
    except ValidationFailed:
        return False
    return True


# ---------------------------------------------------------------- registration


def register(draft: RegistrationDraft) -> User | None:
    """Create an account and mail a confirmation link.

    For an address that already has an account nothing is created and its owner gets an
    e-mail instead; the caller shows the same page either way. Returns the new user or None.
    """
    errors: dict = {}
    name = " ".join(draft.display_name.split())
    if not 2 <= len(name) <= 80:
        errors["display_name"] = _l("Write a name of 2 to 80 characters.")
    try:
        email = normalize_email(draft.email)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        email = ""
    problems = password_problems(draft.password, email, name)
    if problems:
        errors["password"] = " ".join(str(p) for p in problems)
    if not draft.accepted_privacy:
        errors["accept_privacy"] = _l("To create an account, accept the privacy notice.")
    if draft.locale not in LANGUAGES:
        errors["locale"] = _l("Choose a language from the list.")
    home = _resolve_territory(draft.home_territory, errors)
    if errors:
        raise ValidationFailed(errors)

    password_hash = hash_password(draft.password)  # always spend the KDF time
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is not None:
        mail.send_after_commit(existing.email, "account_exists", existing.locale, name=existing.display_name)
        return None
    user = User(
        email=email,
        display_name=name,
        password_hash=password_hash,
        locale=draft.locale,
        home_territory=home,
        privacy_version=settings.privacy_version,
        privacy_accepted_at=utcnow(),
        languages_spoken=[],
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        return None  # a concurrent registration won the race: same answer as above
    _log_consent(user, ConsentMethod.REGISTRATION)
    _send_confirmation(user)
    return user


def _log_consent(user: User, method: ConsentMethod) -> None:
    """The consent log's row for the version the new account was created with (see app.services.privacy)."""
    db.session.add(Consent(user_id=user.id, notice_version=user.privacy_version, method=method,
                           accepted_at=user.privacy_accepted_at or utcnow()))


def log_missing_consents() -> int:
    """Consent rows for accounts created in bulk (demo data, imports) that accepted the notice
    (``privacy_version`` set) but have none in the log yet: one statement. Returns how many."""
    missing = select(User.id, User.privacy_version, literal(ConsentMethod.REGISTRATION.value), User.created_at).where(
        User.privacy_version != "", ~exists().where(Consent.user_id == User.id))
    result = db.session.execute(insert(Consent).from_select(["user_id", "notice_version", "method", "accepted_at"], missing))
    return int(result.rowcount or 0)


def _send_confirmation(user: User) -> None:
    secret = _issue_token(user, TokenPurpose.CONFIRM, settings.confirm_max_age)
    mail.send_after_commit(
        user.email, "confirm", user.locale, name=user.display_name,
        link=("auth.confirm", {"token": secret}), hours=settings.confirm_max_age // 3600,
    )


def resend_confirmation(email: str) -> None:
    """Send a fresh confirmation link if the address has an unconfirmed account; silent otherwise."""
    user = find_user_by_email(email)
    if user is not None and not user.is_confirmed and user.status == UserStatus.ACTIVE:
        _send_confirmation(user)


def confirm_email(secret: str) -> User:
    """Mark the address confirmed; raises ValidationFailed for a used, old or unknown link."""
    user = _consume_token(_valid_token(secret, TokenPurpose.CONFIRM))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


# ---------------------------------------------------------------- login sessions


def authenticate(email: str, password: str) -> User:
    """Return the active user with these credentials; one vague error for every failure."""
    failure = ValidationFailed({"password": _l("E-mail or password is not correct.")})
    user = find_user_by_email(email)
    db.release_write_lock()  # the KDF takes ~0.1 s on purpose: not while holding SQLite's write lock
    ok = verify_password(user.password_hash if user else None, password[:1024])
    if user is None or not ok:
        raise failure
    if user.status != UserStatus.ACTIVE:
        raise failure
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User, user_agent: str = "") -> str:
    """Open a new server-side session for ``user`` and return its fresh random id."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=session_id, user_id=user.id, user_agent=(user_agent or "")[:200]))
    user.last_login_at = utcnow()
    user.current_session_id = session_id
    db.session.flush()
    return session_id


def load_session(session_id: str) -> User | None:
    """The active user owning this session id, or None if it was ended or never existed."""
    if not session_id or len(session_id) > 64:
        return None
    # One query per request for the person: their roles and memberships (with the organisations)
    # come along, because the policy and the header read them on almost every page. Both lists
    # are short, so joining the two collections costs a handful of rows, not a second round trip.
    row = db.session.scalars(
        select(UserSession).where(UserSession.id == session_id).options(
            joinedload(UserSession.user).joinedload(User.roles),
            joinedload(UserSession.user).joinedload(User.memberships).lazyload(Membership.user),
        )
    ).unique().one_or_none()
    if row is None or row.user.status != UserStatus.ACTIVE:
        return None
    row.user.current_session_id = session_id
    return row.user


def end_session(session_id: str | None) -> None:
    """Log out this browser: its session id stops working everywhere at once."""
    if session_id:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id))


def end_other_sessions(user: User, keep: str | None = None) -> None:
    condition = [UserSession.user_id == user.id]
    if keep:
        condition.append(UserSession.id != keep)
    db.session.execute(delete(UserSession).where(*condition))


# ---------------------------------------------------------------- passwords


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address has an account; says nothing either way."""
    user = find_user_by_email(email)
    if user is None or user.status != UserStatus.ACTIVE:
        return
    secret = _issue_token(user, TokenPurpose.RESET, settings.reset_max_age)
    mail.send_after_commit(
        user.email, "reset", user.locale, name=user.display_name,
        link=("auth.reset_password", {"token": secret}), minutes=settings.reset_max_age // 60,
    )


def reset_password(secret: str, new_password: str) -> User:
    """Set a new password from a reset link; every session of the account ends."""
    token = _valid_token(secret, TokenPurpose.RESET)
    _check_password(new_password, token.user.email, token.user.display_name)
    user = _consume_token(token)
    user.password_hash = hash_password(new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link proved the address
    end_other_sessions(user)
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == user.id))
    return user


def change_password(actor: User, current: str, new_password: str) -> None:
    """Change the actor's password; every other session of the account ends."""
    ensure(actor, Permission.ACCOUNT_MANAGE, actor)
    db.release_write_lock()  # as in authenticate: the KDF runs without SQLite's write lock
    if not verify_password(actor.password_hash, current[:1024]):
        raise ValidationFailed({"current_password": _l("The current password is not correct.")})
    _check_password(new_password, actor.email, actor.display_name, field_name="new_password")
    actor.password_hash = hash_password(new_password)
    end_other_sessions(actor, keep=actor.current_session_id)
    db.session.execute(delete(AccountToken).where(AccountToken.user_id == actor.id))


def update_settings(actor: User, target: User, draft: SettingsDraft) -> User:
    """Save profile and language settings."""
    ensure(actor, Permission.ACCOUNT_MANAGE, target)
    name = " ".join(draft.display_name.split())
    errors: dict = {}
    if not 2 <= len(name) <= 80:
        errors["display_name"] = _l("Write a name of 2 to 80 characters.")
    if draft.locale not in LANGUAGES:
        errors["locale"] = _l("Choose a language from the list.")
    spoken = [code for code in dict.fromkeys(draft.languages_spoken) if code]
    if any(len(code) > 16 for code in spoken) or len(spoken) > 20:
        errors["languages_spoken"] = _l("Choose languages from the list.")
    home = _resolve_territory(draft.home_territory, errors)
    if errors:
        raise ValidationFailed(errors)
    target.display_name = name
    target.locale = draft.locale
    target.home_territory = home
    target.languages_spoken = spoken
    return target


# ---------------------------------------------------------------- roles and administration


def create_admin(email: str, display_name: str, password: str) -> User:
    """Create (or promote) a confirmed platform administrator. Used by ``flask users create-admin``."""
    address = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None:
        _check_password(password, address, display_name)
        user = User(
            email=address, display_name=display_name, password_hash=hash_password(password),
            privacy_version=settings.privacy_version, privacy_accepted_at=utcnow(), email_confirmed_at=utcnow(),
            languages_spoken=[],
        )
        db.session.add(user)
        db.session.flush()
        _log_consent(user, ConsentMethod.OPERATOR)
    _add_role(user, Role.ADMIN, None)
    return user


def _refuse_deleted(user: User) -> None:
    if user.status == UserStatus.DELETED:
        raise Conflict(_l("This account was deleted by its owner."))


def _add_role(user: User, role: Role, territory: Territory | None) -> RoleAssignment:
    territory_id = territory.id if territory else None
    for existing in user.roles:
        if existing.role == role and existing.territory_id == territory_id:
            return existing
    assignment = RoleAssignment(role=role, territory_id=territory_id)
    user.roles.append(assignment)
    db.session.flush()
    return assignment


def grant_role(actor: User | None, user: User, role: Role, territory: Territory | None = None) -> RoleAssignment:
    """Give ``user`` a platform role; moderators need a territory. ``actor=None`` is the CLI."""
    if actor is not None:
        ensure(actor, Permission.ROLE_GRANT, user)
    _refuse_deleted(user)
    if role == Role.MODERATOR and territory is None:
        raise ValidationFailed({"territory": _l("A moderator needs a territory.")})
    if role == Role.ADMIN and territory is not None:
        raise Conflict(_l("Administrators act on the whole platform, not on one territory."))
    return _add_role(user, role, territory)


def suspend(actor: User, user: User, suspended: bool, reason: str = "") -> User:
    """Suspend an account (its sessions end at once) or lift the suspension. Audited."""
    _refuse_deleted(user)  # a clear answer rather than the policy's refusal
    ensure(actor, Permission.USER_SUSPEND, user)
    user.status = UserStatus.SUSPENDED if suspended else UserStatus.ACTIVE
    if suspended:
        end_other_sessions(user)
    audit.record(actor, "user.suspend" if suspended else "user.unsuspend", "user", user.id, user.display_name, reason=reason[:300])
    return user
