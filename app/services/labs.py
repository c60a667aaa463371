"""Community labs: convening, phases, eligibility, results, the convener's export, and the
public responsiveness figures of each authority (transparency)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, and_, case, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import Page, audit, notifications, paginate, search_index, territories, unique_slug
from app.services.exports import to_csv
from models import (
    Eligibility,
    Follow,
    FollowTarget,
    Lab,
    LabPhase,
    Organization,
    Proposal,
    ProposalResponse,
    ProposalState,
    ProposalVote,
    Territory,
    User,
    UserStatus,
)
from models.base import utcnow

ACTIONS = ("action_01", "action_02", "action_03", "action_04")
ROME = ZoneInfo("Europe/Rome")
LABS_PER_PAGE = 20
RESERVED_SLUGS = frozenset({"new"})  # /labs/new is the convening form, never a lab
PUBLIC_STATES = tuple(s for s in ProposalState if s not in (ProposalState.DRAFT,))


@dataclass(frozen=True)
class LabDraft:
    title: str
    description: str
    territory: str  # ISTAT code or a place name
    actions: list[str] = field(default_factory=list)
    proposals_on: date | None = None
    deliberation_on: date | None = None
    voting_on: date | None = None
    results_on: date | None = None
    follow_up_on: date | None = None
    support_threshold: int | None = 50
    votes_per_participant: int | None = 3
    eligibility: str = Eligibility.RESIDENTS.value
    response_days: int | None = 30
    allow_organization_proposals: bool = True
    standing: bool = False


def start_of_day(day: date) -> datetime:
    """Midnight in Rome on ``day``, as UTC: phases change at local midnight, across DST too."""
    return datetime.combine(day, time(0, 0), tzinfo=ROME).astimezone(UTC)


def local_day(moment: datetime | None) -> date | None:
    """The calendar day in Rome of a stored UTC moment (for forms)."""
    return moment.astimezone(ROME).date() if moment else None


def _number(value: int | None, low: int, high: int, key: str, errors: dict) -> int:
    if value is None or not low <= value <= high:
        errors[key] = _l("Write a whole number from %(low)d to %(high)d.", low=low, high=high)
        return low
    return value


def _clean(draft: LabDraft) -> tuple[dict, dict]:  # noqa: C901 — one flat list of field checks
    errors: dict = {}
    values: dict = {}
    title = " ".join((draft.title or "").split())
    if not 5 <= len(title) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    values["title"] = title
    description = (draft.description or "").strip()
    if not 20 <= len(description) <= 20_000:
        errors["description"] = _l("Describe the lab in 20 to 20,000 characters: what it is for, who takes part, what happens next.")
    values["description"] = description
    try:
        values["territory"] = territories.from_text(draft.territory or "", "territory")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    actions = sorted(set(draft.actions or []))
    if any(a not in ACTIONS for a in actions):
        errors["actions"] = _l("Choose one option from the list.")
    values["actions"] = actions
    try:
        values["eligibility"] = Eligibility(draft.eligibility)
    except ValueError:
        errors["eligibility"] = _l("Choose one option from the list.")
    values["support_threshold"] = _number(draft.support_threshold, 1, 100_000, "support_threshold", errors)
    values["votes_per_participant"] = _number(draft.votes_per_participant, 1, 50, "votes_per_participant", errors)
    values["response_days"] = _number(draft.response_days, 1, 365, "response_days", errors)
    values["allow_organization_proposals"] = bool(draft.allow_organization_proposals)
    if draft.proposals_on is None:
        errors["proposals_on"] = _l("Choose the day proposals open.")
    dates = [
        ("proposals_on", draft.proposals_on), ("deliberation_on", draft.deliberation_on), ("voting_on", draft.voting_on),
        ("results_on", draft.results_on), ("follow_up_on", draft.follow_up_on),
    ]
    if draft.standing and any(d for _, d in dates[1:]):
        errors["deliberation_on"] = _l("An open lab takes proposals at any time: leave the other phase dates empty.")
    if (draft.voting_on is None) != (draft.results_on is None):
        errors["results_on"] = _l("A voting phase needs both its first day and the day results are published.")
    previous: tuple[str, date] | None = None
    for key, day in dates:
        if day is None:
            continue
        if previous is not None and day <= previous[1]:
            errors.setdefault(key, _l("This date must come after the previous phase."))
        previous = (key, day)
    for key, day in dates:
        values[key.replace("_on", "_at")] = start_of_day(day) if day else None
    values["standing"] = bool(draft.standing)
    return values, errors


def _apply(lab: Lab, values: dict) -> None:
    lab.title = values["title"]
    lab.description = values["description"]
    lab.description_html = rich_text(values["description"])
    lab.territory = values["territory"]
    lab.territory_id = values["territory"].id
    lab.actions = values["actions"]
    lab.eligibility = values["eligibility"]
    lab.support_threshold = values["support_threshold"]
    lab.votes_per_participant = values["votes_per_participant"]
    lab.response_days = values["response_days"]
    lab.allow_organization_proposals = values["allow_organization_proposals"]
    for key in ("proposals_at", "deliberation_at", "voting_at", "results_at", "follow_up_at"):
        setattr(lab, key, values[key])
    lab.standing_territory_id = values["territory"].id if values["standing"] else None
    lab.updated_at = utcnow()


_STANDING_TAKEN = _l("This territory already has an open lab. Open it and add proposals there.")


def _save(lab: Lab, values: dict, new: bool = False) -> None:
    """Apply the values and write them inside a savepoint. ``begin_nested`` flushes what is
    pending before the SAVEPOINT, so the lab is changed (or added) only inside it: a second
    standing lab (unique per territory, also for concurrent saves) or a concurrent edit then
    undoes just this change and leaves the unit of work usable for the page that shows the error."""
    if values["standing"]:
        taken = standing_lab(values["territory"])
        if taken is not None and taken is not lab:
            raise ValidationFailed({"standing": _STANDING_TAKEN})
    try:
        with db.session.begin_nested():
            _apply(lab, values)
            if new:
                db.session.add(lab)
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed({"standing": _STANDING_TAKEN}) from None
    except StaleDataError:
        raise Conflict(_l("Someone else changed this lab while you were editing it. Check the values below and save again.")) from None


def create_lab(actor: User, convener: Organization, draft: LabDraft) -> Lab:
    """Convene a lab on behalf of ``convener``."""
    ensure(actor, Permission.LAB_CREATE, convener)
    values, errors = _clean(draft)
    if errors:
        raise ValidationFailed(errors)
    lab = Lab(slug=unique_slug(Lab.slug, values["title"], "laboratorio", RESERVED_SLUGS), convener_id=convener.id, convener=convener, created_by_id=actor.id, proposals_count=0)
    _save(lab, values, new=True)
    search_index.refresh(lab)
    audit.record(actor, "lab.create", "lab", lab.id, lab.title, convener=convener.slug)
    if not convener.is_hidden:
        notifications.notify_followers(FollowTarget.ORGANIZATION, convener.id, "organization.lab", "lab", lab.id,
                                       exclude=[actor.id], title=lab.title, organization=convener.name)
    return lab


def update_lab(actor: User, lab: Lab, draft: LabDraft, seen_version: int) -> Lab:
    """Change a lab's text, dates and settings (the slug stays, so links keep working)."""
    ensure(actor, Permission.LAB_MANAGE, lab)
    values, errors = _clean(draft)
    if errors:
        raise ValidationFailed(errors)
    if seen_version != lab.version:
        raise Conflict(_l("Someone else changed this lab while you were editing it. Check the values below and save again."))
    _save(lab, values)
    search_index.refresh(lab)
    audit.record(actor, "lab.update", "lab", lab.id, lab.title)
    return lab


