"""Joint initiatives of associations, schools and authorities: partners, linked events,
materials, calls for volunteers and the outputs partners record; good practices drawn from
completed initiatives; case histories."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, UTCDateTime, str_enum, utcnow
from models.events import Event
from models.files import StoredFile
from models.organizations import Organization
from models.territories import Territory


class InitiativeKind(StrEnum):
    PEER_EDUCATION = "peer_education"  # Italian and foreign pupils
    ITALIAN_L2 = "italian_l2"
    SCHOOL_ORIENTATION = "school_orientation"  # at school transitions
    FAMILY_INVOLVEMENT = "family_involvement"
    MEDIATION = "mediation"  # linguistic-cultural mediation
    CAPACITY_BUILDING = "capacity_building"  # for associations
    OPERATOR_TRAINING = "operator_training"  # for service operators
    YOUTH_VOLUNTEERING = "youth_volunteering"  # volunteering and active citizenship of 2G youth
    LOCAL_PLAN = "local_plan"  # joint plan of Comune, schools, third sector, ASL, Prefettura


class TargetGroup(StrEnum):
    PRIMARY_PUPILS = "primary_pupils"
    LOWER_SECONDARY_PUPILS = "lower_secondary_pupils"
    UPPER_SECONDARY_PUPILS = "upper_secondary_pupils"
    FAMILIES = "families"
    ASSOCIATION_LEADERS = "association_leaders"
    SERVICE_OPERATORS = "service_operators"
    YOUTH_2G = "youth_2g"
    WOMEN = "women"
    NEWLY_ARRIVED_ADULTS = "newly_arrived_adults"


class InitiativeStatus(StrEnum):
    DRAFT = "draft"  # visible to the lead and the invited partners only
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"


PUBLIC_STATUSES = (InitiativeStatus.PLANNED, InitiativeStatus.RUNNING, InitiativeStatus.COMPLETED)


class Initiative(Base):
    """A joint initiative led by one organisation, carried out with partners in a period."""

    __tablename__ = "initiatives"
    __table_args__ = (
        Index("ix_initiatives_territory_status", "territory_id", "status"),
        CheckConstraint("ends_on >= starts_on", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(160))
    kind: Mapped[InitiativeKind] = mapped_column(str_enum(InitiativeKind, 24), index=True)
    status: Mapped[InitiativeStatus] = mapped_column(str_enum(InitiativeStatus, 16), default=InitiativeStatus.DRAFT)
    lead_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    objectives: Mapped[str] = mapped_column(Text, default="")  # plain text, one objective per line
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, in ``language``
    description_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(16), default="it")
    # The initiative whose good practice this one replicates ("replicate this").
    replicated_from_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    lead: Mapped[Organization] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship(lazy="joined")
    actions: Mapped[list[InitiativeAction]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="InitiativeAction.action")
    targets: Mapped[list[InitiativeTarget]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="InitiativeTarget.target_group")
    partners: Mapped[list[InitiativePartner]] = relationship(viewonly=True, lazy="select", order_by="InitiativePartner.created_at")
    translations: Mapped[list[InitiativeTranslation]] = relationship(cascade="all, delete-orphan", lazy="select", order_by="InitiativeTranslation.language")

    @property
    def action_codes(self) -> list[str]:
        return [a.action for a in self.actions]

    @property
    def target_codes(self) -> list[str]:
        return [t.target_group.value for t in self.targets]

    @property
    def is_public(self) -> bool:
        return self.status != InitiativeStatus.DRAFT


class InitiativeAction(Base):
    """One of the four actions of the regional plans an initiative belongs to."""

    __tablename__ = "initiative_actions"
    __table_args__ = (Index("ix_initiative_actions_action", "action", "initiative_id"),)

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)


class InitiativeTarget(Base):
    __tablename__ = "initiative_targets"
    __table_args__ = (Index("ix_initiative_targets_group", "target_group", "initiative_id"),)

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    target_group: Mapped[TargetGroup] = mapped_column(str_enum(TargetGroup, 32), primary_key=True)


class InitiativeTranslation(Base):
    """Title and description in another language than the original."""

    __tablename__ = "initiative_translations"
    __table_args__ = (UniqueConstraint("initiative_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")


class PartnerRole(StrEnum):
    LEAD = "lead"
    PARTNER = "partner"
    HOST_SCHOOL = "host_school"
    SUPPORTING_AUTHORITY = "supporting_authority"
    FUNDER = "funder"


class PartnerStatus(StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class InitiativePartner(Base):
    """An organisation taking part with a role; it is listed publicly once it confirms.
    The contact fields (a school's intercultural contact person) are for partners only."""

    __tablename__ = "initiative_partners"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[PartnerRole] = mapped_column(str_enum(PartnerRole, 24))
    status: Mapped[PartnerStatus] = mapped_column(str_enum(PartnerStatus, 16), default=PartnerStatus.INVITED)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organization: Mapped[Organization] = relationship(lazy="joined")
    initiative: Mapped[Initiative] = relationship(lazy="joined", viewonly=True)


class InitiativeEvent(Base):
    """An event that is a session of the initiative."""

    __tablename__ = "initiative_events"

    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship(lazy="joined")


class InitiativeMaterial(Base):
    """A document (an uploaded file) or a link produced or used by the initiative."""

    __tablename__ = "initiative_materials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))  # the partner that added it
    title: Mapped[str] = mapped_column(String(160))
    url: Mapped[str] = mapped_column(String(500), default="")  # https link, or empty for a file
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(16), default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    file: Mapped[StoredFile | None] = relationship(lazy="joined")
    organization: Mapped[Organization | None] = relationship(lazy="joined")


class VolunteerCall(Base):
    """A call for volunteers: people apply with a short message, the lead accepts or declines."""

    __tablename__ = "volunteer_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")  # plain text
    places: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    closes_on: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # closed early by the lead
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    initiative: Mapped[Initiative] = relationship(lazy="joined")


class ApplicationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class VolunteerApplication(Base):
    """One person's application to a call. Seen by the applicant and the lead only."""

    __tablename__ = "volunteer_applications"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("volunteer_calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus, 16), default=ApplicationStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
    call: Mapped[VolunteerCall] = relationship(lazy="joined")


class Gender(StrEnum):
    NOT_RECORDED = "not_recorded"
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class AgeBand(StrEnum):
    NOT_RECORDED = "not_recorded"
    UNDER_11 = "under_11"
    AGE_11_13 = "11_13"
    AGE_14_18 = "14_18"
    AGE_19_29 = "19_29"
    AGE_30_64 = "30_64"
    AGE_65_PLUS = "65_plus"


class OutputReport(Base):
    """Outputs a partner records for a stretch of the initiative's period: aggregate figures
    only, never data about a person."""

    __tablename__ = "output_reports"
    __table_args__ = (
        CheckConstraint("sessions_held >= 0 AND hours >= 0 AND materials_produced >= 0", name="non_negative"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))  # the recording partner
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sessions_held: Mapped[int] = mapped_column(Integer, default=0)
    hours: Mapped[int] = mapped_column(Integer, default=0)
    materials_produced: Mapped[int] = mapped_column(Integer, default=0)
    participants_total: Mapped[int] = mapped_column(Integer, default=0)  # sum of the counts below
    outcomes: Mapped[str] = mapped_column(Text, default="")  # plain text
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
    initiative: Mapped[Initiative] = relationship(lazy="select", viewonly=True)  # usually already in the session
    counts: Mapped[list[ParticipantCount]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="ParticipantCount.id")


class ParticipantCount(Base):
    """How many people of one target group (optionally of one gender and age band) took part."""

    __tablename__ = "participant_counts"
    __table_args__ = (
        UniqueConstraint("report_id", "target_group", "gender", "age_band"),
        CheckConstraint("count >= 0", name="non_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("output_reports.id", ondelete="CASCADE"), index=True)
    target_group: Mapped[TargetGroup] = mapped_column(str_enum(TargetGroup, 32))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender, 16), default=Gender.NOT_RECORDED)
    age_band: Mapped[AgeBand] = mapped_column(str_enum(AgeBand, 16), default=AgeBand.NOT_RECORDED)
    count: Mapped[int] = mapped_column(Integer)


class GoodPractice(Base):
    """A completed initiative designated as a good practice, with a structured card.
    Partners, indicators and materials come from the initiative itself."""

    __tablename__ = "good_practices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id", ondelete="RESTRICT"), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    language: Mapped[str] = mapped_column(String(16), default="it")
    problem: Mapped[str] = mapped_column(Text, default="")  # Markdown; *_html sanitized on write
    problem_html: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    method_html: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    results_html: Mapped[str] = mapped_column(Text, default="")
    replication: Mapped[str] = mapped_column(Text, default="")  # what it takes to replicate it
    replication_html: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")  # plain text: a name, an office, an address
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    initiative: Mapped[Initiative] = relationship(lazy="joined")


class CaseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CaseHistory(Base):
    """A story told by (or about) people of an initiative or organisation."""

    __tablename__ = "case_histories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)  # who tells it
    initiative_id: Mapped[int | None] = mapped_column(ForeignKey("initiatives.id", ondelete="SET NULL"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(160))
    language: Mapped[str] = mapped_column(String(16), default="it")
    summary: Mapped[str] = mapped_column(String(500), default="")  # plain text
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    body_html: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")  # https, shown as a link, never embedded
    youth_protagonists: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, 16), default=CaseStatus.DRAFT)
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # hidden by moderators
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    organization: Mapped[Organization] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship(lazy="joined")
    initiative: Mapped[Initiative | None] = relationship(lazy="select")
    images: Mapped[list[CaseHistoryImage]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="CaseHistoryImage.position")
    organizations: Mapped[list[CaseHistoryOrganization]] = relationship(cascade="all, delete-orphan", lazy="select")


class CaseHistoryImage(Base):
    __tablename__ = "case_history_images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_histories.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    alt_text: Mapped[str] = mapped_column(String(300))  # required: describes the picture for screen readers
    caption: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    file: Mapped[StoredFile] = relationship(lazy="joined")


class CaseHistoryOrganization(Base):
    """Other organisations the story is about (the teller is ``CaseHistory.organization``)."""

    __tablename__ = "case_history_organizations"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_histories.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True)

    organization: Mapped[Organization] = relationship(lazy="joined")
