"""The e-mail outbox: every mail is a row written in the same transaction as the action that
causes it, so a mail is never lost when the process dies after the commit, and never sent twice.

After the commit one attempt is made at once (in the web process, after the response; or by
the RQ worker when ``PONTE_REDIS_URL`` is set). Whoever sends first *claims* the row with a
conditional UPDATE (pending → sending, with a lease): a second sender (the worker, a cron run,
another process) finds nothing to claim. A failed attempt leaves the row pending with the next
attempt 1, 2, 4 … 60 minutes later; after MAX_ATTEMPTS it is marked failed. The user's action
has succeeded either way. ``flask notifications send`` sends what is due (``send_due``).

What a mail says is either rendered at sending time from ``context`` (notifications, digests:
in the recipient's language of the day), or kept in ``sealed``: encrypted with a key derived
from the app's secret, because account mails carry single-use links (reset, confirmation,
invitation) that nobody reading the database should be able to use. ``sealed`` is emptied
once the mail has left or was given up. Nothing here logs a message body or a link.
"""

from __future__ import annotations

import base64
import contextvars
import json
import logging
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import db, expect_writes
from app.services.mail import Mail, mailer
from models import MailStatus, OutboxMail
from models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF_MINUTES = 60
LEASE = timedelta(minutes=10)  # a "sending" row older than this was abandoned (the sender died)
BATCH = 100
QUEUE = "ponte-mail"
KEEP = timedelta(days=30)  # finished rows (sent, failed, cancelled) are deleted after this: addresses are personal data
T = TypeVar("T")


def secret_key() -> str:
    key = mailer.settings.get("SECRET_KEY")
    if not key:
        raise RuntimeError("the mailer is not configured (no SECRET_KEY)")
    return str(key)


