"""Test set-up: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL), schema
built once by the migrations, and every test inside an outer transaction rolled back at the end."""

from __future__ import annotations

import os
import re
import smtplib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_request_context
from flask.globals import request_ctx
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy.orm import scoped_session

from app import create_app
from app.db import db
from app.security.ratelimit import limiter
from app.services.mail import mailer

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TEST_SECRET = "test-secret-key-that-is-long-enough-for-checks-0123456789"


def database_url(tmp_dir: Path) -> str:
    """The test database: TEST_DATABASE_URL (PostgreSQL), else a SQLite file of this run. Under
    pytest-xdist each worker gets a database of its own (``<name>_gw0``, …), created empty."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from app.config import ROOT

    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = database_url(tmp_path_factory.mktemp("db"))
    migrate(url)
    return url


def pytest_configure(config: pytest.Config) -> None:
    """Compile the .po catalogs so pages render translated (``make test`` does it too): once, in the
    main process, before any pytest-xdist worker starts reading them."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", "translations"])


@pytest.fixture(scope="session")
def app(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "PASSWORD_HASHING": "cheapest",
            "DATABASE_URL": db_url,
            "MAIL_BACKEND": "memory",
            "MAIL_DIR": str(tmp_path_factory.mktemp("mail")),
            "SERVER_NAME": "ponte.test",
            "PREFERRED_URL_SCHEME": "https",
            "RATELIMIT_ENABLED": True,  # storage is set up; each test switches limits off unless it tests them
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    return application


@pytest.fixture(scope="session")
def engine(app: Flask) -> Iterator[Engine]:
    assert db.engine is not None
    yield db.engine
    db.engine.dispose()


@pytest.fixture(autouse=True)
def _no_real_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("tests must never open a real SMTP connection")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)


@pytest.fixture
def session(app: Flask, engine: Engine) -> Iterator[Any]:
    """A database session whose work is rolled back after the test, commits included."""
    connection = engine.connect()
    outer = connection.begin()
    db.configure(engine, bind=connection, join_transaction_mode="create_savepoint")
    # Requests get their own session (as in production); test code keeps its own, so a request
    # that rolls back or ends never detaches or expires the objects a test is holding.
    original = db.session
    db.session = scoped_session(db.factory, scopefunc=_session_scope)
    mailer.outbox.clear()
    limiter.enabled = False
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()
        db.configure(engine)


def _session_scope() -> object:
    return id(request_ctx._get_current_object()) if has_request_context() else "test"


@pytest.fixture
def outbox(session: Any) -> list:
    return mailer.outbox


class Client(FlaskClient):
    """Test client that can fetch a CSRF token and post forms with it."""

    def csrf_token(self) -> str:
        page = self.get("/feedback").get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, "no CSRF token on the feedback page"
        return match.group(1)

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def client(app: Flask, session: Any) -> FlaskClient:
    app.test_client_class = Client
    return app.test_client()


def login(client: Client, email: str, password: str) -> Any:
    return client.post_form("/auth/login", {"email": email, "password": password})