def get_lab(slug: str) -> Lab:
    lab = db.session.scalar(select(Lab).where(Lab.slug == slug)) if slug and len(slug) <= 80 else None
    if lab is None or lab.convener.is_hidden:
        raise NotFound(_l("We could not find this lab."))
    return lab


@dataclass(frozen=True)
class LabView:
    """A lab with the viewer's own state on it: whether they follow it and have drafts in it."""

    lab: Lab
    is_following: bool = False
    has_drafts: bool = False


def open_lab(viewer: User | None, slug: str) -> LabView:
    """The lab page's lab, with the viewer's follow and drafts flags in the same query (the
    drafts themselves are read only when there are some)."""
    if viewer is None:
        return LabView(get_lab(slug))
    following = select(Follow.id).where(
        Follow.user_id == viewer.id, Follow.target_type == FollowTarget.LAB, Follow.target_id == Lab.id).exists()
    drafts = select(Proposal.id).where(
        Proposal.lab_id == Lab.id, Proposal.author_id == viewer.id, Proposal.state == ProposalState.DRAFT).exists()
    row = db.session.execute(select(Lab, following, drafts).where(Lab.slug == slug)).first() if slug and len(slug) <= 80 else None
    if row is None or row[0].convener.is_hidden:
        raise NotFound(_l("We could not find this lab."))
    return LabView(row[0], is_following=bool(row[1]), has_drafts=bool(row[2]))


