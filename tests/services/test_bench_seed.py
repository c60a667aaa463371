"""The benchmark seeder (``python -m bench seed``) on its smallest tier (XS = L/1000).

The seeder runs in a subprocess: it builds its own app (``create_app`` configures process-wide
state such as the password hashing profile and the mailer) and must not disturb this test session.
Its own checks run there too (``--quick-verify``: counters, the search index against
``search_index.rebuild()``, the app's search for the rare word)."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, text

from app.sanitize import rich_text
from app.services.search_index import clean
from bench import seed_text
from bench.seed import tier_spec
from bench.seed_check import counter_problems
from bench.seed_content import Content, Place
from models import Territory

ROOT = Path(__file__).resolve().parents[2]
ANCHOR = "2026-06-01"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, dict[str, Any]]]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "seed", "--tier", "XS", "--seed", "7", "--anchor", ANCHOR, "--out", str(out),
         "--regions-only", "--quick-verify"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    engine = create_engine(f"sqlite:///{out / 'XS.db'}")
    yield engine, json.loads((out / "XS.json").read_text(encoding="utf-8"))
    engine.dispose()


def test_row_counts_follow_the_tier_spec(seeded: tuple[Engine, dict[str, Any]]) -> None:
    _, manifest = seeded
    spec, counts = tier_spec("XS"), manifest["row_counts"]
    for table, key in (("users", "users"), ("organizations", "organizations"), ("forums", "forums"), ("threads", "threads"),
                       ("posts", "posts"), ("proposals", "proposals"), ("proposal_supports", "supports"),
                       ("proposal_comments", "comments"), ("proposal_responses", "responses"), ("events", "events"),
                       ("registrations", "registrations"), ("initiatives", "initiatives"), ("consents", "users")):
        assert counts[table] == spec[key], table
    assert manifest["big_thread"]["posts"] == spec["big_thread"]
    assert spec == {name: max(1, value // 1000) for name, value in tier_spec("L").items() if name != "big_thread"} | {
        "forums": 30, "organizations": 20, "labs": 3, "big_thread": 50}


def test_every_counter_equals_the_rows_it_counts(seeded: tuple[Engine, dict[str, Any]]) -> None:
    engine, _ = seeded
    with engine.connect() as conn:
        assert counter_problems(conn) == []
        thread = conn.execute(text("SELECT posts_count FROM threads WHERE id = :id"), {"id": 1}).scalar_one()
    assert thread == tier_spec("XS")["big_thread"]


def test_stored_html_is_what_the_sanitizer_makes(seeded: tuple[Engine, dict[str, Any]]) -> None:
    engine, _ = seeded
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT body, body_html FROM posts ORDER BY id LIMIT 300")).all()
        rows += conn.execute(text("SELECT body, body_html FROM proposal_comments ORDER BY id LIMIT 100")).all()
    assert all(rich_text(body) == html for body, html in rows)


def test_search_finds_the_rare_word_in_a_handful_of_documents(seeded: tuple[Engine, dict[str, Any]]) -> None:
    engine, manifest = seeded
    search = manifest["search"]
    assert search["rare_word"] == seed_text.RARE_WORD
    assert search["rare_documents"] == seed_text.RARE_DOCUMENTS
    with engine.connect() as conn:
        rare = conn.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH :q"), {"q": '"pizzica"'}).scalar_one()
        total = conn.execute(text("SELECT count(*) FROM search_documents")).scalar_one()
    assert rare == seed_text.RARE_DOCUMENTS
    assert search["common_documents"] > total // 4


def _places(engine: Engine) -> list[Place]:
    with engine.connect() as conn:
        rows = conn.execute(select(Territory.id, Territory.istat_code, Territory.name, Territory.path, Territory.level,
                                   Territory.is_capital).order_by(Territory.id)).all()
    regions = {r.path.strip("/").split("/")[0] for r in rows if r.level == "region"}
    return [Place(r.id, r.istat_code, r.name, r.path, r.level, int(r.path.strip("/").split("/")[0]), r.is_capital)
            for r in rows if r.path.strip("/").split("/")[0] in regions]


class CheckedContent(Content):
    """Content whose fast index text is compared with the app's ``clean`` for every document."""

    @staticmethod
    def index_text(value: str) -> str:
        fast = seed_text.index_text(value)
        assert fast == clean(value), value
        return fast


def _checksums(places: list[Place], seed: int) -> dict[str, str]:
    digests: dict[str, Any] = defaultdict(hashlib.sha256)

    def put(table: str, row: dict[str, Any]) -> None:
        digests[table].update(repr(sorted(row.items())).encode())

    content = CheckedContent(random.Random(seed), tier_spec("XS"), datetime(2026, 6, 1, tzinfo=UTC), places, put=put,  # noqa: S311 — test data
                             password_hash="hash", privacy_version="2026-12")
    for step in (content.people, content.organizations, content.discussions, content.proposals, content.events, content.initiatives):
        step()
    return {table: digest.hexdigest() for table, digest in digests.items()}


def test_same_seed_gives_the_same_data(seeded: tuple[Engine, dict[str, Any]]) -> None:
    engine, _ = seeded
    places = _places(engine)
    first, again, other = _checksums(places, 7), _checksums(places, 7), _checksums(places, 8)
    assert first == again
    assert first["users"] != other["users"]
    assert first["posts"] != other["posts"]
