"""Engine, scoped session and the unit of work.

Web requests: one transaction per request, committed by an ``after_request`` hook when
the response status is below 400, rolled back otherwise. Callbacks queued with
``after_commit`` run only once the commit has succeeded (mail, notifications, index updates).
CLI commands and jobs use ``with db.unit_of_work():``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

_AFTER_COMMIT = "ponte_after_commit"
_WROTE = "ponte_wrote"  # session.info flag: this transaction has written (flushed or run DML)
# Set for requests that write (POST): SQLite then takes the write lock when the transaction
# begins (BEGIN IMMEDIATE) and waits its turn, instead of failing when a read transaction
# tries to become a write transaction after another writer committed.
# How long a SQLite writer waits for the write lock before giving up (503). Writes hold it for
# milliseconds, but a burst of them on a busy two-core machine can queue for seconds.
SQLITE_BUSY_MS = 15_000
_WRITE_INTENT: ContextVar[bool] = ContextVar("ponte_write_intent", default=False)


def expect_writes(value: bool) -> None:
    """Declare whether the current request or job will write (SQLite locking; no-op elsewhere)."""
    _WRITE_INTENT.set(value)


def _sqlite_setup(engine: Engine) -> None:
    """Let SQLAlchemy drive transactions (savepoints work) and turn on what SQLite leaves off."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine with the settings Ponte relies on for the given backend."""
    kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_MS / 1000}
        kwargs.pop("pool_pre_ping")
    else:
        kwargs.update(pool_size=5, max_overflow=5, pool_recycle=1800)
        kwargs["connect_args"] = {"connect_timeout": 3}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_setup(engine)
    return engine


def _mark_flush(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def _mark_dml(state: Any) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


def _forget_writes(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class Database:
    """Holds the engine and the thread/request-scoped session."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.factory = sessionmaker(expire_on_commit=False, autoflush=True)
        self.session = scoped_session(self.factory)
        event.listen(self.factory, "after_flush", _mark_flush)
        event.listen(self.factory, "do_orm_execute", _mark_dml)
        event.listen(self.factory, "after_transaction_end", _forget_writes)

    def release_write_lock(self) -> None:
        """Before slow CPU work (a password KDF) in a writing request that has only read so far,
        end the transaction: on SQLite it holds the write lock from BEGIN IMMEDIATE, and every
        other writer would queue behind the KDF (logins at once then wait past the busy timeout:
        "database is locked", 503). Nothing was written, so nothing is committed early; loaded
        objects stay loaded (``expire_on_commit=False``); the next query begins a new transaction."""
        if not _WRITE_INTENT.get() or self.engine is None or self.engine.dialect.name != "sqlite":
            return
        session = self.session()
        if session.in_transaction() and not (session.info.get(_WROTE) or session.new or session.dirty or session.deleted):
            session.commit()

    def configure(self, engine: Engine, **session_options: Any) -> None:
        """Bind sessions to ``engine`` (tests pass ``bind=connection`` instead)."""
        self.session.remove()
        self.engine = engine
        self.factory.configure(bind=session_options.pop("bind", engine), **session_options)

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the current transaction commits; dropped on rollback."""
        self.session().info.setdefault(_AFTER_COMMIT, []).append(fn)

    def commit(self) -> None:
        """Commit the current unit of work, then run the queued after-commit callbacks."""
        session = self.session()
        session.commit()
        callbacks = session.info.pop(_AFTER_COMMIT, [])
        for fn in callbacks:
            try:
                fn()
            except Exception:  # an effect failing must not undo an acknowledged write
                log.exception("after-commit callback failed")

    def rollback(self) -> None:
        session = self.session()
        session.info.pop(_AFTER_COMMIT, None)
        try:
            session.rollback()
        except Exception:  # a dead connection cannot roll back; the pool discards it
            log.warning("rollback failed", exc_info=True)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A transaction for CLI commands and jobs: commit on success, roll back on error."""
        try:
            yield self.session()
            self.commit()
        except BaseException:
            self.rollback()
            raise
        finally:
            self.session.remove()


db = Database()