@dataclass(frozen=True)
class LabFilters:
    territory: str = ""
    phase: str = ""  # "open" (proposals, discussion or voting), "closed", or "" for all
    action: str = ""


def list_labs(filters: LabFilters, page: int = 1, place: Territory | None = None) -> Page[Lab]:
    """Labs, those taking part now first, newest first; in the territory and what is inside it.
    ``place`` is the territory already resolved (it spares looking ``filters.territory`` up)."""
    return paginate(_labs_query(filters, place), page, LABS_PER_PAGE)


def _labs_query(filters: LabFilters, place: Territory | None) -> Select:
    now = utcnow()
    stmt = select(Lab).join(Organization, Organization.id == Lab.convener_id).where(Organization.is_hidden.is_(False))
    if place is None and filters.territory:
        place = territories.from_text(filters.territory, "territory")
    if place is not None:
        # Labs of the place, of what is inside it, and of the territories containing it (their
        # residents live here too).
        stmt = stmt.where(
            or_(
                Lab.territory_id.in_(select(Territory.id).where(Territory.path.like(f"{place.path}%"))),
                Lab.territory_id.in_(place.ancestor_ids or [place.id]),
            )
        )
    if filters.action:
        if filters.action not in ACTIONS:
            raise ValidationFailed({"action": _l("Choose one option from the list.")})
        # The JSON list as text, on SQLite and PostgreSQL alike: '["action_01", "action_03"]'.
        stmt = stmt.where(cast(Lab.actions, String).like(f'%"{filters.action}"%'))
    closes = func.coalesce(Lab.results_at, Lab.follow_up_at)  # participation ends with results or follow-up
    is_open = and_(Lab.proposals_at <= now, or_(closes.is_(None), closes > now))
    if filters.phase == "open":
        stmt = stmt.where(is_open)
    elif filters.phase == "closed":
        stmt = stmt.where(~is_open)
    elif filters.phase:
        raise ValidationFailed({"phase": _l("Choose one option from the list.")})
    return stmt.order_by(case((is_open, 0), else_=1), Lab.proposals_at.desc(), Lab.id.desc())


def labs_of_territory(territory: Territory, limit: int = 6) -> list[Lab]:
    """Labs on this territory or one containing it, open ones first (for territory pages): the first
    ``limit`` of the list, without counting them all."""
    return list(db.session.scalars(_labs_query(LabFilters(), territory).limit(limit)))


def labs_of_convener(org: Organization, limit: int = 10) -> list[Lab]:
    return list(db.session.scalars(select(Lab).where(Lab.convener_id == org.id).order_by(Lab.proposals_at.desc()).limit(limit)))


def standing_lab(territory: Territory) -> Lab | None:
    return db.session.scalar(select(Lab).where(Lab.standing_territory_id == territory.id))


# ---------------------------------------------------------------- eligibility and phases


def lives_in(user: User, lab: Lab) -> bool:
    home = user.home_territory
    return home is not None and home.path.startswith(lab.territory.path)


def eligibility_problem(user: User | None, lab: Lab) -> str | None:
    """Why this person may not support or vote in the lab, in words; None if they may."""
    if user is None:
        return str(_l("Log in to take part."))
    if not user.is_confirmed:
        return str(_l("Confirm your e-mail address to take part. We sent you a link."))
    if lab.eligibility == Eligibility.RESIDENTS and not lives_in(user, lab):
        if user.home_territory is None:
            return str(_l("This lab is for people who live in %(place)s. Add where you live in your profile.", place=lab.territory.name))
        return str(_l("This lab is for people who live in %(place)s.", place=lab.territory.name))
    return None


def phase_window(lab: Lab, phase: LabPhase) -> tuple[datetime | None, datetime | None]:
    """Start and end of a phase (None where it has no date)."""
    order = [
        (LabPhase.PROPOSALS, lab.proposals_at), (LabPhase.DELIBERATION, lab.deliberation_at),
        (LabPhase.VOTING, lab.voting_at), (LabPhase.RESULTS, lab.results_at), (LabPhase.FOLLOW_UP, lab.follow_up_at),
    ]
    for i, (name, start) in enumerate(order):
        if name == phase:
            end = next((s for _, s in order[i + 1:] if s is not None), None)
            return start, end
    return None, None


