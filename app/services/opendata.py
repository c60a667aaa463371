"""Open data: the public data sets as CSV files (UTF-8 with a byte-order mark, stable English
snake_case headers, cells neutralised against formula injection), at most MAX_ROWS rows each,
newest first.

Only what the public pages show: no hidden organisation or anything it convened or leads, no
drafts, hidden proposals or unpublished practices, and no personal data (no names, e-mails or
phones of people; no tax codes; vote counts only once a lab's results are public). Each file is
read with a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from app.db import db
from app.exceptions import NotFound
from app.i18n import _l
from app.services.exports import to_csv
from models import (
    PUBLIC_STATUSES,
    Event,
    EventSession,
    GoodPractice,
    Initiative,
    InitiativeAction,
    InitiativePartner,
    InitiativeTarget,
    Lab,
    Organization,
    OrganizationArea,
    OrganizationLanguage,
    OutputReport,
    PartnerStatus,
    Proposal,
    ProposalResponse,
    ProposalState,
    SessionStatus,
    Territory,
)
from models.base import utcnow

MAX_ROWS = 50_000
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

Rows = Iterable[Sequence[Any]]


@dataclass(frozen=True)
class Dataset:
    name: str  # in the file name: /opendata/<name>.csv
    title: Any  # lazy strings: the index page shows them in the reader's language
    description: Any
    themes: tuple[str, ...]  # EU data themes (publications.europa.eu/resource/authority/data-theme)
    header: tuple[str, ...]
    rows: Callable[[str], Rows]  # base URL → rows, in header order
    changed: Any  # the column whose latest value says when the data set last changed


def _stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def _listed(values: Iterable[str] | None) -> str:
    return ";".join(str(v) for v in values or ())


def _grouped(stmt: Select) -> dict[int, list[str]]:
    """(id, value) rows as {id: [values]}: related lists of a whole file in one query."""
    found: dict[int, list[str]] = {}
    for key, value in db.session.execute(stmt):
        found.setdefault(key, []).append(str(value))
    return found


def _hidden_orgs() -> Select:
    return select(Organization.id).where(Organization.is_hidden.is_(True))


# ---------------------------------------------------------------- organisations

ORGANIZATION_HEADER = (
    "id", "slug", "name", "kind", "authority_type", "school_level", "third_sector_type", "legal_form", "runts_number",
    "school_code", "founding_year", "is_verified", "home_territory_istat_code", "home_territory_name", "website",
    "areas", "languages", "members_count", "created_at", "url",
)


def organization_rows(base_url: str) -> Rows:
    public = select(Organization.id).where(Organization.is_hidden.is_(False))
    areas = _grouped(select(OrganizationArea.organization_id, OrganizationArea.area)
                     .where(OrganizationArea.organization_id.in_(public)).order_by(OrganizationArea.area))
    languages = _grouped(select(OrganizationLanguage.organization_id, OrganizationLanguage.code)
                         .where(OrganizationLanguage.organization_id.in_(public)).order_by(OrganizationLanguage.code))
    o = Organization
    stmt = (select(o.id, o.slug, o.name, o.kind, o.authority_type, o.school_level, o.third_sector_type, o.legal_form,
                   o.runts_number, o.school_code, o.founding_year, o.is_verified, Territory.istat_code, Territory.name,
                   o.website, o.members_count, o.created_at)
            .join(Territory, Territory.id == o.home_territory_id)
            .where(o.is_hidden.is_(False)).order_by(o.created_at.desc(), o.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        yield (*row[:11], bool(row.is_verified), *row[12:15], _listed(areas.get(row[0])), _listed(languages.get(row[0])),
               row.members_count, _stamp(row.created_at), f"{base_url}/organizations/{row[1]}")


# ---------------------------------------------------------------- labs

LAB_HEADER = (
    "id", "slug", "title", "convener_slug", "convener_name", "territory_istat_code", "territory_name", "actions",
    "proposals_from", "deliberation_from", "voting_from", "results_from", "follow_up_from", "support_threshold",
    "votes_per_participant", "eligibility", "response_days", "is_standing", "proposals_count", "created_at", "url",
)


def lab_rows(base_url: str) -> Rows:
    stmt = (select(Lab.id, Lab.slug, Lab.title, Organization.slug, Organization.name, Territory.istat_code, Territory.name,
                   Lab.actions, Lab.proposals_at, Lab.deliberation_at, Lab.voting_at, Lab.results_at, Lab.follow_up_at,
                   Lab.support_threshold, Lab.votes_per_participant, Lab.eligibility, Lab.response_days,
                   Lab.standing_territory_id, Lab.proposals_count, Lab.created_at)
            .join(Organization, Organization.id == Lab.convener_id).join(Territory, Territory.id == Lab.territory_id)
            .where(Organization.is_hidden.is_(False)).order_by(Lab.created_at.desc(), Lab.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        yield (*row[:7], _listed(row.actions), *(_stamp(m) for m in row[8:13]), *row[13:17],
               row.standing_territory_id is not None, row.proposals_count, _stamp(row.created_at), f"{base_url}/labs/{row[1]}")


# ---------------------------------------------------------------- proposals and answers

PROPOSAL_HEADER = (
    "id", "lab_slug", "title", "summary", "state", "action", "on_behalf_of_slug", "on_behalf_of_name", "addressed_to_slug",
    "addressed_to_name", "territory_istat_code", "territory_name", "supports_count", "votes_count", "comments_count",
    "published_at", "threshold_reached_at", "due_at", "answered_at", "is_answered", "decision", "progress_percent", "url",
)


def _public_proposals(*columns: Any) -> Select:
    """Columns of published, not hidden proposals of labs whose convener is visible (and the lab joined)."""
    return (select(*columns).select_from(Proposal).join(Lab, Lab.id == Proposal.lab_id)
            .where(Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False), Lab.convener_id.not_in(_hidden_orgs())))


def proposal_rows(base_url: str) -> Rows:
    authority, behalf = aliased(Organization), aliased(Organization)
    now = utcnow()
    # Votes are secret until the lab publishes its results (voting closed): the count only then.
    votes = case((and_(Lab.voting_at.is_not(None), Lab.results_at.is_not(None), Lab.results_at <= now), Proposal.votes_count), else_=None)
    stmt = (_public_proposals(Proposal.id, Lab.slug, Proposal.title, Proposal.summary, Proposal.state, Proposal.action,
                              behalf.slug, behalf.name, authority.slug, authority.name, Territory.istat_code, Territory.name,
                              Proposal.supports_count, votes, Proposal.comments_count, Proposal.published_at,
                              Proposal.threshold_reached_at, Proposal.due_at, Proposal.answered_at, ProposalResponse.decision,
                              Proposal.progress_percent)
            .join(Territory, Territory.id == Lab.territory_id)
            .join(authority, authority.id == Proposal.authority_id)
            .outerjoin(behalf, and_(behalf.id == Proposal.organization_id, behalf.is_hidden.is_(False)))
            .outerjoin(ProposalResponse, ProposalResponse.proposal_id == Proposal.id)
            .order_by(Proposal.published_at.desc(), Proposal.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        yield (*row[:15], *(_stamp(m) for m in row[15:19]), row.answered_at is not None, row.decision or "",
               row.progress_percent, f"{base_url}/proposals/{row.id}")


RESPONSE_HEADER = (
    "id", "proposal_id", "proposal_title", "authority_slug", "authority_name", "decision", "text", "office", "next_step",
    "cost_estimate_eur", "expected_on", "created_at", "updated_at", "url",
)


def response_rows(base_url: str) -> Rows:
    r = ProposalResponse
    stmt = (_public_proposals(r.id, r.proposal_id, Proposal.title, Organization.slug, Organization.name, r.decision, r.text,
                              r.office, r.next_step, r.cost_estimate_cents, r.expected_on, r.created_at, r.updated_at)
            .join(r, r.proposal_id == Proposal.id).join(Organization, Organization.id == r.organization_id)
            .where(Organization.is_hidden.is_(False)).order_by(r.created_at.desc(), r.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        cost = f"{row.cost_estimate_cents / 100:.2f}" if row.cost_estimate_cents is not None else ""
        yield (*row[:9], cost, _day(row.expected_on), _stamp(row.created_at), _stamp(row.updated_at),
               f"{base_url}/proposals/{row.proposal_id}")


# ---------------------------------------------------------------- events

EVENT_HEADER = (
    "session_id", "event_id", "title", "language", "kind", "action", "mode", "organization_slug", "organization_name",
    "territory_istat_code", "territory_name", "venue", "address", "starts_at", "ends_at", "all_day", "status",
    "registration_mode", "capacity", "step_free", "childcare", "languages_spoken", "interpretation_languages", "url",
)


def event_rows(base_url: str) -> Rows:
    s = EventSession
    stmt = (select(s.id, Event.id.label("event_id"), Event.title, Event.language, Event.kind, Event.action, Event.mode,
                   Organization.slug, Organization.name, Territory.istat_code, Territory.name, Event.venue, Event.address,
                   s.starts_at, s.ends_at, Event.all_day, s.status, Event.cancelled_at, Event.registration_mode,
                   func.coalesce(s.capacity, Event.capacity).label("capacity"), Event.step_free, Event.childcare,
                   Event.languages, Event.interpretation_languages)
            .join(Event, Event.id == s.event_id).join(Organization, Organization.id == Event.organization_id)
            .join(Territory, Territory.id == Event.territory_id).where(Organization.is_hidden.is_(False))
            .order_by(s.starts_at.desc(), s.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        cancelled = row.status == SessionStatus.CANCELLED or row.cancelled_at is not None
        yield (*row[:13], _stamp(row.starts_at), _stamp(row.ends_at), row.all_day, "cancelled" if cancelled else "scheduled",
               row.registration_mode, row.capacity, "" if row.step_free is None else row.step_free, row.childcare,
               _listed(row.languages), _listed(row.interpretation_languages), f"{base_url}/events/{row.event_id}")


# ---------------------------------------------------------------- initiatives and good practices

INITIATIVE_HEADER = (
    "id", "title", "language", "kind", "status", "lead_slug", "lead_name", "territory_istat_code", "territory_name",
    "starts_on", "ends_on", "actions", "target_groups", "confirmed_partners", "participants_total", "sessions_held",
    "hours", "replicated_from_id", "created_at", "url",
)


def _public_initiatives() -> Select:
    return select(Initiative.id).where(Initiative.status.in_(PUBLIC_STATUSES), Initiative.lead_id.not_in(_hidden_orgs()))


def initiative_rows(base_url: str) -> Rows:
    public = _public_initiatives()
    actions = _grouped(select(InitiativeAction.initiative_id, InitiativeAction.action)
                       .where(InitiativeAction.initiative_id.in_(public)).order_by(InitiativeAction.action))
    targets = _grouped(select(InitiativeTarget.initiative_id, InitiativeTarget.target_group)
                       .where(InitiativeTarget.initiative_id.in_(public)).order_by(InitiativeTarget.target_group))
    partners = (select(func.count()).where(InitiativePartner.initiative_id == Initiative.id,
                                           InitiativePartner.status == PartnerStatus.CONFIRMED).scalar_subquery())
    totals = [select(func.coalesce(func.sum(column), 0)).where(OutputReport.initiative_id == Initiative.id).scalar_subquery()
              for column in (OutputReport.participants_total, OutputReport.sessions_held, OutputReport.hours)]
    i = Initiative
    stmt = (select(i.id, i.title, i.language, i.kind, i.status, Organization.slug, Organization.name, Territory.istat_code,
                   Territory.name, i.starts_on, i.ends_on, partners, *totals, i.replicated_from_id, i.created_at)
            .join(Organization, Organization.id == i.lead_id).join(Territory, Territory.id == i.territory_id)
            .where(i.status.in_(PUBLIC_STATUSES), Organization.is_hidden.is_(False))
            .order_by(i.created_at.desc(), i.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        yield (*row[:9], _day(row.starts_on), _day(row.ends_on), _listed(actions.get(row[0])), _listed(targets.get(row[0])),
               *row[11:16], _stamp(row.created_at), f"{base_url}/initiatives/{row.id}")


PRACTICE_HEADER = (
    "id", "title", "language", "initiative_id", "initiative_title", "initiative_kind", "lead_slug", "lead_name",
    "territory_istat_code", "territory_name", "problem", "method", "results", "replication", "designated_at", "updated_at", "url",
)


def practice_rows(base_url: str) -> Rows:
    p, i = GoodPractice, Initiative
    stmt = (select(p.id, p.title, p.language, i.id, i.title, i.kind, Organization.slug, Organization.name, Territory.istat_code,
                   Territory.name, p.problem, p.method, p.results, p.replication, p.designated_at, p.updated_at)
            .join(i, i.id == p.initiative_id).join(Organization, Organization.id == i.lead_id)
            .join(Territory, Territory.id == i.territory_id)
            .where(p.is_published.is_(True), i.status.in_(PUBLIC_STATUSES), Organization.is_hidden.is_(False))
            .order_by(p.designated_at.desc(), p.id.desc()).limit(MAX_ROWS))
    for row in db.session.execute(stmt):
        yield (*row[:14], _stamp(row[14]), _stamp(row[15]), f"{base_url}/good-practices/{row[0]}")


# ---------------------------------------------------------------- the register

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset("organizations", _l("Organisations"),
                _l("Associations, public bodies, schools and third-sector bodies: kind, legal data, territory, areas of work and languages. No personal contacts."),
                ("SOCI", "REGI"), ORGANIZATION_HEADER, organization_rows, Organization.updated_at),
        Dataset("labs", _l("Community labs"),
                _l("Participatory paths convened by public bodies: territory, phases and their dates, rules."),
                ("GOVE", "REGI"), LAB_HEADER, lab_rows, Lab.updated_at),
        Dataset("proposals", _l("Proposals"),
                _l("Proposals of the community labs: state, addressed public body, supports, votes once results are public, and whether they were answered."),
                ("GOVE",), PROPOSAL_HEADER, proposal_rows, Proposal.updated_at),
        Dataset("responses", _l("Official answers"),
                _l("Answers of public bodies to the proposals: decision, text, next step, cost estimate and expected date."),
                ("GOVE",), RESPONSE_HEADER, response_rows, ProposalResponse.updated_at),
        Dataset("events", _l("Events"),
                _l("Dates of the events (one row per date): kind, organiser, place, times in UTC, accessibility and languages."),
                ("SOCI", "EDUC"), EVENT_HEADER, event_rows, Event.updated_at),
        Dataset("initiatives", _l("Initiatives"),
                _l("Joint initiatives (planned, running or completed): kind, lead, territory, period, actions, target groups and recorded outputs."),
                ("SOCI", "EDUC"), INITIATIVE_HEADER, initiative_rows, Initiative.updated_at),
        Dataset("good-practices", _l("Good practices"),
                _l("Completed initiatives chosen by the moderators, with their cards: problem, method, results, what it takes to replicate them."),
                ("SOCI", "EDUC"), PRACTICE_HEADER, practice_rows, GoodPractice.updated_at),
    )
}


def get_dataset(name: str) -> Dataset:
    found = DATASETS.get(name)
    if found is None:
        raise NotFound(_l("There is no data set with this name."))
    return found


def csv_for(name: str, base_url: str) -> str:
    """The named data set as a CSV document; NotFound for an unknown name."""
    dataset = get_dataset(name)
    return to_csv(dataset.header, dataset.rows(base_url.rstrip("/")))


def last_changes() -> dict[str, datetime | None]:
    """When each data set last changed (its newest ``updated_at``), in one query."""
    parts = [select(literal(d.name).label("name"), func.max(d.changed).label("changed")) for d in DATASETS.values()]
    found = {name: changed for name, changed in db.session.execute(union_all(*parts))}
    return {name: _aware(found.get(name)) for name in DATASETS}


def _aware(moment: Any) -> datetime | None:
    """MAX() over a union loses the column type on SQLite: bring back an aware UTC datetime."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

