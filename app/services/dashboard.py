"""Dashboards: participation and responsiveness figures per territory, action and period, and
the FAMI reporting export.

Every figure comes from an aggregate query (COUNT/SUM with conditions, grouped by kind or by
area): a fixed number of queries whatever the amount of data, and nothing kept in process
memory. A territory's figures count what is in it and in everything inside it (the
materialised ``Territory.path`` prefix). The public summary counts public items only.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from app.db import db
from app.exceptions import PermissionDenied, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure, is_admin
from app.security.policy_initiatives import official_territories
from app.services import territories
from app.services.labs import ROME, start_of_day
from models import (
    PUBLIC_STATUSES,
    Event,
    EventSession,
    Forum,
    Initiative,
    InitiativeAction,
    InitiativePartner,
    Lab,
    Membership,
    MembershipStatus,
    Organization,
    OrganizationArea,
    OrgKind,
    OutputReport,
    ParticipantCount,
    PartnerStatus,
    Post,
    Proposal,
    ProposalState,
    ProposalSupport,
    Registration,
    SessionStatus,
    TargetGroup,
    Territory,
    TerritoryLevel,
    Thread,
    User,
)
from models.base import utcnow

ACTIONS = ("action_01", "action_02", "action_03", "action_04")
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PERIOD_DAYS = 366 * 10


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class DashboardFilters:
    """What a person asked for: a place (ISTAT code or name), an action, a period (Rome days)."""

    territory: str = ""
    action: str = ""
    period_from: date | None = None
    period_to: date | None = None


@dataclass(frozen=True)
class Scope:
    """What the figures count: a territory and everything inside it (None: all of Italy), one
    action or all, the days from ``period_from`` to ``period_to`` included; ``public`` counts
    only what anyone may see."""

    territory: Territory | None
    action: str
    period_from: date
    period_to: date
    public: bool = False

    @property
    def start(self) -> datetime:
        return start_of_day(self.period_from)

    @property
    def end(self) -> datetime:
        """The first moment after the period (midnight in Rome after ``period_to``)."""
        return start_of_day(self.period_to + timedelta(days=1))


def default_period(today: date | None = None) -> tuple[date, date]:
    """The current calendar year in Rome."""
    year = (today or utcnow().astimezone(ROME).date()).year
    return date(year, 1, 1), date(year, 12, 31)


def checked_period(period_from: date | None, period_to: date | None) -> tuple[date, date]:
    """The period asked for (the current year by default), or ValidationFailed on its field."""
    default_from, default_to = default_period()
    start, end = period_from or default_from, period_to or default_to
    errors: dict[str, Any] = {}
    for key, day in (("period_from", start), ("period_to", end)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[key] = _l("Choose a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    if not errors and end < start:
        errors["period_to"] = _l("The end of the period must come after its start.")
    elif not errors and (end - start).days > MAX_PERIOD_DAYS:
        errors["period_to"] = _l("Choose a period of at most ten years.")
    if errors:
        raise ValidationFailed(errors)
    return start, end


def _action(action: str) -> str:
    if action and action not in ACTIONS:
        raise ValidationFailed({"action": _l("Choose one option from the list.")})
    return action


def may_view(actor: User | None) -> bool:
    """Whether the person may open the dashboard at all (administrators and officials)."""
    return is_admin(actor) or bool(official_territories(actor))


def own_territories(actor: User | None) -> list[Territory]:
    """The territories of the public bodies the person is an official of, broadest first, once each."""
    found = {t.id: t for t in official_territories(actor)}
    return sorted(found.values(), key=lambda t: (len(t.ancestor_ids), t.name))


def default_territory(actor: User | None) -> Territory | None:
    """Administrators start from all of Italy, officials from their public body's territory."""
    if is_admin(actor):
        return None
    own = own_territories(actor)
    if not own:
        raise PermissionDenied()
    return own[0]


