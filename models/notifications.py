"""Notifications and their delivery: what people follow, what they are told, how and when they
want to hear about it by e-mail, and the e-mail outbox that makes sure nothing is lost or sent twice."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class Notification(Base):
    """Something a person should know about, stored in the same transaction as its cause.

    ``mailed_at`` is set once e-mail delivery has dealt with it: sent alone, included in a
    digest, or skipped by the person's settings. A notification is never mailed twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_mailed_user", "mailed_at", "user_id"),
        UniqueConstraint("user_id", "kind", "target_type", "target_id", "dedupe_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int] = mapped_column(Integer)
    dedupe_key: Mapped[str] = mapped_column(String(64), default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FollowTarget(StrEnum):
    ORGANIZATION = "organization"
    FORUM = "forum"
    THREAD = "thread"
    PROPOSAL = "proposal"
    LAB = "lab"
    EVENT = "event"
    INITIATIVE = "initiative"


class Follow(Base):
    """A person follows something and hears about what happens to it (one row per pair)."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[FollowTarget] = mapped_column(str_enum(FollowTarget, 16))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class NotificationPreference(Base):
    """How a person wants notifications by e-mail. No row means the defaults (a daily digest, every type)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, 16), default=Delivery.DAILY)
    # Types of notification (see app.services.notifications.TYPES) not wanted by e-mail.
    opted_out: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MailStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt at next_attempt_at
    SENDING = "sending"  # claimed by one sender until claimed_at + the lease
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt
    CANCELLED = "cancelled"  # no longer wanted (the person opted out meanwhile, or it has nothing to say)


class OutboxMail(Base):
    """One e-mail to send, written in the same transaction as the action that causes it.

    Either ``context`` names what to render at sending time (a notification, a digest), or
    ``sealed`` holds the message or its context encrypted with a key derived from the app's
    secret (account mails carry single-use links: nobody reading the database can use them).
    ``sealed`` is emptied once the mail has left or was given up. ``last_error`` holds the
    kind of failure only, never a message body."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254), default="")  # "" means the user's current address
    template: Mapped[str] = mapped_column(String(48))
    locale: Mapped[str] = mapped_column(String(16), default="it")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, 16), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
