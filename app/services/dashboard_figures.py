"""The dashboard's figures as tables (shown, and downloadable as CSV), the FAMI reporting
export, and bar charts whose geometry is computed here, so templates only draw it:
server-side SVG, no JavaScript.

Charts work right to left too: in Arabic and Urdu bars grow from the right edge, labels and
values are anchored on the right, and the ``direction`` of the SVG is set explicitly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select

from app.db import db
from app.i18n import INITIATIVE_KIND_NAMES, KIND_NAMES, TARGET_GROUP_NAMES, _l
from app.security.permissions import Permission
from app.security.policy import ensure, is_admin
from app.services.dashboard import ACTIONS, Areas, Figures, Scope, checked_period, collect, figures, own_territories
from app.services.exports import to_csv
from models import InitiativeKind, InitiativeStatus, OrgKind, TargetGroup, Territory, TerritoryLevel, User

Number = int | float | None


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: Any  # shown (a lazy string)


@dataclass(frozen=True)
class Row:
    key: str  # a stable code, in the CSV
    label: Any
    values: tuple[Number, ...]


@dataclass(frozen=True)
class Table:
    """A table of figures. ``series`` names the columns the chart draws (stacked in one bar per
    row, the bar's length being their sum); no series, no chart. ``chart_rows`` limits the chart
    to some rows (figures of one unit), all when None."""

    name: str
    caption: Any
    head: Column
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    series: tuple[int, ...] = ()
    chart_rows: frozenset[str] | None = None


VALUE = (Column("value", _l("Number")),)


def _metric(key: str, label: Any, value: Number) -> Row:
    return Row(key, label, (value,))


def _organizations(f: Figures) -> Table:
    rows = []
    for kind in OrgKind:
        total, verified, members = f.organizations.get(kind.value, (0, 0, 0))
        rows.append(Row(kind.value, KIND_NAMES[kind.value], (total, verified, total - verified, members)))
    return Table(
        "organizations", _l("Organisations by kind"), Column("kind", _l("Kind of organisation")),
        (Column("total", _l("Organisations")), Column("verified", _l("Verified")), Column("not_verified", _l("Not verified")),
         Column("members", _l("Members"))),
        tuple(rows), series=(1, 2),
    )


def _forums(f: Figures) -> Table:
    return Table("forums", _l("Forum activity"), Column("figure", _l("Figure")), VALUE, (
        _metric("threads", _l("Discussions started"), f.threads),
        _metric("posts", _l("Messages written"), f.posts),
        _metric("writers", _l("People who wrote"), f.writers),
    ), series=(0,))


def _labs(f: Figures) -> Table:
    return Table("labs", _l("Community labs and proposals"), Column("figure", _l("Figure")), VALUE, (
        _metric("labs", _l("Labs taking part"), f.labs),
        _metric("proposals_received", _l("Proposals received"), f.received),
        _metric("supports", _l("Supports given"), f.supports),
        _metric("proposals_supported", _l("Proposals that reached their supports"), f.reached),
        _metric("proposals_answered", _l("Proposals answered"), f.answered),
        _metric("proposals_overdue", _l("Answers overdue"), f.overdue),
        _metric("median_days_to_answer", _l("Median days to answer"), f.median_days),
    ), series=(0,), chart_rows=frozenset({"proposals_received", "proposals_supported", "proposals_answered", "proposals_overdue"}))


def _events(f: Figures) -> Table:
    return Table("events", _l("Events"), Column("figure", _l("Figure")), VALUE, (
        _metric("events", _l("Events"), f.events),
        _metric("sessions", _l("Dates held"), f.sessions),
        _metric("registrations", _l("Places confirmed"), f.registrations),
        _metric("attendance", _l("People present"), f.attended),
    ), series=(0,))


STATUSES = (InitiativeStatus.PLANNED, InitiativeStatus.RUNNING, InitiativeStatus.COMPLETED)


def _initiatives(f: Figures) -> Table:
    rows = []
    for kind in InitiativeKind:
        counts = tuple(f.initiatives.get((kind.value, s.value), 0) for s in STATUSES)
        rows.append(Row(kind.value, INITIATIVE_KIND_NAMES[kind.value], (*counts, sum(counts))))
    return Table(
        "initiatives", _l("Initiatives by kind and status"), Column("kind", _l("Kind of initiative")),
        (Column("planned", _l("Planned")), Column("running", _l("Running")), Column("completed", _l("Completed")),
         Column("total", _l("Total"))),
        tuple(rows), series=(0, 1, 2),
    )


def _outputs(f: Figures) -> Table:
    return Table("initiative-outputs", _l("What the initiatives did"), Column("figure", _l("Figure")), VALUE, (
        _metric("initiatives", _l("Initiatives"), f.initiatives_total),
        _metric("partner_organisations", _l("Organisations taking part"), f.partners),
        _metric("schools_involved", _l("Schools involved"), f.schools),
        _metric("sessions_held", _l("Sessions held"), f.sessions_held),
        _metric("hours", _l("Hours"), f.hours),
        _metric("participants", _l("Participants"), f.participants_total),
    ))


def _participants(f: Figures) -> Table:
    rows = tuple(Row(g.value, TARGET_GROUP_NAMES[g.value], (f.participants.get(g.value, 0),)) for g in TargetGroup)
    return Table("participants", _l("Participants by target group"), Column("target_group", _l("Target group")),
                 (Column("participants", _l("Participants")),), rows, series=(0,))


# name → (builder, the aggregate queries it needs)
TABLES: dict[str, tuple[Callable[[Figures], Table], tuple[str, ...]]] = {
    "organizations": (_organizations, ("organizations",)),
    "forums": (_forums, ("threads", "posts")),
    "labs": (_labs, ("labs", "proposals", "supports", "median")),
    "events": (_events, ("events", "attendance")),
    "initiatives": (_initiatives, ("initiatives",)),
    "initiative-outputs": (_outputs, ("initiatives", "partners", "outputs", "participants")),
    "participants": (_participants, ("participants",)),
}


def tables(f: Figures) -> list[Table]:
    """Every table, in the order of the page."""
    return [build(f) for build, _ in TABLES.values()]


def table_for(scope: Scope, name: str) -> Table:
    """One table of the scope, running only the aggregate queries it needs."""
    build, queries = TABLES[name]
    return build(figures(scope, queries))


def table_csv(t: Table) -> str:
    """The table as CSV: the row's code and name, then one column per figure (empty when not available)."""
    header = [t.head.key, f"{t.head.key}_name", *(c.key for c in t.columns)]
    return to_csv(header, ([r.key, str(r.label), *("" if v is None else v for v in r.values)] for r in t.rows))


# ---------------------------------------------------------------- FAMI export

# The regions with a FAMI multi-action plan on Ponte: Lombardia, Emilia-Romagna, Toscana, Abruzzo, Puglia.
PLAN_REGIONS = ("03", "08", "09", "13", "16")
FAMI_QUERIES = ("organizations", "initiatives", "partners", "outputs", "participants", "proposals", "events", "attendance")
FAMI_HEADER = (
    "region_istat_code", "region_name", "territory_istat_code", "territory_name", "action", "period_start", "period_end",
    "organisations_total", "organisations_verified", "migrant_associations", "initiatives", "partner_organisations",
    "schools_involved", "participants_total", *(f"participants_{g.value}" for g in TargetGroup),
    "sessions_held", "hours", "proposals_received", "proposals_answered", "events", "registrations", "attendance",
)


def _fami_values(f: Figures) -> list[int]:
    orgs = f.organizations.values()
    return [
        sum(o[0] for o in orgs), sum(o[1] for o in orgs), f.organizations.get(OrgKind.MIGRANT_ASSOCIATION.value, (0, 0, 0))[0],
        f.initiatives_total, f.partners, f.schools, f.participants_total, *(f.participants.get(g.value, 0) for g in TargetGroup),
        f.sessions_held, f.hours, f.received, f.answered, f.events, f.registrations, f.attended,
    ]


def _outermost(places: Iterable[Territory]) -> tuple[Territory, ...]:
    """The places that are not inside another of them, once each."""
    unique = {t.id: t for t in places}.values()
    return tuple(t for t in unique if not any(o.id != t.id and t.path.startswith(o.path) for o in unique))


def fami_rows(period_from: date | None, period_to: date | None, places: Iterable[Territory] | None = None) -> list[list[Any]]:
    """The FAMI indicators, one row per area and action ("all", then action_01…04) for the period.

    Without ``places``: one area per region, the five plan regions always and any other region
    with data. With ``places`` (an official's territories): those areas. A fixed number of
    queries: one per indicator query and action, plus one for the names of the regions."""
    start, end = checked_period(period_from, period_to)
    areas = Areas(by_region=True) if places is None else Areas(places=_outermost(places))
    if places is not None and not areas.places:
        return []
    by_action = {action: collect(Scope(None, action, start, end), FAMI_QUERIES, areas) for action in ("", *ACTIONS)}
    if places is None:
        with_data = {key for found in by_action.values() for key, f in found.items() if any(_fami_values(f))}
        rows_for = list(db.session.scalars(select(Territory).where(or_(
            Territory.id.in_(with_data), and_(Territory.level == TerritoryLevel.REGION, Territory.istat_code.in_(PLAN_REGIONS))))))
        region_of_place = {t.id: t for t in rows_for}
    else:
        rows_for = list(areas.places)
        heads = {t.ancestor_ids[0] if t.ancestor_ids else t.id for t in rows_for}
        found = {t.id: t for t in db.session.scalars(select(Territory).where(Territory.id.in_(heads)))}
        region_of_place = {t.id: found.get(t.ancestor_ids[0] if t.ancestor_ids else t.id, t) for t in rows_for}
    rows_for.sort(key=lambda t: (t.istat_code not in PLAN_REGIONS, t.name, t.id))
    rows = []
    for place in rows_for:
        region = region_of_place[place.id]
        key = place.id if areas.grouped else 0
        for action, found_figures in by_action.items():
            figures_ = found_figures.get(key) or Figures()
            rows.append([region.istat_code, region.name, place.istat_code, place.name, action or "all",
                         start.isoformat(), end.isoformat(), *_fami_values(figures_)])
    return rows


def fami_csv(actor: User | None, period_from: date | None, period_to: date | None) -> str:
    """The FAMI export as CSV: every region for administrators, their own territories for officials."""
    ensure(actor, Permission.DASHBOARD_VIEW, None)
    places = None if is_admin(actor) else own_territories(actor)
    return to_csv(FAMI_HEADER, fami_rows(period_from, period_to, places))


# ---------------------------------------------------------------- charts

WIDTH = 400  # close to a phone screen, so text keeps about its size there (the SVG scales)
PAD = 8
LABEL_HEIGHT = 22
BAR_HEIGHT = 22
ROW_GAP = 14
ROW_HEIGHT = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
VALUE_ROOM = 64  # kept free beyond the longest bar for its value
LEGEND_HEIGHT = 24
SWATCH = 16
MAX_LABEL = 44  # characters; the full name is in the table beside the chart
PATTERNS = 3  # solid, diagonal lines, crossed lines: the series differ by more than colour


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    pattern: int


@dataclass(frozen=True)
class Bar:
    label: str
    label_x: float
    label_y: float
    y: float
    segments: tuple[Segment, ...]
    value: str
    value_x: float
    value_y: float


@dataclass(frozen=True)
class LegendItem:
    label: str
    pattern: int
    swatch_x: float
    swatch_y: float
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    desc: str
    width: int
    height: int
    direction: str  # "ltr" or "rtl": set on the SVG so text anchors mean the same in both
    bars: tuple[Bar, ...]
    legend: tuple[LegendItem, ...]
    bar_height: int = BAR_HEIGHT
    swatch: int = SWATCH


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _describe(t: Table, rows: Sequence[Row], number: Callable[[Any], str]) -> str:
    parts = []
    for row in rows:
        total = number(sum(row.values[i] or 0 for i in t.series))
        if len(t.series) == 1:
            parts.append(str(_l("%(label)s: %(value)s", label=row.label, value=total)))
        else:
            detail = ", ".join(str(_l("%(label)s: %(value)s", label=t.columns[i].label, value=number(row.values[i] or 0))) for i in t.series)
            parts.append(str(_l("%(label)s: %(value)s (%(detail)s)", label=row.label, value=total, detail=detail)))
    intro = _l("Horizontal bar chart. The table next to it has the same figures.")
    return f"{intro} {'; '.join(parts)}."


def bar_chart(t: Table, *, rtl: bool = False, number: Callable[[Any], str] = str) -> Chart | None:
    """The geometry of the table's bar chart (None when the table has no chart). ``number``
    formats figures for the reader's language."""
    if not t.series:
        return None
    rows = [r for r in t.rows if t.chart_rows is None or r.key in t.chart_rows]
    totals = [sum(r.values[i] or 0 for i in t.series) for r in rows]
    longest = WIDTH - 2 * PAD - VALUE_ROOM
    scale = longest / max(totals) if totals and max(totals) > 0 else 0.0

    def x_of(start: float, width: float) -> float:
        """Where a span starting ``start`` from the reading edge begins, in SVG coordinates."""
        return WIDTH - PAD - start - width if rtl else PAD + start

    bars = []
    for n, (row, total) in enumerate(zip(rows, totals, strict=True)):
        top = PAD + n * ROW_HEIGHT
        segments, done = [], 0.0
        for p, i in enumerate(t.series):
            width = (row.values[i] or 0) * scale
            segments.append(Segment(round(x_of(done, width), 2), round(width, 2), p % PATTERNS))
            done += width
        bars.append(Bar(
            label=_short(str(row.label)), label_x=x_of(0, 0), label_y=top + LABEL_HEIGHT - 6, y=top + LABEL_HEIGHT,
            segments=tuple(segments), value=number(total), value_x=round(x_of(done + 6, 0), 2), value_y=top + LABEL_HEIGHT + BAR_HEIGHT - 5,
        ))
    legend = []
    if len(t.series) > 1:
        base = PAD + len(rows) * ROW_HEIGHT
        for p, i in enumerate(t.series):
            y = base + p * LEGEND_HEIGHT
            legend.append(LegendItem(str(t.columns[i].label), p % PATTERNS, x_of(0, SWATCH), y, x_of(SWATCH + 6, 0), y + SWATCH - 3))
    height = PAD * 2 + len(rows) * ROW_HEIGHT + len(legend) * LEGEND_HEIGHT
    return Chart(
        id=f"chart-{t.name}", title=str(t.caption), desc=_describe(t, rows, number), width=WIDTH, height=height,
        direction="rtl" if rtl else "ltr", bars=tuple(bars), legend=tuple(legend),
    )
