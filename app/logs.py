"""Structured logs: one JSON object per line on stderr, every line tagged with the request id.

``PONTE_LOG_FORMAT=json`` (the default in production) or ``text`` (the default with DEBUG or
TESTING). Each request gets an id: a well-formed incoming ``X-Request-Id`` (nginx sets one with
``proxy_set_header X-Request-Id $request_id``) or a fresh one; it is echoed in the response header
and appears on every line logged while the request runs.

One access line per request (logger ``ponte.access``) with method, URL rule, status, duration
and the user id when logged in. What never reaches the logs: the raw path (a rule such as
``/auth/reset/<token>`` is logged instead, so reset, confirmation and unsubscribe tokens stay out),
the query string, form data, cookies and the Authorization header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.globals import _cv_app, _cv_request

ACCESS = "ponte.access"
HEADER = "X-Request-Id"
# nginx's $request_id is 32 hex digits; UUIDs and similar ids from other proxies pass too.
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")
_HANDLER_MARK = "_ponte_handler"
# Extra attributes a log call may attach (``log.info("…", extra={...})``) that the JSON line keeps.
_ACCESS_FIELDS = ("method", "route", "status", "duration_ms", "user_id")
_STANDARD = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime", "request_id"}


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(HEADER, "")
        rid = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC, ISO 8601), level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Readable lines for development: time, level, logger, [request id], message and extras."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None) or request_id()
        extras = " ".join(f"{key}={getattr(record, key)}" for key in _ACCESS_FIELDS if hasattr(record, key))
        return " ".join(part for part in (line, f"[{rid}]" if rid else "", extras) if part)


def configure(log_format: str, debug: bool) -> None:
    """Install (once per process) the stderr handler on the root logger with the chosen format."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, _HANDLER_MARK, False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    # Libraries speak from WARNING up; Ponte's own loggers (and the access line) from INFO.
    root.setLevel(min(root.level or logging.WARNING, logging.INFO if debug else logging.WARNING))
    for name in ("app", "blueprints", "ponte"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.INFO)


def init_app(app: Flask) -> None:
    """Configure logging from ``LOG_FORMAT`` and tag every request with an id and an access line.

    Call it first in ``create_app``: its ``after_request`` hook then runs last, after the
    unit of work has committed, so the logged status is the one the client gets."""
    log_format = app.config.get("LOG_FORMAT") or ("text" if app.debug or app.testing else "json")
    configure(log_format, app.debug)
    access = logging.getLogger(ACCESS)

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def access_line(response: Response) -> Response:
        # Runs on every response: the request and g are read once, not through their proxies.
        req = _cv_request.get().request
        seen = _cv_app.get().g.__dict__
        rid = seen.get("request_id") or request_id()
        if rid:
            response.headers[HEADER] = rid
        started = seen.get("request_started")
        rule = req.url_rule
        access.info(
            "request",
            extra={
                "request_id": rid,
                "method": req.method,
                # The rule, never the path: /auth/reset/<token>, not the token itself.
                "route": rule.rule if rule is not None else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                "user_id": _user_id(seen.get("_login_user")),
            },
        )
        return response


def _user_id(user: Any) -> int | None:
    # Only a user this request already loaded (g._login_user): looking one up would cost a query.
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)
