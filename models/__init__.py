"""Typed SQLAlchemy 2 models, one module per aggregate. Imports sqlalchemy and stdlib only."""

from models.accounts import AccountToken, Role, RoleAssignment, TokenPurpose, User, UserSession, UserStatus
from models.base import Base
from models.feedback import Feedback
from models.territories import Territory, TerritoryLevel

__all__ = [
    "AccountToken",
    "Base",
    "Feedback",
    "Role",
    "RoleAssignment",
    "Territory",
    "TerritoryLevel",
    "TokenPurpose",
    "User",
    "UserSession",
    "UserStatus",
]
