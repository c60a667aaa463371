"""Jinja globals and filters: permissions, languages, fingerprinted static URLs, formats."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from app import i18n
from app.i18n import LANGUAGES, language, text_direction
from app.security.headers import csp_nonce
from app.security.permissions import Permission
from app.security.policy import can as policy_can
from app.services.italian_ids import display_phone
from models import UserStatus

# Translated names of stored codes, for templates: ``labels.kind[org.kind]``.
LABELS = SimpleNamespace(
    kind=i18n.KIND_NAMES, area=i18n.AREA_NAMES, action=i18n.ACTION_NAMES, legal_form=i18n.LEGAL_FORM_NAMES,
    school_level=i18n.SCHOOL_LEVEL_NAMES, authority=i18n.AUTHORITY_NAMES, third_sector=i18n.THIRD_SECTOR_NAMES,
    role=i18n.ROLE_NAMES, report_reason=i18n.REPORT_REASON_NAMES, level=i18n.TERRITORY_LEVEL_NAMES,
    phase=i18n.LAB_PHASE_NAMES, eligibility=i18n.ELIGIBILITY_NAMES, state=i18n.PROPOSAL_STATE_NAMES,
    decision=i18n.RESPONSE_DECISION_NAMES, progress=i18n.PROGRESS_STATUS_NAMES, sort=i18n.PROPOSAL_SORT_NAMES,
    event_kind=i18n.EVENT_KIND_NAMES, event_mode=i18n.EVENT_MODE_NAMES, registration_mode=i18n.REGISTRATION_MODE_NAMES,
    recurrence=i18n.RECURRENCE_NAMES, registration=i18n.REGISTRATION_STATUS_NAMES,
)


def viewer() -> Any:
    """The logged-in user, or None (also None when the database is down)."""
    if g.get("db_down"):
        return None
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]


def can(permission: str, target: Any = None) -> bool:
    return policy_can(viewer(), Permission(permission), target)


@lru_cache(maxsize=512)
def _file_version(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def static_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    folder = current_app.static_folder or "static"
    version = _file_version(str(Path(folder) / filename))
    return url_for("static", filename=filename, v=version)


def current_language() -> Any:
    return language(str(get_locale() or "it"))


def switch_url(code: str) -> str:
    """Link to the language switch that comes back to the current page."""
    here = request.full_path if request.query_string else request.path
    return url_for("main.switch_language", code=code, next=here)


def person_name(user: Any) -> str:
    """Someone's name as shown to others; "deleted participant" once they deleted their account."""
    if user is None or user.status == UserStatus.DELETED:
        return gettext("deleted participant")
    return str(user.display_name)


def rich_html(value: str | None) -> Markup:
    """Show HTML that was sanitized on write (``*_html`` columns only)."""
    return Markup(value or "")  # noqa: S704 — only ever given *_html columns, sanitized by app.sanitize on write


def init_app(app: Flask) -> None:
    if not app.debug:
        app.jinja_env.auto_reload = False
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        can=can,
        viewer=viewer,
        csp_nonce=csp_nonce,
        static_url=static_url,
        languages=LANGUAGES,
        current_language=current_language,
        text_direction=text_direction,
        switch_url=switch_url,
        format_date=format_date,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        display_phone=display_phone,
        person_name=person_name,
        labels=LABELS,
    )
    app.jinja_env.filters["rich_html"] = rich_html