def scope_for(actor: User | None, filters: DashboardFilters) -> Scope:
    """The scope of an official's or administrator's dashboard. ValidationFailed for a bad date,
    action or place; PermissionDenied for a territory the person may not see (officials see their
    territory and what is inside it; all of Italy is for administrators)."""
    ensure(actor, Permission.DASHBOARD_VIEW, None)
    start, end = checked_period(filters.period_from, filters.period_to)
    action = _action(filters.action)
    text_ = filters.territory.strip()
    place = territories.from_text(text_, "territory") if text_ else default_territory(actor)
    if place is None:
        if not is_admin(actor):
            raise PermissionDenied()
    else:
        ensure(actor, Permission.DASHBOARD_VIEW, place)
    return Scope(territory=place, action=action, period_from=start, period_to=end)


def public_scope(filters: DashboardFilters) -> Scope:
    """The scope of the public summary: one region (by ISTAT code) or all of Italy."""
    start, end = checked_period(filters.period_from, filters.period_to)
    action = _action(filters.action)
    place = None
    if filters.territory:
        place = db.session.scalar(select(Territory).where(
            Territory.istat_code == filters.territory[:16], Territory.level == TerritoryLevel.REGION))
        if place is None:
            raise ValidationFailed({"territory": _l("Choose one option from the list.")})
    return Scope(territory=place, action=action, period_from=start, period_to=end, public=True)


def regions() -> list[Territory]:
    return territories.list_regions()


# ---------------------------------------------------------------- grouping by area


class region_of(FunctionElement[int]):  # noqa: N801 — reads as the SQL function it renders
    """The id of the region a territory path starts with ('/12/345/' → 12)."""

    type = Integer()
    inherit_cache = True


@compiles(region_of)
def _region_of_sqlite(element: region_of, compiler: Any, **kw: Any) -> str:
    path = compiler.process(element.clauses, **kw)
    return f"CAST(substr({path}, 2, instr(substr({path}, 2), '/') - 1) AS INTEGER)"


