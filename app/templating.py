"""Jinja globals and filters: permissions, languages, fingerprinted static URLs, formats.

Every page runs these helpers dozens of times, so the hot ones read Flask's context
variables once per call instead of going through ``flask.request``/``g`` proxies, and reuse
what cannot change within a request (the language catalog, the time zone, built URLs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import lru_cache
from types import FunctionType, SimpleNamespace
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, url_for
from flask.globals import _cv_app, _cv_request
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.runtime import Context, Macro
from jinja2.utils import _PassArg, internalcode
from markupsafe import Markup, escape

from app import i18n
from app.i18n import LANGUAGES, gettext, language, text_direction, translations
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
    app_ctx = _cv_app.get(None)
    seen = app_ctx.g.__dict__ if app_ctx is not None else {}
    if seen.get("db_down"):
        return None
    user = seen.get("_login_user")  # Flask-Login's per-request user, once loaded
    if user is None:
        user = current_user._get_current_object()  # type: ignore[attr-defined]
    return user if user.is_authenticated else None


def can(permission: str, target: Any = None) -> bool:
    return policy_can(viewer(), Permission(permission), target)


# ---------------------------------------------------------------- URLs

_URL_CACHE_SIZE = 8192
_CACHEABLE_VALUES = (str, int, type(None))


def cached_url_for(endpoint: str, **values: Any) -> str:
    """``flask.url_for`` for templates, remembering each URL it has built.

    A URL depends only on the endpoint, the values (in their order) and the request's URL
    adapter: script root, scheme, server name, subdomain, and the request method it prefers
    rules for. Those are the cache key, so ``SCRIPT_NAME`` and ``ProxyFix`` are respected.
    Anything unusual (relative endpoints, ``_anchor``/``_external``…, values other than
    strings and integers, URL default functions, no request) goes to ``flask.url_for`` as
    before. The cache lives on the application and is bounded."""
    req_ctx = _cv_request.get(None)
    if req_ctx is None or endpoint[:1] == ".":
        return url_for(endpoint, **values)
    adapter = req_ctx.url_adapter
    app = req_ctx.app
    if adapter is None or app.url_default_functions:
        return url_for(endpoint, **values)
    for name, value in values.items():
        if name[:1] == "_" or type(value) not in _CACHEABLE_VALUES:
            return url_for(endpoint, **values)
    key = (
        adapter.script_name, adapter.url_scheme, adapter.server_name, adapter.subdomain, adapter.default_method,
        endpoint, tuple([(name, type(value), value) for name, value in values.items()]),
    )
    cache = app.extensions.get("ponte_url_cache")
    if cache is None:
        cache = app.extensions["ponte_url_cache"] = {}
    try:
        return cache[key]
    except KeyError:
        pass
    url = url_for(endpoint, **values)
    if len(cache) >= _URL_CACHE_SIZE:
        cache.clear()
    cache[key] = url
    return url


@lru_cache(maxsize=512)
def _file_version(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "0"


@lru_cache(maxsize=512)
def _static_version(folder: str, filename: str) -> str:
    return _file_version(os.path.join(folder, filename))


def static_url(filename: str) -> str:
    """URL of a static file with a content hash, so it can be cached for a year."""
    app_ctx = _cv_app.get(None)
    folder = (app_ctx.app if app_ctx is not None else current_app).static_folder or "static"
    return cached_url_for("static", filename=filename, v=_static_version(folder, filename))


def svg_icon(name: str, classes: str = "", label: str | None = None) -> Markup:
    """An icon of the Bootstrap Italia sprite (``icon()`` in macros/ui.html): decorative
    unless it has a label. Same markup as the former macro; every value is escaped."""
    sprite = static_url("vendor/bootstrap-italia/svg/sprites.svg")
    if type(name) is str and type(classes) is str and (label is None or type(label) is str):
        return _icon_markup(sprite, name, classes, label)
    return _icon_markup.__wrapped__(sprite, name, classes, label)


@lru_cache(maxsize=1024)
def _icon_markup(sprite: str, name: Any, classes: Any, label: Any) -> Markup:
    extra = f' role="img" aria-label="{escape(label)}"' if label else ' aria-hidden="true" focusable="false"'
    return Markup(f'<svg class="icon {escape(classes)}"{extra}><use href="{escape(sprite)}#{escape(name)}"></use></svg>')  # noqa: S704 — every part escaped


def current_language() -> Any:
    return language(str(get_locale() or "it"))


def switch_url(code: str) -> str:
    """Link to the language switch that comes back to the current page."""
    req = _cv_request.get().request
    here = req.full_path if req.query_string else req.path
    return cached_url_for("main.switch_language", code=code, next=here)


def person_name(user: Any) -> str:
    """Someone's name as shown to others; "deleted participant" once they deleted their account."""
    if user is None or user.status == UserStatus.DELETED:
        return gettext("deleted participant")
    return str(user.display_name)


