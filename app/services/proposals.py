"""Proposals in a lab: writing and publishing, co-sponsors, attachments, supports, capped
votes, comments, and the moderators' actions. Official answers live in ``responses``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import BigInteger, Select, cast, delete, func, insert, literal_column, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import (
    Page,
    audit,
    follows,
    labs,
    memberships,
    notifications,
    search_index,
    territories,
    uploads,
)
from models import (
    Follow,
    FollowTarget,
    Lab,
    LabBallot,
    MemberRole,
    Membership,
    MembershipStatus,
    Organization,
    OrgKind,
    Proposal,
    ProposalAttachment,
    ProposalComment,
    ProposalResponse,
    ProposalSponsor,
    ProposalState,
    ProposalSupport,
    ProposalVote,
    SponsorStatus,
    Territory,
    User,
    UserStatus,
)
from models.base import utcnow

PER_PAGE = 20
COMMENTS_PER_PAGE = 30
MAX_ATTACHMENTS = 5
SORTS = ("newest", "supported", "random")
OPEN_STATES = (ProposalState.PUBLISHED, ProposalState.AWAITING_RESPONSE, ProposalState.EVALUATING)
LISTED_STATES = tuple(s for s in ProposalState if s != ProposalState.DRAFT)


@dataclass(frozen=True)
class ProposalDraft:
    title: str
    summary: str
    body: str
    action: str = ""
    organization_id: int | None = None  # on behalf of
    authority_id: int | None = None  # addressed authority; default: the lab's convener


# ---------------------------------------------------------------- reading


def get_proposal(viewer: User | None, proposal_id: int) -> Proposal:
    """The proposal, or NotFound (also for drafts and hidden proposals this viewer may not see)."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.lab.convener.is_hidden or not can(viewer, Permission.PROPOSAL_VIEW, proposal):
        raise NotFound(_l("We could not find this proposal."))
    return proposal


@dataclass(frozen=True)
class ProposalView:
    """A proposal with what its page needs besides the row: the official response, and whether
    the viewer supports and follows it."""

    proposal: Proposal
    response: ProposalResponse | None
    supported: bool
    following: bool


def open_proposal(viewer: User | None, proposal_id: int) -> ProposalView:
    """``get_proposal`` for the proposal page: one query brings the response and the viewer's flags."""
    columns: list[Any] = [Proposal, ProposalResponse]
    if viewer is not None:
        columns.append(select(ProposalSupport.proposal_id).where(
            ProposalSupport.proposal_id == Proposal.id, ProposalSupport.user_id == viewer.id).exists())
        columns.append(select(Follow.id).where(
            Follow.user_id == viewer.id, Follow.target_type == FollowTarget.PROPOSAL, Follow.target_id == Proposal.id).exists())
    row = db.session.execute(
        select(*columns).outerjoin(ProposalResponse, ProposalResponse.proposal_id == Proposal.id).where(Proposal.id == proposal_id)
    ).first()
    proposal = row[0] if row is not None else None
    if proposal is None or proposal.lab.convener.is_hidden or not can(viewer, Permission.PROPOSAL_VIEW, proposal):
        raise NotFound(_l("We could not find this proposal."))
    flags = tuple(row[2:]) if viewer is not None else (False, False)
    return ProposalView(proposal, row[1], supported=bool(flags[0]), following=bool(flags[1]))


@dataclass(frozen=True)
class ProposalFilters:
    state: str = ""
    action: str = ""
    territory: str = ""  # proposals of labs in this territory (and inside it)
    sort: str = "newest"
    seed: int = 0  # per-visitor seed for the random order


def _random_order(seed: int):  # type: ignore[no-untyped-def]
    """A stable pseudo-random order for one visitor, the same on every page and different for
    every seed, in portable SQL: two rounds of (x × a + b) mod a prime, with different primes,
    each followed by x XOR (x >> k). The multiplications alone keep consecutive ids in patterns
    (every other id, or the same order for two seeds out of a few dozen); the shifts break them."""
    rng = random.Random(seed)  # noqa: S311 — an ordering, not a secret
    a, b = rng.randrange(1, _PRIME_1), rng.randrange(0, _PRIME_1)
    c, d = rng.randrange(1, _PRIME_2), rng.randrange(0, _PRIME_2)
    # 64-bit arithmetic: x × a overflows PostgreSQL's 32-bit integer; every factor is below 2³¹.
    first = _xor_shift((cast(Proposal.id, BigInteger) * a + b) % _PRIME_1, 15)
    return _xor_shift((first * c + d) % _PRIME_2, 13)


