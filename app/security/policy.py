"""One rule per permission. ``can`` answers, ``ensure`` raises ``PermissionDenied``.

Rules receive the real user (or ``None`` for anonymous visitors) and the target object.
Roles are data: platform administrators and territorial moderators are rows in
``role_assignments``; a moderator of a territory moderates everything inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.exceptions import PermissionDenied
from app.security.permissions import Permission
from models import Role, Territory, User

Rule = Callable[[User | None, Any], bool]
RULES: dict[Permission, Rule] = {}


def rule(permission: Permission) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if permission in RULES:
            raise RuntimeError(f"two rules for {permission}")
        RULES[permission] = fn
        return fn

    return register


def _active(user: User | None) -> bool:
    return user is not None and user.is_active


def is_admin(user: User | None) -> bool:
    """True for an active platform administrator."""
    return _active(user) and any(r.role == Role.ADMIN for r in user.roles)  # type: ignore[union-attr]


def moderates(user: User | None, territory: Territory | None) -> bool:
    """True if the user moderates this territory or one that contains it."""
    if not _active(user) or territory is None:
        return False
    ancestors = set(territory.ancestor_ids) | {territory.id}
    return any(r.role == Role.MODERATOR and r.territory_id in ancestors for r in user.roles)  # type: ignore[union-attr]


def is_moderator_anywhere(user: User | None) -> bool:
    return _active(user) and any(r.role == Role.MODERATOR for r in user.roles)  # type: ignore[union-attr]


@rule(Permission.ACCOUNT_MANAGE)
def _account_manage(user: User | None, target: Any) -> bool:
    """A person manages their own account; administrators manage any account."""
    return _active(user) and (target is user or is_admin(user))


@rule(Permission.ADMIN_ACCESS)
def _admin_access(user: User | None, target: Any) -> bool:
    """Only platform administrators reach the administration area."""
    return is_admin(user)


@rule(Permission.MODERATION_ACCESS)
def _moderation_access(user: User | None, target: Any) -> bool:
    """Moderators of any territory, and administrators, reach the moderation area."""
    return is_admin(user) or is_moderator_anywhere(user)


@rule(Permission.ROLE_GRANT)
def _role_grant(user: User | None, target: Any) -> bool:
    """Only administrators grant or revoke platform roles."""
    return is_admin(user)


@rule(Permission.TERRITORY_MANAGE)
def _territory_manage(user: User | None, target: Any) -> bool:
    """Administrators edit territories and social districts."""
    return is_admin(user)


@rule(Permission.TERRITORY_MODERATE)
def _territory_moderate(user: User | None, target: Any) -> bool:
    """Moderators of the territory or of any territory containing it; administrators."""
    return is_admin(user) or moderates(user, target)


@rule(Permission.TERRITORY_VIEW)
def _territory_view(user: User | None, target: Any) -> bool:
    """Territory pages are public."""
    return True


def can(user: User | None, permission: Permission, target: Any = None) -> bool:
    """Whether ``user`` (None = anonymous) holds ``permission`` on ``target``."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return RULES[permission](user, target)


def ensure(user: User | None, permission: Permission, target: Any = None) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, permission, target)``."""
    if not can(user, permission, target):
        raise PermissionDenied(permission.value)
