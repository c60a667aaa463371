"""``python -m bench seed``: a reproducible benchmark database (same seed and anchor day, same data).

Schema by the Alembic migrations; territories by the app's ISTAT importer (through the service);
everything else by SQLAlchemy Core bulk inserts (``bench.seed_content``), not the request path.
Tiers: L is a region-sized platform (120,000 people, 1.2 million messages, 1.5 million supports…),
M = L/10, S = L/100; XS = L/1000 is for the tests. Content is placed in the comuni of five regions.

The search index is written in bulk with the SQLite FTS triggers dropped (then an FTS5 ``rebuild``
and the triggers again, as migration 0008 creates them) or, on PostgreSQL, with its GIN and
trigram indexes dropped (then created again from the migration's own statements); then ANALYZE.
A manifest JSON next to the database tells a benchmark runner where to find things.

    python -m bench seed --tier S --seed 42
    python -m bench seed --tier S --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ponte_bench_s
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from bench import seed_text
from bench.seed_content import Content, Place

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "ponte-bench-password-2026"  # noqa: S105 — a published benchmark password, never a real account's
REGIONS = ("03", "16", "08", "13", "09")  # Lombardia (the busiest), Puglia, Emilia-Romagna, Abruzzo, Toscana (ISTAT codes)
L_TIER = {
    "users": 120_000, "organizations": 5_000, "forums": 280, "threads": 60_000, "posts": 1_200_000, "labs": 600,
    "proposals": 30_000, "supports": 1_500_000, "comments": 300_000, "responses": 3_000, "events": 50_000,
    "registrations": 300_000, "initiatives": 5_000,
}
DIVISORS = {"L": 1, "M": 10, "S": 100, "XS": 1000}  # XS: for the tests (hidden from --help)
FLOORS = {"forums": 30, "organizations": 20, "labs": 3, "responses": 3}  # enough for every page to have content
BIG_THREAD = {"L": 12_000, "M": 5_000, "S": 500, "XS": 50}
BATCH = 10_000
MIGRATION_0008 = ROOT / "models" / "migrations" / "versions" / "0008_search.py"


def tier_spec(tier: str) -> dict[str, int]:
    """Row targets of a tier: L divided by the tier's divisor, with a few floors; plus the long discussion."""
    spec = {name: max(FLOORS.get(name, 1), round(value / DIVISORS[tier])) for name, value in L_TIER.items()}
    spec["big_thread"] = BIG_THREAD[tier]
    return spec


# ---------------------------------------------------------------- the database


