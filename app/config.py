"""Configuration: defaults, then ``PONTE_*`` environment variables, then explicit overrides.

Nothing is read at import time; ``load_config`` is called by ``create_app``.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent

# A development-only secret: refused by ``check`` outside debug/testing.
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 — a marker value that check() refuses in production


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Return the default settings; every one can be overridden with PONTE_<NAME>."""
    return {
        "SECRET_KEY": DEV_SECRET,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'ponte.db'}",
        "DATABASE_ECHO": False,
        "REDIS_URL": "",
        "SERVER_NAME": None,
        "PREFERRED_URL_SCHEME": "http",
        "SESSION_COOKIE_NAME": "ponte_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_SECURE": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,  # larger bodies get 413 before they are read
        "UPLOAD_DIR": str(Path(instance_path) / "uploads"),
        "UPLOAD_MAX_IMAGE_BYTES": 2 * 1024 * 1024,
        "UPLOAD_MAX_DOCUMENT_BYTES": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # Mail
        "MAIL_BACKEND": "file",  # file | smtp | memory
        "MAIL_HOST": "localhost",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_TIMEOUT": 10,
        "MAIL_FROM": "Ponte <noreply@ponte.localhost>",
        "MAIL_DIR": str(Path(instance_path) / "mail"),
        # Accounts
        "TOKEN_MAX_AGE_CONFIRM": 3 * 24 * 3600,
        "TOKEN_MAX_AGE_RESET": 3600,
        # The privacy notice in force and the day it took effect (shown on /privacy). A new version
        # asks everyone who accepted an older one to accept it again (see blueprints/privacy).
        "PRIVACY_NOTICE_VERSION": "2026-12",
        "PRIVACY_NOTICE_DATE": "2026-12-01",
        "PASSWORD_MIN_LENGTH": 10,
        # argon2id parameters: "rfc9106-low-memory" (3 passes over 64 MiB); "cheapest" is for test
        # servers only (check() refuses it elsewhere), where hundreds of logins run in a few seconds.
        "PASSWORD_HASHING": "rfc9106-low-memory",
        # Rate limits (Flask-Limiter syntax)
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_LOGIN": "10 per minute;50 per hour",
        "RATELIMIT_REGISTER": "5 per minute;20 per hour",
        "RATELIMIT_RESET": "5 per minute;20 per hour",
        "RATELIMIT_POST": "6 per minute;60 per hour",
        "RATELIMIT_PARTICIPATE": "30 per minute;300 per hour",
        "RATELIMIT_FIGURES": "30 per minute;300 per hour",  # public figures: aggregate queries over whole regions
        "RATELIMIT_API": "300 per minute",  # the open data API (/api/v1), per client address
        "RATELIMIT_EXPORT": "3 per minute;10 per day",  # GDPR data export: a large download
        "FORUM_NEW_MEMBER_DAYS": 7,
        # Deployment
        "ACCESSIBILITY_STATEMENT_URL": "",
        "CONTACT_EMAIL": "info@ponte.localhost",
        # Open data catalogue (DCAT-AP_IT): the publishing body's IPA code and name
        "CATALOG_PUBLISHER_IPA": "ponte",
        "CATALOG_PUBLISHER_NAME": "Ponte",
        "PROXY_FIX": 0,
        # Logs on stderr: "json" (one object per line, for production) or "text"; empty means json,
        # or text with DEBUG/TESTING (see app/logs.py).
        "LOG_FORMAT": "",
        "HSTS": False,
        "DEFAULT_TIMEZONE": "Europe/Rome",
        "DEMO_DATA": True,
        "DIAGNOSTICS": False,  # X-Ponte-Queries response header (app/diagnostics.py), for bench/
    }


_BOOL = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(current: Any, raw: str) -> Any:
    if isinstance(current, bool):
        try:
            return _BOOL[raw.strip().lower()]
        except KeyError:
            raise ConfigError(f"expected a boolean, got {raw!r}") from None
    if isinstance(current, int):
        return int(raw)
    if isinstance(current, timedelta):
        return timedelta(seconds=int(raw))
    return raw


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the environment (``PONTE_*``) and overrides."""
    base = defaults(app.instance_path)
    app.config.update(base)
    for key, value in os.environ.items():
        if not key.startswith("PONTE_"):
            continue
        name = key.removeprefix("PONTE_")
        if name in base:
            try:
                app.config[name] = _coerce(base[name], value)
            except (ValueError, ConfigError) as exc:
                raise ConfigError(f"{key}: {exc}") from None
        elif name in {"DEBUG", "TESTING"}:
            app.config[name] = _BOOL.get(value.lower(), False)
    if overrides:
        app.config.update(overrides)
    explicit = set(overrides or {}) | {k.removeprefix("PONTE_") for k in os.environ if k.startswith("PONTE_")}
    if app.config.get("DEBUG") or app.config.get("TESTING"):
        # Plain http on 127.0.0.1 during development: a Secure cookie would never come back.
        for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "WTF_CSRF_SSL_STRICT"):
            if name not in explicit:
                app.config[name] = False


def check(app: Flask) -> None:
    """Fail fast on settings that would run unsafely or not at all."""
    cfg = app.config
    local = app.debug or cfg.get("DEBUG") or cfg.get("TESTING")
    if cfg["PASSWORD_HASHING"] not in ("rfc9106-low-memory", "cheapest"):
        raise ConfigError("PONTE_PASSWORD_HASHING must be rfc9106-low-memory (or cheapest, for tests only).")
    if cfg["PASSWORD_HASHING"] == "cheapest" and not cfg.get("TESTING"):  # noqa: S105 — a profile name, not a password
        raise ConfigError("PONTE_PASSWORD_HASHING=cheapest is for tests only: it would make stolen password hashes easy to crack.")
    if not local:
        if cfg["SECRET_KEY"] == DEV_SECRET or len(cfg["SECRET_KEY"]) < 32:
            raise ConfigError(
                "PONTE_SECRET_KEY must be set to a random value of at least 32 characters "
                "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not cfg.get("SERVER_NAME"):
            raise ConfigError("PONTE_SERVER_NAME must be set: links in e-mails are built from it, never from the Host header.")
    if cfg["LOG_FORMAT"] not in {"", "json", "text"}:
        raise ConfigError("PONTE_LOG_FORMAT must be json or text.")
    if cfg["MAIL_BACKEND"] not in {"file", "smtp", "memory"}:
        raise ConfigError("PONTE_MAIL_BACKEND must be one of: file, smtp, memory.")
    if cfg["PASSWORD_MIN_LENGTH"] < 8:
        raise ConfigError("PONTE_PASSWORD_MIN_LENGTH must be at least 8.")
    try:
        date.fromisoformat(str(cfg["PRIVACY_NOTICE_DATE"]))
    except ValueError:
        raise ConfigError("PONTE_PRIVACY_NOTICE_DATE must be a date such as 2026-12-01.") from None
    if not 1 <= len(str(cfg["PRIVACY_NOTICE_VERSION"])) <= 32:
        raise ConfigError("PONTE_PRIVACY_NOTICE_VERSION must have 1 to 32 characters.")
