"""The policy: every permission has exactly one rule, and a role × state table."""

from __future__ import annotations

import pytest

from app.exceptions import PermissionDenied
from app.security.permissions import Permission
from app.security.policy import RULES, can, ensure
from models import MembershipStatus, OrgKind, UserStatus
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


# ---------------------------------------------------------------- organisations

ORG_ROLES = ("anonymous", "citizen", "unconfirmed", "member", "pending", "org_admin", "moderator", "other_moderator", "admin")


@pytest.fixture
def org_world(session):  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    org_admin = factories.user()
    org = factories.organization(home=comune, admin=org_admin)
    hidden = factories.organization(home=comune, admin=org_admin, is_hidden=True)
    group = factories.organization(home=comune, admin=org_admin, kind=OrgKind.INFORMAL_GROUP)
    member = factories.member(org).user
    factories.member(hidden, member)
    pending = factories.user()
    factories.member(org, pending, status=MembershipStatus.PENDING)
    people = {
        "anonymous": None, "citizen": factories.user(), "unconfirmed": factories.user(confirmed=False),
        "member": member, "pending": pending, "org_admin": org_admin, "moderator": factories.moderator(region),
        "other_moderator": factories.moderator(factories.chain()[0]), "admin": factories.admin(),
    }
    return {"people": people, "org": org, "hidden": hidden, "group": group}


ORG_TABLE = [
    #                                              anon   citiz  unconf member pend   oadmin mod    omod   admin
    (Permission.ORGANIZATION_VIEW, "org",          (True, True, True, True, True, True, True, True, True)),
    (Permission.ORGANIZATION_VIEW, "hidden",       (False, False, False, True, False, True, True, False, True)),
    (Permission.ORGANIZATION_CREATE, None,         (False, True, False, True, True, True, True, True, True)),
    (Permission.ORGANIZATION_EDIT, "org",          (False, False, False, False, False, True, False, False, True)),
    (Permission.ORGANIZATION_JOIN, "org",          (False, True, False, False, False, False, True, True, True)),
    (Permission.ORGANIZATION_JOIN, "hidden",       (False, False, False, False, False, False, False, False, False)),
    (Permission.ORGANIZATION_MANAGE_MEMBERS, "org", (False, False, False, False, False, True, False, False, True)),
    (Permission.ORGANIZATION_VIEW_MEMBERS, "org",  (False, False, False, True, False, True, True, False, True)),
    (Permission.ORGANIZATION_VIEW_PRIVATE, "org",  (False, False, False, False, False, True, True, False, True)),
    (Permission.ORGANIZATION_VERIFY, "org",        (False, False, False, False, False, False, True, False, True)),
    (Permission.ORGANIZATION_REPORT, "org",        (False, True, True, True, True, True, True, True, True)),
    (Permission.ORGANIZATION_ACT_FOR, "org",       (False, False, False, True, False, True, False, False, False)),
    (Permission.ORGANIZATION_ACT_FOR, "hidden",    (False, False, False, False, False, False, False, False, False)),
    (Permission.FOUNDING_START, "group",           (False, False, False, False, False, True, False, False, False)),
    (Permission.FOUNDING_START, "org",             (False, False, False, False, False, False, False, False, False)),
    (Permission.AUDIT_VIEW, None,                  (False, False, False, False, False, False, False, False, True)),
]


@pytest.mark.parametrize(("permission", "target_key", "expected"), ORG_TABLE)
def test_organization_role_table(org_world, permission, target_key, expected) -> None:  # type: ignore[no-untyped-def]
    target = org_world[target_key] if target_key else None
    for role, allowed in zip(ORG_ROLES, expected, strict=True):
        assert can(org_world["people"][role], permission, target) is allowed, (permission, target_key, role)


# ---------------------------------------------------------------- forums

FORUM_ROLES = ("anonymous", "citizen", "unconfirmed", "author", "moderator", "other_moderator", "admin")


