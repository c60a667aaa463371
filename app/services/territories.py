"""Territories: queries, the ISTAT importer, social districts and name resolution."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload, lazyload, selectinload

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import Page, paginate
from models import Territory, TerritoryLevel, User

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "istat-elenco-comuni.csv"
MAX_QUERY = 100

# Column positions in ISTAT's "Elenco dei comuni italiani" CSV.
COL_REGION_CODE = 0
COL_PROVINCE_CODE = 1
COL_COMUNE_CODE = 4
COL_COMUNE_NAME_IT = 6
COL_COMUNE_NAME_OTHER = 7
COL_REGION_NAME = 10
COL_PROVINCE_NAME = 11
COL_CAPITAL_FLAG = 13
COL_CAR_CODE = 14
COL_CADASTRAL = 19
MIN_COLUMNS = 20


def name_key(name: str) -> str:
    """Accent- and case-insensitive key: "Forlì" and "forli" match."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", ascii_only.casefold()).strip()


# ---------------------------------------------------------------- queries


def get_by_code(code: str) -> Territory:
    """The territory with this ISTAT (or district) code, or NotFound."""
    territory = None
    if code and len(code) <= 16:
        territory = db.session.scalar(select(Territory).where(Territory.istat_code == code))
    if territory is None:
        raise NotFound(_l("We could not find this territory."))
    return territory


def find(territory_id: int | None) -> Territory | None:
    return db.session.get(Territory, territory_id) if territory_id else None


def ancestors(territory: Territory) -> list[Territory]:
    """From the region down to the parent: those not already loaded in one query on the ids of ``path``."""
    ids = territory.ancestor_ids[:-1]
    known = {i: db.session.identity_map.get(Session.identity_key(Territory, i)) for i in ids}
    missing = [i for i, t in known.items() if t is None]
    if missing:
        known.update({t.id: t for t in db.session.scalars(select(Territory).where(Territory.id.in_(missing)))})
    return [t for i in ids if (t := known.get(i)) is not None]


def _depth(territory: Territory) -> int:
    """How many parents a territory has, by walking them (during an import ``path`` may be stale)."""
    depth, node = 0, territory.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def list_regions() -> list[Territory]:
    return list(
        db.session.scalars(
            select(Territory).where(Territory.level == TerritoryLevel.REGION).order_by(Territory.name)
        )
    )


def list_children(territory: Territory, page: int = 1, per_page: int = 60) -> Page[Territory]:
    """Direct sub-territories by name, one bounded page at a time."""
    stmt = select(Territory).where(Territory.parent_id == territory.id).order_by(Territory.name, Territory.id)
    return paginate(stmt, page, per_page)


def open_territory(code: str, page: int = 1, per_page: int = 60) -> tuple[Territory, Page[Territory]]:
    """The territory with this code and one page of its direct sub-territories, in one query
    (the place outer-joined to its children); a second one only for a page past the last."""
    child = aliased(Territory)
    rows = db.session.execute(
        select(Territory, child).outerjoin(child, child.parent_id == Territory.id)
        .where(Territory.istat_code == code)
        .options(lazyload(child.parent), joinedload(Territory.parent).joinedload(Territory.parent).joinedload(Territory.parent))
        .order_by(child.name, child.id).offset((page - 1) * per_page).limit(per_page + 1)
    ).all() if code and len(code) <= 16 else []
    if not rows:
        return get_by_code(code), Page(items=[], page=page, per_page=per_page, has_next=False)
    children = [row[1] for row in rows if row[1] is not None]
    return rows[0][0], Page(items=children[:per_page], page=page, per_page=per_page, has_next=len(children) > per_page)


def label(territory: Territory | None) -> str:
    """How a territory is written in forms: "Castro (LE)" for a comune, the name otherwise."""
    if territory is None:
        return ""
    if territory.level == TerritoryLevel.COMUNE and territory.car_code:
        return f"{territory.name} ({territory.car_code})"
    return territory.name


