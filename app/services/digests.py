"""Notification e-mails: one per notification for people who want them at once, or a daily or
weekly digest grouping what is new by type, newest first.

Never a repeat: a notification counts as dealt with (``mailed_at``) once it was mailed alone,
put in a digest, or skipped by the person's settings, and the rows are marked with a
conditional UPDATE that only one run can win, so two runs at the same time never put the same
notification in two digests. Nothing is sent when there is nothing new. Digests leave at
DIGEST_HOUR in Rome: every day, or on Mondays for the weekly one; what arrives later waits
for the next one. Run by ``flask notifications send``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, literal, select, update
from sqlalchemy.orm import Session

from app.db import db
from app.services import notifications, outbox
from app.services.mail import Mail, mailer
from models import Delivery, Notification, NotificationPreference, OutboxMail, User, UserStatus
from models.base import utcnow

DIGEST_HOUR = 7
ROME = ZoneInfo("Europe/Rome")
BATCH = 200


def last_slot(delivery: Delivery, now: datetime) -> datetime | None:
    """The latest digest moment at or before ``now``: today's (or yesterday's) DIGEST_HOUR in Rome
    for daily digests, the latest Monday's for weekly ones; ``now`` for immediate delivery."""
    if delivery in (Delivery.IMMEDIATELY, Delivery.NEVER):
        return now
    local = now.astimezone(ROME)
    slot = datetime.combine(local.date(), time(DIGEST_HOUR), tzinfo=ROME)
    if slot > local:
        slot -= timedelta(days=1)
    if delivery == Delivery.WEEKLY:
        slot -= timedelta(days=slot.weekday())
    return slot.astimezone(now.tzinfo)


def run(now: datetime | None = None, after_user_id: int = 0, limit: int = BATCH) -> tuple[int, int, int]:
    """Prepare the digests that are due for up to ``limit`` people with notifications not yet
    dealt with by e-mail (the caller commits; the mails leave after the commit).
    Returns (digests queued, people looked at, the last person's id for the next batch)."""
    moment = now or utcnow()
    stamp = Notification.created_at.type

    def at(moment_: datetime | None) -> Any:
        return literal(moment_, stamp)

    # Each person's cutoff follows their delivery (no row: the daily default).
    cutoff = case(
        (NotificationPreference.delivery == Delivery.WEEKLY, at(last_slot(Delivery.WEEKLY, moment))),
        (NotificationPreference.delivery.in_((Delivery.IMMEDIATELY, Delivery.NEVER)), at(moment)),
        else_=at(last_slot(Delivery.DAILY, moment)),
    )
    due = exists().where(Notification.user_id == User.id, Notification.mailed_at.is_(None), Notification.created_at <= cutoff)
    people = list(db.session.execute(
        select(User, NotificationPreference)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(due, User.id > after_user_id, User.status == UserStatus.ACTIVE, User.email_confirmed_at.is_not(None))
        .order_by(User.id).limit(limit)
    ).all())
    queued = sum(1 for user, pref in people if _digest_for(user, pref, moment))
    return queued, len(people), people[-1][0].id if people else after_user_id


def _digest_for(user: User, pref: NotificationPreference | None, now: datetime) -> bool:
    if user.status != UserStatus.ACTIVE or user.email_confirmed_at is None:
        return False  # kept until the address is confirmed (or the account is active again)
    delivery = pref.delivery if pref is not None else Delivery.DAILY
    opted_out = set(pref.opted_out or []) if pref is not None else set()
    cutoff = last_slot(delivery, now)
    rows = list(db.session.execute(
        select(Notification.id, Notification.kind).where(
            Notification.user_id == user.id, Notification.mailed_at.is_(None), Notification.created_at <= cutoff)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    ))
    if not rows:
        return False
    wanted = [] if delivery == Delivery.NEVER else [
        r.id for r in rows if not notifications.kind_of(r.kind).own_mail and notifications.kind_of(r.kind).type not in opted_out
    ]
    with db.session.begin_nested() as step:
        marked = db.session.execute(
            update(Notification).where(Notification.id.in_([r.id for r in rows]), Notification.mailed_at.is_(None))
            .values(mailed_at=now).execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if marked != len(rows):  # another run took some of them meanwhile: it sends them
            step.rollback()
            return False
    if not wanted:
        return False
    mail = OutboxMail(dedupe_key=f"digest-{user.id}-{max(wanted)}", user_id=user.id, template="digest",
                      locale=user.locale or "it", context={"notification_ids": wanted})
    return outbox.queue(mail) is not None


# ---------------------------------------------------------------- composing (at sending time)


def prepare(session: Session, row: OutboxMail) -> Callable[[], Mail] | None:
    """The mail for one notification or a digest, read now and rendered when called (in the
    person's language), or None when none of its notifications is still wanted (the person
    opted out meanwhile, or the account is gone or suspended)."""
    user = session.get(User, row.user_id) if row.user_id else None
    if user is None or user.status != UserStatus.ACTIVE or not user.email:
        return None
    pref = session.get(NotificationPreference, user.id)
    if pref is not None and pref.delivery == Delivery.NEVER:
        return None
    opted_out = set(pref.opted_out or []) if pref is not None else set()
    ids = [int(i) for i in row.context.get("notification_ids", [])]
    notes = [n for n in session.scalars(select(Notification).where(Notification.id.in_(ids), Notification.user_id == user.id))
             if notifications.kind_of(n.kind).type not in opted_out]
    if not notes:
        return None
    groups = _grouped(notes, notifications.links_for(notes, session))
    single = row.template == "notification"
    scope = notifications.kind_of(notes[0].kind).type if single else notifications.ALL
    unsubscribe = mailer.url("notifications.unsubscribe", {"token": notifications.unsubscribe_token(user.id, scope)})
    context: dict[str, Any] = {
        "name": user.display_name, "groups": groups, "count": len(notes),
        "subject": groups[0]["items"][0]["message"] if single else "",
        "unsubscribe_url": unsubscribe, "scope_label": notifications.TYPES.get(scope) if single else None,
        "settings_url": mailer.url("notifications.settings", {}), "list_url": mailer.url("notifications.index", {}),
    }
    to, template, locale = user.email, row.template, user.locale or row.locale
    headers = (("List-Unsubscribe", f"<{unsubscribe}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
               ("Auto-Submitted", "auto-generated"))

    def render() -> Mail:
        composed = mailer.compose(to, template, locale, context)
        subject = " ".join(composed.subject.split())[:150]
        return Mail(to=to, subject=subject, text=composed.text, html=composed.html, headers=headers)

    return render


def _grouped(notes: list[Notification], links: dict[int, Any]) -> list[dict[str, Any]]:
    """By type in the settings' order; newest first inside each type."""
    groups: dict[str, list[Notification]] = {}
    for note in notes:
        groups.setdefault(notifications.kind_of(note.kind).type, []).append(note)
    ordered = [t for t in notifications.TYPES if t in groups] + [t for t in groups if t not in notifications.TYPES]
    return [{
        "type": t, "label": notifications.TYPES.get(t, t),
        "items": [{"message": notifications.describe(n), "created_at": n.created_at,
                   "url": mailer.url(*links[n.id]) if links.get(n.id) else ""}
                  for n in sorted(groups[t], key=lambda n: (n.created_at, n.id), reverse=True)],
    } for t in ordered]