@pytest.fixture
def forum_world(session):  # type: ignore[no-untyped-def]
    from app.services import forums

    region, _, comune = factories.chain()
    forum = forums.forum_for(comune)
    author = factories.user()
    thread = forums.create_thread(author, forum, forums.ThreadDraft(title="Una domanda", body="Testo"))
    post = forums.list_posts(thread).items[0]
    locked = forums.create_thread(author, forum, forums.ThreadDraft(title="Chiusa", body="Testo"))
    locked.is_locked = True
    hidden = forums.create_thread(author, forum, forums.ThreadDraft(title="Nascosta", body="Testo"))
    hidden.is_hidden = True
    people = {"anonymous": None, "citizen": factories.user(), "unconfirmed": factories.user(confirmed=False), "author": author,
              "moderator": factories.moderator(region), "other_moderator": factories.moderator(factories.chain()[0]),
              "admin": factories.admin()}
    return {"people": people, "forum": forum, "thread": thread, "post": post, "locked": locked, "hidden": hidden}


FORUM_TABLE = [
    #                                           anon   citiz  unconf author mod    omod   admin
    (Permission.FORUM_JOIN, "forum",           (False, True, False, True, True, True, True)),
    (Permission.FORUM_POST, "forum",           (False, True, False, True, True, True, True)),
    (Permission.FORUM_MODERATE, "forum",       (False, False, False, False, True, False, True)),
    (Permission.THREAD_VIEW, "thread",         (True, True, True, True, True, True, True)),
    (Permission.THREAD_VIEW, "hidden",         (False, False, False, False, True, False, True)),
    (Permission.THREAD_REPLY, "thread",        (False, True, False, True, True, True, True)),
    (Permission.THREAD_REPLY, "locked",        (False, False, False, False, True, False, True)),
    (Permission.THREAD_REPLY, "hidden",        (False, False, False, False, False, False, False)),
    (Permission.THREAD_FOLLOW, "thread",       (False, True, True, True, True, True, True)),
    (Permission.POST_EDIT, "post",             (False, False, False, True, False, False, False)),
    (Permission.POST_DELETE, "post",           (False, False, False, True, False, False, False)),
    (Permission.POST_HISTORY, "post",          (False, False, False, False, True, False, True)),
    (Permission.POST_REPORT, "post",           (False, True, True, True, True, True, True)),
    (Permission.USER_SUSPEND, "author",        (False, False, False, False, False, False, True)),
]


@pytest.mark.parametrize(("permission", "target_key", "expected"), FORUM_TABLE)
def test_forum_role_table(forum_world, permission, target_key, expected) -> None:  # type: ignore[no-untyped-def]
    target = forum_world["people"][target_key] if target_key in forum_world["people"] else forum_world[target_key]
    for role, allowed in zip(FORUM_ROLES, expected, strict=True):
        assert can(forum_world["people"][role], permission, target) is allowed, (permission, target_key, role)


# ---------------------------------------------------------------- labs and proposals

LAB_ROLES = ("anonymous", "citizen", "unconfirmed", "author", "official", "other_official", "sponsor_admin", "moderator",
             "other_moderator", "admin")


@pytest.fixture
def lab_world(session):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from models import Lab, MemberRole, Proposal, ProposalComment, ProposalSponsor, ProposalState
    from models.base import utcnow

    region, _, comune = factories.chain()
    official, other_official, sponsor_admin, author = factories.user(), factories.user(), factories.user(), factories.user(home=comune)
    authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    factories.member(authority, official, MemberRole.OFFICIAL)
    other = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    factories.member(other, other_official, MemberRole.OFFICIAL)
    unverified = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=False)
    factories.member(unverified, official, MemberRole.OFFICIAL)
    association = factories.organization(home=comune, admin=sponsor_admin)
    lab = Lab(slug="lab-policy", title="Laboratorio", convener=authority, territory=region, actions=[],
              proposals_at=utcnow() - timedelta(days=1), proposals_count=0)
    session.add(lab)
    session.flush()

    def proposal(state: ProposalState, to=authority, **extra):  # type: ignore[no-untyped-def]
        p = Proposal(lab=lab, title="Proposta", summary="Una proposta", body="Testo", body_html="<p>Testo</p>", author_id=author.id,
                     authority=to, state=state, **{"supports_count": 0, "votes_count": 0, "comments_count": 0, **extra})
        session.add(p)
        session.flush()
        return p

    published = proposal(ProposalState.PUBLISHED)
    comment = ProposalComment(proposal_id=published.id, author_id=author.id, body="Bene", body_html="<p>Bene</p>")
    session.add(comment)
    sponsor = ProposalSponsor(proposal_id=published.id, organization_id=association.id)
    session.add(sponsor)
    session.flush()
    session.refresh(sponsor)
    for person in (official, other_official, sponsor_admin, author):
        session.refresh(person)
    people = {
        "anonymous": None, "citizen": factories.user(home=comune), "unconfirmed": factories.user(confirmed=False, home=comune),
        "author": author, "official": official, "other_official": other_official, "sponsor_admin": sponsor_admin,
        "moderator": factories.moderator(region), "other_moderator": factories.moderator(factories.chain()[0]),
        "admin": factories.admin(),
    }
    return {
        "people": people, "lab": lab, "authority": authority, "unverified": unverified, "association": association,
        "draft": proposal(ProposalState.DRAFT), "published": published, "supported": proposal(ProposalState.PUBLISHED, supports_count=3),
        "withdrawn": proposal(ProposalState.WITHDRAWN), "hidden": proposal(ProposalState.PUBLISHED, is_hidden=True),
        "to_unverified": proposal(ProposalState.AWAITING_RESPONSE, to=unverified), "accepted": proposal(ProposalState.ACCEPTED),
        "comment": comment, "sponsor": sponsor,
    }


