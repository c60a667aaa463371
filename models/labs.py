"""Community labs: proposals, supports, capped votes, official responses and follow-up.
(The notifications they leave for people live in models.notifications.)"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, UTCDateTime, str_enum, utcnow
from models.files import StoredFile
from models.organizations import Organization
from models.territories import Territory


class LabPhase(StrEnum):
    UPCOMING = "upcoming"  # before the proposals phase opens
    PROPOSALS = "proposals"
    DELIBERATION = "deliberation"
    VOTING = "voting"
    RESULTS = "results"
    FOLLOW_UP = "follow_up"


class Eligibility(StrEnum):
    RESIDENTS = "residents"  # people whose home is the lab's territory or inside it
    REGISTERED = "registered"  # anyone with a confirmed account


class Lab(Base):
    """A participatory path convened by an organisation.

    Phases follow each other: proposals from ``proposals_at``, deliberation from
    ``deliberation_at``, voting from ``voting_at`` to ``results_at``, follow-up from
    ``follow_up_at``. A missing date means the phase does not happen (a standing lab
    has only ``proposals_at``: it takes proposals at any time).
    """

    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    convener_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"), index=True)
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposals_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deliberation_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voting_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    results_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    support_threshold: Mapped[int] = mapped_column(Integer, default=50)
    votes_per_participant: Mapped[int] = mapped_column(Integer, default=3)
    eligibility: Mapped[Eligibility] = mapped_column(str_enum(Eligibility, 16), default=Eligibility.RESIDENTS)
    response_days: Mapped[int] = mapped_column(Integer, default=30)
    allow_organization_proposals: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set only for a territory's standing "open" lab: at most one per territory.
    standing_territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), unique=True)
    proposals_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    convener: Mapped[Organization] = relationship(lazy="joined")
    territory: Mapped[Territory] = relationship(foreign_keys=[territory_id], lazy="joined")

    @property
    def is_standing(self) -> bool:
        return self.standing_territory_id is not None

    @property
    def has_voting(self) -> bool:
        return self.voting_at is not None and self.results_at is not None

    def phase_at(self, moment: datetime) -> LabPhase:
        """The phase the lab is in at ``moment``."""
        if moment < self.proposals_at:
            return LabPhase.UPCOMING
        phase = LabPhase.PROPOSALS
        for start, name in (
            (self.deliberation_at, LabPhase.DELIBERATION),
            (self.voting_at, LabPhase.VOTING),
            (self.results_at, LabPhase.RESULTS),
            (self.follow_up_at, LabPhase.FOLLOW_UP),
        ):
            if start is not None and moment >= start:
                phase = name
        return phase

    @property
    def phase(self) -> LabPhase:
        return self.phase_at(utcnow())


class ProposalState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    AWAITING_RESPONSE = "awaiting_response"  # support threshold reached: an official answer is due
    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    WITHDRAWN = "withdrawn"


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_lab_state", "lab_id", "state", "published_at"),
        Index("ix_proposals_lab_supports", "lab_id", "supports_count"),
        Index("ix_proposals_authority_due", "authority_id", "due_at"),
        # /proposals/ across labs, by supports or by date: read in the list's order (migration 0010)
        Index("ix_proposals_supports", "supports_count", "published_at", "id"),
        Index("ix_proposals_published", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    state: Mapped[ProposalState] = mapped_column(str_enum(ProposalState, 24), default=ProposalState.DRAFT)
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    votes_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # first accepted/partial/rejected answer
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    lab: Mapped[Lab] = relationship(lazy="joined")
    author: Mapped[User | None] = relationship(lazy="joined")
    organization: Mapped[Organization | None] = relationship(foreign_keys=[organization_id], lazy="joined")
    authority: Mapped[Organization] = relationship(foreign_keys=[authority_id], lazy="joined")


class SponsorStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ProposalSponsor(Base):
    """An association invited to co-sponsor a proposal; shown once its admins accept."""

    __tablename__ = "proposal_sponsors"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True)
    status: Mapped[SponsorStatus] = mapped_column(str_enum(SponsorStatus, 16), default=SponsorStatus.INVITED)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="joined")


class ProposalAttachment(Base):
    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    file: Mapped[StoredFile] = relationship(lazy="joined")


class ProposalSupport(Base):
    """One person's support for one proposal: the primary key makes a second one impossible."""

    __tablename__ = "proposal_supports"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LabBallot(Base):
    """How many votes a participant has used in a lab: the row the K cap is enforced on."""

    __tablename__ = "lab_ballots"

    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    votes_used: Mapped[int] = mapped_column(Integer, default=0)


class ProposalVote(Base):
    """A vote. Secret: no page or export ever shows who voted for what."""

    __tablename__ = "proposal_votes"
    __table_args__ = (Index("ix_proposal_votes_lab_user", "lab_id", "user_id"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProposalComment(Base):
    __tablename__ = "proposal_comments"
    __table_args__ = (Index("ix_proposal_comments_proposal", "proposal_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")

    proposal: Mapped[Proposal] = relationship(lazy="select")
    author: Mapped[User | None] = relationship(lazy="joined")
    organization: Mapped[Organization | None] = relationship(lazy="joined")


class ResponseDecision(StrEnum):
    EVALUATING = "evaluating"
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"


FINAL_DECISIONS = frozenset({ResponseDecision.ACCEPTED, ResponseDecision.PARTIALLY_ACCEPTED, ResponseDecision.REJECTED})


class ProposalResponse(Base):
    """The official answer of the addressed authority (one per proposal, edits kept as revisions)."""

    __tablename__ = "proposal_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[ResponseDecision] = mapped_column(str_enum(ResponseDecision, 24))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    office: Mapped[str] = mapped_column(String(200), default="")
    next_step: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    cost_estimate_cents: Mapped[int | None] = mapped_column(Integer)
    expected_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    author: Mapped[User | None] = relationship(lazy="joined")
    organization: Mapped[Organization] = relationship(lazy="joined")


class ResponseRevision(Base):
    """A response as it was before an edit: the public history of the answer."""

    __tablename__ = "response_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("proposal_responses.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[ResponseDecision] = mapped_column(str_enum(ResponseDecision, 24))
    text: Mapped[str] = mapped_column(Text)
    office: Mapped[str] = mapped_column(String(200), default="")
    next_step: Mapped[str] = mapped_column(String(500), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    cost_estimate_cents: Mapped[int | None] = mapped_column(Integer)
    expected_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # when this version was written

    author: Mapped[User | None] = relationship(lazy="joined")


class ResponseTemplate(Base):
    """A reusable answer an authority keeps for recurring cases."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    decision: Mapped[ResponseDecision] = mapped_column(str_enum(ResponseDecision, 24))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ProgressStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"


class ProgressUpdate(Base):
    """One step of the follow-up of an accepted proposal: a public timeline."""

    __tablename__ = "progress_updates"
    __table_args__ = (Index("ix_progress_updates_proposal", "proposal_id", "happened_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    happened_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text)
    percent: Mapped[int] = mapped_column(Integer)
    status: Mapped[ProgressStatus] = mapped_column(str_enum(ProgressStatus, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")