def _xor_shift(x, bits: int):  # type: ignore[no-untyped-def]
    """x XOR (x >> bits), written as (x | y) - (x & y): SQLite has no XOR operator."""
    shifted = x.op(">>")(literal_column(str(int(bits))))  # PostgreSQL shifts a bigint by an integer, not by a bigint
    return x.op("|")(shifted) - x.op("&")(shifted)


_PRIME_1, _PRIME_2 = 2_147_483_647, 2_147_483_629


@dataclass(frozen=True)
class Listed:
    """What a list shows of a proposal's speaker and lab: plain names, read as columns of the list
    query (building the author, organisation, authority and lab entities for every row cost more
    than the rest of the page's data)."""

    author_id: int | None
    author_name: str | None
    author_deleted: bool
    organization_name: str | None
    lab_slug: str
    lab_title: str
    lab_place: str


@dataclass(frozen=True)
class ProposalPage(Page[Proposal]):
    """A page of proposals, with the ids of those the viewer supports (read in the same query)
    and, by proposal id, the names the list shows (``Listed``)."""

    supported: frozenset[int] = frozenset()
    listed: dict[int, Listed] = field(default_factory=dict)


def list_proposals(
    lab: Lab | None, filters: ProposalFilters, page: int = 1, per_page: int = PER_PAGE, viewer: User | None = None,
) -> ProposalPage:
    """Published proposals (not hidden), by lab or territory, state and action. One query per
    page: authors, organisations, authorities and labs are joined in, and for a logged-in viewer
    whether they support each one (the "You support it" marker)."""
    errors: dict = {}
    if filters.state and filters.state not in {s.value for s in LISTED_STATES}:
        errors["state"] = _l("Choose one option from the list.")
    if filters.action and filters.action not in labs.ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    if filters.sort not in SORTS:
        errors["sort"] = _l("Choose one option from the list.")
    if errors:
        raise ValidationFailed(errors)
    stmt = (
        select(Proposal, User.display_name, User.status, Organization.name, Lab.slug, Lab.title, Territory.name)
        .join(Lab, Lab.id == Proposal.lab_id).join(Territory, Territory.id == Lab.territory_id)
        .outerjoin(User, User.id == Proposal.author_id).outerjoin(Organization, Organization.id == Proposal.organization_id)
        .options(*_LISTED_ONLY)
        .where(Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False))
    )
    if lab is not None:
        stmt = stmt.where(Proposal.lab_id == lab.id)
    if filters.territory:
        place = territories.from_text(filters.territory, "territory")
        inside = select(Territory.id).where(Territory.path.like(f"{place.path}%")).scalar_subquery()
        stmt = stmt.where(Lab.territory_id.in_(inside))
    if filters.state:
        stmt = stmt.where(Proposal.state == ProposalState(filters.state))
    else:
        stmt = stmt.where(Proposal.state != ProposalState.WITHDRAWN)
    if filters.action:
        stmt = stmt.where(Proposal.action == filters.action)
    if filters.sort == "supported":
        stmt = stmt.order_by(Proposal.supports_count.desc(), Proposal.published_at.desc(), Proposal.id.desc())
    elif filters.sort == "random":
        stmt = stmt.order_by(_random_order(filters.seed), Proposal.id)
    else:
        stmt = stmt.order_by(Proposal.published_at.desc(), Proposal.id.desc())
    return _page_with_supports(stmt, page, per_page, viewer)


# The list's entities come alone: no joined author, organisation, authority or lab (their names
# are columns of the list query; the lab of a lab's own page is already in the session), and no bodies.
_LISTED_ONLY = (lazyload(Proposal.author), lazyload(Proposal.organization), lazyload(Proposal.authority),
                lazyload(Proposal.lab), defer(Proposal.body), defer(Proposal.body_html))


def _page_with_supports(stmt: Select[Any], page: int, per_page: int, viewer: User | None) -> ProposalPage:
    """Rows of (Proposal, author name, author status, organisation name, lab slug, lab title,
    lab territory name), plus for a viewer whether they support it."""
    if viewer is not None:
        stmt = stmt.add_columns(select(ProposalSupport.proposal_id).where(
            ProposalSupport.proposal_id == Proposal.id, ProposalSupport.user_id == viewer.id).exists())
    rows = db.session.execute(stmt.offset((page - 1) * per_page).limit(per_page + 1)).all()
    shown = rows[:per_page]
    listed = {
        row[0].id: Listed(row[0].author_id, row[1], row[2] == UserStatus.DELETED, row[3], row[4], row[5], row[6])
        for row in shown
    }
    return ProposalPage(items=[row[0] for row in shown], page=page, per_page=per_page, has_next=len(rows) > per_page,
                        supported=frozenset(row[0].id for row in shown if viewer is not None and row[7]), listed=listed)


