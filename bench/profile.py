"""``python -m bench profile``: where a page's server CPU goes, by layer.

Runs Ponte in this process (Flask's test client, no sockets) on a seeded benchmark database, warms
each page up, measures its CPU per request without a profiler, then profiles the same number of
requests with cProfile and splits the time by layer: templates (Jinja, MarkupSafe, Babel and the
template helpers of ``app/templating.py``/``app/i18n.py``), SQL (SQLAlchemy, the database driver),
forms (WTForms, Flask-WTF), framework (Flask, Werkzeug, Flask-Login, Flask-Limiter, logging) and
Ponte's own code (services, views, models). Time spent in C built-ins (``str.join``, ``getattr``…)
goes to the layers that called them, in proportion. cProfile slows small, frequent calls more than
large ones, so the split is given as shares of the unprofiled figure, not as absolute profiled time.

Usage: ``python -m bench profile --tier M [--database-url …] [--pages forum_list,thread] [--requests 200]``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import pstats
import re
import secrets
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "instance" / "bench"

LAYERS = ("templates", "sql", "forms", "framework", "ponte", "other")
# (substring of a code file's path, layer): the first that matches wins.
_RULES = (
    ("/templates/", "templates"), ("/jinja2/", "templates"), ("/markupsafe/", "templates"), ("/babel/", "templates"),
    ("/flask_babel/", "templates"), ("/app/templating.py", "templates"), ("/app/i18n.py", "templates"),
    ("/sqlalchemy/", "sql"), ("/psycopg/", "sql"), ("/sqlite3/", "sql"), ("/app/db.py", "sql"),
    ("/wtforms/", "forms"), ("/flask_wtf/", "forms"),
    ("/flask/", "framework"), ("/werkzeug/", "framework"), ("/flask_login/", "framework"),
    ("/flask_limiter/", "framework"), ("/limits/", "framework"), ("/logging/", "framework"), ("/app/logs.py", "framework"),
    ("/app/", "ponte"), ("/blueprints/", "ponte"), ("/models/", "ponte"),
)
_DRIVER_BUILTINS = ("sqlite3.", "psycopg")


def layer_of(func: tuple[str, int, str]) -> str | None:
    """The layer of a profiled function, or None for a built-in (attributed to its callers)."""
    filename, _, name = func
    if filename == "~":
        return "sql" if any(mark in name for mark in _DRIVER_BUILTINS) else None
    path = filename.replace(os.sep, "/")
    for part, layer in _RULES:
        if part in path:
            return layer
    return "other"


def split_by_layer(stats: pstats.Stats) -> dict[str, float]:
    """Own time per layer, built-ins shared among their callers by the time each call site spent."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals = dict.fromkeys(LAYERS, 0.0)

    def owner(func: Any, depth: int = 0) -> dict[str, float]:
        layer = layer_of(func)
        if layer is not None:
            return {layer: 1.0}
        callers = raw.get(func, (0, 0, 0, 0, {}))[4]
        weights = {caller: (entry[3] if isinstance(entry, tuple) else 0.0) for caller, entry in callers.items()}
        whole = sum(weights.values())
        if not callers or depth > 6:
            return {"other": 1.0}
        share: dict[str, float] = {}
        for caller, weight in weights.items():
            fraction = weight / whole if whole else 1 / len(callers)
            for layer, part in owner(caller, depth + 1).items():
                share[layer] = share.get(layer, 0.0) + fraction * part
        return share

    for func, (_, _, own, _, _) in raw.items():
        for layer, fraction in owner(func).items():
            totals[layer] += own * fraction
    return totals


def page_paths(manifest: dict[str, Any]) -> dict[str, tuple[str, str, bool]]:
    """name → (label, path, logged in): the benchmark's GET pages (bench/runner.py), without the deep pages
    that the runner reaches by following rel=next on a live server."""
    big, forum, search = manifest["big_thread"], manifest["busy_forum"], manifest["search"]
    return {
        "home": ("home, anonymous", "/", False),
        "home_user": ("home, logged in", "/", True),
        "territory": (f"territory page (region {manifest['region_code']})", f"/territories/{manifest['region_code']}", False),
        "forum_list": ("forum thread list, page 1", f"/forums/{forum['slug']}", False),
        "thread": ("thread view, page 1 (big thread)", f"/threads/{big['id']}", False),
        "thread_last": (f"thread view, last page ({big['last_page']})", f"/threads/{big['id']}?page={big['last_page']}", False),
        "proposals": ("proposals by supports, logged in", "/proposals/?sort=supported", True),
        "proposal": ("proposal with response + comments", f"/proposals/{manifest['proposal_with_response']['id']}", True),
        "events": ("events, month of a territory", manifest["events_territory"]["calendar_url"], False),
        "directory": ("organisations, filtered", manifest["organization_filter_url"], False),
        "search_common": (f"search '{search['common_word']}' (common)", f"/search?q={quote(search['common_word'])}", False),
        "search_rare": (f"search '{search['rare_word']}' (rare)", f"/search?q={quote(search['rare_word'])}", False),
        "api": ("/api/v1/proposals", "/api/v1/proposals", False),
    }


