"""Request diagnostics for benchmarks: how many SQL statements each request ran.

With ``PONTE_DIAGNOSTICS=1`` every response carries ``X-Ponte-Queries: <n>``, the statements
the request sent to the database (transaction control — BEGIN, COMMIT, ROLLBACK, SAVEPOINT,
RELEASE — not counted). ``python -m bench run`` sums the header over a load run to report
queries per request. Off by default, and then nothing is registered at all: zero cost.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from flask import Flask, Response
from sqlalchemy import event

from app.db import db

HEADER = "X-Ponte-Queries"
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
# One counter per request (a one-item list, so the listener mutates it without a ContextVar.set);
# None outside requests: statements of CLI commands or after-response callbacks are not counted.
_COUNTER: ContextVar[list[int] | None] = ContextVar("ponte_query_counter", default=None)


def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    counter = _COUNTER.get()
    if counter is not None and not statement.lstrip()[:9].upper().startswith(_CONTROL):
        counter[0] += 1


def _start() -> None:
    _COUNTER.set([0])


def _finish(response: Response) -> Response:
    counter = _COUNTER.get()
    if counter is not None:
        response.headers[HEADER] = str(counter[0])
    return response


def _forget(_exc: BaseException | None) -> None:
    _COUNTER.set(None)


def init_app(app: Flask) -> None:
    """Count statements per request when ``DIAGNOSTICS`` is on; register nothing when it is off."""
    if not app.config.get("DIAGNOSTICS") or db.engine is None:
        return
    event.listen(db.engine, "before_cursor_execute", _count)
    # First before-request hook (the login loader may query), last after-request hook (the unit
    # of work and others run before it), so the header covers the whole request.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.teardown_request(_forget)
