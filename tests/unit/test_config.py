"""Configuration: fail fast on unsafe production settings."""

from __future__ import annotations

import pytest
from flask import Flask

from app.config import DEV_SECRET, ConfigError, check, load_config


def _app(overrides: dict) -> Flask:
    app = Flask(__name__)
    load_config(app, overrides)
    return app


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ConfigError, match="PONTE_SECRET_KEY"):
        check(_app({"SECRET_KEY": DEV_SECRET, "SERVER_NAME": "ponte.example.org"}))


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ConfigError):
        check(_app({"SECRET_KEY": "short", "SERVER_NAME": "ponte.example.org"}))


def test_production_needs_server_name_for_links_in_mails() -> None:
    with pytest.raises(ConfigError, match="SERVER_NAME"):
        check(_app({"SECRET_KEY": "x" * 40}))


def test_production_settings_pass_and_cookies_are_secure() -> None:
    app = _app({"SECRET_KEY": "x" * 40, "SERVER_NAME": "ponte.example.org"})
    check(app)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_debug_allows_the_development_secret_over_plain_http() -> None:
    app = _app({"DEBUG": True})
    check(app)
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_environment_variables_are_read_with_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PONTE_PASSWORD_MIN_LENGTH", "12")
    monkeypatch.setenv("PONTE_HSTS", "yes")
    app = _app({})
    assert app.config["PASSWORD_MIN_LENGTH"] == 12
    assert app.config["HSTS"] is True


def test_bad_boolean_in_environment_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PONTE_HSTS", "maybe")
    with pytest.raises(ConfigError, match="PONTE_HSTS"):
        _app({})


def test_cheap_password_hashing_is_refused_outside_tests() -> None:
    production = {"SECRET_KEY": "x" * 40, "SERVER_NAME": "ponte.example.org"}
    with pytest.raises(ConfigError, match="PONTE_PASSWORD_HASHING"):
        check(_app({**production, "PASSWORD_HASHING": "cheapest"}))
    with pytest.raises(ConfigError, match="PONTE_PASSWORD_HASHING"):
        check(_app({**production, "PASSWORD_HASHING": "md5"}))
    check(_app({**production, "PASSWORD_HASHING": "cheapest", "TESTING": True}))