def resolve(text: str) -> Territory | None:
    """Find the territory a person typed: "Bari", "Castro (LE)", "Forli", "Puglia".

    Returns None for empty input; raises ValidationFailed when nothing or several match.
    """
    text = (text or "").strip()[:MAX_QUERY]
    if not text:
        return None
    match = re.fullmatch(r"(.+?)\s*\(\s*([A-Za-z]{2})\s*\)", text)
    key = name_key(match.group(1) if match else text)
    stmt = select(Territory).where(Territory.name_key == key)
    if match:
        stmt = stmt.where(Territory.car_code == match.group(2).upper())
    found = list(db.session.scalars(stmt.limit(20)))
    if not found:
        raise ValidationFailed({"home_territory": _l("We could not find this place. Write the name of your comune, for example: Bari.")})
    if len(found) > 1:
        comuni = [t for t in found if t.level == TerritoryLevel.COMUNE]
        if len(comuni) == 1:
            return comuni[0]
        choices = ", ".join(label(t) for t in comuni or found)
        raise ValidationFailed({"home_territory": _l("Several places have this name. Write one of: %(choices)s", choices=choices)})
    return found[0]


def from_text(text: str, field: str) -> Territory:
    """The territory for an ISTAT code or a typed name; ``ValidationFailed({field: …})`` otherwise."""
    try:
        return get_by_code(text.strip())
    except NotFound:
        try:
            found = resolve(text)
        except ValidationFailed as exc:
            raise ValidationFailed({field: exc.errors["home_territory"]}) from None
        if found is None:
            raise ValidationFailed({field: _l("Write the name of a comune, province or region.")}) from None
        return found


# ---------------------------------------------------------------- importer


@dataclass(frozen=True)
class ComuneRow:
    line: int
    region_code: str
    region_name: str
    province_code: str
    province_name: str
    car_code: str
    code: str
    name: str
    name_other: str
    is_capital: bool
    cadastral: str


class ImportFailed(ValueError):
    """The file is not in ISTAT's layout; the message names the offending lines."""


def parse_istat_csv(data: bytes) -> list[ComuneRow]:
    """Parse ISTAT's list of comuni (semicolon separated, Latin-1, two-line quoted header)."""
    text = data.decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"')
    rows: list[ComuneRow] = []
    errors: list[str] = []
    header = next(reader, None)
    if header is None or len(header) < MIN_COLUMNS or not header[0].startswith("Codice Regione"):
        raise ImportFailed("line 1: this is not ISTAT's list of comuni (the first column should be 'Codice Regione').")
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        problem = _row_problem(record)
        if problem:
            errors.append(f"line {line}: {problem}")
            if len(errors) >= 20:
                break
            continue
        rows.append(_row(record, line))
    if errors:
        raise ImportFailed("\n".join(errors))
    return rows


def _row_problem(record: list[str]) -> str | None:
    if len(record) < MIN_COLUMNS:
        return f"expected at least {MIN_COLUMNS} columns separated by ';', found {len(record)}"
    checks = (
        (COL_REGION_CODE, r"\d{2}", "region code must be 2 digits"),
        (COL_PROVINCE_CODE, r"\d{3}", "province code must be 3 digits"),
        (COL_COMUNE_CODE, r"\d{6}", "comune code must be 6 digits"),
        (COL_CAR_CODE, r"[A-Z]{2}", "car code (sigla automobilistica) must be 2 capital letters"),
    )
    for column, pattern, message in checks:
        if not re.fullmatch(pattern, record[column].strip()):
            return f"{message}, found {record[column].strip()!r}"
    for column, what in ((COL_COMUNE_NAME_IT, "comune"), (COL_REGION_NAME, "region"), (COL_PROVINCE_NAME, "province")):
        if not record[column].strip():
            return f"the {what} name is empty"
    return None


