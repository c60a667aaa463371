"""Map domain errors and infrastructure failures to translated HTTP error pages."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from app.db import db
from app.exceptions import Conflict, NotFound, PermissionDenied
from app.i18n import _l

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# The open data API (/api/…) answers every error with one JSON shape: {"error": {"code", "message"}}.
API_PREFIX = "/api/"
_API_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited", 500: "internal", 503: "unavailable"}
_API_MESSAGES = {
    400: _l("Something in the address or in the form was not valid."),
    404: _l("This page does not exist or is no longer available."),
    405: _l("This page cannot be used in this way."),
    429: _l("You tried this many times in a short time."),
    500: _l("We could not complete your request, so it was not saved."),
    503: _l("We cannot reach our database at the moment."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(status: int, message: object = None, fields: dict | None = None):  # type: ignore[no-untyped-def]
    """The API's error object, readable from any origin and never cached."""
    code = _API_CODES.get(status, "internal" if status >= 500 else "bad_request")
    error: dict = {"code": code, "message": str(message or _API_MESSAGES.get(status) or _API_MESSAGES[400 if status < 500 else 500])}
    if fields:
        error["fields"] = {str(key): str(value) for key, value in fields.items()}
    response = jsonify({"error": error})
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response


def _allow(response: object, exc: HTTPException) -> None:
    """A 405 of the API names the methods the path takes."""
    methods = getattr(exc, "valid_methods", None)
    if methods and is_api_request() and isinstance(response, Response):
        response.headers["Allow"] = ", ".join(methods)


def _page(status: int, message: str | None = None):  # type: ignore[no-untyped-def]
    if is_api_request():
        return api_error(status, message), status
    if _wants_json():
        return jsonify({"status": status, "message": message or ""}), status
    return render_template(f"errors/{status}.html", message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):  # type: ignore[no-untyped-def]
        return _page(404, str(exc) or None)

    @app.errorhandler(PermissionDenied)
    def _denied(exc: PermissionDenied):  # type: ignore[no-untyped-def]
        return _page(403)

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):  # type: ignore[no-untyped-def]
        return _page(409, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):  # type: ignore[no-untyped-def]
        return _page(400, str(_l("The form has expired or did not come from this site. Go back, reload the page and send it again.")))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        if status in (400, 401, 403, 404, 405, 409, 413, 429, 500, 503):
            response, status = _page(status)
            _allow(response, exc)
            if status == 429:
                response = app.make_response((response, status))
                retry = getattr(exc, "retry_after", None) or 60
                response.headers.setdefault("Retry-After", str(retry))
                return response
            return response, status
        return exc

    @app.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError):  # type: ignore[no-untyped-def]
        # Services catch the races they expect; one that slips through is a conflict, not an outage.
        log.warning("integrity error reached the handler: %s", exc.orig.__class__.__name__ if exc.orig else "")
        db.rollback()
        return _page(409, str(_l("Someone else changed this at the same moment. Reload the page and try again.")))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database_down(exc: Exception):  # type: ignore[no-untyped-def]
        log.error("database unavailable: %s", exc.__class__.__name__)
        g.db_down = True
        try:
            db.session.remove()
        except Exception:  # the connection is already broken; dropping it is all we want
            log.debug("session cleanup after database error failed", exc_info=True)
        response = app.make_response(_page_without_db(503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(500)
    def _server_error(exc: Exception):  # type: ignore[no-untyped-def]
        return _page_without_db(500)


def _page_without_db(status: int):  # type: ignore[no-untyped-def]
    """Render an error page that must not touch the database (no current_user lookup)."""
    if is_api_request():
        return api_error(status), status
    if _wants_json():
        return jsonify({"status": status}), status
    return render_template(f"errors/{status}.html", message=None, no_user=True), status
