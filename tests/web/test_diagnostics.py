"""PONTE_DIAGNOSTICS: the X-Ponte-Queries header counts a request's SQL statements; off, no header."""

from __future__ import annotations

import json
import subprocess
import sys

from app.config import ROOT

# In its own process: a second create_app would rebind the database shared by this session's tests.
SCRIPT = """
import json, sys
from sqlalchemy import event
from app import create_app
from app.db import db
app = create_app({"TESTING": True, "SECRET_KEY": "s" * 40, "DATABASE_URL": sys.argv[1], "MAIL_BACKEND": "memory",
                  "PASSWORD_HASHING": "cheapest", "RATELIMIT_ENABLED": False, "DIAGNOSTICS": True})
seen = []
def record(conn, cursor, statement, *args):
    if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
        seen.append(statement)
event.listen(db.engine, "before_cursor_execute", record)
client = app.test_client()
out = {}
for path in ("/", "/territories/", "/healthz", "/no-such-page"):
    seen.clear()
    response = client.get(path)
    out[path] = [response.status_code, response.headers.get("X-Ponte-Queries"), len(seen)]
print(json.dumps(out))
"""


def test_query_header_counts_each_requests_statements_when_diagnostics_are_on(db_url: str) -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT, db_url], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    for path, (status, header, counted) in pages.items():
        assert header is not None, path
        assert int(header) == counted, (path, status, header, counted)
    assert int(pages["/"][1]) > 0  # the home page reads the database


def test_no_query_header_when_diagnostics_are_off(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    assert "X-Ponte-Queries" not in response.headers