# ---------------------------------------------------------------- sealing


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"ponte outbox seal").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(payload: dict[str, Any]) -> str:
    return _fernet(secret_key()).encrypt(json.dumps(payload, default=_encode).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    return json.loads(_fernet(secret_key()).decrypt(token.encode()), object_hook=_decode)  # type: ignore[no-any-return]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(type(value).__name__)


def _decode(value: dict[str, Any]) -> Any:
    if "__datetime__" in value:
        return datetime.fromisoformat(value["__datetime__"])
    if "__date__" in value:
        return date.fromisoformat(value["__date__"])
    return value


# ---------------------------------------------------------------- queueing (inside the action's transaction)


def queue(mail: OutboxMail) -> OutboxMail | None:
    """Add a mail to the outbox in the current transaction and attempt it once that commits.
    None when a mail with the same dedupe key is already queued (it is not queued twice)."""
    mail.status = MailStatus.PENDING
    mail.next_attempt_at = mail.next_attempt_at or utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        return None
    mail_id = mail.id
    db.after_commit(lambda: dispatch(mail_id))
    return mail


def queue_message(to: str, template: str, locale: str, context: dict[str, Any], *, user_id: int | None = None,
                  dedupe_key: str = "") -> OutboxMail | None:
    """Queue a mail rendered from ``templates/mail/<template>``. Its context travels sealed;
    a context that is not plain data (objects from the database) is rendered now instead."""
    try:
        sealed = seal({"context": context})
    except TypeError:
        composed = mailer.compose(to, template, locale, context)
        sealed = seal({"mail": {"subject": composed.subject, "text": composed.text, "html": composed.html}})
    return queue(OutboxMail(dedupe_key=dedupe_key or f"{template}-{uuid.uuid4().hex}", user_id=user_id, to_address=to,
                            template=template, locale=locale, context={}, sealed=sealed))


def dispatch(mail_id: int) -> None:
    """After the commit: hand the mail to the RQ worker when Redis is configured, else send it now."""
    if mailer.settings.get("REDIS_URL"):
        try:
            _enqueue(mail_id)
            return
        except Exception:  # Redis down: the mail must still leave; the sender below or a later run does it
            log.warning("could not queue mail %s in Redis; sending it now", mail_id, exc_info=True)
    deliver(mail_id)


def _enqueue(mail_id: int) -> None:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(mailer.settings["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    Queue(QUEUE, connection=connection).enqueue(deliver_job, mail_id, job_id=f"mail-{mail_id}", result_ttl=0, failure_ttl=86400)


def deliver_job(mail_id: int) -> bool:
    """The RQ job: send one outbox row (the same claim as everywhere, so never twice)."""
    return deliver(mail_id)


# ---------------------------------------------------------------- sending (each step its own short transaction)


def _isolated(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` with its own copy of the context: SQLite write intent set here does not leak."""
    return contextvars.copy_context().run(fn, *args)


@contextmanager
def _writing() -> Iterator[Session]:
    """A short transaction of its own (committed at the end of the block), apart from whatever
    unit of work is open: a claim must be visible to other senders before the mail leaves."""
    expect_writes(True)  # SQLite: take the write lock at BEGIN instead of failing to upgrade later
    with db.factory.begin() as session:
        yield session


def _due(now: datetime) -> Any:
    return or_(
        and_(OutboxMail.status == MailStatus.PENDING, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at < now - LEASE),
    )


def _claim(mail_id: int, now: datetime) -> str | None:
    token = secrets.token_hex(8)
    with _writing() as session:
        claimed = session.execute(
            update(OutboxMail).where(OutboxMail.id == mail_id, _due(now))
            .values(status=MailStatus.SENDING, claimed_at=now, claim_token=token)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
    return token if claimed == 1 else None


def deliver(mail_id: int, now: datetime | None = None) -> bool:
    """Claim one mail and send it. True when it was sent by this call; False when somebody else
    had it, it was not due, it is no longer wanted, or the attempt failed (then retried later)."""
    return _isolated(_deliver, mail_id, now or utcnow())


def _deliver(mail_id: int, now: datetime) -> bool:
    token = _claim(mail_id, now)
    if token is None:
        return False
    try:
        message = _compose(mail_id)
        if message is None:
            _finish(mail_id, token, status=MailStatus.CANCELLED, sealed=None)
            return False
        mailer.deliver(message)
    except InvalidToken:  # sealed with another secret key: it can never be read
        _finish(mail_id, token, status=MailStatus.FAILED, sealed=None, last_error="InvalidToken", attempts=1)
        log.error("outbox mail %s cannot be unsealed (was the secret key changed?)", mail_id)
        return False
    except Exception as exc:  # SMTP down, refused, timed out, a rendering bug: try again later
        _failed(mail_id, token, exc, now)
        return False
    _finish(mail_id, token, status=MailStatus.SENT, sealed=None, sent_at=utcnow(), last_error="", attempts=1)
    return True


def _compose(mail_id: int) -> Mail | None:
    """What to send (None: nothing any more). The database is read in a session of its own,
    closed before the mail is rendered."""
    draft: Callable[[], Mail] | None = None
    with db.factory() as session:
        row = session.get(OutboxMail, mail_id)
        if row is None:
            return None
        if not row.sealed:
            from app.services import digests  # digests build on the outbox; keep this edge lazy

            draft = digests.prepare(session, row)
            if draft is None:
                return None
        sealed, to, template, locale = row.sealed, row.to_address, row.template, row.locale
    if draft is not None:
        return draft()
    payload = unseal(sealed or "")
    if "mail" in payload:
        return Mail(to=to, **payload["mail"])
    return mailer.compose(to, template, locale, payload["context"])


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: 1, 2, 4, 8 … minutes, at most MAX_BACKOFF_MINUTES."""
    return timedelta(minutes=min(MAX_BACKOFF_MINUTES, 2 ** max(0, attempts - 1)))


def _error_name(exc: BaseException) -> str:
    """The kind of failure, never its text (which may quote addresses or a message)."""
    name = type(exc).__name__
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{name} {code}" if code else name


def _failed(mail_id: int, token: str, exc: BaseException, now: datetime) -> None:
    with _writing() as session:
        attempts = (session.scalar(select(OutboxMail.attempts).where(OutboxMail.id == mail_id)) or 0) + 1
        final = attempts >= MAX_ATTEMPTS
        session.execute(
            update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
            .values(status=MailStatus.FAILED if final else MailStatus.PENDING, attempts=attempts,
                    next_attempt_at=now + backoff(attempts), last_error=_error_name(exc)[:200], claim_token=None,
                    **({"sealed": None} if final else {}))
            .execution_options(synchronize_session=False)
        )
    level = logging.ERROR if final else logging.WARNING
    log.log(level, "mail %s: attempt %s failed (%s)%s", mail_id, attempts, _error_name(exc),
            "; giving up" if final else "; will retry")


def _finish(mail_id: int, token: str, *, attempts: int = 0, **values: Any) -> None:
    with _writing() as session:
        session.execute(
            update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
            .values(claim_token=None, attempts=OutboxMail.attempts + attempts, **values)
            .execution_options(synchronize_session=False)
        )


def send_due(now: datetime | None = None, limit: int = BATCH) -> tuple[int, int]:
    """Send up to ``limit`` mails that are due (new, to retry, or abandoned by a dead sender).
    Safe to run from several processes at once. Returns (sent, looked at)."""
    moment = now or utcnow()
    with db.factory() as session:
        due = list(session.scalars(
            select(OutboxMail.id).where(_due(moment)).order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)
        ))
    sent = sum(1 for mail_id in due if deliver(mail_id, moment))
    return sent, len(due)


def purge(now: datetime | None = None) -> int:
    """Delete finished mails older than KEEP. Returns how many were deleted."""
    before = (now or utcnow()) - KEEP
    with _writing() as session:
        return int(session.execute(
            delete(OutboxMail).where(OutboxMail.status.in_((MailStatus.SENT, MailStatus.FAILED, MailStatus.CANCELLED)),
                                     OutboxMail.created_at < before)
            .execution_options(synchronize_session=False)
        ).rowcount or 0)  # type: ignore[attr-defined]


def pending_count() -> int:
    """Mails still waiting to leave (for the CLI's summary)."""
    with db.factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxMail).where(
            OutboxMail.status.in_((MailStatus.PENDING, MailStatus.SENDING)))) or 0

