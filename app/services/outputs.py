"""Outputs of an initiative, recorded by its partners: sessions held, hours, materials produced,
participants as aggregate counts per target group (optionally by gender and age band), and
free-text outcomes. Only aggregate figures are ever stored: never a person, never a child's name.

Totals are computed by the database (SUM … GROUP BY), never by looping over reports, so the
initiative page and the dashboard stay fast however many reports there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import lazyload

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import _ORGANIZING_ROLES, active_role, can, ensure, is_admin
from app.services import audit
from app.services.exports import to_csv
from models import (
    AgeBand,
    Gender,
    Initiative,
    OutputReport,
    ParticipantCount,
    PartnerStatus,
    TargetGroup,
    User,
)
from models.base import utcnow

NUMBER_MAX = 1_000_000
OUTCOMES_MAX = 4000
ROWS_MAX = 100
REPORTS_SHOWN = 500
_WHOLE = re.compile(r"\+?\d+")
_NEGATIVE = re.compile(r"-\s*\d+(?:[.,]\d+)*")
_DECIMAL = re.compile(r"\+?\d+(?:[.,]\d+)+")


@dataclass(frozen=True)
class ParticipantRow:
    """One row of the participants table, as typed (strings from a form, or numbers)."""

    target_group: str = ""
    gender: str = Gender.NOT_RECORDED.value
    age_band: str = AgeBand.NOT_RECORDED.value
    count: str | int | None = ""


@dataclass(frozen=True)
class OutputDraft:
    period_start: date | None
    period_end: date | None
    sessions_held: str | int | None = ""
    hours: str | int | None = ""
    materials_produced: str | int | None = ""
    participants: Sequence[ParticipantRow] = field(default_factory=tuple)
    outcomes: str = ""
    organization_id: int | None = None  # which partner records (needed when the person acts for several)


@dataclass(frozen=True)
class OutputTotals:
    """Sums over every report of an initiative (or of many initiatives, for the dashboard)."""

    reports: int = 0
    sessions_held: int = 0
    hours: int = 0
    materials_produced: int = 0
    participants: int = 0
    by_target_group: list[tuple[TargetGroup, int]] = field(default_factory=list)
    by_gender: list[tuple[Gender, int]] = field(default_factory=list)
    by_age_band: list[tuple[AgeBand, int]] = field(default_factory=list)
    breakdown: list[tuple[TargetGroup, Gender, AgeBand, int]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.reports == 0


# ---------------------------------------------------------------- validation


def _number_problem(value: Any) -> tuple[int | None, Any]:
    """(the number, None) or (None, the message saying what is wrong with what was typed)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value, None
    if isinstance(value, float):
        return (int(value), None) if value.is_integer() else (None, _l("Write a whole number, without decimals: for example 12."))
    text = "".join(str(value).split()) if isinstance(value, str) else "?"  # anything else (a bool, a list) is not a number
    if _NEGATIVE.fullmatch(text):
        return None, _l("Write 0 or more: a count cannot be negative.")
    if _DECIMAL.fullmatch(text):
        return None, _l("Write a whole number, without decimals, dots or commas: for example 12 or 1200.")
    if not _WHOLE.fullmatch(text):
        return None, _l("Write a number with digits only.")
    return (NUMBER_MAX + 1 if len(text) > 12 else int(text)), None


