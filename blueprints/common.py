"""Small helpers shared by every blueprint: the real current user, safe redirects, form errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from flask import Response, abort, flash, request, send_file
from flask_login import current_user
from flask_wtf import FlaskForm

from app.exceptions import Conflict, ValidationFailed
from app.services import uploads
from models import StoredFile, User

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def current_actor() -> User | None:
    """The real logged-in ``User`` (not the proxy), or None for visitors."""
    if not current_user.is_authenticated:
        return None
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def require_actor() -> User:
    actor = current_actor()
    if actor is None:
        abort(401)
    return actor


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-origin path to go back to, or ``default``.

    Refuses absolute URLs, scheme-relative ``//host``, backslashes, control characters
    (tabs, CR/LF), and anything that only looks local once percent-decoded.
    """
    if not value or len(value) > 2000:
        return default
    decoded = value
    for _ in range(3):  # undo layered percent-encoding such as %252F%252F
        decoded = unquote(decoded)
    for candidate in (value, decoded):
        if _CONTROL.search(candidate):
            return default
        if not candidate.startswith("/") or candidate.startswith("//"):
            return default
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return default
    return value


def apply_errors(form: FlaskForm, error: ValidationFailed) -> None:
    """Put service validation errors back onto the form fields (or the form as a whole)."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), str(message)]
        else:
            form.form_errors.append(str(message))


def page_arg(limit: int = 1000) -> int:
    """The ``page`` query parameter: a positive integer up to ``limit``, else 400."""
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        abort(400)
    return int(raw)


def flash_outcome(action: Callable[[], object], success: object) -> bool:
    """Run one service command for a button; flash its success, or the reason it was refused."""
    try:
        action()
    except (Conflict, ValidationFailed) as exc:
        flash(str(exc), "warning")
        return False
    flash(success, "success")
    return True


def send_private_file(stored: StoredFile) -> Response:
    """An uploaded file as a download that is never rendered inline, sniffed or cached."""
    response = send_file(uploads.path_of(stored), mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def save_checked(form: FlaskForm, save: Callable[[], object], stored_version: Callable[[], int]) -> int | None:
    """Run a save that checks the version the form was filled from. None when it worked; else the
    status to answer with: 400 with the errors on their fields, or 409 with the conflict on the form,
    which then carries the stored version (the next save is checked against what is stored now)."""
    try:
        save()
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return 400
    except Conflict as exc:
        form.form_errors.append(str(exc))
        form.version.data = str(stored_version())  # type: ignore[attr-defined]
        return 409
    return None
