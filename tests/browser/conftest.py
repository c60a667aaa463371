"""Browser tests: a real Ponte server in a subprocess, driven by Debian's headless Chromium.

Nothing here uses the in-process ``app``/``session`` fixtures of ``tests/conftest.py``: the
browser talks HTTP to a separate process with its own SQLite file, built by the real
``flask db upgrade`` / ``flask territories import`` / ``flask users create-admin`` commands,
then seeded with organisations, members and a founding path by ``seed.py`` through the real
services (their slugs are in ``live_server.seed``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
except ImportError:  # pragma: no cover - the package is in the "test" extra
    HAVE_PLAYWRIGHT = False
else:
    HAVE_PLAYWRIGHT = True
    from tests.browser.helpers import ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD, AXE_JS, log_in

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV_BIN = Path(sys.executable).parent
# Debian's headless shell: the same Blink as the full browser without its windowing layers; a
# page check costs it much less CPU. The full browser still works where the shell is missing.
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else Path("/usr/bin/chromium")
ISTAT_SAMPLE = ROOT / "tests" / "fixtures" / "istat-sample.csv"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
START_TIMEOUT = 20.0
DEFAULT_HEIGHT = 844


# --------------------------------------------------------------------------- skipping


def _skip_reason() -> str | None:
    if not HAVE_PLAYWRIGHT:
        return "browser tests need the playwright package (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium-headless-shell); it is missing"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every test of this package, with the reason, when the browser cannot run. (``make
    test`` runs pytest-xdist with ``--dist loadfile``: a file's tests stay on one worker, and each
    worker that runs browser tests starts one live server for the session.)"""
    reason = _skip_reason()
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --------------------------------------------------------------------------- live server