def timeline(lab: Lab) -> list[dict]:
    """The phases that happen in this lab, with their dates and whether each is past, current or next."""
    current = lab.phase
    rank = [LabPhase.UPCOMING, LabPhase.PROPOSALS, LabPhase.DELIBERATION, LabPhase.VOTING, LabPhase.RESULTS, LabPhase.FOLLOW_UP]
    steps = []
    for phase in rank[1:]:
        start, end = phase_window(lab, phase)
        if start is None:
            continue
        if phase == current:
            status = "current"
        elif rank.index(phase) < rank.index(current):
            status = "past"
        else:
            status = "future"
        steps.append({"phase": phase.value, "start": start, "end": end, "status": status})
    return steps


def supports_open(lab: Lab) -> bool:
    """Supports are collected while proposals come in and during the discussion."""
    return lab.phase in (LabPhase.PROPOSALS, LabPhase.DELIBERATION)


def proposals_open(lab: Lab) -> bool:
    return lab.phase == LabPhase.PROPOSALS


def voting_open(lab: Lab) -> bool:
    return lab.has_voting and lab.phase == LabPhase.VOTING


def results_published(lab: Lab) -> bool:
    return lab.has_voting and lab.phase in (LabPhase.RESULTS, LabPhase.FOLLOW_UP)


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Results:
    ranking: list[Proposal]
    voters: int
    votes: int
    eligible: int

    @property
    def turnout_percent(self) -> float | None:
        return round(100 * self.voters / self.eligible, 1) if self.eligible else None


def eligible_count(lab: Lab) -> int:
    """How many people could vote: confirmed active accounts (living in the territory, if required)."""
    stmt = select(func.count()).select_from(User).where(User.status == UserStatus.ACTIVE, User.email_confirmed_at.is_not(None))
    if lab.eligibility == Eligibility.RESIDENTS:
        stmt = stmt.where(User.home_territory_id.in_(select(Territory.id).where(Territory.path.like(f"{lab.territory.path}%"))))
    return db.session.scalar(stmt) or 0


def results(lab: Lab) -> Results:
    """Ranking by votes, counts and turnout, once voting has closed. Never who voted for what."""
    if not results_published(lab):
        raise NotFound(_l("The results are published when voting closes."))
    ranking = list(
        db.session.scalars(
            select(Proposal).where(Proposal.lab_id == lab.id, Proposal.state.not_in((ProposalState.DRAFT, ProposalState.WITHDRAWN)),
                                   Proposal.is_hidden.is_(False))
            .order_by(Proposal.votes_count.desc(), Proposal.supports_count.desc(), Proposal.id)
        )
    )
    voters, votes = db.session.execute(
        select(func.count(func.distinct(ProposalVote.user_id)), func.count()).where(ProposalVote.lab_id == lab.id)
    ).one()
    return Results(ranking=ranking, voters=voters or 0, votes=votes or 0, eligible=eligible_count(lab))


# ---------------------------------------------------------------- convener's export


def export_csv(actor: User, lab: Lab, base_url: str) -> str:
    """Proposals with states, counts and answers, for the convener. No voter or supporter identities;
    vote counts only once voting has closed."""
    ensure(actor, Permission.LAB_MANAGE, lab)
    show_votes = results_published(lab)
    rows = db.session.execute(
        select(Proposal, ProposalResponse)
        .outerjoin(ProposalResponse, ProposalResponse.proposal_id == Proposal.id)
        .where(Proposal.lab_id == lab.id, Proposal.state != ProposalState.DRAFT)
        .order_by(Proposal.published_at, Proposal.id)
    ).all()
    header = [
        "id", "title", "summary", "state", "action", "author", "on_behalf_of", "addressed_to", "supports",
        "votes", "published_at", "threshold_reached_at", "due_at", "answered_at", "decision", "answer",
        "office", "next_step", "contact", "cost_estimate_eur", "expected_on", "progress_percent", "hidden", "url",
    ]

    def when(moment: datetime | None) -> str:
        return moment.astimezone(ROME).strftime("%Y-%m-%d %H:%M") if moment else ""

    body = []
    for proposal, response in rows:
        body.append([
            proposal.id, proposal.title, proposal.summary, proposal.state.value, proposal.action,
            proposal.author.display_name if proposal.author else "", proposal.organization.name if proposal.organization else "",
            proposal.authority.name, proposal.supports_count, proposal.votes_count if show_votes else "",
            when(proposal.published_at), when(proposal.threshold_reached_at), when(proposal.due_at), when(proposal.answered_at),
            response.decision.value if response else "", response.text if response else "",
            response.office if response else "", response.next_step if response else "", response.contact if response else "",
            f"{response.cost_estimate_cents / 100:.2f}" if response and response.cost_estimate_cents is not None else "",
            response.expected_on.isoformat() if response and response.expected_on else "",
            proposal.progress_percent, proposal.is_hidden, f"{base_url}/proposals/{proposal.id}",
        ])
    return to_csv(header, body)