def whole_number(value: Any, key: str, errors: dict, blank: int | None = 0) -> int | None:
    """A count typed by a person: a whole number from 0 to 1,000,000. Empty gives ``blank``.
    Each kind of mistake (negative, decimals, letters, too large) gets its own message on ``key``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    number, problem = _number_problem(value)
    if problem is None and number is not None and number < 0:
        problem = _l("Write 0 or more: a count cannot be negative.")
    elif problem is None and number is not None and number > NUMBER_MAX:
        problem = _l("Write a number up to %(max)d.", max=NUMBER_MAX)
    if problem is not None:
        errors[key] = problem
        return None
    return number


def _check_period(initiative: Initiative, draft: OutputDraft, errors: dict) -> None:
    for key, day, missing in (("period_start", draft.period_start, _l("Choose the first day of the period.")),
                              ("period_end", draft.period_end, _l("Choose the last day of the period."))):
        if day is None:
            errors[key] = missing
        elif not initiative.starts_on <= day <= initiative.ends_on:
            errors[key] = _l("Choose a day within the period of the initiative.")
    if "period_end" not in errors and draft.period_start and draft.period_end and draft.period_end < draft.period_start:
        errors["period_end"] = _l("The last day cannot come before the first day.")


def _clean_rows(initiative: Initiative, rows: Sequence[ParticipantRow], errors: dict) -> list[ParticipantCount]:
    groups = {TargetGroup(t.target_group).value for t in initiative.targets}
    genders, bands = {g.value for g in Gender}, {a.value for a in AgeBand}
    seen: dict[tuple[str, str, str], int] = {}
    counts: list[ParticipantCount] = []
    if len(rows) > ROWS_MAX:
        errors["participants"] = _l("Write at most %(max)d rows.", max=ROWS_MAX)
        return counts
    for i, row in enumerate(rows):
        group = (row.target_group or "").strip()
        gender = (row.gender or "").strip() or Gender.NOT_RECORDED.value
        band = (row.age_band or "").strip() or AgeBand.NOT_RECORDED.value
        empty_count = row.count is None or (isinstance(row.count, str) and not row.count.strip())
        if not group and empty_count:
            continue  # a blank row of the table
        key = f"participants-{i}-"
        if group not in groups:
            errors[key + "target_group"] = _l("Choose one of the target groups of this initiative.")
        if gender not in genders:
            errors[key + "gender"] = _l("Choose one option from the list.")
        if band not in bands:
            errors[key + "age_band"] = _l("Choose one option from the list.")
        if empty_count:
            errors[key + "count"] = _l("Write how many people took part.")
        number = whole_number(row.count, key + "count", errors, blank=None)
        combination = (group, gender, band)
        if combination in seen and key + "target_group" not in errors:
            errors[key + "target_group"] = _l("This row repeats row %(num)d: put the two numbers together in one row.", num=seen[combination] + 1)
        seen.setdefault(combination, i)
        if number is not None and not any(k.startswith(key) for k in errors):
            counts.append(ParticipantCount(target_group=group, gender=gender, age_band=band, count=number))
    return counts


def _clean(initiative: Initiative, draft: OutputDraft) -> tuple[dict, list[ParticipantCount]]:
    errors: dict = {}
    _check_period(initiative, draft, errors)
    values: dict = {"period_start": draft.period_start, "period_end": draft.period_end}
    for key in ("sessions_held", "hours", "materials_produced"):
        values[key] = whole_number(getattr(draft, key), key, errors)
    counts = _clean_rows(initiative, draft.participants, errors)
    values["outcomes"] = (draft.outcomes or "").strip()
    if len(values["outcomes"]) > OUTCOMES_MAX:
        errors["outcomes"] = _l("Write at most %(max)d characters.", max=OUTCOMES_MAX)
    if errors:
        raise ValidationFailed(errors)
    values["participants_total"] = sum(c.count for c in counts)
    return values, counts


# ---------------------------------------------------------------- who records


def recording_organizations(actor: User | None, initiative: Initiative) -> list[Any]:
    """The confirmed partners (the lead included) this person records outputs for: those where they
    are an admin, official or school staff; administrators may record for any confirmed partner."""
    confirmed = [p.organization for p in initiative.partners if p.status == PartnerStatus.CONFIRMED]
    if is_admin(actor):
        return confirmed
    return [org for org in confirmed if active_role(actor, org) in _ORGANIZING_ROLES]


def can_manage_report(user: User | None, report: OutputReport) -> bool:
    """The recording partner's admins, officials and staff (while it may still record), and administrators."""
    return can(user, Permission.OUTPUT_REPORT_MANAGE, report)


def _ensure_manages(actor: User, report: OutputReport) -> Initiative:
    ensure(actor, Permission.OUTPUT_REPORT_MANAGE, report)
    return report.initiative