def my_drafts(user: User, lab: Lab) -> list[Proposal]:
    return list(db.session.scalars(
        select(Proposal).where(Proposal.lab_id == lab.id, Proposal.author_id == user.id, Proposal.state == ProposalState.DRAFT)
        .order_by(Proposal.updated_at.desc())
    ))


def my_proposals(user: User, limit: int = 50) -> list[Proposal]:
    """The person's own proposals, drafts included, most recently changed first (labs joined in)."""
    return list(db.session.scalars(
        select(Proposal).where(Proposal.author_id == user.id).order_by(Proposal.updated_at.desc(), Proposal.id.desc()).limit(limit)
    ))


def authority_choices(lab: Lab) -> list[Organization]:
    """Authorities a proposal in this lab can be addressed to: the convener (if it is an authority)
    and the verified public bodies of the lab's territory, the territories inside it and those
    containing it."""
    inside = select(Territory.id).where(Territory.path.like(f"{lab.territory.path}%"))
    found = list(db.session.scalars(
        select(Organization).where(
            Organization.kind == OrgKind.LOCAL_AUTHORITY, Organization.is_verified.is_(True), Organization.is_hidden.is_(False),
            Organization.home_territory_id.in_(inside) | Organization.home_territory_id.in_(lab.territory.ancestor_ids or [0]),
        ).order_by(Organization.name_key).limit(200)
    ))
    if lab.convener.kind == OrgKind.LOCAL_AUTHORITY:
        found = [lab.convener, *[o for o in found if o.id != lab.convener_id]]
    return found


# ---------------------------------------------------------------- writing


def _clean(actor: User, lab: Lab, draft: ProposalDraft) -> dict:
    errors: dict = {}
    values: dict = {}
    title = " ".join((draft.title or "").split())
    if not 5 <= len(title) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    summary = " ".join((draft.summary or "").split())
    if not 10 <= len(summary) <= 500:
        errors["summary"] = _l("Write a summary of 10 to 500 characters: what you propose, in one or two sentences.")
    body = (draft.body or "").strip()
    if not 20 <= len(body) <= 20_000:
        errors["body"] = _l("Write between 20 and 20,000 characters.")
    if draft.action and draft.action not in labs.ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    org = None
    if draft.organization_id:
        org = db.session.get(Organization, draft.organization_id)
        if not lab.allow_organization_proposals:
            errors["organization_id"] = _l("In this lab, proposals are made by people, not on behalf of organisations.")
        elif org is None or not can(actor, Permission.ORGANIZATION_ACT_FOR, org):
            errors["organization_id"] = _l("You can only write on behalf of an organisation you belong to.")
    choices = {o.id: o for o in authority_choices(lab)}
    authority_id = draft.authority_id or (lab.convener_id if lab.convener_id in choices else None)
    if authority_id not in choices:
        errors["authority_id"] = _l("Choose the public body that should answer.")
    if errors:
        raise ValidationFailed(errors)
    values.update(title=title, summary=summary, body=body, action=draft.action or "", organization=org, authority=choices[authority_id])
    return values


def _participation_problem(actor: User, lab: Lab, org: Organization | None) -> None:
    """Proposals come from people who may take part, or on behalf of an organisation."""
    if org is None and labs.eligibility_problem(actor, lab):
        raise Conflict(labs.eligibility_problem(actor, lab) or "")


def create_proposal(actor: User, lab: Lab, draft: ProposalDraft, publish: bool = False) -> Proposal:
    """Save a proposal as a draft (only its author sees it), or publish it at once."""
    ensure(actor, Permission.PROPOSAL_CREATE, lab)
    if not labs.proposals_open(lab):
        raise Conflict(_l("This lab is not taking proposals now."))
    values = _clean(actor, lab, draft)
    _participation_problem(actor, lab, values["organization"])
    proposal = Proposal(
        lab_id=lab.id, lab=lab, author_id=actor.id, title=values["title"], summary=values["summary"], body=values["body"],
        body_html=rich_text(values["body"]), action=values["action"], organization=values["organization"],
        authority=values["authority"], state=ProposalState.DRAFT, supports_count=0, votes_count=0, comments_count=0,
    )
    db.session.add(proposal)
    db.session.flush()
    if publish:
        publish_proposal(actor, proposal)
    return proposal


def update_proposal(actor: User, proposal: Proposal, draft: ProposalDraft, seen_version: int) -> Proposal:
    """Change a draft, or a published proposal that nobody has supported yet."""
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    values = _clean(actor, proposal.lab, draft)
    if seen_version != proposal.version:
        raise Conflict(_l("This proposal changed while you were editing it (perhaps someone supported it). Check it and try again."))
    proposal.title, proposal.summary, proposal.body = values["title"], values["summary"], values["body"]
    proposal.body_html = rich_text(values["body"])
    proposal.action = values["action"]
    proposal.organization = values["organization"]
    proposal.authority = values["authority"]
    proposal.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_l("This proposal changed while you were editing it (perhaps someone supported it). Check it and try again.")) from None
    search_index.refresh(proposal)
    return proposal