# ---------------------------------------------------------------- transparency


@dataclass(frozen=True)
class AuthorityFigures:
    authority: Organization
    addressed: int  # published proposals addressed to the authority
    due: int  # of those, how many reached the support threshold (an answer is owed)
    answered: int
    answered_on_time: int
    overdue: int  # owed, unanswered, past the due date
    median_days: float | None

    @property
    def on_time_percent(self) -> float | None:
        """Answered on time, out of the answers that were owed and are already due or given."""
        settled = self.answered + self.overdue
        return round(100 * self.answered_on_time / settled, 1) if settled else None


def transparency(territory: Territory | None = None) -> list[AuthorityFigures]:
    """Responsiveness of every authority that has received proposals: aggregate queries only."""
    now = utcnow()
    owed = Proposal.threshold_reached_at.is_not(None)
    answered = and_(owed, Proposal.answered_at.is_not(None))
    on_time = and_(answered, Proposal.answered_at <= Proposal.due_at)
    overdue = and_(owed, Proposal.answered_at.is_(None), Proposal.due_at < now, Proposal.state != ProposalState.WITHDRAWN)
    stmt = (
        select(
            Proposal.authority_id,
            func.count(),
            func.count(case((owed, 1))),
            func.count(case((answered, 1))),
            func.count(case((on_time, 1))),
            func.count(case((overdue, 1))),
        )
        .join(Organization, Organization.id == Proposal.authority_id)
        .where(Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False), Organization.is_hidden.is_(False))
        .group_by(Proposal.authority_id)
    )
    if territory is not None:
        stmt = stmt.where(Organization.home_territory_id.in_(select(Territory.id).where(Territory.path.like(f"{territory.path}%"))))
    counts = {row[0]: row[1:] for row in db.session.execute(stmt)}
    if not counts:
        return []
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(counts)))}
    # Median days to answer: the answer delays of owed proposals, one narrow query.
    delays: dict[int, list[float]] = {}
    for authority_id, reached, answered_at in db.session.execute(
        select(Proposal.authority_id, Proposal.threshold_reached_at, Proposal.answered_at)
        .where(Proposal.authority_id.in_(counts), answered, Proposal.is_hidden.is_(False))
    ):
        delays.setdefault(authority_id, []).append((answered_at - reached).total_seconds() / 86400)
    figures = [
        AuthorityFigures(
            authority=orgs[a], addressed=c[0], due=c[1], answered=c[2], answered_on_time=c[3], overdue=c[4],
            median_days=round(statistics.median(delays[a]), 1) if delays.get(a) else None,
        )
        for a, c in counts.items()
    ]
    return sorted(figures, key=lambda f: (-f.overdue, f.authority.name_key))


def transparency_csv(figures: list[AuthorityFigures]) -> str:
    header = ["authority", "comune_or_territory", "proposals_received", "answers_owed", "answered", "answered_on_time",
              "answered_on_time_percent", "median_days_to_answer", "overdue_now"]
    rows = [
        [f.authority.name, f.authority.home_territory.name, f.addressed, f.due, f.answered, f.answered_on_time,
         "" if f.on_time_percent is None else f.on_time_percent, "" if f.median_days is None else f.median_days, f.overdue]
        for f in figures
    ]
    return to_csv(header, rows)


def due_in_days(proposal: Proposal) -> int | None:
    """Whole days left to answer (negative when overdue); None when no answer is owed or it is given."""
    if proposal.due_at is None or proposal.answered_at is not None or proposal.state == ProposalState.WITHDRAWN:
        return None
    now = utcnow()
    calendar_days = (proposal.due_at.astimezone(ROME).date() - now.astimezone(ROME).date()).days
    # Counted in calendar days in Rome: due tomorrow is 1, today 0; once past, at least 1 day overdue.
    return min(-1, calendar_days) if proposal.due_at < now else calendar_days
