"""The guided path from informal group to registered association."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.files import StoredFile
from models.organizations import LegalForm, Organization


class StepKey(StrEnum):
    """The steps, in order."""

    LEGAL_FORM = "legal_form"
    PURPOSE_MEMBERS = "purpose_members"
    STATUTE = "statute"
    TAX_CODE = "tax_code"
    RUNTS = "runts"
    BANK_ACCOUNT = "bank_account"
    INSURANCE = "insurance"


class StepStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MentorStatus(StrEnum):
    NONE = "none"
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class FoundingPath(Base):
    __tablename__ = "founding_paths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    legal_form: Mapped[LegalForm | None] = mapped_column(str_enum(LegalForm, 16))
    association_name: Mapped[str] = mapped_column(String(160), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    seat_address: Mapped[str] = mapped_column(String(300), default="")
    founding_members: Mapped[list[str]] = mapped_column(JSON, default=list)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    mentor_status: Mapped[MentorStatus] = mapped_column(str_enum(MentorStatus, 16), default=MentorStatus.NONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id], lazy="joined")
    mentor: Mapped[Organization | None] = relationship(foreign_keys=[mentor_id], lazy="joined")
    steps: Mapped[list[FoundingStep]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="FoundingStep.position")


class FoundingStep(Base):
    __tablename__ = "founding_steps"
    __table_args__ = (UniqueConstraint("path_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("founding_paths.id", ondelete="CASCADE"), index=True)
    key: Mapped[StepKey] = mapped_column(str_enum(StepKey, 32))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[StepStatus] = mapped_column(str_enum(StepStatus, 16), default=StepStatus.TODO)
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    documents: Mapped[list[FoundingDocument]] = relationship(cascade="all, delete-orphan", lazy="selectin", order_by="FoundingDocument.id")


class FoundingDocument(Base):
    __tablename__ = "founding_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("founding_steps.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"))

    file: Mapped[StoredFile] = relationship(lazy="joined")