# ---------------------------------------------------------------- commands


def record_outputs(actor: User, initiative: Initiative, draft: OutputDraft) -> OutputReport:
    """Record the outputs of a stretch of the initiative for one of the actor's partner organisations."""
    ensure(actor, Permission.INITIATIVE_RECORD_OUTPUTS, initiative)
    choices = {org.id: org for org in recording_organizations(actor, initiative)}
    chosen = draft.organization_id if draft.organization_id is not None else (next(iter(choices)) if len(choices) == 1 else None)
    problems: dict = {}
    if chosen not in choices:
        problems["organization_id"] = _l("Choose the organisation you record for.")
    try:
        values, counts = _clean(initiative, draft)
    except ValidationFailed as exc:
        raise ValidationFailed({**problems, **exc.errors}) from None
    if problems:
        raise ValidationFailed(problems)
    report = OutputReport(initiative_id=initiative.id, organization_id=chosen, created_by_id=actor.id, **values)
    report.organization = choices[chosen]  # type: ignore[index]
    report.counts = counts
    db.session.add(report)
    db.session.flush()
    audit.record(actor, "outputs.record", "output_report", report.id, initiative.title, initiative=initiative.id)
    return report


def update_outputs(actor: User, report: OutputReport, draft: OutputDraft) -> OutputReport:
    """Correct a report (the recording organisation stays the same)."""
    initiative = _ensure_manages(actor, report)
    values, counts = _clean(initiative, draft)
    for key, value in values.items():
        setattr(report, key, value)
    report.counts.clear()
    db.session.flush()  # the old rows go first: the new ones may repeat their (group, gender, age band)
    report.counts.extend(counts)
    db.session.flush()
    audit.record(actor, "outputs.update", "output_report", report.id, initiative.title, initiative=initiative.id)
    return report


def delete_outputs(actor: User, report: OutputReport) -> None:
    """Remove a report and its counts."""
    initiative = _ensure_manages(actor, report)
    audit.record(actor, "outputs.delete", "output_report", report.id, initiative.title, initiative=initiative.id,
                 period=f"{report.period_start}..{report.period_end}", at=utcnow().isoformat())
    db.session.delete(report)
    db.session.flush()


# ---------------------------------------------------------------- queries


def get_initiative(viewer: User | None, initiative_id: int) -> Initiative:
    """The initiative, or NotFound when it does not exist or the viewer may not see it."""
    # Actions and target groups load only if a page uses them (the outputs page does not).
    options = [lazyload(Initiative.actions), lazyload(Initiative.targets)]
    found = db.session.get(Initiative, initiative_id, options=options) if 0 < initiative_id < 2**31 else None
    if found is None or not can(viewer, Permission.INITIATIVE_VIEW, found):
        raise NotFound(_l("We could not find this initiative."))
    return found


def get_report(viewer: User | None, report_id: int) -> tuple[Initiative, OutputReport]:
    """A report and its initiative; NotFound when either is missing or the initiative is not visible."""
    report = db.session.get(OutputReport, report_id) if 0 < report_id < 2**31 else None  # ids beyond the column: not found
    if report is None:
        raise NotFound(_l("We could not find this report."))
    return get_initiative(viewer, report.initiative_id), report


def list_reports(initiative: Initiative, limit: int = REPORTS_SHOWN) -> list[OutputReport]:
    """The reports of an initiative, latest period first, with their organisations and counts (two queries)."""
    return list(db.session.scalars(
        select(OutputReport).where(OutputReport.initiative_id == initiative.id)
        .order_by(OutputReport.period_start.desc(), OutputReport.id.desc()).limit(limit)
    ))


def manageable_report_ids(user: User | None, initiative: Initiative, reports: Iterable[OutputReport]) -> set[int]:
    """Which of these reports the person may edit or delete (no query per report)."""
    if not can(user, Permission.INITIATIVE_RECORD_OUTPUTS, initiative):
        return set()
    return {r.id for r in reports if can(user, Permission.OUTPUT_REPORT_MANAGE, r)}