@dataclass(frozen=True)
class LiveServer:
    url: str  # "http://127.0.0.1:<port>", no trailing slash
    host: str  # "127.0.0.1:<port>"
    mail_dir: Path
    log_file: Path
    # Slugs of the seed data (see seed.py): "organization", "mentor", "group"; "founding"
    # says whether the group's founding path could be started ("founding_error": why not);
    # "forum" (Bari's forum) and "thread" (the id of its seed discussion).
    seed: dict[str, Any] = field(default_factory=dict)

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_cli(args: list[str], env: dict[str, str], log_file: Path) -> None:
    """Run one ``flask …`` command, failing the session with its output if it fails."""
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"$ flask {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        pytest.fail(
            f"`flask {' '.join(args)}` failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _run_seed(env: dict[str, str], log_file: Path) -> dict[str, Any]:
    """Create the seed organisations through the real services (``tests/browser/seed.py``)."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.browser.seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"$ python -m tests.browser.seed\n{result.stdout}{result.stderr}\n")
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        pytest.fail(
            f"the seed script failed with exit code {result.returncode}:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return dict(json.loads(lines[-1]))


def _wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float) -> str | None:
    """Poll /healthz until it answers 200; return an error description or None."""
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"server exited with code {process.returncode}"
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310 — our own http URL
                if response.status == 200:
                    return None
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            exc.close()
        except (OSError, urllib.error.URLError) as exc:
            last = repr(exc)
        time.sleep(0.1)
    return f"/healthz did not answer 200 within {START_TIMEOUT:.0f} s (last: {last})"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    host = f"127.0.0.1:{port}"
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    log_file = tmp / "server.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PONTE_", "FLASK_"))  # a developer's settings must not leak in
    }
    env.update(
        {
            "PONTE_TESTING": "1",
            "PONTE_PASSWORD_HASHING": "cheapest",  # argon2 at full cost would make every login of the tests slow
            "PONTE_SECRET_KEY": secrets.token_urlsafe(48),
            "PONTE_DATABASE_URL": f"sqlite:///{tmp / 'browser.db'}",
            "PONTE_MAIL_BACKEND": "file",
            "PONTE_MAIL_DIR": str(mail_dir),
            "PONTE_SERVER_NAME": host,
            "PONTE_PREFERRED_URL_SCHEME": "http",
            "PONTE_SESSION_COOKIE_SECURE": "0",
            "PONTE_REMEMBER_COOKIE_SECURE": "0",
            "FLASK_APP": "wsgi:app",
            "PYTHONUNBUFFERED": "1",
        }
    )
    _run_cli(["db", "upgrade"], env, log_file)
    _run_cli(["territories", "import", str(ISTAT_SAMPLE.relative_to(ROOT))], env, log_file)
    _run_cli(["users", "create-admin", ADMIN_EMAIL, "--name", ADMIN_NAME, "--password", ADMIN_PASSWORD], env, log_file)
    seed = _run_seed(env, log_file)

    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers",
        "1",
        # Threads, not the sync worker: Chromium keeps spare connections open, which would
        # block a single-connection worker until its timeout.
        "--worker-class",
        "gthread",
        "--threads",
        "8",
        "--bind",
        host,
        "--graceful-timeout",
        "5",
        "wsgi:app",
    ]
    url = f"http://{host}"
    with log_file.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(url=url, host=host, mail_dir=mail_dir, log_file=log_file, seed=seed)
    try:
        problem = _wait_healthy(url, process, time.monotonic() + START_TIMEOUT)
        if problem:
            pytest.fail(f"Ponte did not start: {problem}\n--- server output ---\n{server.log()}", pytrace=False)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    instance = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def viewport_width() -> int:
    """Override with ``@pytest.mark.parametrize("viewport_width", [390, 1280])``."""
    return 1280


class ContextOpener:
    """``new_context(width, **options)`` opens a fresh browser context (own cookies, own storage),
    closed after the test. ``new_context.viewing_page(width, storage_state)`` instead lends a page
    kept open for the whole session, one per (width, who): for tests that only look at pages.

    Why lend pages: a new context plus its first navigation costs Chromium about 1.5 s of CPU
    (new renderer processes), three times what the navigation itself costs; over the few hundred
    page checks of the accessibility tests that was most of the suite's time. A lent page keeps
    its cookies from test to test (the login of ``storage_state``, the language every check
    sets anyway), never anything a test typed: each check starts with a navigation.

    The interface is Italian by default, like the site's default language: Chromium would
    otherwise send ``Accept-Language: en-US``.
    """

    def __init__(self, browser: Browser, base_url: str, lent: dict[tuple[int, str], Page]) -> None:
        self.browser, self.base_url, self.lent = browser, base_url, lent
        self.opened: list[BrowserContext] = []

    def _context(self, width: int, locale: str, **options: Any) -> BrowserContext:
        context = self.browser.new_context(
            viewport={"width": width, "height": DEFAULT_HEIGHT}, base_url=self.base_url, locale=locale, **options,
        )
        context.set_default_timeout(10_000)
        return context

    def __call__(self, width: int = 1280, *, locale: str = "it-IT", **options: Any) -> BrowserContext:
        context = self._context(width, locale, **options)
        self.opened.append(context)
        return context

    def viewing_page(self, width: int, storage_state: dict[str, Any] | None) -> Page:
        key = (width, json.dumps(storage_state, sort_keys=True))
        page = self.lent.get(key)
        if page is None or page.is_closed():
            context = self._context(width, "it-IT", storage_state=storage_state)
            page = self.lent[key] = context.new_page()
        return page

    def close(self) -> None:
        for context in self.opened:
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture(scope="session")
def _lent_pages(browser: Browser) -> Iterator[dict[tuple[int, str], Page]]:
    # Asks for ``browser`` so that the lent pages' contexts are closed before the browser is.
    lent: dict[tuple[int, str], Page] = {}
    yield lent
    for page in lent.values():
        with contextlib.suppress(Exception):
            page.context.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer, _lent_pages: dict[tuple[int, str], Page]) -> Iterator[ContextOpener]:
    """Fresh browser contexts for the test, and pages lent for looking (see ``ContextOpener``)."""
    opener = ContextOpener(browser, live_server.url, _lent_pages)
    try:
        yield opener
    finally:
        opener.close()


@pytest.fixture
def page(new_context: ContextOpener, viewport_width: int) -> Page:
    """A page in a fresh context, ``viewport_width`` pixels wide."""
    return new_context(viewport_width).new_page()


@pytest.fixture(scope="session")
def admin_state(browser: Browser, live_server: LiveServer) -> dict[str, Any]:
    """Cookies of a logged-in administrator: log in once, reuse in every logged-in case
    (the login form is rate-limited, and logging in is tested on its own elsewhere)."""
    context = browser.new_context(base_url=live_server.url, locale="it-IT")
    try:
        page = context.new_page()
        log_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
        assert "/me" in page.url, f"admin login failed, landed on {page.url}"
        return context.storage_state()
    finally:
        context.close()


# --------------------------------------------------------------------------- axe-core


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is missing at {AXE_JS} (npm install)")
    return AXE_JS.read_text(encoding="utf-8")