def prepare_database(url: str) -> None:
    """Start from nothing: delete the SQLite file, or drop and create the PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = parsed.database or ""
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


def app_config(url: str) -> dict[str, Any]:
    return {"SECRET_KEY": "bench-" + "x" * 40, "SERVER_NAME": "127.0.0.1", "DATABASE_URL": url, "TESTING": True}


def load_territories(url: str, seed: int, *, all_territories: bool = True) -> tuple[list[Place], str, str]:
    """ISTAT's list through the app's importer (all of Italy, or only the five regions: faster, for
    tests); returns the places of the five regions, the privacy notice in force and the one
    password hash every bench user shares."""
    from argon2 import PasswordHasher

    from app import create_app
    from app.db import db
    from app.security import passwords
    from app.services import accounts, territories
    from models import Territory

    app = create_app(app_config(url))
    with app.app_context():
        rows = territories.parse_istat_csv(territories.DATA_FILE.read_bytes())
        with db.unit_of_work():
            territories.import_comuni(rows if all_territories else [r for r in rows if r.region_code in REGIONS])
        with db.unit_of_work() as session:
            regions = {t.istat_code: t for t in session.scalars(select(Territory).where(Territory.istat_code.in_(REGIONS)))}
            places = []
            for code in REGIONS:
                region = regions[code]
                for t in session.scalars(select(Territory).where(Territory.path.like(f"{region.path}%")).order_by(Territory.id)):
                    places.append(Place(t.id, t.istat_code, t.name, t.path, t.level.value, region.id, t.is_capital))
        privacy_version = accounts.settings.privacy_version
        db.engine.dispose()  # the bulk load changes the journal mode: no other connection may stay open
    # The app's own argon2id profile (what production verifies without re-hashing), with a salt
    # derived from the seed so that the same seed gives the same bytes.
    hasher = PasswordHasher.from_parameters(passwords.PROFILES["rfc9106-low-memory"])
    password_hash = hasher.hash(BENCH_PASSWORD, salt=hashlib.sha256(f"ponte-bench-{seed}".encode()).digest()[:16])
    assert passwords.verify_password(password_hash, BENCH_PASSWORD)  # noqa: S101 — a broken hash would fail every login
    return places, privacy_version, password_hash


def bulk_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # A throw-away load: no journal, no fsync (a crash means seeding again). WAL is set at the end.
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
    return engine


def _migration_0008() -> Any:
    """Migration 0008 as a module, so its own statements can be replayed (its name starts with a digit)."""
    spec = importlib.util.spec_from_file_location("ponte_migration_0008", MIGRATION_0008)
    assert spec is not None and spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def search_statements(dialect: str) -> list[str]:
    """The SQL migration 0008 runs for this database, captured instead of executed."""
    module = _migration_0008()
    captured: list[str] = []

    class Recorder:
        @staticmethod
        def execute(statement: str) -> None:
            captured.append(str(statement))

    module.op = Recorder()
    (module._pg_upgrade if dialect == "postgresql" else module._sqlite_upgrade)()
    return captured


def _name(statement: str) -> str:
    """The name a ``CREATE INDEX`` or ``CREATE TRIGGER`` statement gives."""
    found = re.match(r"CREATE (?:INDEX|TRIGGER) (\w+)", statement)
    if found is None:
        raise ValueError(statement)
    return found[1]


@contextmanager
def search_index_off(conn: Connection) -> Iterator[None]:
    """Load ``search_documents`` without per-row index work, then number them in date order as the
    app does and build the index once (``search_index.number_by_date``)."""
    from app.services.search_index import number_by_date

    dialect = conn.dialect.name
    statements = search_statements(dialect)
    if dialect == "postgresql":
        indexes = [s for s in statements if s.startswith("CREATE INDEX")]
        for statement in indexes:
            conn.execute(text(f"DROP INDEX IF EXISTS {_name(statement)}"))
        yield
        number_by_date(conn)
        for statement in indexes:
            conn.execute(text(statement))
        return
    triggers = [s for s in statements if s.startswith("CREATE TRIGGER")]
    for statement in triggers:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {_name(statement)}"))
    yield
    number_by_date(conn)  # on SQLite it also fills the FTS5 tables from the numbered rows
    for statement in triggers:
        conn.execute(text(statement))


class Sink:
    """Rows in batches into their tables (``conn.execute(table.insert(), rows)``)."""

    def __init__(self, conn: Connection, batch: int = BATCH) -> None:
        from models import Base

        self.conn, self.batch = conn, batch
        self.tables = Base.metadata.tables
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}

    def put(self, table: str, row: dict[str, Any]) -> None:
        rows = self.buffers.setdefault(table, [])
        rows.append(row)
        if len(rows) >= self.batch:
            self.flush(table)

    def flush(self, table: str) -> None:
        rows = self.buffers.get(table)
        if rows:
            self.conn.execute(self.tables[table].insert(), rows)
            self.counts[table] = self.counts.get(table, 0) + len(rows)
            rows.clear()

    def close(self) -> None:
        for table in list(self.buffers):
            self.flush(table)


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: ids were given explicitly, so move each serial sequence past the largest one."""
    from models import Base

    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement is not False and str(pk[0].type) == "INTEGER":
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "  # noqa: S608 — names from the models
                              f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))


def load(url: str, spec: dict[str, int], seed: int, anchor: datetime, *, places: list[Place], privacy_version: str,
         password_hash: str, log: Callable[[str], None]) -> Content:
    engine = bulk_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET session_replication_role = replica"))  # no FK triggers during the load
            sink = Sink(conn)
            content = Content(random.Random(seed), spec, anchor, places, put=sink.put, password_hash=password_hash,
                              privacy_version=privacy_version)
            with search_index_off(conn):
                for step in (content.people, content.organizations, content.discussions, content.proposals, content.events,
                             content.initiatives):
                    started = time.perf_counter()
                    step()
                    sink.close()
                    log(f"  {step.__name__:14} {time.perf_counter() - started:7.1f} s")
                started = time.perf_counter()
            log(f"  {'search index':14} {time.perf_counter() - started:7.1f} s")
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET session_replication_role = DEFAULT"))
                reset_sequences(conn)
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.exec_driver_sql("PRAGMA optimize")
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        else:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        log(f"  {'analyze':14} {time.perf_counter() - started:7.1f} s")
    finally:
        engine.dispose()
    return content


