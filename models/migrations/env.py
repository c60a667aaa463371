"""Alembic environment: migrates the database named by the caller (``flask db``) or
``PONTE_DATABASE_URL``; compares against ``models.Base.metadata``."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context

from app.db import make_engine
from models import Base
from models.search import is_engine_object

config = context.config
target_metadata = Base.metadata

ROOT = Path(__file__).resolve().parents[2]


def _url() -> str:
    return (
        config.attributes.get("url")
        or os.environ.get("PONTE_DATABASE_URL")
        or f"sqlite:///{ROOT / 'instance' / 'ponte.db'}"
    )


def _include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave out the full-text objects migration 0008 creates outside the models (see models.search)."""
    return not (reflected and compare_to is None and is_engine_object(name, type_))


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
                      include_object=_include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
