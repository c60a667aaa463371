"""The policy: every permission has exactly one rule, and a role × state table."""

from __future__ import annotations

import pytest

from app.exceptions import PermissionDenied
from app.security.permissions import Permission
from app.security.policy import RULES, can, ensure
from models import UserStatus
from tests import factories


def test_every_permission_has_a_rule() -> None:
    assert set(RULES) == set(Permission)


def test_permissions_are_alphabetical_and_resource_action() -> None:
    names = [p.name for p in Permission]
    assert names == sorted(names)
    for p in Permission:
        resource, _, action = p.value.partition(":")
        assert resource and action, p


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    other_region, _, other_comune = factories.chain()
    people = {
        "anonymous": None,
        "citizen": factories.user(home=comune),
        "moderator_region": factories.moderator(region),
        "moderator_other": factories.moderator(other_region),
        "admin": factories.admin(),
    }
    suspended = factories.admin(status=UserStatus.SUSPENDED)
    return {"people": people, "comune": comune, "other_comune": other_comune, "suspended": suspended}


# (permission, target key, expected for anonymous, citizen, moderator_region, moderator_other, admin)
TABLE = [
    (Permission.TERRITORY_VIEW, "comune", (True, True, True, True, True)),
    (Permission.TERRITORY_MODERATE, "comune", (False, False, True, False, True)),
    (Permission.TERRITORY_MODERATE, "other_comune", (False, False, False, True, True)),
    (Permission.TERRITORY_MANAGE, "comune", (False, False, False, False, True)),
    (Permission.MODERATION_ACCESS, None, (False, False, True, True, True)),
    (Permission.ADMIN_ACCESS, None, (False, False, False, False, True)),
    (Permission.ROLE_GRANT, "citizen", (False, False, False, False, True)),
]
ROLES = ("anonymous", "citizen", "moderator_region", "moderator_other", "admin")


@pytest.mark.parametrize(("permission", "target_key", "expected"), TABLE)
def test_role_table(world, permission, target_key, expected) -> None:  # type: ignore[no-untyped-def]
    target = world["people"].get(target_key) if target_key in world["people"] else world.get(target_key)
    for role, allowed in zip(ROLES, expected, strict=True):
        assert can(world["people"][role], permission, target) is allowed, (permission, role)


def test_a_person_manages_only_their_own_account_unless_admin(world) -> None:  # type: ignore[no-untyped-def]
    citizen = world["people"]["citizen"]
    other = world["people"]["moderator_other"]
    assert can(citizen, Permission.ACCOUNT_MANAGE, citizen)
    assert not can(citizen, Permission.ACCOUNT_MANAGE, other)
    assert can(world["people"]["admin"], Permission.ACCOUNT_MANAGE, citizen)
    assert not can(None, Permission.ACCOUNT_MANAGE, citizen)


def test_suspended_admin_has_no_powers(world) -> None:  # type: ignore[no-untyped-def]
    assert not can(world["suspended"], Permission.ADMIN_ACCESS)
    with pytest.raises(PermissionDenied):
        ensure(world["suspended"], Permission.TERRITORY_MANAGE, world["comune"])


def test_moderator_role_is_inherited_by_sub_territories(session) -> None:  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    mod = factories.moderator(province)
    assert can(mod, Permission.TERRITORY_MODERATE, comune)
    assert can(mod, Permission.TERRITORY_MODERATE, province)
    assert not can(mod, Permission.TERRITORY_MODERATE, region)