def publish_proposal(actor: User, proposal: Proposal) -> Proposal:
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    if proposal.state != ProposalState.DRAFT:
        return proposal
    if not labs.proposals_open(proposal.lab):
        raise Conflict(_l("This lab is not taking proposals now."))
    _participation_problem(actor, proposal.lab, proposal.organization)
    proposal.state = ProposalState.PUBLISHED
    proposal.published_at = utcnow()
    db.session.execute(update(Lab).where(Lab.id == proposal.lab_id).values(proposals_count=Lab.proposals_count + 1))
    db.session.flush()
    search_index.refresh(proposal)
    notifications.notify_followers(FollowTarget.LAB, proposal.lab_id, "lab.proposal", "proposal", proposal.id,
                                   exclude=[actor.id], title=proposal.title, lab=proposal.lab.title)
    return proposal


def withdraw(actor: User, proposal: Proposal) -> Proposal:
    """The author takes the proposal back. It stays visible, marked as withdrawn; supports stop."""
    ensure(actor, Permission.PROPOSAL_WITHDRAW, proposal)
    if labs.voting_open(proposal.lab):
        _return_votes(proposal)
    proposal.state = ProposalState.WITHDRAWN
    proposal.withdrawn_at = utcnow()
    db.session.flush()
    _tell_interested(proposal, "proposal.withdrawn", exclude=[actor.id])
    return proposal


def _tell_interested(proposal: Proposal, kind: str, exclude: list[int | None], dedupe_key: str = "", **data: object) -> None:
    """Tell the proposal's followers and supporters (once each), except ``exclude``."""
    interested = select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == proposal.id).union(
        follows.followers(FollowTarget.PROPOSAL, proposal.id))
    notifications.notify_selected(interested, kind, "proposal", proposal.id, dedupe_key=dedupe_key, exclude=exclude,
                                  title=proposal.title, **data)


def _return_votes(proposal: Proposal) -> None:
    """A proposal leaves the vote: its votes go back to the voters, who can give them to another."""
    voters = select(ProposalVote.user_id).where(ProposalVote.proposal_id == proposal.id)
    db.session.execute(
        update(LabBallot).where(LabBallot.lab_id == proposal.lab_id, LabBallot.user_id.in_(voters))
        .values(votes_used=LabBallot.votes_used - 1)
    )
    db.session.execute(delete(ProposalVote).where(ProposalVote.proposal_id == proposal.id))
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(votes_count=0))
    db.session.expire(proposal, ["votes_count"])


def preview(body: str) -> str:
    return rich_text((body or "")[:20_000])


# ---------------------------------------------------------------- co-sponsors


def sponsor_candidates(actor: User, proposal: Proposal) -> list[Organization]:
    """Associations the author may invite (visible, not the one the proposal speaks for)."""
    taken = {s.organization_id for s in sponsors(proposal, include_pending=True)}
    if proposal.organization_id:
        taken.add(proposal.organization_id)
    inside = select(Territory.id).where(Territory.path.like(f"{proposal.lab.territory.path}%"))
    return [o for o in db.session.scalars(
        select(Organization).where(Organization.is_hidden.is_(False), Organization.kind != OrgKind.LOCAL_AUTHORITY,
                                   Organization.home_territory_id.in_(inside))
        .order_by(Organization.name_key).limit(300)
    ) if o.id not in taken]


