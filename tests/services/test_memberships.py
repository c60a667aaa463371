"""Membership rules: join requests, invitations, roles, the last admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db
from app.exceptions import Conflict, PermissionDenied, ValidationFailed
from app.services import memberships
from models import Invitation, MemberRole, Membership, MembershipStatus, OrgKind, User
from tests import factories


def _refresh(org) -> int:  # type: ignore[no-untyped-def]
    db.session.flush()
    db.session.refresh(org)
    return org.members_count


@pytest.fixture
def org(session):  # type: ignore[no-untyped-def]
    return factories.organization(admin=factories.user(email="boss@example.org"))


def _any_admin(org):  # type: ignore[no-untyped-def]
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(Membership.organization_id == org.id, Membership.role == MemberRole.ADMIN))


def test_join_request_is_decided_by_admins_and_counted(session, org, outbox) -> None:  # type: ignore[no-untyped-def]
    admin, person = _any_admin(org), factories.user()
    request = memberships.request_join(person, org, "Sono di Dakar, vivo a Lecce")
    assert request.status == MembershipStatus.PENDING and _refresh(org) == 1
    with pytest.raises(PermissionDenied):
        memberships.decide_request(person, request, True)
    memberships.decide_request(admin, request, True, "Benvenuta!")
    db.commit()
    assert _refresh(org) == 2
    assert outbox[-1].to == person.email and "Benvenuta!" in outbox[-1].text


def test_a_second_join_request_is_a_conflict_not_a_second_row(session, org) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    memberships.request_join(person, org)
    with pytest.raises((Conflict, PermissionDenied)):
        memberships.request_join(person, org)


def test_declined_request_is_removed_and_the_person_is_told(session, org, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    request = memberships.request_join(person, org)
    memberships.decide_request(_any_admin(org), request, False, "Solo per residenti")
    db.commit()
    assert memberships.viewer_membership(person, org) is None
    assert "Solo per residenti" in outbox[-1].text


def test_the_last_admin_cannot_leave_or_be_demoted_or_removed(session, org) -> None:  # type: ignore[no-untyped-def]
    admin = _any_admin(org)
    mine = next(m for m in memberships.list_members(admin, org) if m.user_id == admin.id)
    with pytest.raises(Conflict, match="at least one admin"):
        memberships.leave(admin, org)
    with pytest.raises(Conflict):
        memberships.change_role(admin, mine, "member")
    with pytest.raises(Conflict):
        memberships.remove_member(admin, mine)
    other = factories.member(org, role=MemberRole.ADMIN)
    memberships.change_role(admin, mine, "member")
    assert other.role == MemberRole.ADMIN


def test_transfer_hands_over_the_organisation(session, org) -> None:  # type: ignore[no-untyped-def]
    admin = _any_admin(org)
    heir = factories.member(org)
    memberships.transfer(admin, org, heir)
    roles = {m.user_id: m.role for m in memberships.list_members(admin, org)}
    assert roles == {admin.id: MemberRole.MEMBER, heir.user_id: MemberRole.ADMIN}
    memberships.leave(admin, org)
    assert _refresh(org) == 1


def test_roles_follow_the_kind_of_organisation(session) -> None:  # type: ignore[no-untyped-def]
    school = factories.organization(kind=OrgKind.SCHOOL, admin=factories.user())
    authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, admin=factories.user())
    assert memberships.request_join(factories.user(), school).role == MemberRole.STAFF
    assert memberships.request_join(factories.user(), authority).role == MemberRole.OFFICIAL
    with pytest.raises(ValidationFailed):
        memberships.invite(_any_admin(school), school, "x@example.org", "official")


def _token(mail) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"/invitations/([A-Za-z0-9_\-]+)", mail.text)
    assert match
    return match.group(1)


def test_invitation_works_once_for_the_invited_address_only(session, org, outbox) -> None:  # type: ignore[no-untyped-def]
    memberships.invite(_any_admin(org), org, "Nuova@Example.org", "member")
    db.commit()
    token = _token(outbox[-1])
    stranger = factories.user()
    with pytest.raises(ValidationFailed, match="another e-mail"):
        memberships.accept_invitation(stranger, token)
    invited = factories.user(email="nuova@example.org", confirmed=False)
    membership = memberships.accept_invitation(invited, token)
    assert membership.status == MembershipStatus.ACTIVE and invited.is_confirmed
    with pytest.raises(ValidationFailed):
        memberships.accept_invitation(invited, token)
    assert _refresh(org) == 2


def test_expired_invitation_is_refused(session, org, outbox) -> None:  # type: ignore[no-untyped-def]
    invitation = memberships.invite(_any_admin(org), org, "late@example.org", "member")
    db.commit()
    token = _token(outbox[-1])
    row = session.get(Invitation, invitation.id)
    row.expires_at = row.created_at - timedelta(seconds=1)
    session.flush()
    with pytest.raises(ValidationFailed, match="not valid any more"):
        memberships.accept_invitation(factories.user(email="late@example.org"), token)


def test_only_admins_invite_and_see_requests(session, org) -> None:  # type: ignore[no-untyped-def]
    member = factories.member(org).user
    with pytest.raises(PermissionDenied):
        memberships.invite(member, org, "x@example.org", "member")
    with pytest.raises(PermissionDenied):
        memberships.list_requests(member, org)
    assert len(memberships.list_members(member, org)) == 2
    with pytest.raises(PermissionDenied):
        memberships.list_members(factories.user(), org)


def test_people_act_on_behalf_of_visible_organisations_they_belong_to(session, org) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    factories.member(org, person)
    hidden = factories.organization(is_hidden=True)
    factories.member(hidden, person)
    pending = factories.organization()
    factories.member(pending, person, status=MembershipStatus.PENDING)
    assert memberships.acting_organizations(person) == [org]