def rich_html(value: str | None) -> Markup:
    """Show HTML that was sanitized on write (``*_html`` columns only)."""
    return Markup(value or "")  # noqa: S704 — only ever given *_html columns, sanitized by app.sanitize on write


# ---------------------------------------------------------------- translations in templates
# Jinja's newstyle gettext (what Flask-Babel installs) on the cached catalog: the same
# autoescaping and ``%`` formatting, without a context proxy walk per string; ``_`` points
# straight at it instead of going through Jinja's alias that resolves ``gettext`` again.


@pass_eval_context
def _jinja_gettext(__eval_ctx: Any, __string: str, **variables: Any) -> str:
    rv = translations().ugettext(__string)
    if not variables and "%" not in rv:  # nothing to format: ``rv % {}`` would return rv itself
        return Markup(rv) if __eval_ctx.autoescape else rv  # noqa: S704 — a message of our catalogs, as jinja2.ext does
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 — as jinja2.ext does; the variables are escaped by %
    return rv % variables  # always a format string, as in jinja2.ext


@pass_eval_context
def _jinja_ngettext(__eval_ctx: Any, __singular: str, __plural: str, __num: int, **variables: Any) -> str:
    variables.setdefault("num", __num)
    rv = translations().ungettext(__singular, __plural, __num)
    if __eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 — as above
    return rv % variables


# ---------------------------------------------------------------- dates and numbers
# Flask-Babel's format_* resolve the locale, the time zone and the configured format through
# several proxies per call, and Babel looks the locale's named patterns up in its CLDR data
# each time. Same results: the locale and zone are read from Flask-Babel's per-context state,
# the named patterns are cached per (locale, format).

_NAMED = ("full", "long", "medium", "short")


def _formatting() -> tuple[Any, Any, str]:
    """This context's (Babel locale, time zone, locale id), resolved once per context.

    Checked against the objects Flask-Babel holds, so ``force_locale``/``refresh`` switch it."""
    app_ctx = _cv_app.get(None)
    state = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
    if state is not None:
        seen = state.__dict__
        cached = seen.get("ponte_formatting")
        if cached is not None and cached[0] is seen.get("babel_locale") and cached[1] is seen.get("babel_tzinfo"):
            return cached
    locale, zone = get_locale(), get_timezone()
    found = (locale, zone, str(locale))
    if app_ctx is not None:
        app_ctx.g._flask_babel.ponte_formatting = found
    return found


def _resolve_format(kind: str, format: str | None) -> str:
    """Flask-Babel's ``_get_format``: the configured default and named formats (BABEL date_formats)."""
    app_ctx = _cv_app.get(None)
    formats = (app_ctx.app if app_ctx is not None else current_app).extensions["babel"].instance.date_formats
    if format is None:
        format = formats[kind]
    if format in _NAMED:
        configured = formats[f"{kind}.{format}"]
        if configured is not None:
            format = configured
    return format


@lru_cache(maxsize=256)
def _datetime_patterns(locale: Any, format: str) -> tuple[str, Any, Any]:
    return (
        babel_dates.get_datetime_format(format, locale=locale).replace("'", ""),
        babel_dates.get_time_format(format, locale=locale),
        babel_dates.get_date_format(format, locale=locale),
    )


@lru_cache(maxsize=256)
def _date_pattern(locale: Any, format: str) -> Any:
    return babel_dates.get_date_format(format, locale=locale)


def _in_zone(value: dt.datetime, zone: Any) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if zone is not None:
        value = value.astimezone(zone)
        if hasattr(zone, "normalize"):  # pytz
            value = zone.normalize(value)
    return value


# Formatted dates, remembered: the same timestamps (a thread's messages, a list's dates) are
# shown again and again, and formatting one costs ~15 µs of Babel. The key holds everything
# the text depends on: the value with its time zone and ``fold``, the pattern, the language and
# the viewer's zone. Bounded; cleared when full.
_FORMATTED: dict[tuple, str] = {}
_FORMATTED_SIZE = 20000


