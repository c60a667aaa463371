"""Redis down: rate-limited forms still answer (limits fall back to each process's memory).

Runs in a child process: the application under test points its limiter at a port where nothing
listens, which cannot be done to this test session's shared application.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from app.config import ROOT

CHILD = r"""
import json, re, sys
from tests.conftest import migrate
url, redis_url = sys.argv[1], sys.argv[2]
migrate(url)
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "r" * 40, "PASSWORD_HASHING": "cheapest", "DATABASE_URL": url,
                  "MAIL_BACKEND": "memory", "REDIS_URL": redis_url, "RATELIMIT_LOGIN": "3 per minute"})
client = app.test_client()
page = client.get("/auth/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
statuses = [client.post("/auth/login", data={"csrf_token": token, "email": "nobody@example.org", "password": "x" * 12}).status_code
            for _ in range(5)]
print(json.dumps({"statuses": statuses, "readyz": client.get("/readyz").status_code}))
"""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_login_still_answers_and_is_still_limited_when_redis_is_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'redis-down.db'}"  # SQLite on purpose: this is about Redis
    redis_url = f"redis://127.0.0.1:{_closed_port()}/0"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    done = subprocess.run([sys.executable, "-c", CHILD, url, redis_url], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert 500 not in result["statuses"], result
    assert result["statuses"][:3] == [200, 200, 200], result  # wrong password: the form again, with its error
    assert result["statuses"][3:] == [429, 429], result  # the in-memory fallback still limits
    assert result["readyz"] == 503, result  # and readiness tells the load balancer Redis is missing