def _log_in(client: Any, email: str, password: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    response = client.post("/auth/login", data={"csrf_token": token.group(1) if token else "", "email": email, "password": password})
    if response.status_code not in (302, 303):
        raise SystemExit(f"Could not log in as {email} (status {response.status_code}).")


def slowest_statements(client: Any, path: str, requests: int, engine: Any) -> list[str]:
    """The page's statements by their median time at the database (cursor execute to fetched rows)."""
    from sqlalchemy import event

    timings: dict[str, list[float]] = {}

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started = conn.info["bench_started"].pop()
        timings.setdefault(" ".join(statement.split()), []).append((time.perf_counter() - started) * 1000)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(requests):
            client.get(path).close()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    ranked = sorted(((sorted(t)[len(t) // 2], len(t) / requests, s) for s, t in timings.items()), reverse=True)
    return [f"{ms:.2f} ms ×{per:g}: {statement[:160]}" for ms, per, statement in ranked[:3]]


def measure(client: Any, path: str, requests: int) -> dict[str, Any]:
    for _ in range(max(20, requests // 10)):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}.")
    size = len(response.get_data())
    started = time.process_time()
    for _ in range(requests):
        client.get(path).close()
    cpu_ms = (time.process_time() - started) * 1000 / requests
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        client.get(path).close()
    profiler.disable()
    stats = pstats.Stats(profiler)
    layers = split_by_layer(stats)
    whole = sum(layers.values()) or 1.0
    top = sorted(((v[3], k) for k, v in stats.stats.items() if layer_of(k) == "ponte"), reverse=True)[:3]  # type: ignore[attr-defined]
    return {
        "path": path, "cpu_ms": round(cpu_ms, 2), "kb": round(size / 1024, 1),
        "shares": {layer: round(layers[layer] / whole, 3) for layer in LAYERS},
        "ms": {layer: round(cpu_ms * layers[layer] / whole, 2) for layer in LAYERS},
        "ponte_hot": [f"{Path(f).name}:{line} {name} ({cum / whole * cpu_ms:.2f} ms incl. callees)" for cum, (f, line, name) in top],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", default="S")
    parser.add_argument("--database-url", help="default: the manifest's")
    parser.add_argument("--pages", help="comma-separated subset (default: all); the names are bench/runner.py's")
    parser.add_argument("--requests", type=int, default=200, help="requests per page, measured and then profiled (default 200)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    pg = bool(args.database_url) and make_url(args.database_url).get_backend_name() == "postgresql"
    manifest_path = OUT / (f"{args.tier}-pg.json" if pg else f"{args.tier}.json")
    if not manifest_path.exists():
        print(f"No benchmark manifest at {manifest_path}: run python -m bench seed --tier {args.tier} first.", file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    pages = page_paths(manifest)
    wanted = [p.strip() for p in args.pages.split(",")] if args.pages else list(pages)
    unknown = [p for p in wanted if p not in pages]
    if unknown:
        print(f"Unknown pages: {', '.join(unknown)}. Known: {', '.join(pages)}.", file=sys.stderr)
        return 2
    os.environ.update({
        "PONTE_DATABASE_URL": args.database_url or manifest["database_url"], "PONTE_SECRET_KEY": secrets.token_urlsafe(36),
        "PONTE_RATELIMIT_ENABLED": "0", "PONTE_SERVER_NAME": "localhost", "PONTE_MAIL_BACKEND": "file", "PONTE_MAIL_DIR": str(OUT / "mail"),
    })
    sys.path.insert(0, str(ROOT))
    from app import create_app  # after the environment above is set
    from app.db import db

    app = create_app()
    access_log = logging.getLogger("ponte.access")
    for handler in access_log.handlers + logging.getLogger().handlers:  # keep the logging work, drop the output
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 — lives as long as the process
    anonymous, person = app.test_client(), app.test_client()
    if any(pages[name][2] for name in wanted):
        _log_in(person, manifest["citizen_emails"][0], manifest["bench_password"])
    results: dict[str, Any] = {}
    header = f"{'page':<42} {'CPU ms':>7} {'KB':>6}  " + " ".join(f"{layer:>10}" for layer in LAYERS)
    print(f"tier {manifest.get('tier', args.tier)}, {make_url(os.environ['PONTE_DATABASE_URL']).get_backend_name()}, "
          f"{args.requests} requests per page, in-process; layers in ms of the unprofiled CPU per request")
    print(header)
    for name in wanted:
        label, path, logged_in = pages[name]
        result = measure(person if logged_in else anonymous, path, args.requests)
        result["statements"] = slowest_statements(person if logged_in else anonymous, path, 20, db.engine)
        results[name] = {"label": label, **result}
        print(f"{label[:42]:<42} {result['cpu_ms']:>7.2f} {result['kb']:>6.1f}  "
              + " ".join(f"{result['ms'][layer]:>10.2f}" for layer in LAYERS))
    print("\nPer page: Ponte's costliest functions (time including what they call), then its slowest SQL statements")
    print("(median time at the database per execution, × executions per request):")
    for name, result in results.items():
        print(f"  {name}: " + "; ".join(result["ponte_hot"]))
        for line in result["statements"]:
            print(f"      {line}")
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0