# ---------------------------------------------------------------- what the runner reads


def row_counts(conn: Connection) -> dict[str, int]:
    from models import Base

    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables}


def database_size(url: str, conn: Connection) -> int:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sum(Path(f"{parsed.database}{s}").stat().st_size for s in ("", "-wal") if Path(f"{parsed.database}{s}").exists())
    return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


def count_matches(conn: Connection, word: str) -> int:
    if conn.dialect.name == "sqlite":
        return conn.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"), {"q": f'"{word}"'}).scalar_one()
    return conn.execute(text("SELECT count(*) FROM search_documents WHERE search_vector @@ to_tsquery('ponte_it', :q)"),
                        {"q": word}).scalar_one()


def references(content: Content, conn: Connection) -> dict[str, Any]:
    """Ids, slugs and words a benchmark runner needs (all public, all rendering)."""
    tally = content.tally
    busiest = max(tally.forum_threads, key=lambda f: (tally.forum_threads[f], -f))
    forum_big = conn.execute(text("SELECT f.id, f.slug FROM forums f JOIN threads t ON t.forum_id = f.id WHERE t.id = :t"),
                             {"t": tally.big_thread}).one()
    place = max(tally.events_by_place, key=lambda c: (tally.events_by_place[c], c))
    month = max((m for (c, m) in tally.sessions_by_place_month if c == place), key=lambda m: (tally.sessions_by_place_month[(place, m)], m))
    responded = max(tally.responded, key=lambda pc: (pc[1], -pc[0])) if tally.responded else (None, 0)
    popular = conn.execute(text("SELECT id FROM proposals WHERE state != 'draft' ORDER BY supports_count DESC, id LIMIT 1")).scalar_one()
    staff_email = "bench-user-{:06d}@bench.ponte.example.org".format
    assoc_admin = content.memberships[tally.staff["association_admin"]][0][0]
    official = content.officials[tally.staff["authority"]][0]
    region_code = next(p.code for p in content.regions if p.id == content.comuni[0].region)
    return {
        "bench_password": BENCH_PASSWORD,
        "citizen_emails": [staff_email(u) for u in tally.citizens],
        "admin_email": staff_email(tally.staff["admin"]),
        "moderator_email": staff_email(tally.staff["moderator"]),
        "association_admin_email": staff_email(assoc_admin),
        "association_slug": next(o["slug"] for o in content.org_rows if o["id"] == tally.staff["association_admin"]),
        "official_email": staff_email(official),
        "authority_slug": next(o["slug"] for o in content.org_rows if o["id"] == tally.staff["authority"]),
        "big_thread": {"id": tally.big_thread, "posts": content.spec["big_thread"], "forum_id": forum_big.id,
                       "forum_slug": forum_big.slug, "last_page": (content.spec["big_thread"] - 1) // 20 + 1},
        "busy_forum": {"id": busiest, "slug": tally.forum_slugs[busiest], "threads": tally.forum_threads[busiest],
                       "last_page": (tally.forum_threads[busiest] - 1) // 20 + 1},
        "thread_ids": list(range(2, min(content.spec["threads"], 201) + 1)),
        "events_territory": {"code": place, "events": tally.events_by_place[place], "month": month,
                             "calendar_url": f"/events/?territory={place}&date={month}-01"},
        "region_code": region_code,
        "proposal_with_response": {"id": responded[0], "comments": responded[1]},
        "popular_proposal_id": popular,
        "open_proposal_ids": tally.open_proposals,
        "lab_slug": tally.lab_slugs[tally.open_lab],
        "lab_slugs": list(tally.lab_slugs.values())[:50],
        "organization_slugs": tally.org_slugs,
        "organization_filter": {"territory": region_code, "kind": "migrant_association", "area": "italian_l2"},
        "organization_filter_url": f"/organizations/?territory={region_code}&kind=migrant_association&area=italian_l2",
        "event_ids": tally.events,
        "initiative_ids": tally.initiatives[:200],
        "search": {"rare_word": seed_text.RARE_WORD, "rare_documents": len(tally.rare_docs), "rare_in": tally.rare_docs,
                   "common_word": seed_text.COMMON_WORD, "common_documents": count_matches(conn, seed_text.COMMON_WORD)},
    }


def write_manifest(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- the command


def seed(tier: str, seed_value: int, url: str, *, manifest_path: Path | None, anchor: datetime, all_territories: bool = True,
         log: Callable[[str], None] = print) -> dict[str, Any]:
    """Build the database of ``tier`` at ``url`` and write its manifest; returns the manifest."""
    spec = tier_spec(tier)
    started, cpu = time.perf_counter(), time.process_time()
    prepare_database(url)
    migrate(url)
    log(f"  {'schema':14} {time.perf_counter() - started:7.1f} s")
    mark = time.perf_counter()
    places, privacy_version, password_hash = load_territories(url, seed_value, all_territories=all_territories)
    log(f"  {'territories':14} {time.perf_counter() - mark:7.1f} s")
    content = load(url, spec, seed_value, anchor, places=places, privacy_version=privacy_version, password_hash=password_hash,
                   log=log)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            manifest = {
                "tier": tier, "seed": seed_value, "anchor": anchor.date().isoformat(),
                "database_url": make_url(url).render_as_string(hide_password=True), "seed_seconds": round(seconds, 1),
                "seed_cpu_seconds": round(cpu, 1),  # this process only: steadier than wall time on a shared machine
                "database_bytes": database_size(url, conn), "spec": spec, "row_counts": row_counts(conn),
                **references(content, conn),
            }
    finally:
        engine.dispose()
    if manifest_path is not None:
        write_manifest(manifest_path, manifest)
    return manifest


def parse_anchor(value: str | None) -> datetime:
    """Dates are relative to this day (00:00 UTC); by default today, so labs and events are current."""
    day = date.fromisoformat(value) if value else datetime.now(UTC).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", choices=("S", "M", "L", "XS"), default="S", help="S, M or L (XS is for tests)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", help="default: sqlite:///<out>/<tier>.db")
    parser.add_argument("--out", type=Path, default=ROOT / "instance" / "bench", help="where the SQLite file and manifest go")
    parser.add_argument("--anchor", help="the day dates are relative to (YYYY-MM-DD, default today): pin it to reproduce bytes")
    parser.add_argument("--no-verify", action="store_true", help="skip the checks after seeding (counters, search, pages)")
    parser.add_argument("--quick-verify", action="store_true", help="check counters and search, not the pages")
    parser.add_argument("--regions-only", action="store_true", help="import only the five regions' territories (faster; tests)")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    url = args.database_url or f"sqlite:///{out / f'{args.tier}.db'}"
    backend = make_url(url).get_backend_name()
    manifest_path = out / (f"{args.tier}.json" if backend == "sqlite" else f"{args.tier}-pg.json")
    print(f"Seeding tier {args.tier} (seed {args.seed}) into {make_url(url).render_as_string(hide_password=True)}")
    manifest = seed(args.tier, args.seed, url, manifest_path=manifest_path, anchor=parse_anchor(args.anchor),
                    all_territories=not args.regions_only)
    counts = manifest["row_counts"]
    print(f"Seeded in {manifest['seed_seconds']} s ({manifest['seed_cpu_seconds']} s CPU), {manifest['database_bytes'] / 2**20:.1f} MiB -> {manifest_path}")
    for name in ("users", "organizations", "forums", "threads", "posts", "proposals", "proposal_supports", "proposal_comments",
                 "proposal_responses", "events", "registrations", "initiatives", "search_documents"):
        print(f"  {name:20} {counts[name]:>10,}")
    if args.no_verify:
        return 0
    from bench import seed_check

    problems = seed_check.verify(url, manifest, pages=not args.quick_verify)
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    checked = "counters exact, search index as the app writes it, search finds the rare word"
    print(f"Verified: {checked}{'' if args.quick_verify else ', pages render'}." if not problems else "Verification failed.")
    return 1 if problems else 0
