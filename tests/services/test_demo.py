"""Demo data: loads through the real services, covers every kind and role, and is idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.services import demo
from models import MemberRole, Membership, Organization, OrgKind, Role, RoleAssignment, Territory, TerritoryLevel, User


def test_demo_data_covers_every_kind_role_and_region_and_loads_once(session) -> None:  # type: ignore[no-untyped-def]
    first = demo.seed()
    assert any("Demo accounts" in line for line in first)
    assert demo.seed() == ["Demo data is already loaded; nothing changed."]
    assert session.scalar(select(func.count()).select_from(Territory).where(Territory.level == TerritoryLevel.REGION)) == 20
    assert session.scalar(select(func.count()).select_from(Territory).where(Territory.level == TerritoryLevel.PROVINCE)) == 107
    kinds = set(session.scalars(select(Organization.kind)))
    assert kinds == set(OrgKind)
    roles = set(session.scalars(select(Membership.role)))
    assert roles == set(MemberRole)
    assert set(session.scalars(select(RoleAssignment.role))) == set(Role)
    regions = {o.home_territory.path.split("/")[1] for o in session.scalars(select(Organization))}
    names = set(session.scalars(select(Territory.name).where(Territory.id.in_([int(r) for r in regions]))))
    assert {"Abruzzo", "Puglia", "Emilia-Romagna", "Lombardia", "Toscana"} <= names
    assert session.scalar(select(func.count()).select_from(User).where(User.email_confirmed_at.is_(None))) == 1
