"""The consent log: which version of the privacy notice each person accepted, when and how.

``users.privacy_version`` keeps the latest accepted version (read on every request without a
query); this table keeps every acceptance, so the history can be shown and exported.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, str_enum, utcnow


class ConsentMethod(StrEnum):
    REGISTRATION = "registration"  # the box ticked on the registration form
    RE_ACCEPTANCE = "re_acceptance"  # "Accept" on the page shown after the notice changed
    OPERATOR = "operator"  # an account created by an operator (``flask users create-admin``, demo data)
    LEGACY = "legacy"  # accepted before this log existed: copied from the account by migration 0009


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_user_accepted", "user_id", "accepted_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    notice_version: Mapped[str] = mapped_column(String(32))
    method: Mapped[ConsentMethod] = mapped_column(str_enum(ConsentMethod, 16))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
