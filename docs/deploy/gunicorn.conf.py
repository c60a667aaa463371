"""Gunicorn settings for Ponte: ``gunicorn -c docs/deploy/gunicorn.conf.py`` (from the project root).

Everything that differs between machines comes from the environment (no secrets here: the app
reads its own settings, PONTE_*, from /etc/ponte/ponte.env):

  GUNICORN_BIND           address to listen on (default 127.0.0.1:8000); one instance per port,
                          e.g. the systemd template ponte-web@8001.service sets 127.0.0.1:8001
  WEB_CONCURRENCY         worker processes (default: 2 per CPU core + 1)
  GUNICORN_WORKER_CLASS   "sync" (default) or "gthread"
  GUNICORN_THREADS        threads per worker with gthread (default 1)
  GUNICORN_FORWARDED_ALLOW_IPS  the proxy's address (default 127.0.0.1)
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

wsgi_app = "wsgi:app"
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this is a bug or an outage: the worker is killed and replaced.
timeout = 30
graceful_timeout = 20  # on SIGTERM (deploys), requests in flight get this long to finish
keepalive = 5
# Recycle workers now and then: a slow leak never grows without bound (jitter: not all at once).
max_requests = 5000
max_requests_jitter = 500

# Only nginx on this machine may set X-Forwarded-* (Ponte's ProxyFix, PONTE_PROXY_FIX=1, reads them).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# Several instances run on one machine: the default control socket (~/.gunicorn/gunicorn.ctl)
# would be shared by all of them.
control_socket_disable = True

# No gunicorn access log: the app writes one JSON line per request (app/logs.py: method, URL rule
# rather than the raw path, status, duration, user id, request id), so tokens in URLs never reach a
# log. Gunicorn's own messages (start, worker restarts, timeouts) go to stderr as JSON lines too.
accesslog = None
errorlog = "-"
loglevel = "info"


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": _JsonFormatter}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    # The root logger is the app's (app/logs.py configures it when the app loads).
    "root": {"level": "WARNING", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