LAB_TABLE = [
    #                                                       anon   citiz  unconf author offic  oofic  spons  mod    omod   admin
    (Permission.LAB_CREATE, "authority",                   (False, False, False, False, True, False, False, False, False, True)),
    (Permission.LAB_CREATE, "unverified",                  (False, False, False, False, False, False, False, False, False, True)),
    (Permission.LAB_CREATE, "association",                 (False, False, False, False, False, False, False, False, False, True)),
    (Permission.LAB_MANAGE, "lab",                         (False, False, False, False, True, False, False, False, False, True)),
    (Permission.PROPOSAL_CREATE, "lab",                    (False, True, False, True, True, True, True, True, True, True)),
    (Permission.PROPOSAL_VIEW, "published",                (True, True, True, True, True, True, True, True, True, True)),
    (Permission.PROPOSAL_VIEW, "draft",                    (False, False, False, True, False, False, False, False, False, False)),
    (Permission.PROPOSAL_VIEW, "hidden",                   (False, False, False, True, False, False, False, True, False, True)),
    (Permission.PROPOSAL_EDIT, "draft",                    (False, False, False, True, False, False, False, False, False, False)),
    (Permission.PROPOSAL_EDIT, "published",                (False, False, False, True, False, False, False, False, False, False)),
    (Permission.PROPOSAL_EDIT, "supported",                (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_WITHDRAW, "supported",            (False, False, False, True, False, False, False, False, False, False)),
    (Permission.PROPOSAL_WITHDRAW, "accepted",             (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_PARTICIPATE, "published",         (False, True, False, True, True, True, True, True, True, True)),
    (Permission.PROPOSAL_PARTICIPATE, "hidden",            (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_COMMENT, "published",             (False, True, False, True, True, True, True, True, True, True)),
    (Permission.PROPOSAL_COMMENT, "withdrawn",             (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_COMMENT_DELETE, "comment",        (False, False, False, True, False, False, False, False, False, False)),
    (Permission.PROPOSAL_REPORT, "comment",                (False, True, True, True, True, True, True, True, True, True)),
    (Permission.PROPOSAL_MODERATE, "published",            (False, False, False, False, False, False, False, True, False, True)),
    (Permission.PROPOSAL_MODERATE, "comment",              (False, False, False, False, False, False, False, True, False, True)),
    (Permission.PROPOSAL_RESPOND, "published",             (False, False, False, False, True, False, False, False, False, False)),
    (Permission.PROPOSAL_RESPOND, "to_unverified",         (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_RESPOND, "draft",                 (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_RESPOND, "withdrawn",             (False, False, False, False, False, False, False, False, False, False)),
    (Permission.PROPOSAL_SPONSOR_DECIDE, "sponsor",        (False, False, False, False, False, False, True, False, False, False)),
    (Permission.RESPONSE_TEMPLATES_MANAGE, "authority",    (False, False, False, False, True, False, False, False, False, False)),
    (Permission.RESPONSE_TEMPLATES_MANAGE, "unverified",   (False, False, False, False, False, False, False, False, False, False)),
]


@pytest.mark.parametrize(("permission", "target_key", "expected"), LAB_TABLE)
def test_lab_role_table(lab_world, permission, target_key, expected) -> None:  # type: ignore[no-untyped-def]
    target = lab_world[target_key]
    for role, allowed in zip(LAB_ROLES, expected, strict=True):
        assert can(lab_world["people"][role], permission, target) is allowed, (permission, target_key, role)
