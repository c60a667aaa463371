"""Migrations: empty → head matches the models exactly; every revision can be undone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from app.config import ROOT
from models import Base
from models.search import is_engine_object


def _config(url: str) -> Config:
    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url
    return cfg


@pytest.fixture
def empty_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"ponte_migrations_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _not_search_engine(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    return not (reflected and compare_to is None and is_engine_object(name, type_))


def test_upgrade_to_head_matches_models_and_downgrade_empties(empty_url: str) -> None:
    cfg = _config(empty_url)
    command.upgrade(cfg, "head")
    engine = create_engine(empty_url)
    with engine.connect() as conn:
        # Only the full-text objects of search_documents (FTS5 tables, tsvector column) are left out.
        opts = {"compare_type": True, "include_object": _not_search_engine}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == []
    command.downgrade(cfg, "base")
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")  # and back again
    engine.dispose()


def test_every_revision_has_a_downgrade() -> None:
    script = ScriptDirectory.from_config(_config("sqlite://"))
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        body = source.split("def downgrade() -> None:", 1)[1]
        assert "op." in body, revision.revision
