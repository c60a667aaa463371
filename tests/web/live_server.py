"""A real server for concurrency tests: gunicorn (2 workers x 4 threads) on 127.0.0.1 with its
own database (a migrated SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL
points to PostgreSQL, dropped afterwards), seeded by a subprocess through the real services, and
a tiny cookie-keeping HTTP client on plain ``http.client``.

Used by test_labs_concurrency.py and test_events_concurrency.py. Nothing here uses the
in-process ``app``/``session`` fixtures; tests read results straight from the database."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.config import ROOT
from tests.conftest import migrate
from tests.factories import PASSWORD

START_TIMEOUT = 30.0
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VENV_BIN = Path(sys.executable).parent
SERVER_ERRORS = ("Traceback", "database is locked", "OperationalError", "[CRITICAL]", "WORKER TIMEOUT")


# --------------------------------------------------------------------------- a tiny HTTP client


class Browser:
    """One person's cookie jar over plain ``http.client`` (no redirects followed)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()
        self.token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None, keep_cookies: bool = True) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Accept-Language": "it"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
            if keep_cookies:
                for header in response.headers.get_all("Set-Cookie") or []:
                    jar = SimpleCookie()
                    jar.load(header)
                    with self.lock:
                        for name, morsel in jar.items():
                            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                                self.cookies.pop(name, None)
                            else:
                                self.cookies[name] = morsel.value
            return response.status, response.getheader("Location") or "", data
        finally:
            conn.close()

    def csrf_token(self) -> str:
        status, _, page = self.request("GET", "/feedback")
        match = CSRF_RE.search(page)
        assert status == 200 and match, f"no CSRF token (HTTP {status})"
        return match.group(1)

    def log_in(self, email: str) -> None:
        token = self.csrf_token()
        status, location, _ = self.request("POST", "/auth/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        assert status in (302, 303) and location.endswith("/me"), f"login of {email} failed: HTTP {status} -> {location!r}"
        self.token = self.csrf_token()  # the login cleared the session: a fresh token for the forms

    def post_button(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
        """POST a button form (the CSRF token plus ``fields``) without keeping the cookies it sets."""
        status, location, _ = self.request("POST", path, {"csrf_token": self.token, **(fields or {})}, keep_cookies=False)
        return status, location


# --------------------------------------------------------------------------- server and database


@dataclass
class Server:
    host: str
    port: int
    database_url: str
    log_file: Path
    seed: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # the server's environment, for CLI runs against its database

    def log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """A database of our own: a SQLite file, or a PostgreSQL database created and dropped here."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp(label) / 'ponte.db'}"
        return
    name = f"ponte_{label}_{secrets.token_hex(4)}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def running_server(database: str, tmp: Path, seed_script: str, seed_args: list[str]) -> Iterator[Server]:
    """Migrate ``database``, seed it with ``seed_script`` (which prints a JSON object as its last
    line), start gunicorn on a free port and stop it afterwards."""
    migrate(database)
    port = free_port()
    host = f"127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "FLASK_"))}
    env.update({
        "PONTE_TESTING": "1",
        "PONTE_PASSWORD_HASHING": "cheapest",  # hundreds of logins: argon2 at full cost would dominate the test
        "PONTE_SECRET_KEY": secrets.token_urlsafe(48),
        "PONTE_DATABASE_URL": database,
        "PONTE_MAIL_BACKEND": "file",
        "PONTE_MAIL_DIR": str(tmp / "mail"),
        "PONTE_SERVER_NAME": host,
        "PONTE_PREFERRED_URL_SCHEME": "http",
        "PONTE_RATELIMIT_ENABLED": "0",  # the per-IP login limit would stop hundreds of logins from one address
        "PYTHONUNBUFFERED": "1",
    })
    seeded = subprocess.run([sys.executable, "-c", seed_script, *seed_args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=180, check=False)
    if seeded.returncode != 0:
        pytest.fail(f"seeding failed:\n{seeded.stdout}\n{seeded.stderr}", pytrace=False)
    log_file = tmp / "server.log"
    command = [str(VENV_BIN / "gunicorn"), "--workers", "2", "--worker-class", "gthread", "--threads", "4",
               "--bind", host, "--timeout", "60", "--graceful-timeout", "5", "--no-control-socket", "wsgi:app"]
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    live = Server("127.0.0.1", port, database, log_file, json.loads(seeded.stdout.strip().splitlines()[-1]), env)
    try:
        wait_healthy(live, process)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_healthy(live: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with code {process.returncode}:\n{live.log()}", pytrace=False)
        try:
            status, _, _ = Browser(live.host, live.port).request("GET", "/healthz")
            if status == 200:
                return
            last = f"HTTP {status}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.1)
    pytest.fail(f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s (last: {last}):\n{live.log()}", pytrace=False)


@contextmanager
def engine_for(server: Server) -> Iterator[Any]:
    engine = create_engine(server.database_url, poolclass=NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- running things at once


def logged_in(server: Server, emails: list[str]) -> dict[str, Browser]:
    """Log everyone in at once (16 at a time)."""
    browsers = {email: Browser(server.host, server.port) for email in emails}
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda email: browsers[email].log_in(email), emails))
    return browsers


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, released together by a barrier; results in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def scalar(engine: Any, stmt: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one()


def no_server_errors(server: Server) -> None:
    log = server.log()
    for sign in SERVER_ERRORS:
        assert sign not in log, f"{sign!r} in the server log:\n{log[-5000:]}"
