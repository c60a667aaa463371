"""Rate limits (Flask-Limiter): in memory for one local process, Redis across workers.

Views decorate their POST handlers with ``per_ip(setting)`` and ``per_account(setting)``;
the limits themselves are configuration (``PONTE_RATELIMIT_LOGIN`` …).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "ponte")
    # Redis down: keep limiting inside each process (in memory) instead of failing the request;
    # the shared limits come back by themselves once Redis answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _account_key() -> str:
    # The e-mail typed into the form: limits guessing on one account from many addresses.
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def per_user(setting: str):  # type: ignore[no-untyped-def]
    """Limit POSTs to this view per logged-in person (per address for visitors)."""
    return limiter.limit(_setting(setting), key_func=_user_key, methods=["POST"])


def per_ip(setting: str):  # type: ignore[no-untyped-def]
    """Limit POSTs to this view per client address, using the named config setting."""
    return limiter.limit(_setting(setting), methods=["POST"])


def per_ip_all(setting: str):  # type: ignore[no-untyped-def]
    """Limit every request (GETs too) to this view per client address: for public pages that cost
    much more than the others to compute."""
    return limiter.limit(_setting(setting))


def per_account(setting: str):  # type: ignore[no-untyped-def]
    """Limit POSTs to this view per e-mail address typed in the form."""
    return limiter.limit(_setting(setting), key_func=_account_key, methods=["POST"])
