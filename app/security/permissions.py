"""Every permission in Ponte, named ``resource:action`` and kept in alphabetical order."""

from enum import StrEnum


class Permission(StrEnum):
    ACCOUNT_MANAGE = "account:manage"
    ADMIN_ACCESS = "admin:access"
    MODERATION_ACCESS = "moderation:access"
    ROLE_GRANT = "role:grant"
    TERRITORY_MANAGE = "territory:manage"
    TERRITORY_MODERATE = "territory:moderate"
    TERRITORY_VIEW = "territory:view"
