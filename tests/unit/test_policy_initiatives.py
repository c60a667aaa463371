"""The initiative rules as a role × state table: starting, managing, answering invitations,
recording outputs, seeing an initiative and seeing the partners' private part."""

from __future__ import annotations

from typing import Any

import pytest

from app.security.permissions import Permission
from app.security.policy import can
from models import MemberRole, MembershipStatus, OrgKind, UserStatus
from tests import factories

ROLES = ("anonymous", "citizen", "lead_admin", "lead_member", "partner_staff", "invited_admin", "declined_admin", "other_admin",
         "moderator", "admin")


@pytest.fixture
def world(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    people: dict[str, Any] = {name: factories.user(home=comune) for name in ROLES if name not in ("anonymous", "moderator", "admin")}
    people.update(anonymous=None, moderator=factories.moderator(region), admin=factories.admin())
    lead = factories.organization("Capofila", home=comune, admin=people["lead_admin"])
    factories.member(lead, people["lead_member"], MemberRole.MEMBER)
    hidden_lead = factories.organization("Capofila nascosta", home=comune, admin=people["lead_admin"], is_hidden=True)
    factories.member(hidden_lead, people["lead_member"], MemberRole.MEMBER)
    school = factories.organization("Scuola", kind=OrgKind.SCHOOL, home=comune)
    factories.member(school, people["partner_staff"], MemberRole.STAFF)
    invited = factories.organization("Invitata", home=comune, admin=people["invited_admin"])
    declined = factories.organization("Rinuncia", home=comune, admin=people["declined_admin"])
    hidden_org = factories.organization("Nascosta", home=comune, admin=people["other_admin"], is_hidden=True)
    partners = ((school, "host_school", "confirmed"), (invited, "partner", "invited"), (declined, "funder", "declined"))
    made = {status: factories.initiative(lead, status=status, partners=partners) for status in ("draft", "planned", "running", "completed")}
    made["hidden_lead"] = factories.initiative(hidden_lead, status="running", partners=partners)
    for person in people.values():
        if person is not None:
            session.refresh(person)
    rows = {p.organization_id: p for p in made["running"].partners}
    return {
        "people": people, "lead": lead, "school": school, "hidden_org": hidden_org, **made,
        "lead_row": rows[lead.id], "confirmed_row": rows[school.id], "invited_row": rows[invited.id], "declined_row": rows[declined.id],
    }


F, T = False, True
TABLE = [
    #                                                   anon citiz lead  lmemb staff invit decl  other mod   admin
    (Permission.INITIATIVE_CREATE, "lead",             (F,   F,    T,    F,    F,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_CREATE, "school",           (F,   F,    F,    F,    T,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_CREATE, "hidden_org",       (F,   F,    F,    F,    F,    F,    F,    F,    F,    F)),
    (Permission.INITIATIVE_MANAGE, "draft",            (F,   F,    T,    F,    F,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_MANAGE, "running",          (F,   F,    T,    F,    F,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_MANAGE, "completed",        (F,   F,    T,    F,    F,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_MANAGE, "hidden_lead",      (F,   F,    T,    F,    F,    F,    F,    F,    F,    T)),
    # Answering is for the invited organisation's admins, officials and staff only; the service
    # refuses the lead row and an answer given twice.
    (Permission.INITIATIVE_PARTNER_DECIDE, "invited_row",   (F, F,  F,    F,    F,    T,    F,    F,    F,    F)),
    (Permission.INITIATIVE_PARTNER_DECIDE, "confirmed_row", (F, F,  F,    F,    T,    F,    F,    F,    F,    F)),
    (Permission.INITIATIVE_PARTNER_DECIDE, "declined_row",  (F, F,  F,    F,    F,    F,    T,    F,    F,    F)),
    (Permission.INITIATIVE_PARTNER_DECIDE, "lead_row",      (F, F,  T,    F,    F,    F,    F,    F,    F,    F)),
    (Permission.INITIATIVE_RECORD_OUTPUTS, "draft",    (F,   F,    F,    F,    F,    F,    F,    F,    F,    F)),
    (Permission.INITIATIVE_RECORD_OUTPUTS, "planned",  (F,   F,    F,    F,    F,    F,    F,    F,    F,    F)),
    (Permission.INITIATIVE_RECORD_OUTPUTS, "running",  (F,   F,    T,    F,    T,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_RECORD_OUTPUTS, "completed", (F,  F,    T,    F,    T,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_VIEW, "draft",              (F,   F,    T,    F,    T,    T,    F,    F,    F,    T)),
    (Permission.INITIATIVE_VIEW, "planned",            (T,   T,    T,    T,    T,    T,    T,    T,    T,    T)),
    (Permission.INITIATIVE_VIEW, "running",            (T,   T,    T,    T,    T,    T,    T,    T,    T,    T)),
    (Permission.INITIATIVE_VIEW, "completed",          (T,   T,    T,    T,    T,    T,    T,    T,    T,    T)),
    (Permission.INITIATIVE_VIEW, "hidden_lead",        (F,   F,    T,    T,    T,    T,    F,    F,    T,    T)),
    (Permission.INITIATIVE_VIEW_PRIVATE, "draft",      (F,   F,    T,    F,    T,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_VIEW_PRIVATE, "running",    (F,   F,    T,    F,    T,    F,    F,    F,    F,    T)),
    (Permission.INITIATIVE_VIEW_PRIVATE, "completed",  (F,   F,    T,    F,    T,    F,    F,    F,    F,    T)),
]


@pytest.mark.parametrize(("permission", "target_key", "expected"), TABLE)
def test_initiative_role_table(world, permission, target_key, expected) -> None:  # type: ignore[no-untyped-def]
    target = world[target_key]
    for role, allowed in zip(ROLES, expected, strict=True):
        assert can(world["people"][role], permission, target) is allowed, (permission, target_key, role)


def test_every_initiative_permission_is_in_the_table() -> None:
    covered = {permission for permission, _, _ in TABLE}
    assert covered == {p for p in Permission if p.name.startswith("INITIATIVE_")}


@pytest.mark.parametrize("permission", [p for p in Permission if p.name.startswith("INITIATIVE_")])
def test_rules_refuse_targets_of_the_wrong_type(world, permission) -> None:  # type: ignore[no-untyped-def]
    for wrong in (None, world["people"]["citizen"], world["running"].territory):
        assert not can(world["people"]["admin"], permission, wrong)


def test_a_suspended_lead_admin_has_no_powers_and_a_pending_member_none_either(world, session) -> None:  # type: ignore[no-untyped-def]
    boss = world["people"]["lead_admin"]
    pending = factories.user()
    factories.member(world["lead"], pending, MemberRole.ADMIN, MembershipStatus.PENDING)
    session.refresh(pending)
    boss.status = UserStatus.SUSPENDED
    session.flush()
    for permission in (Permission.INITIATIVE_MANAGE, Permission.INITIATIVE_VIEW_PRIVATE, Permission.INITIATIVE_RECORD_OUTPUTS):
        assert not can(boss, permission, world["running"])
        assert not can(pending, permission, world["running"])
    assert not can(boss, Permission.INITIATIVE_VIEW, world["draft"])
    assert not can(boss, Permission.INITIATIVE_CREATE, world["lead"])
