"""Typed SQLAlchemy 2 models, one module per aggregate. Imports sqlalchemy and stdlib only."""

from models.accounts import AccountToken, Role, RoleAssignment, TokenPurpose, User, UserSession, UserStatus
from models.base import Base
from models.feedback import Feedback
from models.files import StoredFile
from models.forums import Forum, ForumKind, ForumMember, Post, PostRevision, Thread, ThreadFollow
from models.founding import FoundingDocument, FoundingPath, FoundingStep, MentorStatus, StepKey, StepStatus
from models.moderation import AuditEntry, Report, ReportReason, ReportStatus
from models.organizations import (
    ASSOCIATION_KINDS,
    Area,
    AuthorityType,
    Invitation,
    LegalForm,
    MemberRole,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationArea,
    OrganizationDescription,
    OrganizationLanguage,
    OrganizationTerritory,
    OrgKind,
    SchoolLevel,
    ThirdSectorType,
)
from models.territories import Territory, TerritoryLevel

__all__ = [
    "ASSOCIATION_KINDS",
    "AccountToken",
    "Area",
    "AuditEntry",
    "AuthorityType",
    "Base",
    "Feedback",
    "Forum",
    "ForumKind",
    "ForumMember",
    "FoundingDocument",
    "FoundingPath",
    "FoundingStep",
    "Invitation",
    "LegalForm",
    "MemberRole",
    "Membership",
    "MembershipStatus",
    "MentorStatus",
    "OrgKind",
    "Organization",
    "OrganizationArea",
    "OrganizationDescription",
    "OrganizationLanguage",
    "OrganizationTerritory",
    "Post",
    "PostRevision",
    "Report",
    "ReportReason",
    "ReportStatus",
    "Role",
    "RoleAssignment",
    "SchoolLevel",
    "StepKey",
    "StepStatus",
    "StoredFile",
    "Territory",
    "TerritoryLevel",
    "ThirdSectorType",
    "Thread",
    "ThreadFollow",
    "TokenPurpose",
    "User",
    "UserSession",
    "UserStatus",
]
