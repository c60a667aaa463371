"""Every permission in Ponte, named ``resource:action`` and kept in alphabetical order."""

from enum import StrEnum


class Permission(StrEnum):
    ACCOUNT_MANAGE = "account:manage"
    ADMIN_ACCESS = "admin:access"
    AUDIT_VIEW = "audit:view"
    FOUNDING_MANAGE = "founding:manage"
    FOUNDING_MENTOR = "founding:mentor"
    FOUNDING_START = "founding:start"
    FOUNDING_VIEW = "founding:view"
    MODERATION_ACCESS = "moderation:access"
    ORGANIZATION_ACT_FOR = "organization:act_for"
    ORGANIZATION_CREATE = "organization:create"
    ORGANIZATION_EDIT = "organization:edit"
    ORGANIZATION_JOIN = "organization:join"
    ORGANIZATION_MANAGE_MEMBERS = "organization:manage_members"
    ORGANIZATION_REPORT = "organization:report"
    ORGANIZATION_VERIFY = "organization:verify"
    ORGANIZATION_VIEW = "organization:view"
    ORGANIZATION_VIEW_MEMBERS = "organization:view_members"
    ORGANIZATION_VIEW_PRIVATE = "organization:view_private"
    REPORT_HANDLE = "report:handle"
    ROLE_GRANT = "role:grant"
    TERRITORY_MANAGE = "territory:manage"
    TERRITORY_MODERATE = "territory:moderate"
    TERRITORY_VIEW = "territory:view"