def invite_sponsor(actor: User, proposal: Proposal, organization_id: int) -> ProposalSponsor:
    """Invite an association to co-sponsor; its admins are notified and accept or decline."""
    ensure(actor, Permission.PROPOSAL_WITHDRAW if proposal.state != ProposalState.DRAFT else Permission.PROPOSAL_EDIT, proposal)
    org = db.session.get(Organization, organization_id) if organization_id else None
    if org is None or org.is_hidden or org.kind == OrgKind.LOCAL_AUTHORITY or org.id == proposal.organization_id:
        raise ValidationFailed({"organization_id": _l("Choose an association from the list.")})
    if db.session.get(ProposalSponsor, (proposal.id, org.id)) is not None:
        raise Conflict(_l("This association is already invited."))
    sponsor = ProposalSponsor(proposal_id=proposal.id, organization_id=org.id, organization=org, invited_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(sponsor)
    except IntegrityError:  # invited by a concurrent request
        raise Conflict(_l("This association is already invited.")) from None
    notifications.notify(memberships.admin_ids(org), "proposal.sponsor_invited", "proposal", proposal.id, organization=org.name, title=proposal.title)
    return sponsor


def get_sponsorship(proposal: Proposal, organization_id: int) -> ProposalSponsor:
    sponsor = db.session.get(ProposalSponsor, (proposal.id, organization_id))
    if sponsor is None:
        raise NotFound(_l("We could not find this invitation."))
    return sponsor


def decide_sponsorship(actor: User, sponsor: ProposalSponsor, accept: bool) -> ProposalSponsor:
    ensure(actor, Permission.PROPOSAL_SPONSOR_DECIDE, sponsor)
    if accept and sponsor.status != SponsorStatus.INVITED:
        raise Conflict(_l("This invitation was already answered."))
    if not accept and sponsor.status == SponsorStatus.DECLINED:
        return sponsor
    # Declining after accepting withdraws the organisation's name from the proposal.
    sponsor.status = SponsorStatus.ACCEPTED if accept else SponsorStatus.DECLINED
    sponsor.decided_at = utcnow()
    return sponsor


def sponsors(proposal: Proposal, include_pending: bool = False) -> list[ProposalSponsor]:
    stmt = select(ProposalSponsor).where(ProposalSponsor.proposal_id == proposal.id)
    if not include_pending:
        stmt = stmt.where(ProposalSponsor.status == SponsorStatus.ACCEPTED)
    return list(db.session.scalars(stmt.order_by(ProposalSponsor.created_at)))


def pending_sponsorships(user: User) -> list[tuple[ProposalSponsor, Proposal]]:
    """Invitations to co-sponsor waiting for an organisation the user administers."""
    admin_of = memberships.administered(user)
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
        select(ProposalSponsor, Proposal).join(Proposal, Proposal.id == ProposalSponsor.proposal_id)
        .where(ProposalSponsor.organization_id.in_(admin_of), ProposalSponsor.status == SponsorStatus.INVITED,
               Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False))  # only what the admins can open
        .order_by(ProposalSponsor.created_at)
    )]


def officials_of(org: Organization) -> list[int]:
    """Admins and officials of an authority: the people who answer for it."""
    return list(db.session.scalars(select(Membership.user_id).where(
        Membership.organization_id == org.id, Membership.role.in_((MemberRole.ADMIN, MemberRole.OFFICIAL)),
        Membership.status == MembershipStatus.ACTIVE)))


# ---------------------------------------------------------------- attachments


def attachments(proposal: Proposal) -> list[ProposalAttachment]:
    return list(db.session.scalars(select(ProposalAttachment).where(ProposalAttachment.proposal_id == proposal.id).order_by(ProposalAttachment.id)))


def add_attachment(actor: User, proposal: Proposal, upload: uploads.Upload, title: str = "") -> ProposalAttachment:
    """Attach a PDF or an image (checked and cleaned by the upload rules) while the proposal can be edited."""
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    count = db.session.scalar(select(func.count()).select_from(ProposalAttachment).where(ProposalAttachment.proposal_id == proposal.id)) or 0
    if count >= MAX_ATTACHMENTS:
        raise ValidationFailed({"file": _l("A proposal can have at most %(max)d attachments. Remove one first.", max=MAX_ATTACHMENTS)})
    stored = uploads.store_document(actor, upload, field="file")
    name = " ".join((title or "").split())[:160] or stored.original_name[:160]
    attachment = ProposalAttachment(proposal_id=proposal.id, file_id=stored.id, file=stored, title=name)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def get_attachment(proposal: Proposal, attachment_id: int) -> ProposalAttachment:
    attachment = db.session.get(ProposalAttachment, attachment_id)
    if attachment is None or attachment.proposal_id != proposal.id:
        raise NotFound(_l("This file does not exist."))
    return attachment


def remove_attachment(actor: User, proposal: Proposal, attachment: ProposalAttachment) -> None:
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    stored = attachment.file
    db.session.delete(attachment)
    db.session.flush()
    uploads.discard(stored)


# ---------------------------------------------------------------- supports


def support_problem(user: User | None, proposal: Proposal) -> str | None:
    """Why this person cannot support the proposal now, in words; None if they can."""
    if proposal.state not in OPEN_STATES:
        return str(_l("This proposal is not collecting supports."))
    if not labs.supports_open(proposal.lab):
        return str(_l("Supports are collected while the lab takes proposals and during the discussion."))
    return labs.eligibility_problem(user, proposal.lab)


def has_supported(user: User | None, proposal: Proposal) -> bool:
    return user is not None and db.session.get(ProposalSupport, (proposal.id, user.id)) is not None


