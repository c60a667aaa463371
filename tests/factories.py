"""Plain factory functions for tests: each creates, flushes and returns one object."""

from __future__ import annotations

import itertools
from typing import Any

from app.db import db
from app.security.passwords import hash_password
from app.services import accounts
from app.services.territories import name_key
from models import (
    Consent,
    ConsentMethod,
    MemberRole,
    Membership,
    MembershipStatus,
    Organization,
    OrgKind,
    Role,
    RoleAssignment,
    Territory,
    TerritoryLevel,
    User,
)
from models.base import utcnow

PASSWORD = "ponte-test-password-42"
_seq = itertools.count(1)
_HASH_CACHE: dict[str, str] = {}


def _hash(password: str) -> str:
    # argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def territory(
    name: str | None = None, level: TerritoryLevel = TerritoryLevel.REGION, parent: Territory | None = None,
    code: str | None = None, car_code: str | None = None, **extra: Any,
) -> Territory:
    n = next(_seq)
    name = name or f"Territorio {n}"
    t = Territory(
        istat_code=code or f"T{n:05d}", name=name, name_key=name_key(name), level=level,
        parent=parent, path="/", car_code=car_code, **extra,
    )
    db.session.add(t)
    db.session.flush()
    t.path = f"{parent.path if parent else '/'}{t.id}/"
    db.session.flush()
    return t


def chain() -> tuple[Territory, Territory, Territory]:
    """A region, one of its provinces and one comune of that province."""
    n = next(_seq)
    region = territory(f"Regione {n}", TerritoryLevel.REGION)
    province = territory(f"Provincia {n}", TerritoryLevel.PROVINCE, region, car_code="ZZ")
    comune = territory(f"Comune {n}", TerritoryLevel.COMUNE, province, car_code="ZZ")
    return region, province, comune


def user(
    email: str | None = None, name: str | None = None, password: str = PASSWORD, confirmed: bool = True,
    locale: str = "it", home: Territory | None = None, **extra: Any,
) -> User:
    n = next(_seq)
    extra.setdefault("privacy_version", accounts.settings.privacy_version)  # the notice in force: no re-acceptance page
    u = User(
        email=email or f"person{n}@example.org", display_name=name or f"Persona {n}",
        password_hash=_hash(password), locale=locale, home_territory=home, languages_spoken=[],
        email_confirmed_at=utcnow() if confirmed else None, **extra,
    )
    db.session.add(u)
    db.session.flush()
    db.session.add(Consent(user_id=u.id, notice_version=u.privacy_version, method=ConsentMethod.REGISTRATION))
    db.session.flush()
    return u


def admin(**kwargs: Any) -> User:
    u = user(**kwargs)
    u.roles.append(RoleAssignment(role=Role.ADMIN))
    db.session.flush()
    return u


def moderator(of: Territory, **kwargs: Any) -> User:
    u = user(**kwargs)
    u.roles.append(RoleAssignment(role=Role.MODERATOR, territory_id=of.id))
    db.session.flush()
    db.session.refresh(u)
    return u


def organization(
    name: str | None = None, kind: OrgKind = OrgKind.MIGRANT_ASSOCIATION, home: Territory | None = None,
    admin: User | None = None, verified: bool = False, **extra: Any,
) -> Organization:
    """An organisation (home territory created if not given), with ``admin`` as its admin."""
    n = next(_seq)
    name = name or f"Associazione {n}"
    if home is None:
        home = chain()[2]
    org = Organization(
        slug=f"org-{n}", name=name, name_key=name_key(name), kind=kind, home_territory=home,
        members_count=0, is_verified=verified, **extra,
    )
    db.session.add(org)
    db.session.flush()
    if admin is not None:
        member(org, admin, MemberRole.ADMIN)
    return org


def member(org: Organization, person: User | None = None, role: MemberRole = MemberRole.MEMBER,
           status: MembershipStatus = MembershipStatus.ACTIVE) -> Membership:
    person = person or user()
    m = Membership(organization_id=org.id, user_id=person.id, role=role, status=status)
    db.session.add(m)
    if status == MembershipStatus.ACTIVE:
        org.members_count += 1
    db.session.flush()
    db.session.expire(person, ["memberships"])
    return m


def initiative(
    lead: Organization | None = None, status: str = "running", kind: str = "peer_education",
    actions: tuple[str, ...] = ("action_01",), targets: tuple[str, ...] = ("lower_secondary_pupils",),
    partners: tuple[tuple[Organization, str, str], ...] = (), **extra: Any,
) -> Any:
    """An initiative led by ``lead`` (created if not given) in the lead's home territory, running
    over the current school year, with ``partners`` as (organisation, role, status) rows.
    Written directly, not through the service, so tests of other features stay independent."""
    from datetime import date

    from models import Initiative, InitiativeAction, InitiativePartner, InitiativeTarget

    lead = lead or organization()
    n = next(_seq)
    values: dict[str, Any] = {
        "title": f"Iniziativa {n}", "kind": kind, "status": status, "lead": lead, "territory": lead.home_territory,
        "starts_on": date(2026, 9, 15), "ends_on": date(2027, 6, 10), "objectives": "", "description": "", "description_html": "",
    }
    values.update(extra)
    item = Initiative(**values)
    item.actions = [InitiativeAction(action=a) for a in actions]
    item.targets = [InitiativeTarget(target_group=t) for t in targets]
    db.session.add(item)
    db.session.flush()
    db.session.add(InitiativePartner(initiative_id=item.id, organization_id=lead.id, role="lead", status="confirmed", decided_at=utcnow()))
    for org, role, partner_status in partners:
        db.session.add(InitiativePartner(initiative_id=item.id, organization_id=org.id, role=role, status=partner_status))
    db.session.flush()
    db.session.expire(item, ["partners", "actions", "targets"])
    return item