def _totals(where: ColumnElement[bool]) -> OutputTotals:
    n, sessions, hours, materials, people = db.session.execute(select(
        func.count(OutputReport.id), func.coalesce(func.sum(OutputReport.sessions_held), 0), func.coalesce(func.sum(OutputReport.hours), 0),
        func.coalesce(func.sum(OutputReport.materials_produced), 0), func.coalesce(func.sum(OutputReport.participants_total), 0),
    ).where(where)).one()
    rows = db.session.execute(
        select(ParticipantCount.target_group, ParticipantCount.gender, ParticipantCount.age_band, func.sum(ParticipantCount.count))
        .join(OutputReport, OutputReport.id == ParticipantCount.report_id).where(where)
        .group_by(ParticipantCount.target_group, ParticipantCount.gender, ParticipantCount.age_band)
    ).all()
    # Fold the (at most 9 x 4 x 7) grouped sums into the three one-way tables, in the order of the enums.
    by_group: dict[TargetGroup, int] = dict.fromkeys(TargetGroup, 0)
    by_gender: dict[Gender, int] = dict.fromkeys(Gender, 0)
    by_band: dict[AgeBand, int] = dict.fromkeys(AgeBand, 0)
    breakdown = []
    for raw_group, raw_gender, raw_band, raw_total in rows:
        group, gender, band, total = TargetGroup(raw_group), Gender(raw_gender), AgeBand(raw_band), int(raw_total or 0)
        by_group[group] += total
        by_gender[gender] += total
        by_band[band] += total
        breakdown.append((group, gender, band, total))
    order = {g: i for i, g in enumerate(TargetGroup)}, {g: i for i, g in enumerate(Gender)}, {a: i for i, a in enumerate(AgeBand)}
    breakdown.sort(key=lambda r: (order[0][r[0]], order[1][r[1]], order[2][r[2]]))
    return OutputTotals(
        reports=int(n), sessions_held=int(sessions), hours=int(hours), materials_produced=int(materials), participants=int(people),
        by_target_group=[(k, v) for k, v in by_group.items() if v], by_gender=[(k, v) for k, v in by_gender.items() if v],
        by_age_band=[(k, v) for k, v in by_band.items() if v], breakdown=breakdown,
    )


def totals(initiative: Initiative) -> OutputTotals:
    """Sums of every report of the initiative (two aggregate queries)."""
    return _totals(OutputReport.initiative_id == initiative.id)


def totals_for(initiative_ids: Select[Any] | Iterable[int]) -> OutputTotals:
    """Sums over many initiatives (a list of ids or a SELECT of ids), for the dashboard."""
    ids = initiative_ids if isinstance(initiative_ids, Select) else sorted(set(initiative_ids))
    return _totals(OutputReport.initiative_id.in_(ids))


def export_csv(initiative: Initiative) -> str:
    """The reports and totals of an initiative as a formula-safe CSV: aggregate figures only.
    One row per report, one per participant count of a report, then the totals."""
    header = ["row", "report_id", "organization", "period_start", "period_end", "sessions_held", "hours", "materials_produced",
              "participants", "target_group", "gender", "age_band", "outcomes"]
    body: list[list[Any]] = []
    for r in list_reports(initiative):
        where = [r.id, r.organization.name, r.period_start.isoformat(), r.period_end.isoformat()]
        body.append(["report", *where, r.sessions_held, r.hours, r.materials_produced, r.participants_total, "", "", "", r.outcomes])
        body.extend(["participants", *where, "", "", "", c.count, c.target_group.value, c.gender.value, c.age_band.value, ""]
                    for c in r.counts)
    sums = totals(initiative)
    body.append(["total", "", "", initiative.starts_on.isoformat(), initiative.ends_on.isoformat(), sums.sessions_held, sums.hours,
                 sums.materials_produced, sums.participants, "", "", "", ""])
    body.extend(["total_participants", "", "", "", "", "", "", "", total, group.value, gender.value, band.value, ""]
                for group, gender, band, total in sums.breakdown)
    return to_csv(header, body)