def supported_ids(user: User | None, proposal_ids: list[int]) -> set[int]:
    """Which of these proposals the user supports: one query for a whole list page."""
    if user is None or not proposal_ids:
        return set()
    return set(db.session.scalars(select(ProposalSupport.proposal_id).where(
        ProposalSupport.user_id == user.id, ProposalSupport.proposal_id.in_(proposal_ids))))


def support(actor: User, proposal: Proposal) -> bool:
    """Support a proposal. Returns False when the person already supports it (nothing changes).

    The primary key (proposal, person) makes a second support impossible, also for
    concurrent clicks; the counter moves in the same statement-level update. When the
    count reaches the lab's threshold the proposal awaits an official answer, due in the
    lab's response days, and the authority's officials are notified.
    """
    ensure(actor, Permission.PROPOSAL_PARTICIPATE, proposal)
    problem = support_problem(actor, proposal)
    if problem:
        raise Conflict(problem)
    try:
        # A Core INSERT, not session.add(): a support row already in this session's identity
        # map (has_supported) must end in the IntegrityError below, not in an ORM identity clash.
        with db.session.begin_nested():
            db.session.execute(insert(ProposalSupport).values(proposal_id=proposal.id, user_id=actor.id, created_at=utcnow()))
    except IntegrityError:
        return False
    count = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id)
        .values(supports_count=Proposal.supports_count + 1, version=Proposal.version + 1)
        .returning(Proposal.supports_count)
    ).scalar_one()
    if count >= proposal.lab.support_threshold:
        _reach_threshold(proposal)
    db.session.expire(proposal)
    return True


def _reach_threshold(proposal: Proposal) -> None:
    now = utcnow()
    moved = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.state == ProposalState.PUBLISHED, Proposal.threshold_reached_at.is_(None))
        .values(state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now,
                due_at=now + timedelta(days=proposal.lab.response_days), version=Proposal.version + 1)
    ).rowcount  # type: ignore[attr-defined]
    if moved:
        notifications.notify(officials_of(proposal.authority), "proposal.threshold_reached", "proposal", proposal.id,
                             title=proposal.title, due=(now + timedelta(days=proposal.lab.response_days)).isoformat())
        notifications.notify([proposal.author_id], "proposal.threshold_reached_author", "proposal", proposal.id, title=proposal.title)
        _tell_interested(proposal, "proposal.supported", exclude=[proposal.author_id, *officials_of(proposal.authority)])


def unsupport(actor: User, proposal: Proposal) -> bool:
    """Take one's support back while supports are open. An answer already owed stays owed."""
    ensure(actor, Permission.PROPOSAL_PARTICIPATE, proposal)
    if proposal.state not in OPEN_STATES or not labs.supports_open(proposal.lab):
        raise Conflict(_l("Supports can no longer be changed for this proposal."))
    gone = db.session.execute(
        delete(ProposalSupport).where(ProposalSupport.proposal_id == proposal.id, ProposalSupport.user_id == actor.id)
    ).rowcount  # type: ignore[attr-defined]
    if gone:
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                           .values(supports_count=Proposal.supports_count - 1, version=Proposal.version + 1))
        db.session.expire(proposal)
    return bool(gone)


# ---------------------------------------------------------------- votes


def vote_problem(user: User | None, proposal: Proposal) -> str | None:
    if proposal.state in (ProposalState.DRAFT, ProposalState.WITHDRAWN) or proposal.is_hidden:
        return str(_l("This proposal is not in the vote."))
    if not labs.voting_open(proposal.lab):
        return str(_l("Voting is not open now."))
    return labs.eligibility_problem(user, proposal.lab)


def my_votes(user: User | None, lab: Lab) -> set[int]:
    """The proposals this person voted for in the lab (only ever shown to themselves)."""
    if user is None:
        return set()
    return set(db.session.scalars(select(ProposalVote.proposal_id).where(ProposalVote.lab_id == lab.id, ProposalVote.user_id == user.id)))


def votes_left(user: User | None, lab: Lab) -> int:
    if user is None:
        return lab.votes_per_participant
    used = db.session.scalar(select(LabBallot.votes_used).where(LabBallot.lab_id == lab.id, LabBallot.user_id == user.id)) or 0
    return max(0, lab.votes_per_participant - used)


