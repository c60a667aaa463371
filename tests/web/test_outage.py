"""A real unreachable database (nothing listens on the port): 503 pages, live but not ready."""

from __future__ import annotations

import json
import subprocess
import sys

from app.config import ROOT

SCRIPT = """
import json
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "s" * 40,
                  "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/ponte", "MAIL_BACKEND": "memory"})
client = app.test_client()
out = {}
for path in ("/?lang=it", "/territories/16", "/healthz", "/readyz", "/auth/login"):
    r = client.get(path)
    out[path] = [r.status_code, r.headers.get("Retry-After"), r.get_data(as_text=True)]
print(json.dumps(out))
"""


def test_unreachable_database_gives_503_pages_and_liveness_stays_up() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    pages = json.loads(result.stdout.strip().splitlines()[-1])
    for path in ("/?lang=it", "/territories/16"):
        status, retry, body = pages[path]
        assert status == 503 and retry == "30", path
        assert "Traceback" not in body and "psycopg" not in body
        assert '<html lang="it"' in body
    assert pages["/healthz"][0] == 200
    assert pages["/readyz"][0] == 503
    assert pages["/auth/login"][0] == 200  # a page that needs no query still works