def _row(record: list[str], line: int) -> ComuneRow:
    return ComuneRow(
        line=line,
        region_code=record[COL_REGION_CODE].strip(),
        region_name=record[COL_REGION_NAME].strip(),
        province_code=record[COL_PROVINCE_CODE].strip(),
        province_name=record[COL_PROVINCE_NAME].strip(),
        car_code=record[COL_CAR_CODE].strip(),
        code=record[COL_COMUNE_CODE].strip(),
        name=record[COL_COMUNE_NAME_IT].strip(),
        name_other=record[COL_COMUNE_NAME_OTHER].strip(),
        is_capital=record[COL_CAPITAL_FLAG].strip() == "1",
        cadastral=record[COL_CADASTRAL].strip()[:4],
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def import_comuni(rows: Iterable[ComuneRow]) -> ImportResult:
    """Create or update regions, provinces and comuni from parsed rows. Idempotent.

    A comune already placed in a social district of its province stays there.
    """
    existing = {t.istat_code: t for t in db.session.scalars(select(Territory))}
    stats = {"created": 0, "updated": 0, "unchanged": 0}

    def upsert(code: str, level: TerritoryLevel, parent: Territory | None, **values: object) -> Territory:
        territory = existing.get(code)
        values["name_key"] = name_key(str(values["name"]))
        if territory is None:
            territory = Territory(istat_code=code, level=level, parent=parent, path="/", **values)
            db.session.add(territory)
            existing[code] = territory
            stats["created"] += 1
            return territory
        changed = False
        keep_district = (
            level == TerritoryLevel.COMUNE
            and territory.parent is not None
            and territory.parent.level == TerritoryLevel.DISTRICT
            and territory.parent.parent_id == (parent.id if parent else None)
        )
        if territory.parent is not parent and not keep_district:
            territory.parent = parent
            changed = True
        for key, value in values.items():
            if getattr(territory, key) != value:
                setattr(territory, key, value)
                changed = True
        stats["updated" if changed else "unchanged"] += 1
        return territory

    rows = list(rows)
    seen: set[str] = set()
    for row in rows:
        if row.region_code not in seen:
            seen.add(row.region_code)
            upsert(row.region_code, TerritoryLevel.REGION, None, name=row.region_name)
    for row in rows:
        if row.province_code not in seen:
            seen.add(row.province_code)
            region = existing[row.region_code]
            upsert(row.province_code, TerritoryLevel.PROVINCE, region, name=row.province_name, car_code=row.car_code)
    db.session.flush()
    for row in rows:
        upsert(
            row.code, TerritoryLevel.COMUNE, existing[row.province_code],
            name=row.name, name_other=row.name_other or None, car_code=row.car_code,
            is_capital=row.is_capital, cadastral_code=row.cadastral or None,
        )
    db.session.flush()
    _refresh_paths(existing.values())
    return ImportResult(**stats)


def _refresh_paths(territories: Iterable[Territory]) -> None:
    by_depth = sorted(territories, key=_depth)
    for territory in by_depth:
        parent = territory.parent
        path = f"{parent.path if parent else '/'}{territory.id}/"
        if territory.path != path:
            territory.path = path
    db.session.flush()


def import_file(path: Path | str) -> ImportResult:
    """Import ISTAT's CSV from ``path`` (see ``parse_istat_csv``)."""
    return import_comuni(parse_istat_csv(Path(path).read_bytes()))


# ---------------------------------------------------------------- social districts


def create_district(actor: User | None, province: Territory, name: str, comuni: list[Territory]) -> Territory:
    """Create a social district (ambito) in a province and move the given comuni into it.

    ``actor=None`` is the CLI or demo loader, trusted by construction.
    """
    if actor is not None:
        ensure(actor, Permission.TERRITORY_MANAGE, province)
    name = " ".join((name or "").split())
    if province.level != TerritoryLevel.PROVINCE:
        raise ValidationFailed({"parent": _l("A social district belongs to a province.")})
    if not 2 <= len(name) <= 200:
        raise ValidationFailed({"name": _l("Write a name of 2 to 200 characters.")})
    outside = [c.name for c in comuni if c.level != TerritoryLevel.COMUNE or province.id not in c.ancestor_ids]
    if outside:
        raise ValidationFailed({"comuni": _l("These comuni are not in the province: %(names)s", names=", ".join(outside))})
    region_code = province.parent.istat_code if province.parent else "00"
    taken = db.session.scalar(
        select(func.count()).select_from(Territory).where(Territory.istat_code.like(f"{region_code}-AT%"))
    ) or 0
    district = Territory(
        istat_code=f"{region_code}-AT{taken + 1:02d}", name=name, name_key=name_key(name),
        level=TerritoryLevel.DISTRICT, parent=province, path="/",
    )
    db.session.add(district)
    db.session.flush()
    district.path = f"{province.path}{district.id}/"
    for comune in comuni:
        comune.parent = district
        comune.path = f"{district.path}{comune.id}/"
    db.session.flush()
    return district


def districts_of(province: Territory) -> list[Territory]:
    return list(
        db.session.scalars(
            select(Territory)
            .where(Territory.parent_id == province.id, Territory.level == TerritoryLevel.DISTRICT)
            .options(selectinload(Territory.parent))
            .order_by(Territory.name)
        )
    )
