"""Organisations (associations, authorities, schools, third sector), their members and invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import User
from models.base import Base, UTCDateTime, str_enum, utcnow
from models.files import StoredFile
from models.territories import Territory


class OrgKind(StrEnum):
    MIGRANT_ASSOCIATION = "migrant_association"
    YOUTH_ASSOCIATION = "youth_association"  # second-generation (2G) youth
    INFORMAL_GROUP = "informal_group"
    LOCAL_AUTHORITY = "local_authority"
    SCHOOL = "school"
    THIRD_SECTOR = "third_sector"


ASSOCIATION_KINDS = frozenset({OrgKind.MIGRANT_ASSOCIATION, OrgKind.YOUTH_ASSOCIATION, OrgKind.INFORMAL_GROUP})


class AuthorityType(StrEnum):
    COMUNE = "comune"
    REGIONE = "regione"
    ASL = "asl"
    PREFETTURA = "prefettura"
    DISTRICT_OFFICE = "district_office"


class SchoolLevel(StrEnum):
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    COMPREHENSIVE = "comprehensive"  # istituto comprensivo
    CPIA = "cpia"  # adult education centre, Italian L2


class ThirdSectorType(StrEnum):
    COOPERATIVE = "cooperative"
    NGO = "ngo"
    VOLUNTEER_ORG = "volunteer_org"
    OTHER = "other"


class LegalForm(StrEnum):
    APS = "aps"  # associazione di promozione sociale
    ODV = "odv"  # organizzazione di volontariato
    OTHER_ETS = "other_ets"
    UNREGISTERED = "unregistered"


class Area(StrEnum):
    """Areas of work: the four actions of the regional plans, then themes."""

    ACTION_01 = "action_01"
    ACTION_02 = "action_02"
    ACTION_03 = "action_03"
    ACTION_04 = "action_04"
    ITALIAN_L2 = "italian_l2"
    PEER_EDUCATION = "peer_education"
    MEDIATION = "mediation"
    ORIENTATION = "orientation"
    WORK = "work"
    HOUSING = "housing"
    HEALTH = "health"
    CULTURE = "culture"
    SPORT = "sport"
    VOLUNTEERING = "volunteering"


class MemberRole(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"
    OFFICIAL = "official"  # of a local authority
    STAFF = "staff"  # of a school


class MembershipStatus(StrEnum):
    PENDING = "pending"  # a join request waiting for an admin
    ACTIVE = "active"


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (Index("ix_organizations_territory_name", "home_territory_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_key: Mapped[str] = mapped_column(String(160), index=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, 32), index=True)
    authority_type: Mapped[AuthorityType | None] = mapped_column(str_enum(AuthorityType, 32))
    school_level: Mapped[SchoolLevel | None] = mapped_column(str_enum(SchoolLevel, 32))
    third_sector_type: Mapped[ThirdSectorType | None] = mapped_column(str_enum(ThirdSectorType, 32))
    home_territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164
    website: Mapped[str] = mapped_column(String(300), default="")
    social_links: Mapped[list[str]] = mapped_column(JSON, default=list)
    communities_served: Mapped[str] = mapped_column(String(300), default="")
    logo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id", ondelete="SET NULL"))
    # Italian legal data
    legal_form: Mapped[LegalForm | None] = mapped_column(str_enum(LegalForm, 16))
    runts_number: Mapped[str] = mapped_column(String(20), default="")
    tax_code: Mapped[str] = mapped_column(String(16), default="")  # private: admins and staff only
    founding_year: Mapped[int | None] = mapped_column(Integer)
    school_code: Mapped[str] = mapped_column(String(10), default="")  # codice meccanografico
    authority_istat_code: Mapped[str] = mapped_column(String(16), default="")
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")  # private
    # Trust
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    verification_note: Mapped[str] = mapped_column(String(500), default="")
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # hidden by moderators
    members_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 — SQLAlchemy's declarative protocol

    # Collections load only when asked for: queries that show them eager-load them explicitly.
    home_territory: Mapped[Territory] = relationship(lazy="joined")
    logo: Mapped[StoredFile | None] = relationship(lazy="joined")
    verified_by: Mapped[User | None] = relationship(lazy="select")
    areas: Mapped[list[OrganizationArea]] = relationship(cascade="all, delete-orphan", lazy="select", order_by="OrganizationArea.area")
    languages: Mapped[list[OrganizationLanguage]] = relationship(cascade="all, delete-orphan", lazy="select", order_by="OrganizationLanguage.code")
    served: Mapped[list[OrganizationTerritory]] = relationship(cascade="all, delete-orphan", lazy="select")
    descriptions: Mapped[list[OrganizationDescription]] = relationship(cascade="all, delete-orphan", lazy="select", order_by="OrganizationDescription.language")

    @property
    def area_codes(self) -> list[str]:
        return [a.area.value for a in self.areas]

    @property
    def language_codes(self) -> list[str]:
        return [lang.code for lang in self.languages]

    @property
    def is_association(self) -> bool:
        return self.kind in ASSOCIATION_KINDS

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class OrganizationArea(Base):
    __tablename__ = "organization_areas"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[Area] = mapped_column(str_enum(Area, 32), primary_key=True, index=True)


class OrganizationLanguage(Base):
    __tablename__ = "organization_languages"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class OrganizationTerritory(Base):
    """A territory the organisation serves besides its home."""

    __tablename__ = "organization_territories"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True, index=True)

    territory: Mapped[Territory] = relationship(lazy="joined")


class OrganizationDescription(Base):
    """The description in one language; ``is_original`` marks the language it was written in."""

    __tablename__ = "organization_descriptions"
    __table_args__ = (UniqueConstraint("organization_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_original: Mapped[bool] = mapped_column(Boolean, default=False)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        Index("ix_memberships_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, 16))
    status: Mapped[MembershipStatus] = mapped_column(str_enum(MembershipStatus, 16))
    request_message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class Invitation(Base):
    """An e-mail invitation to join; the token is single-use and only its hash is stored."""

    __tablename__ = "invitations"
    __table_args__ = (Index("ix_invitations_org_email", "organization_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[MemberRole] = mapped_column(str_enum(MemberRole, 16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(lazy="joined")