def vote(actor: User, proposal: Proposal) -> bool:
    """Give one of one's K votes to a proposal. Returns False if already voted for it.

    The cap is enforced on the ballot row: ``votes_used + 1`` only where ``votes_used < K``,
    one statement under the row's write lock, so concurrent votes by one person can never
    exceed K. Vote and count change together in one savepoint, or not at all.
    """
    ensure(actor, Permission.PROPOSAL_PARTICIPATE, proposal)
    problem = vote_problem(actor, proposal)
    if problem:
        raise Conflict(problem)
    lab = proposal.lab
    # Core INSERTs (as for supports): rows already in the identity map must not clash.
    try:
        with db.session.begin_nested():
            db.session.execute(insert(LabBallot).values(lab_id=lab.id, user_id=actor.id, votes_used=0))
    except IntegrityError:
        pass  # the ballot exists already
    try:
        with db.session.begin_nested():
            db.session.execute(insert(ProposalVote).values(proposal_id=proposal.id, user_id=actor.id, lab_id=lab.id, created_at=utcnow()))
            taken = db.session.execute(
                update(LabBallot).where(LabBallot.lab_id == lab.id, LabBallot.user_id == actor.id,
                                        LabBallot.votes_used < lab.votes_per_participant)
                .values(votes_used=LabBallot.votes_used + 1)
            ).rowcount  # type: ignore[attr-defined]
            if not taken:
                raise _CapReached
    except IntegrityError:
        return False
    except _CapReached:
        raise Conflict(_l("You have used all your %(k)d votes. Take one back to vote for this proposal.", k=lab.votes_per_participant)) from None
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(votes_count=Proposal.votes_count + 1))
    db.session.expire(proposal, ["votes_count"])
    return True


class _CapReached(Exception):
    pass


def unvote(actor: User, proposal: Proposal) -> bool:
    """Take a vote back while voting is open; the vote can be given to another proposal."""
    ensure(actor, Permission.PROPOSAL_PARTICIPATE, proposal)
    if not labs.voting_open(proposal.lab):
        raise Conflict(_l("Voting is not open now."))
    gone = db.session.execute(
        delete(ProposalVote).where(ProposalVote.proposal_id == proposal.id, ProposalVote.user_id == actor.id)
    ).rowcount  # type: ignore[attr-defined]
    if gone:
        db.session.execute(update(LabBallot).where(LabBallot.lab_id == proposal.lab_id, LabBallot.user_id == actor.id)
                           .values(votes_used=LabBallot.votes_used - 1))
        db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(votes_count=Proposal.votes_count - 1))
        db.session.expire(proposal, ["votes_count"])
    return bool(gone)


# ---------------------------------------------------------------- comments


# A comment shows its author's name and its organisation's name: not their places or logos.
_COMMENT_LOADS = (joinedload(ProposalComment.author).lazyload("*"), joinedload(ProposalComment.organization).lazyload("*"))


def list_comments(proposal: Proposal, page: int = 1) -> tuple[Page[ProposalComment], dict[int, list[ProposalComment]]]:
    """A page of top-level comments (oldest first) and the replies to them: one query (the page
    of top-level ids is a subquery, with one extra row to know whether another page follows)."""
    order = (ProposalComment.created_at, ProposalComment.id)
    top_ids = (
        select(ProposalComment.id).where(ProposalComment.proposal_id == proposal.id, ProposalComment.parent_id.is_(None))
        .order_by(*order).offset((page - 1) * COMMENTS_PER_PAGE).limit(COMMENTS_PER_PAGE + 1)
    )
    rows = list(db.session.scalars(
        select(ProposalComment).where(  # the proposal first, so the comments' proposal index bounds the scan
            ProposalComment.proposal_id == proposal.id, or_(ProposalComment.id.in_(top_ids), ProposalComment.parent_id.in_(top_ids)),
        ).order_by(*order).options(*_COMMENT_LOADS)
    ))
    tops = [c for c in rows if c.parent_id is None]
    shown = {c.id for c in tops[:COMMENTS_PER_PAGE]}
    replies: dict[int, list[ProposalComment]] = {}
    for reply in rows:
        if reply.parent_id in shown:
            replies.setdefault(reply.parent_id or 0, []).append(reply)
    top = Page(items=tops[:COMMENTS_PER_PAGE], page=page, per_page=COMMENTS_PER_PAGE, has_next=len(tops) > COMMENTS_PER_PAGE)
    return top, replies


def comment_page(comment: ProposalComment) -> int:
    """The page of ``list_comments`` that shows this comment (a reply is shown with its thread)."""
    top = db.session.get(ProposalComment, comment.parent_id) if comment.parent_id else comment
    if top is None:
        return 1
    before = db.session.scalar(select(func.count()).select_from(ProposalComment).where(
        ProposalComment.proposal_id == top.proposal_id, ProposalComment.parent_id.is_(None),
        (ProposalComment.created_at < top.created_at) | ((ProposalComment.created_at == top.created_at) & (ProposalComment.id < top.id)),
    )) or 0
    return before // COMMENTS_PER_PAGE + 1


