"""Events: organisers, sessions (one, or a recurring series), registrations with waiting lists,
descriptions in several languages, and the secret tokens of personal calendar feeds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, UTCDateTime, str_enum, utcnow
from models.forums import Forum
from models.labs import Lab
from models.organizations import Organization
from models.territories import Territory


class EventKind(StrEnum):
    ASSEMBLY = "assembly"
    WORKSHOP = "workshop"
    TRAINING_DAY = "training_day"
    PEER_EDUCATION = "peer_education"
    ITALIAN_L2 = "italian_l2"
    INFO_SESSION = "info_session"
    FESTIVAL = "festival"
    FORUM_MEETING = "forum_meeting"
    ONLINE_MEETING = "online_meeting"


class EventMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class RegistrationMode(StrEnum):
    OPEN = "open"  # first come, first served; a waiting list when full
    APPROVAL = "approval"  # the organisers confirm each request
    CLOSED = "closed"  # no registration: just come (or registrations are over)


class Recurrence(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Event(Base):
    """An event; its dates live in its sessions (one for a single event, several for a series)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_territory_starts", "territory_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="it")  # the language title and description are written in
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 24))
    action: Mapped[str] = mapped_column(String(16), default="")
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id", ondelete="SET NULL"))
    forum_id: Mapped[int | None] = mapped_column(ForeignKey("forums.id", ondelete="SET NULL"))
    mode: Mapped[EventMode] = mapped_column(str_enum(EventMode, 16), default=EventMode.IN_PERSON)
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"))  # the comune (or the organiser's area)
    online_url: Mapped[str] = mapped_column(String(500), default="")
    online_url_registrants_only: Mapped[bool] = mapped_column(Boolean, default=False)
    step_free: Mapped[bool | None] = mapped_column(Boolean)  # None: not known
    childcare: Mapped[bool] = mapped_column(Boolean, default=False)
    interpretation_languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # languages spoken at the event
    accessibility_notes: Mapped[str] = mapped_column(String(500), default="")
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # First session's times (for lists and sorting); each session has its own.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recurrence: Mapped[Recurrence] = mapped_column(str_enum(Recurrence, 16), default=Recurrence.NONE)
    rrule: Mapped[str] = mapped_column(String(200), default="")  # RFC 5545 RRULE value, in Europe/Rome wall time
    registration_mode: Mapped[RegistrationMode] = mapped_column(str_enum(RegistrationMode, 16), default=RegistrationMode.OPEN)
    capacity: Mapped[int | None] = mapped_column(Integer)  # per session; None: no limit
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: grows with every change people must see
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    organization: Mapped[Organization] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship(lazy="joined")
    organizers: Mapped[list[EventOrganizer]] = relationship(viewonly=True, lazy="select", order_by="EventOrganizer.created_at")
    lab: Mapped[Lab | None] = relationship(lazy="select")
    forum: Mapped[Forum | None] = relationship(lazy="select")

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_series(self) -> bool:
        return self.recurrence != Recurrence.NONE


class EventTranslation(Base):
    """Title and description in another language than the original."""

    __tablename__ = "event_translations"
    __table_args__ = (UniqueConstraint("event_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")


class OrganizerStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class EventOrganizer(Base):
    """A co-organising organisation; shown (and allowed to manage) once its admins accept."""

    __tablename__ = "event_organizers"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True)
    status: Mapped[OrganizerStatus] = mapped_column(str_enum(OrganizerStatus, 16), default=OrganizerStatus.INVITED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="joined")
    event: Mapped[Event] = relationship(lazy="joined", viewonly=True)


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class EventSession(Base):
    """One date of an event. ``original_start`` is its slot in the series (iCalendar RECURRENCE-ID)."""

    __tablename__ = "event_sessions"
    __table_args__ = (
        UniqueConstraint("event_id", "original_start"),
        Index("ix_event_sessions_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    original_start: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, 16), default=SessionStatus.SCHEDULED)
    is_changed: Mapped[bool] = mapped_column(Boolean, default=False)  # moved or changed from the series pattern
    note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "this week in room 2"
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: the event's capacity
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    waiting_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped under the row lock by every registration: its value is the arrival order.
    arrivals: Mapped[int] = mapped_column(Integer, default=0)
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(lazy="joined")

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED or self.event.is_cancelled


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    PENDING = "pending"  # waiting for the organisers' approval
    DECLINED = "declined"
    CANCELLED = "cancelled"


ACTIVE_REGISTRATION = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, RegistrationStatus.PENDING)


class Registration(Base):
    """One person's place (or place in the queue) for one session. Never public."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_registrations_session_status", "session_id", "status", "position"),
        Index("ix_registrations_user_status", "user_id", "status"),
        Index("ix_registrations_session_attended", "session_id", "attended_at"),  # attendance figures read the index only
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("event_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, 16))
    position: Mapped[int] = mapped_column(Integer)  # arrival order within the session
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
    session: Mapped[EventSession] = relationship(lazy="joined")


class CalendarToken(Base):
    """The secret of a person's calendar feed; only its hash is kept. Revoking deletes it."""

    __tablename__ = "calendar_tokens"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
