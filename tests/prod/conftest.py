"""The production stack for the two-instance tests: bench/stack.py starts it once per session (its own
instance dir, database, ports and redis-server) and stops it afterwards.

Runs only with PONTE_TEST_PRODLOCAL=1 and PostgreSQL and Redis answering on 127.0.0.1:5432/6379
(``.ci/run`` does that); ``-m prodlocal`` selects these tests.

The people who support at once are not logged in over HTTP: 350 logins from one address would hit
the very login limit test (b) checks, and at full argon2 cost would dominate the run. The seed
(a subprocess with the stack's own settings) creates them through the test factories (one password
hash shared by all), opens each one's server-side session with ``accounts.start_session`` and
builds its cookie as the login view would: ``login_user`` inside a request context of an app made
with the stack's secret key, then the app's own session serializer. The CSRF token for the forms
comes from Flask-WTF's ``generate_csrf`` in that same session. Test (a) logs a person in over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.config import ROOT
from bench import procs
from bench.stack import read_env

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COOKIE = "ponte_session"
PEOPLE = 350  # 200 for the burst, 150 for the crash

ENABLED = (
    os.environ.get("PONTE_TEST_PRODLOCAL") == "1"
    and procs.port_open("127.0.0.1", 5432)
    and procs.port_open("127.0.0.1", 6379)
)

SEED = r"""
import json
import sys
from datetime import timedelta

from flask import g, session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from app import create_app
from app.db import db
from app.services import accounts, labs, proposals
from models import OrgKind, User
from models.base import utcnow
from tests import factories

people = int(sys.argv[1])
app = create_app()
with app.app_context():
    g.forced_locale = "it"
    with db.unit_of_work():
        region, province, comune = factories.chain()
        official = factories.user(email="official@prod.example.org", home=comune)
        authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, admin=official, verified=True)
        author = factories.user(email="author@prod.example.org", home=comune)
        today = labs.local_day(utcnow())
        draft = labs.LabDraft(title="Laboratorio a due istanze", description="Un laboratorio per provare due istanze.",
                              territory=comune.istat_code, proposals_on=today - timedelta(days=1),
                              support_threshold=100_000, deliberation_on=today + timedelta(days=10))
        lab = labs.create_lab(official, authority, draft)

        def propose(n):
            draft = proposals.ProposalDraft(title=f"Proposta numero {n}", summary="Una proposta per la prova.",
                                            body="Il testo della proposta per la prova a due istanze.")
            return proposals.create_proposal(author, lab, draft, publish=True)

        burst, crash = propose(1), propose(2)
        factories.user(email="alice@prod.example.org", name="Alice Dueistanze", home=comune)
        factories.user(email="limited@prod.example.org", home=comune)
        crowd = [factories.user(email=f"p{n:03d}@prod.example.org", home=comune) for n in range(people)]
        sessions = [(person.id, accounts.start_session(person, "")) for person in crowd]
        out = {"burst": burst.id, "crash": crash.id}

# Outside the app context above: each request context then gets an app context (and a ``g``) of its
# own, where Flask-WTF keeps the CSRF token it generated.
serializer = app.session_interface.get_signing_serializer(app)
out["people"] = []
for user_id, session_id in sessions:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        user = db.session.get(User, user_id)
        user.current_session_id = session_id
        login_user(user)
        token = generate_csrf()
        out["people"].append({"id": user_id, "cookie": serializer.dumps(dict(session)), "csrf": token})
        db.session.remove()
print(json.dumps(out))
"""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: dict[str, str]
    body: str


def call(port: int, method: str, path: str, *, cookies: dict[str, str] | None = None, form: dict[str, str] | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One HTTP request to 127.0.0.1:``port`` (no redirects followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    sent = {"Accept-Language": "it", **(headers or {})}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read().decode("utf-8", "replace")
        jar = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, jar, data)
    finally:
        conn.close()


@dataclass
class Stack:
    instance: Path
    ports: list[int]
    nginx: int
    database_url: str
    seed: dict[str, Any] = field(default_factory=dict)

    def engine(self) -> Any:
        return create_engine(self.database_url, poolclass=NullPool)

    def web_pid(self, port: int) -> int:
        return int((self.instance / "run" / f"web-{port}.pid").read_text().split()[0])


def _stack_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bench.stack", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    instance = tmp_path_factory.mktemp("prodlocal")
    web1, web2, nginx, redis = (procs.free_port() for _ in range(4))
    database = f"ponte_prodtest_{secrets.token_hex(4)}"
    started = _stack_command(
        "up", "--instance-dir", str(instance), "--ports", f"{web1},{web2}", "--nginx-port", str(nginx),
        "--redis-port", str(redis), "--database", database, "--workers", "2", "--no-demo",
        "--set", "PONTE_RATELIMIT_LOGIN=5 per minute",
    )
    try:
        if started.returncode != 0:
            pytest.fail(f"bench.stack up failed:\n{started.stdout}\n{started.stderr}", pytrace=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "FLASK_"))}
        env.update(read_env(instance / "ponte.env"))
        seeded = subprocess.run([sys.executable, "-c", SEED, str(PEOPLE)], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        if seeded.returncode != 0:
            pytest.fail(f"seeding failed:\n{seeded.stdout[-3000:]}\n{seeded.stderr[-5000:]}", pytrace=False)
        url = env["PONTE_DATABASE_URL"]
        yield Stack(instance, [web1, web2], nginx, url, json.loads(seeded.stdout.strip().splitlines()[-1]))
    finally:
        stopped = _stack_command("down", "--instance-dir", str(instance))
        admin = create_engine(make_url(f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}").set(database="postgres"),
                              isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
        assert stopped.returncode == 0, stopped.stderr