@compiles(region_of, "postgresql")
def _region_of_postgresql(element: region_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(split_part({compiler.process(element.clauses, **kw)}, '/', 2) AS INTEGER)"


def inside(place: Territory) -> Any:
    """Territories that are ``place`` or inside it. SQLite compares text byte by byte, so there a
    range on the path ('/1/7/' up to '/1/70', '0' following '/') seeks the path index; elsewhere
    a prefix LIKE, which is right whatever the collation of the database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return and_(Territory.path >= place.path, Territory.path < place.path[:-1] + "0")
    return Territory.path.like(f"{place.path}%")


AREA = "area_key"  # the grouping column's label: no table has a column of that name


@dataclass(frozen=True)
class Areas:
    """Which areas rows are counted in: one (a territory, or all of Italy when ``places`` is empty),
    every region (``by_region``), or several areas that do not contain each other."""

    places: tuple[Territory, ...] = ()
    by_region: bool = False

    @property
    def grouped(self) -> bool:
        return self.by_region or len(self.places) > 1

    def key_of(self, row: Any) -> int:
        return int(getattr(row, AREA) or 0) if self.grouped else 0

    def apply(self, stmt: Select[Any], territory_id: Any) -> Select[Any]:
        """Keep the counted rows whose territory is in the areas, grouped by area when there are several.

        The territories come from an indexed subquery on their path, so that the database starts
        from the few territories of a comune or a province and reaches the rows through their
        foreign-key indexes, instead of reading every row to check its territory."""
        if self.places:
            stmt = stmt.where(territory_id.in_(select(Territory.id).where(or_(*(inside(t) for t in self.places)))))
        if self.by_region:
            stmt = stmt.join(Territory, Territory.id == territory_id)
            return stmt.add_columns(region_of(Territory.path).label(AREA)).group_by(text(AREA))
        if len(self.places) > 1:
            stmt = stmt.join(Territory, Territory.id == territory_id)
            key = case(*((inside(t), literal_column(str(int(t.id)))) for t in self.places))
            return stmt.add_columns(key.label(AREA)).group_by(text(AREA))
        return stmt


# ---------------------------------------------------------------- figures


@dataclass
class Figures:
    """Every figure of one area. Organisations: kind → (total, verified, active memberships);
    initiatives: (kind, status) → count; participants: target group → people."""

    organizations: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    threads: int = 0
    posts: int = 0
    writers: int = 0
    labs: int = 0
    received: int = 0
    supports: int = 0
    reached: int = 0
    answered: int = 0
    overdue: int = 0
    median_days: float | None = None
    events: int = 0
    sessions: int = 0
    registrations: int = 0
    attended: int = 0
    initiatives: dict[tuple[str, str], int] = field(default_factory=dict)
    partners: int = 0
    schools: int = 0
    sessions_held: int = 0
    hours: int = 0
    reports: int = 0
    participants: dict[str, int] = field(default_factory=dict)

    @property
    def participants_total(self) -> int:
        return sum(self.participants.values())

    @property
    def initiatives_total(self) -> int:
        return sum(self.initiatives.values())


Collected = dict[int, Figures]
Query = Callable[[Scope, Areas, Collected], None]


def _rows(stmt: Select[Any]) -> Iterable[Any]:
    return db.session.execute(stmt)


def _organizations(scope: Scope, areas: Areas, out: Collected) -> None:
    """Organisations based in the area that existed at the end of the period, by kind; verified
    ones; active memberships."""
    stmt = (
        select(
            Organization.kind.label("kind"),
            func.count(distinct(Organization.id)).label("total"),
            func.count(distinct(case((Organization.is_verified.is_(True), Organization.id)))).label("verified"),
            func.count(Membership.id).label("members"),
        )
        .select_from(Organization)
        .outerjoin(Membership, and_(Membership.organization_id == Organization.id, Membership.status == MembershipStatus.ACTIVE,
                                    Membership.created_at < scope.end))
        .where(Organization.created_at < scope.end)
        .group_by(Organization.kind)
    )
    if scope.action:
        stmt = stmt.where(exists().where(OrganizationArea.organization_id == Organization.id, OrganizationArea.area == scope.action))
    if scope.public:
        stmt = stmt.where(Organization.is_hidden.is_(False))
    for row in _rows(areas.apply(stmt, Organization.home_territory_id)):
        out[areas.key_of(row)].organizations[OrgKind(row.kind).value] = (row.total, row.verified, row.members)


def _thread_action(scope: Scope) -> Any:
    return or_(Thread.action == scope.action, Forum.action == scope.action)


def _threads(scope: Scope, areas: Areas, out: Collected) -> None:
    """Discussions started in the period in the forums of the area."""
    stmt = (
        select(func.count(Thread.id).label("n")).select_from(Thread).join(Forum, Forum.id == Thread.forum_id)
        .where(Thread.created_at >= scope.start, Thread.created_at < scope.end)
    )
    if scope.action:
        stmt = stmt.where(_thread_action(scope))
    if scope.public:
        stmt = stmt.where(Thread.is_hidden.is_(False))
    for row in _rows(areas.apply(stmt, Forum.territory_id)):
        out[areas.key_of(row)].threads = row.n


def _posts(scope: Scope, areas: Areas, out: Collected) -> None:
    """Messages written in the period (opening messages included) and how many people wrote them."""
    stmt = (
        select(func.count(Post.id).label("n"), func.count(distinct(Post.author_id)).label("writers"))
        .select_from(Post).join(Thread, Thread.id == Post.thread_id).join(Forum, Forum.id == Thread.forum_id)
        .where(Post.created_at >= scope.start, Post.created_at < scope.end)
    )
    if scope.action:
        stmt = stmt.where(_thread_action(scope))
    if scope.public:
        stmt = stmt.where(Thread.is_hidden.is_(False), Post.is_hidden.is_(False), Post.deleted_at.is_(None))
    for row in _rows(areas.apply(stmt, Forum.territory_id)):
        figures = out[areas.key_of(row)]
        figures.posts, figures.writers = row.n, row.writers


def _lab_has(action: str) -> Any:
    # The JSON list as text, on SQLite and PostgreSQL alike: '["action_01", "action_03"]'.
    return cast(Lab.actions, String).like(f'%"{action}"%')


def _labs(scope: Scope, areas: Areas, out: Collected) -> None:
    """Labs of the area taking part in the period: started by its end, not closed before its start."""
    closes = func.coalesce(Lab.results_at, Lab.follow_up_at)
    stmt = select(func.count(Lab.id).label("n")).select_from(Lab).where(
        Lab.proposals_at < scope.end, or_(closes.is_(None), closes > scope.start))
    if scope.action:
        stmt = stmt.where(_lab_has(scope.action))
    if scope.public:
        stmt = stmt.join(Organization, Organization.id == Lab.convener_id).where(Organization.is_hidden.is_(False))
    for row in _rows(areas.apply(stmt, Lab.territory_id)):
        out[areas.key_of(row)].labs = row.n


def _proposals_of(stmt: Select[Any], scope: Scope) -> Select[Any]:
    """Published (never draft) proposals of the labs of the scope; a proposal with no action of
    its own counts under its lab's actions."""
    stmt = stmt.join(Lab, Lab.id == Proposal.lab_id).where(Proposal.state != ProposalState.DRAFT, Proposal.published_at.is_not(None))
    if scope.action:
        stmt = stmt.where(or_(Proposal.action == scope.action, and_(Proposal.action == "", _lab_has(scope.action))))
    if scope.public:
        stmt = stmt.join(Organization, Organization.id == Lab.convener_id).where(
            Proposal.is_hidden.is_(False), Organization.is_hidden.is_(False))
    return stmt


def _proposals(scope: Scope, areas: Areas, out: Collected) -> None:
    """Received, reached the supports, answered (a decision) in the period; overdue at the end of
    the period (or now, if it has not ended): the answer was owed, its day had passed, no decision
    and no withdrawal by then. The same rules as ``labs.transparency`` and ``labs.due_in_days``."""
    start, end = scope.start, scope.end
    moment = min(end, utcnow())
    overdue = and_(
        Proposal.threshold_reached_at.is_not(None), Proposal.due_at < moment,
        or_(Proposal.answered_at.is_(None), Proposal.answered_at > moment),
        or_(Proposal.withdrawn_at.is_(None), Proposal.withdrawn_at > moment),
    )
    stmt = _proposals_of(
        select(
            func.count(case((Proposal.published_at >= start, 1))).label("received"),
            func.count(case((and_(Proposal.threshold_reached_at >= start, Proposal.threshold_reached_at < end), 1))).label("reached"),
            func.count(case((and_(Proposal.answered_at >= start, Proposal.answered_at < end), 1))).label("answered"),
            func.count(case((overdue, 1))).label("overdue"),
        ).select_from(Proposal).where(Proposal.published_at < end),
        scope,
    )
    for row in _rows(areas.apply(stmt, Lab.territory_id)):
        figures = out[areas.key_of(row)]
        figures.received, figures.reached, figures.answered, figures.overdue = row.received, row.reached, row.answered, row.overdue


def _supports(scope: Scope, areas: Areas, out: Collected) -> None:
    """Supports given in the period to the proposals of the area."""
    stmt = _proposals_of(
        select(func.count().label("n")).select_from(ProposalSupport).join(Proposal, Proposal.id == ProposalSupport.proposal_id)
        .where(ProposalSupport.created_at >= scope.start, ProposalSupport.created_at < scope.end),
        scope,
    )
    for row in _rows(areas.apply(stmt, Lab.territory_id)):
        out[areas.key_of(row)].supports = row.n


def _median(scope: Scope, areas: Areas, out: Collected) -> None:
    """Median days from reaching the supports to the decision, for the decisions of the period:
    one narrow query of two timestamps per answered proposal (SQLite has no percentile)."""
    if areas.grouped:
        raise ValueError("the median is computed for one area at a time")
    stmt = _proposals_of(
        select(Proposal.threshold_reached_at.label("reached"), Proposal.answered_at.label("answered")).select_from(Proposal)
        .where(Proposal.threshold_reached_at.is_not(None), Proposal.answered_at >= scope.start, Proposal.answered_at < scope.end),
        scope,
    )
    days = [(row.answered - row.reached).total_seconds() / 86400 for row in _rows(areas.apply(stmt, Lab.territory_id))]
    out[0].median_days = round(statistics.median(days), 1) if days else None


def _sessions_of(stmt: Select[Any], scope: Scope) -> Select[Any]:
    """Dates held in the period (not cancelled) of events that are not cancelled."""
    stmt = stmt.join(Event, Event.id == EventSession.event_id).where(
        EventSession.starts_at >= scope.start, EventSession.starts_at < scope.end,
        EventSession.status == SessionStatus.SCHEDULED, Event.cancelled_at.is_(None))
    if scope.action:
        stmt = stmt.where(Event.action == scope.action)
    if scope.public:
        stmt = stmt.join(Organization, Organization.id == Event.organization_id).where(Organization.is_hidden.is_(False))
    return stmt


def _events(scope: Scope, areas: Areas, out: Collected) -> None:
    """Events (not cancelled) with a date in the period; those dates; the places confirmed on them
    (the sessions' own counter of confirmed registrations)."""
    stmt = _sessions_of(select(
        func.count(distinct(Event.id)).label("events"), func.count(EventSession.id).label("sessions"),
        func.coalesce(func.sum(EventSession.confirmed_count), 0).label("registrations"),
    ).select_from(EventSession), scope)
    for row in _rows(areas.apply(stmt, Event.territory_id)):
        figures = out[areas.key_of(row)]
        figures.events, figures.sessions, figures.registrations = row.events, row.sessions, int(row.registrations)


def _attendance(scope: Scope, areas: Areas, out: Collected) -> None:
    """People marked present on the dates of the period."""
    stmt = _sessions_of(
        select(func.count(Registration.attended_at).label("n")).select_from(Registration)
        .join(EventSession, EventSession.id == Registration.session_id),
        scope,
    )
    for row in _rows(areas.apply(stmt, Event.territory_id)):
        out[areas.key_of(row)].attended = row.n


def _initiatives_of(stmt: Select[Any], scope: Scope) -> Select[Any]:
    """Initiatives that are not drafts, of the scope's action; in public, led by a visible organisation."""
    stmt = stmt.where(Initiative.status.in_(PUBLIC_STATUSES))
    if scope.action:
        stmt = stmt.where(exists().where(InitiativeAction.initiative_id == Initiative.id, InitiativeAction.action == scope.action))
    if scope.public:
        lead = aliased(Organization)
        stmt = stmt.join(lead, lead.id == Initiative.lead_id).where(lead.is_hidden.is_(False))
    return stmt


def _overlapping(stmt: Select[Any], scope: Scope) -> Select[Any]:
    return stmt.where(Initiative.starts_on <= scope.period_to, Initiative.ends_on >= scope.period_from)


def _initiatives(scope: Scope, areas: Areas, out: Collected) -> None:
    """Initiatives running at some time in the period, by kind and status."""
    stmt = _overlapping(_initiatives_of(
        select(Initiative.kind.label("kind"), Initiative.status.label("status"), func.count().label("n"))
        .select_from(Initiative).group_by(Initiative.kind, Initiative.status),
        scope,
    ), scope)
    for row in _rows(areas.apply(stmt, Initiative.territory_id)):
        out[areas.key_of(row)].initiatives[(str(row.kind.value), str(row.status.value))] = row.n


def _partners(scope: Scope, areas: Areas, out: Collected) -> None:
    """Organisations that confirmed taking part (the lead included), and the schools among them,
    each counted once however many initiatives they are in."""
    stmt = _overlapping(_initiatives_of(
        select(
            func.count(distinct(InitiativePartner.organization_id)).label("partners"),
            func.count(distinct(case((Organization.kind == OrgKind.SCHOOL, InitiativePartner.organization_id)))).label("schools"),
        )
        .select_from(InitiativePartner).join(Initiative, Initiative.id == InitiativePartner.initiative_id)
        .join(Organization, Organization.id == InitiativePartner.organization_id)
        .where(InitiativePartner.status == PartnerStatus.CONFIRMED),
        scope,
    ), scope)
    if scope.public:
        stmt = stmt.where(Organization.is_hidden.is_(False))
    for row in _rows(areas.apply(stmt, Initiative.territory_id)):
        figures = out[areas.key_of(row)]
        figures.partners, figures.schools = row.partners, row.schools


def _reported(stmt: Select[Any], scope: Scope) -> Select[Any]:
    """Output reports whose period overlaps the scope's period."""
    return _initiatives_of(
        stmt.join(Initiative, Initiative.id == OutputReport.initiative_id)
        .where(OutputReport.period_start <= scope.period_to, OutputReport.period_end >= scope.period_from),
        scope,
    )


def _outputs(scope: Scope, areas: Areas, out: Collected) -> None:
    """Sessions held and hours from the output reports overlapping the period."""
    stmt = _reported(
        select(
            func.coalesce(func.sum(OutputReport.sessions_held), 0).label("sessions"),
            func.coalesce(func.sum(OutputReport.hours), 0).label("hours"),
            func.count(OutputReport.id).label("reports"),
        ).select_from(OutputReport),
        scope,
    )
    for row in _rows(areas.apply(stmt, Initiative.territory_id)):
        figures = out[areas.key_of(row)]
        figures.sessions_held, figures.hours, figures.reports = int(row.sessions), int(row.hours), row.reports


def _participants(scope: Scope, areas: Areas, out: Collected) -> None:
    """Participants by target group from the output reports overlapping the period."""
    stmt = _reported(
        select(ParticipantCount.target_group.label("group"), func.sum(ParticipantCount.count).label("n"))
        .select_from(ParticipantCount).join(OutputReport, OutputReport.id == ParticipantCount.report_id)
        .group_by(ParticipantCount.target_group),
        scope,
    )
    for row in _rows(areas.apply(stmt, Initiative.territory_id)):
        out[areas.key_of(row)].participants[TargetGroup(row.group).value] = int(row.n or 0)


QUERIES: dict[str, Query] = {
    "organizations": _organizations,
    "threads": _threads,
    "posts": _posts,
    "labs": _labs,
    "proposals": _proposals,
    "supports": _supports,
    "median": _median,
    "events": _events,
    "attendance": _attendance,
    "initiatives": _initiatives,
    "partners": _partners,
    "outputs": _outputs,
    "participants": _participants,
}


class _Collected(dict[int, Figures]):
    def __missing__(self, key: int) -> Figures:
        self[key] = Figures()
        return self[key]


def collect(scope: Scope, queries: Iterable[str] = tuple(QUERIES), areas: Areas | None = None) -> Collected:
    """Run the named aggregate queries (one each) for the scope; figures by area key (0 when the
    scope is one area)."""
    if areas is None:
        areas = Areas(places=(scope.territory,) if scope.territory is not None else ())
    out: Collected = _Collected()
    for name in queries:
        QUERIES[name](scope, areas, out)
    return out


def figures(scope: Scope, queries: Iterable[str] = tuple(QUERIES)) -> Figures:
    """Every figure (or those of the named queries) of the scope."""
    return collect(scope, queries)[0]