def get_comment(proposal: Proposal, comment_id: int) -> ProposalComment:
    comment = db.session.get(ProposalComment, comment_id)
    if comment is None or comment.proposal_id != proposal.id:
        raise NotFound(_l("We could not find this comment."))
    return comment


def add_comment(actor: User, proposal: Proposal, body: str, parent_id: int | None = None,
                organization_id: int | None = None) -> ProposalComment:
    """Comment, or reply to a comment (one level: a reply to a reply joins the same thread)."""
    ensure(actor, Permission.PROPOSAL_COMMENT, proposal)
    text = (body or "").strip()
    if not 2 <= len(text) <= 5000:
        raise ValidationFailed({"body": _l("Write between 2 and 5,000 characters.")})
    parent = replied = None
    if parent_id:
        parent = replied = get_comment(proposal, parent_id)
        if parent.parent_id:
            parent = get_comment(proposal, parent.parent_id)
    org = None
    official = False
    if organization_id:
        org = db.session.get(Organization, organization_id)
        if org is None or not can(actor, Permission.ORGANIZATION_ACT_FOR, org):
            raise ValidationFailed({"organization_id": _l("You can only write on behalf of an organisation you belong to.")})
        official = org.kind == OrgKind.LOCAL_AUTHORITY and org.is_verified
    comment = ProposalComment(proposal_id=proposal.id, parent_id=parent.id if parent else None, author_id=actor.id,
                              organization_id=org.id if org else None, body=text, body_html=rich_text(text), is_official=official)
    db.session.add(comment)
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(comments_count=Proposal.comments_count + 1))
    db.session.expire(proposal, ["comments_count"])
    db.session.flush()
    # The author, the thread's first commenter and the person actually answered hear of it.
    recipients = {proposal.author_id, parent.author_id if parent else None, replied.author_id if replied else None} - {actor.id}
    notifications.notify(recipients, "proposal.comment", "proposal", proposal.id, dedupe_key=f"comment-{comment.id}", title=proposal.title)
    notifications.notify_followers(FollowTarget.PROPOSAL, proposal.id, "proposal.comment", "proposal", proposal.id,
                                   dedupe_key=f"comment-{comment.id}", exclude=[actor.id, *recipients], title=proposal.title)
    return comment


def delete_comment(actor: User, comment: ProposalComment) -> None:
    """Delete one's own comment softly: "deleted by the author" stays so replies keep their place."""
    ensure(actor, Permission.PROPOSAL_COMMENT_DELETE, comment)
    comment.deleted_at = utcnow()


# ---------------------------------------------------------------- moderation


def set_proposal_hidden(actor: User, proposal: Proposal, hidden: bool, reason: str = "") -> Proposal:
    ensure(actor, Permission.PROPOSAL_MODERATE, proposal)
    if proposal.is_hidden != hidden:
        notifications.tell_author(actor, proposal.author_id, hidden, "proposal", proposal.id, key=f"proposal-{proposal.id}",
                                  title=proposal.title, reason=audit.public_reason(reason) if hidden else "")
    proposal.is_hidden = hidden
    proposal.hidden_reason = audit.public_reason(reason) if hidden else ""
    search_index.refresh(proposal)
    audit.record(actor, "proposal.hide" if hidden else "proposal.restore", "proposal", proposal.id, proposal.title, reason=proposal.hidden_reason)
    return proposal


def set_comment_hidden(actor: User, comment: ProposalComment, hidden: bool, reason: str = "") -> ProposalComment:
    ensure(actor, Permission.PROPOSAL_MODERATE, comment)
    if comment.is_hidden != hidden:
        notifications.tell_author(actor, comment.author_id, hidden, "proposal", comment.proposal_id, key=f"comment-{comment.id}",
                                  title=comment.proposal.title, reason=audit.public_reason(reason) if hidden else "")
    comment.is_hidden = hidden
    comment.hidden_reason = audit.public_reason(reason) if hidden else ""
    audit.record(actor, "comment.hide" if hidden else "comment.restore", "comment", comment.id, comment.proposal.title,
                 reason=comment.hidden_reason)
    return comment


def with_sponsors(items: list[Proposal]) -> dict[int, list[Organization]]:
    """Accepted co-sponsors of a list of proposals, in one query."""
    if not items:
        return {}
    found: dict[int, list[Organization]] = {}
    for sponsor in db.session.scalars(
        select(ProposalSponsor)  # the organisation is joined in (lazy="joined")
        .where(ProposalSponsor.proposal_id.in_([p.id for p in items]), ProposalSponsor.status == SponsorStatus.ACCEPTED)
    ):
        found.setdefault(sponsor.proposal_id, []).append(sponsor.organization)
    return found