def _remember(key: tuple, text: str) -> str:
    if len(_FORMATTED) >= _FORMATTED_SIZE:
        _FORMATTED.clear()
    _FORMATTED[key] = text
    return text


def format_datetime(datetime: Any = None, format: str | None = None, rebase: bool = True) -> str:
    """``flask_babel.format_datetime``: in the viewer's language and time zone."""
    pattern = _resolve_format("datetime", format)
    locale, zone, locale_id = _formatting()
    if type(datetime) is not dt.datetime:  # None (now), timestamps, dates, subclasses: Babel's own path
        return babel_dates.format_datetime(datetime, pattern, tzinfo=zone if rebase else None, locale=locale)
    key = ("dt", datetime, datetime.tzinfo, datetime.fold, pattern, locale_id, zone if rebase else None)
    found = _FORMATTED.get(key)
    if found is not None:
        return found
    value = _in_zone(datetime, zone if rebase else None)
    if pattern in _NAMED:
        glue, time_pattern, date_pattern = _datetime_patterns(locale, pattern)
        text = (glue.replace("{0}", time_pattern.apply(value.timetz(), locale, reference_date=value.date()))
                .replace("{1}", date_pattern.apply(value.date(), locale)))
    else:
        text = babel_dates.parse_pattern(pattern).apply(value, locale)
    return _remember(key, text)


def format_date(date: Any = None, format: str | None = None, rebase: bool = True) -> str:
    """``flask_babel.format_date``: a datetime is first moved to the viewer's time zone."""
    pattern = _resolve_format("date", format)
    locale, zone, locale_id = _formatting()
    kind = type(date)
    if kind is dt.datetime:
        key: tuple = ("d", date, date.tzinfo, date.fold, pattern, locale_id, zone if rebase else None)
    elif kind is dt.date:
        key = ("d", date, None, 0, pattern, locale_id, None)
    else:  # None (today), subclasses: Babel's own path, as Flask-Babel does it
        if rebase and isinstance(date, dt.datetime):
            date = _in_zone(date, zone)
        return babel_dates.format_date(date, pattern, locale=locale)
    found = _FORMATTED.get(key)
    if found is not None:
        return found
    if kind is dt.datetime:
        date = (_in_zone(date, zone) if rebase else date).date()
    if pattern in _NAMED:
        return _remember(key, _date_pattern(locale, pattern).apply(date, locale))
    return _remember(key, babel_dates.parse_pattern(pattern).apply(date, locale))


def format_decimal(number: Any, format: str | None = None) -> str:
    """``flask_babel.format_decimal`` in the viewer's language."""
    return babel_numbers.format_decimal(number, format=format, locale=_formatting()[0])


# ---------------------------------------------------------------- Jinja calls


class _Context(Context):
    """Jinja's context with a shorter path for the commonest calls in a template.

    Every ``f(…)`` in a template goes through ``Context.call``, which probes the callable for
    ``pass_context``/``pass_eval_context`` markers (``hasattr`` twice, on the object and on its
    ``__call__``) before calling it: a few hundred times per page. Plain functions and macros
    carry their marker in their own attributes, so one lookup decides; everything else
    (callable objects, bound methods…) takes Jinja's own path."""

    @internalcode
    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 — Jinja's signature
        kind = type(__obj)
        if kind is FunctionType or kind is Macro:
            pass_arg = getattr(__obj, "jinja_pass_arg", None)
            if pass_arg is None or pass_arg is _PassArg.eval_context:
                if kwargs:
                    kwargs.pop("_block_vars", None)
                    kwargs.pop("_loop_vars", None)
                try:
                    if pass_arg is None:
                        return __obj(*args, **kwargs)
                    return __obj(__self.eval_ctx, *args, **kwargs)
                except StopIteration:
                    return __self.environment.undefined(
                        "value was undefined because a callable raised a StopIteration exception"
                    )
        return Context.call(__self, __obj, *args, **kwargs)


def init_app(app: Flask) -> None:
    if not app.debug:
        app.jinja_env.auto_reload = False
    app.jinja_env.context_class = _Context
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        can=can,
        viewer=viewer,
        csp_nonce=csp_nonce,
        static_url=static_url,
        svg_icon=svg_icon,
        url_for=cached_url_for,
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
        # after Flask-Babel's install_gettext_callables (i18n.init_app runs first)
        gettext=_jinja_gettext,
        ngettext=_jinja_ngettext,
        _=_jinja_gettext,
    )
    app.jinja_env.filters["rich_html"] = rich_html
