"""``python -m bench run``: Ponte under gunicorn, loaded with wrk, next to a ceiling app, in rounds.

Ponte (``wsgi:app``) and the ceiling (``bench.ceiling``) each run under gunicorn, 2 sync workers, on
the database of the seeder's manifest. After a warm-up on all pages, every round loads every page at
every connection count (page order rotated per round): idle server, wrk for ``--duration`` s, drained
backlog. CPU per request from /proc (gunicorn master + workers), queries from ``X-Ponte-Queries``;
ratios to the keyset ceiling taken within a round, then their median. Support POSTs use pairs that
may still be supported; after each run counters are checked against COUNT(*) and the supports taken
back. Then workers' PSS, a ``--memory-requests`` run, the home page's first load; results in
instance/bench/results-<sqlite|postgresql>-<tier>.{json,md} (bench/report.py).

    python -m bench run --tier S --rounds 3 --duration 4 --connections 8
    python -m bench run --tier M --database-url postgresql+psycopg://postgres@127.0.0.1/ponte_bench_m --pages thread,search_common
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin

from sqlalchemy import Engine, bindparam, create_engine, select, text
from sqlalchemy.engine import make_url

from bench import procs
from bench.report import (
    check_targets,
    extra_lines,
    first_load,
    gate,
    markdown,
    print_table,
    summarize,
    table_rows,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "instance" / "bench"
LUA = ROOT / "bench" / "wrk" / "requests.lua"
BIN = Path(sys.executable).parent
UA = "ponte-bench/1"  # the same for logins and wrk: Flask-Login's session protection compares it
WORKERS = 2
WRK_THREADS = 2


@dataclass
class Group:
    name: str
    weight: float
    requests: list[tuple[str, str, str, str]] = field(default_factory=list)  # method, path, cookie, body
    supports: bool = False  # filled per run from the pool of unused (person, proposal) pairs


@dataclass
class Page:
    name: str
    label: str
    kind: str  # list | detail | home | search | write | mix | ceiling
    groups: list[Group]
    server: str = "ponte"
    deep_of: str | None = None

    @property
    def first_get(self) -> tuple[str, str] | None:
        for group in self.groups:
            for method, path, cookie, _ in group.requests:
                if method == "GET":
                    return path, cookie
        return None


# ---------------------------------------------------------------- HTTP for set-up (logins, sizes, assets)


class Client:
    """A tiny HTTP client that keeps cookies by name (Secure cookies too: the bench speaks plain http)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"User-Agent": UA, "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            low = raw.lower()
            if not value or "max-age=0" in low or "1970" in low:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response.status, response.headers, data


CSRF_RE = re.compile(rb'<input[^>]*name="csrf_token"[^>]*>')
VALUE_RE = re.compile(rb'value="([^"]+)"')
NEXT_RE = re.compile(rb'<a[^>]*rel="next"[^>]*>')
HREF_RE = re.compile(rb'href="([^"]+)"')


def _csrf_of(page: bytes) -> str:
    tag = CSRF_RE.search(page)
    value = VALUE_RE.search(tag.group(0)) if tag else None
    return value.group(1).decode() if value else ""


def login(port: int, email: str, password: str) -> Client | None:
    """Log in over HTTP as a browser does; the client then holds the session cookie and a CSRF token."""
    client = Client(port)
    _, _, page = client.request("GET", "/auth/login")
    form = urlencode({"csrf_token": _csrf_of(page), "email": email, "password": password})
    status, _, _ = client.request("POST", "/auth/login", form)
    if status not in (302, 303):
        return None
    # A page with a form stores the CSRF secret in the session: later requests then reuse this cookie as is.
    _, _, page = client.request("GET", "/feedback")
    client.csrf = _csrf_of(page)
    return client if client.csrf else None


def follow_next(port: int, path: str, cookie_from: Client | None, hops: int, seconds: float = 60) -> tuple[str, int]:
    """Follow rel="next" links from ``path`` (offset or keyset pagination alike); the last page reached."""
    client = cookie_from or Client(port)
    deadline = time.monotonic() + seconds
    done = 0
    while done < hops and time.monotonic() < deadline:
        status, _, page = client.request("GET", path)
        tag = NEXT_RE.search(page) if status == 200 else None
        href = HREF_RE.search(tag.group(0)) if tag else None
        if href is None:
            break
        path = urljoin(path, html.unescape(href.group(1).decode()))
        done += 1
    return path, done + 1


# ---------------------------------------------------------------- processes


def _output(argv: list[str], log_dir: Path, timeout: float = 20) -> str:
    """Run a short command to completion (through bench.procs) and return its output."""
    log = log_dir / f"cmd-{secrets.token_hex(4)}.log"
    try:
        proc = procs.spawn(argv[0], argv, log=log, cwd=ROOT)
    except OSError as exc:
        return f"({exc.strerror})"
    deadline = time.monotonic() + timeout
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    procs.stop(proc.pid, timeout=2)
    _reap(proc.pid)
    text_out = log.read_text(errors="replace").strip()
    log.unlink(missing_ok=True)
    return text_out


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def ensure_wrk(log_dir: Path) -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing the Debian package (apt-get install -y wrk)…", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for argv in (["apt-get", "install", "-y", "-qq", "wrk"], ["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            proc = procs.spawn("apt-get", argv, log=log_dir / "apt-get.log", env=env)
            deadline = time.monotonic() + 300
            while proc.alive() and time.monotonic() < deadline:
                time.sleep(0.2)
            procs.stop(proc.pid)
            _reap(proc.pid)
            if shutil.which("wrk"):
                return shutil.which("wrk")
    print("wrk is needed for `python -m bench run`: sudo apt-get install wrk", file=sys.stderr)
    return None


@dataclass
class Server:
    name: str
    proc: procs.Proc
    port: int

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid, *procs.children(self.proc.pid)]

    @property
    def workers(self) -> list[int]:
        return procs.children(self.proc.pid)

    def cpu(self) -> float:
        return procs.cpu_seconds(self.pids)


def start_gunicorn(name: str, target: str, env: dict[str, str], log_dir: Path, ready_path: str) -> Server:
    port = procs.free_port()
    argv = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}", "--timeout", "60",
            "--log-level", "warning", target]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "GUNICORN_", "BENCH_CEILING_"))}
    full_env.update(env)
    full_env["PONTE_SERVER_NAME"] = f"127.0.0.1:{port}"
    (log_dir / f"{name}.log").unlink(missing_ok=True)  # one request log line each: keep only this benchmark's
    proc = procs.spawn(name, argv, log=log_dir / f"{name}.log", env=full_env, cwd=ROOT)
    server = Server(name, proc, port)
    procs.wait_http(f"http://127.0.0.1:{port}{ready_path}", timeout=60, proc=proc)
    return server


def wait_idle(server: Server, timeout: float = 15.0) -> bool:
    """Until the workers stop using CPU (the backlog of a run has drained)."""
    deadline = time.monotonic() + timeout
    last = server.cpu()
    quiet = 0
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = server.cpu()
        quiet = quiet + 1 if now - last < 0.005 else 0  # no clock tick (10 ms) of CPU in 100 ms
        last = now
        if quiet >= 2:
            return True
    return False


def run_wrk(wrk: str, server: Server, datafile: Path, conns: int, seconds: float, *, log_dir: Path) -> dict[str, Any]:
    """One wrk run; returns the done() figures plus wrk's own CPU seconds."""
    duration = max(1, math.ceil(seconds))
    (log := log_dir / "wrk.log").unlink(missing_ok=True)
    argv = [wrk, "-t", str(min(WRK_THREADS, conns)), "-c", str(conns), "-d", f"{duration}s", "--timeout", "10s", "--latency",
            "-s", str(LUA), f"http://127.0.0.1:{server.port}", "--", str(datafile), str(min(WRK_THREADS, conns))]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = procs.spawn("wrk", argv, log=log)
    deadline = time.monotonic() + duration + 30
    while proc.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    procs.stop(proc.pid, timeout=2)
    _reap(proc.pid)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = log.read_text(errors="replace")
    line = next((x for x in output.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures (see {log}):\n{output[-2000:]}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["wrk_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures


# ---------------------------------------------------------------- the pages


class SupportPool:
    """(person, proposal) pairs not yet supported, so that every support POST can succeed.

    After each run that posted supports, the counters of the proposals it touched are checked
    (supports_count == COUNT(*)), then the run's supports are taken back directly in the database
    (rows deleted, counters decremented): every run finds the whole pool again, and the seeded
    database stays as it was for the next benchmark (threshold transitions and notifications stay)."""

    def __init__(self, engine: Engine, clients: list[Client], user_ids: list[int], pairs: list[tuple[int, int]]) -> None:
        self.engine, self.clients, self.user_ids = engine, clients, user_ids
        self.pairs = pairs  # (client index, proposal id), in a fixed shuffled order
        self.available = list(pairs)
        self.initial = self._supported()
        self.touched: set[int] = set()
        self.mismatches: list[list[int]] = []
        self.writes = 0

    def _supported(self) -> set[tuple[int, int]]:
        if not self.user_ids:
            return set()
        stmt = text("SELECT user_id, proposal_id FROM proposal_supports WHERE user_id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        with self.engine.connect() as conn:
            return {(int(u), int(p)) for u, p in conn.execute(stmt, {"ids": self.user_ids})}

    def new_supports(self) -> set[tuple[int, int]]:
        """(user id, proposal id) of the supports the benchmark has added and not yet taken back."""
        return self._supported() - self.initial

    def refresh(self) -> int:
        """Drop the pairs supported since the last reset; returns how many those are."""
        added = self.new_supports()
        done = {(self.user_ids.index(u), p) for u, p in added}
        self.available = [pair for pair in self.pairs if pair not in done]
        return len(added)

    def reset(self) -> None:
        """Check the counters of the touched proposals, then take the benchmark's supports back."""
        added = sorted(self.new_supports())
        if not added:
            return
        touched = {p for _, p in added}
        self.touched |= touched
        self.mismatches += check_counters(self.engine, touched)["mismatches"]
        self.writes += len(added)
        per_proposal: dict[int, int] = {}
        for _, p in added:
            per_proposal[p] = per_proposal.get(p, 0) + 1
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM proposal_supports WHERE user_id = :u AND proposal_id = :p"),
                         [{"u": u, "p": p} for u, p in added])
            conn.execute(text("UPDATE proposals SET supports_count = supports_count - :n WHERE id = :p"),
                         [{"n": n, "p": p} for p, n in per_proposal.items()])
        self.available = list(self.pairs)

    def requests(self) -> list[tuple[str, str, str, str]]:
        return [("POST", f"/proposals/{pid}/support", self.clients[i].cookie_header, urlencode({"csrf_token": self.clients[i].csrf}))
                for i, pid in self.available]


def eligible_pairs(url: str, emails: list[str], proposal_ids: list[int], seed: int) -> tuple[list[int], list[tuple[int, int]]]:
    """Which bench people may support which open proposals now (the app's own rules), minus supports
    that exist; returns the people's ids (in ``emails`` order) and (person index, proposal id) pairs."""
    from app import create_app  # the app only when support POSTs are measured
    from app.db import db
    from app.security.permissions import Permission
    from app.security.policy import can
    from app.services import labs, proposals
    from models import Proposal, ProposalSupport, User

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48), "SERVER_NAME": "127.0.0.1",
                      "MAIL_BACKEND": "memory", "RATELIMIT_ENABLED": False, "DIAGNOSTICS": False})
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
        people = [users[e] for e in emails if e in users]
        items = list(db.session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids[:3000]))))
        existing = set(db.session.execute(select(ProposalSupport.user_id, ProposalSupport.proposal_id)
                                          .where(ProposalSupport.user_id.in_([u.id for u in people]))).tuples())
        open_items = [p for p in items if p.state in proposals.OPEN_STATES and labs.supports_open(p.lab)]
        allowed: dict[tuple[int, int], bool] = {}
        pairs = []
        for i, user in enumerate(people):
            for p in open_items:
                key = (user.id, p.lab_id)
                if key not in allowed:
                    allowed[key] = labs.eligibility_problem(user, p.lab) is None
                if allowed[key] and (user.id, p.id) not in existing and can(user, Permission.PROPOSAL_PARTICIPATE, p):
                    pairs.append((i, p.id))
        ids = [u.id for u in people]
        db.session.remove()
    if db.engine is not None:
        db.engine.dispose()
    random.Random(seed).shuffle(pairs)
    return ids, pairs


def build_pages(manifest: dict[str, Any], port: int, clients: list[Client], keyset_afters: list[int]) -> dict[str, Page]:
    """Every measured page, its paths taken from the manifest."""
    anon = ""
    user = [c.cookie_header for c in clients] or [anon]

    def gets(paths: Iterable[str], cookies: list[str]) -> list[tuple[str, str, str, str]]:
        return [("GET", p, c, "") for p in paths for c in cookies]

    big, forum, search = manifest["big_thread"], manifest["busy_forum"], manifest["search"]
    forum_p1 = f"/forums/{forum['slug']}"
    deep, hops = follow_next(port, forum_p1, None, hops=min(int(forum.get("last_page", 1)) - 1, 500))
    print(f"  deep forum page: {deep} (page {hops}, reached by following rel=next)")
    thread_p1 = f"/threads/{big['id']}"
    thread_last = f"/threads/{big['id']}?page={big['last_page']}"
    threads = [f"/threads/{t}" for t in manifest.get("thread_ids", [])[:200]] or [thread_p1]
    proposals_list = "/proposals/?sort=supported"
    proposal = f"/proposals/{manifest['proposal_with_response']['id']}"
    events = manifest["events_territory"]["calendar_url"]
    directory = manifest["organization_filter_url"]
    common, rare = f"/search?q={quote(search['common_word'])}", f"/search?q={quote(search['rare_word'])}"
    home_groups = [Group("home", 1, gets(["/"], [anon]))]
    pages = [
        Page("home", "home, anonymous", "home", home_groups),
        Page("home_user", "home, logged in", "home", [Group("home", 1, gets(["/"], user))]),
        Page("territory", f"territory page (region {manifest['region_code']})", "detail",
             [Group("territory", 1, gets([f"/territories/{manifest['region_code']}"], [anon]))]),
        Page("forum_list", "forum thread list, page 1", "list", [Group("forum", 1, gets([forum_p1], [anon]))]),
        Page("forum_deep", f"forum thread list, page {hops}", "list", [Group("forum", 1, gets([deep], [anon]))], deep_of="forum_list"),
        Page("thread", "thread view, page 1 (big thread)", "detail", [Group("thread", 1, gets([thread_p1], [anon]))]),
        Page("thread_last", f"thread view, last page ({big['last_page']})", "detail", [Group("thread", 1, gets([thread_last], [anon]))],
             deep_of="thread"),
        Page("proposals", "proposals by supports, logged in", "list", [Group("proposals", 1, gets([proposals_list], user))]),
        Page("proposal", "proposal with response + comments", "detail", [Group("proposal", 1, gets([proposal], user))]),
        Page("events", "events, month of a territory", "list", [Group("events", 1, gets([events], [anon]))]),
        Page("directory", "organisations, filtered", "list", [Group("directory", 1, gets([directory], [anon]))]),
        Page("search_common", f"search '{search['common_word']}' (common)", "search", [Group("search", 1, gets([common], [anon]))]),
        Page("search_rare", f"search '{search['rare_word']}' (rare)", "search", [Group("search", 1, gets([rare], [anon]))]),
        Page("api", "/api/v1/proposals", "list", [Group("api", 1, gets(["/api/v1/proposals"], [anon]))]),
        Page("support", "support POST", "write", [Group("support", 1, supports=True)]),
        Page("mix", "weighted mix", "mix", [
            Group("thread", 30, gets([*threads, thread_p1, thread_last], [anon])),
            Group("forum", 20, gets([forum_p1, deep], [anon])),
            Group("proposals", 15, gets([proposals_list], user)),
            Group("proposal", 10, gets([proposal], user)),
            Group("home", 8, gets(["/"], [anon, *user[:4]])),
            Group("events", 5, gets([events], [anon])),
            Group("directory", 5, gets([directory], [anon])),
            Group("search", 5, gets([common, rare], [anon])),
            Group("support", 2, supports=True),
        ]),
        *ceiling_pages(keyset_afters),
    ]
    return {p.name: p for p in pages}


def ceiling_pages(keyset_afters: list[int]) -> list[Page]:
    def one(name: str, label: str, paths: list[str]) -> Page:
        return Page(name, f"ceiling: {label}", "ceiling", [Group(name, 1, [("GET", p, "", "") for p in paths])], server="ceiling")

    return [one("hello", "hello", ["/hello"]), one("memory", "35 KB page from memory", ["/memory"]),
            one("keyset", "20 posts by keyset", [f"/keyset?after={a}" for a in keyset_afters])]


def write_datafile(page: Page, pool: SupportPool | None, path: Path) -> int:
    """The wrk data file of one run; returns the number of support requests it offers."""
    lines, supports = [], 0
    for group in page.groups:
        requests = group.requests
        if group.supports:
            requests = pool.requests() if pool else []
            supports = len(requests)
            if not requests:
                continue
        lines.append(f"G\t{group.name}\t{group.weight}\t{'seq' if group.supports else 'rand'}")
        lines.extend(f"R\t{group.name}\t{m}\t{p}\t{c}\t{b}" for m, p, c, b in requests)
    path.write_text("\n".join(lines) + "\n")
    return supports


# ---------------------------------------------------------------- one run


@dataclass
class Bench:
    wrk: str
    servers: dict[str, Server]
    work: Path
    duration: float
    warmup: float
    warmup_every_round: bool
    pool: SupportPool | None
    runs: list[dict[str, Any]] = field(default_factory=list)


def measure(bench: Bench, page: Page, conns: int, round_no: int) -> dict[str, Any] | None:
    """Warm up, wait for an idle server, load it for --duration seconds; the run's figures."""
    began = time.monotonic()
    server = bench.servers[page.server]
    datafile = bench.work / "requests.tsv"
    writes = any(g.supports for g in page.groups)
    if write_datafile(page, bench.pool, datafile) == 0 and page.kind == "write":
        print(f"  {page.name}: no (person, proposal) pairs left to support; skipped")
        return None
    if bench.warmup > 0 and (round_no == 1 or bench.warmup_every_round):
        run_wrk(bench.wrk, server, datafile, conns, bench.warmup, log_dir=bench.work)
        if writes and bench.pool:
            bench.pool.refresh()
            write_datafile(page, bench.pool, datafile)
    idle = wait_idle(server)
    supports_before = bench.pool.refresh() if writes and bench.pool else 0
    pids = server.pids
    cpu0, machine0, t0 = procs.cpu_seconds(pids), procs.machine_cpu_seconds(), time.monotonic()
    figures = run_wrk(bench.wrk, server, datafile, conns, bench.duration, log_dir=bench.work)
    wait_idle(server)  # the tail of the backlog is part of the run's work
    cpu1, machine1, t1 = procs.cpu_seconds(pids), procs.machine_cpu_seconds(), time.monotonic()
    requests = max(figures["requests"], 1)
    seconds = figures["duration_us"] / 1e6
    server_cpu = cpu1 - cpu0
    other = max(0.0, (machine1 - machine0) - server_cpu - figures["wrk_cpu_s"])
    run = {
        "round": round_no, "page": page.name, "connections": conns, "requests": figures["requests"], "seconds": round(seconds, 2),
        "rps": figures["requests"] / seconds if seconds else 0.0,
        "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
        "cpu_ms": server_cpu * 1000 / requests,
        "other_cpu_pct": 100 * other / ((t1 - t0) * (os.cpu_count() or 1)),
        "wrk_cpu_pct": 100 * figures["wrk_cpu_s"] / ((t1 - t0) * (os.cpu_count() or 1)),
        "queries": figures["queries"] / figures["with_queries"] if figures["with_queries"] else None,
        "non_2xx_3xx": figures["s4xx"] + figures["s5xx"],
        "socket_errors": figures["connect_errors"] + figures["read_errors"] + figures["write_errors"] + figures["timeouts"],
        "status": {k: figures[k] for k in ("s2xx", "s3xx", "s4xx", "s5xx")}, "idle_before": idle,
    }
    if writes and bench.pool:
        run["writes"] = bench.pool.refresh() - supports_before
        run["writes_per_s"] = run["writes"] / seconds if seconds else 0.0
        run["support_posts"] = figures["responses"] if page.kind == "write" else None
        bench.pool.reset()
    run["wall_s"] = round(time.monotonic() - began, 1)
    bench.runs.append(run)
    return run


# ---------------------------------------------------------------- memory, first load, counters


def warm_up(bench: Bench, selected: list[Page], seconds: float) -> None:
    """Load each server with all its GET pages at once: templates compiled, SQL cached, database pages read."""
    if seconds <= 0:
        return
    for name, server in bench.servers.items():
        groups = [Group(f"{p.name}-{g.name}", 1, g.requests) for p in selected if p.server == name for g in p.groups if not g.supports]
        if groups:
            write_datafile(Page("warm-up", "warm-up", "mix", groups, server=name), None, bench.work / "warmup.tsv")
            run_wrk(bench.wrk, server, bench.work / "warmup.tsv", 8, seconds, log_dir=bench.work)
    for server in bench.servers.values():
        wait_idle(server)


def run_round(bench: Bench, selected: list[Page], connections: list[int], round_no: int) -> None:
    """Every page at every connection count, the order rotated by one page per round."""
    shift = (round_no - 1) % len(selected)
    for page in selected[shift:] + selected[:shift]:
        for conns in connections:
            run = measure(bench, page, conns, round_no)
            if run:
                q = "" if run["queries"] is None else f"  {run['queries']:.1f} q/req"
                w = f"  {run['writes_per_s']:.0f} writes/s" if "writes_per_s" in run else ""
                print(f"[round {round_no}] {page.name:14} c={conns:<3} {run['rps']:7.0f} req/s  p95 {run['p95_ms']:6.1f} ms  "
                      f"CPU {run['cpu_ms']:5.2f} ms/req{q}{w}  errors {run['non_2xx_3xx']}/{run['socket_errors']}  "
                      f"other CPU {run['other_cpu_pct']:.0f}%  [{run['wall_s']:.0f} s]", flush=True)


def memory_over_rounds(bench: Bench, pages: dict[str, Page], before: dict[int, int]) -> dict[str, Any]:
    """PSS of Ponte's workers after round 1 (warm) and after the last round, and the requests in between."""
    after = {pid: procs.pss_kb(pid) for pid in bench.servers["ponte"].workers}
    served = sum(r["requests"] for r in bench.runs if r["round"] > 1 and pages[r["page"]].server == "ponte")
    growth = [(after[p] - before[p]) / 1024 for p in before if p in after]
    return {"requests": served, "workers_unchanged": set(before) == set(after),
            "pss_mb_before": [round(v / 1024, 1) for v in before.values()], "pss_mb_after": [round(v / 1024, 1) for v in after.values()],
            "growth_mb": [round(g, 2) for g in growth], "max_growth_mb": round(max(growth), 2) if growth else None,
            "page": "every Ponte page of rounds 2…", "when": "after round 1"}


def memory_run(bench: Bench, page: Page, total: int) -> dict[str, Any]:
    """PSS of each worker after warm-up, then after about ``total`` more requests on one page (the run's
    length comes from the page's requests/s in the rounds, or from a 2 s probe)."""
    server = bench.servers["ponte"]
    datafile = bench.work / "memory.tsv"
    write_datafile(page, bench.pool, datafile)
    rates = [r["rps"] for r in bench.runs if r["page"] == page.name and r["connections"] == 8]
    rate = statistics.median(rates) if rates else run_wrk(bench.wrk, server, datafile, 8, 2, log_dir=bench.work)["requests"] / 2
    wait_idle(server)
    workers = server.workers
    before = {pid: procs.pss_kb(pid) for pid in workers}
    figures = run_wrk(bench.wrk, server, datafile, 8, min(900, max(3, 1.1 * total / max(rate, 1))), log_dir=bench.work)
    wait_idle(server)
    after = {pid: procs.pss_kb(pid) for pid in server.workers}
    growth = [(after[p] - before[p]) / 1024 for p in before if p in after]
    return {"page": page.name, "requests": figures["requests"], "workers_unchanged": set(before) == set(after),
            "pss_mb_before": [round(v / 1024, 1) for v in before.values()], "pss_mb_after": [round(v / 1024, 1) for v in after.values()],
            "growth_mb": [round(g, 2) for g in growth], "max_growth_mb": round(max(growth), 2) if growth else None,
            "errors": figures["s4xx"] + figures["s5xx"] + figures["connect_errors"] + figures["read_errors"] + figures["timeouts"]}


def check_counters(engine: Engine, proposal_ids: set[int]) -> dict[str, Any]:
    """supports_count == COUNT(*) of proposal_supports for every proposal the benchmark supported."""
    if not proposal_ids:
        return {"proposals": 0, "mismatches": []}
    stmt = text(
        "SELECT p.id, p.supports_count, (SELECT COUNT(*) FROM proposal_supports s WHERE s.proposal_id = p.id) "
        "FROM proposals p WHERE p.id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    with engine.connect() as conn:
        rows = conn.execute(stmt, {"ids": sorted(proposal_ids)}).all()
    return {"proposals": len(rows), "mismatches": [[int(i), int(a), int(b)] for i, a, b in rows if a != b]}


# ---------------------------------------------------------------- environment and report


def environment(url: str, wrk: str, log_dir: Path, tier: str) -> dict[str, Any]:
    import sqlite3

    from app.db import make_engine  # the app's engine: its connect-time PRAGMAs apply

    env: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "tier": tier, "python": platform.python_version(),
        "sqlite_library": sqlite3.sqlite_version, "database": make_url(url).render_as_string(hide_password=True),
        "gunicorn": _output([str(BIN / "gunicorn"), "--version"], log_dir).splitlines()[-1:],
        "wrk": (_output([wrk, "--version"], log_dir).splitlines() or [""])[0].split(" Copyright")[0],
        "git_sha": _output(["git", "rev-parse", "--short=12", "HEAD"], log_dir),
        "git_dirty": bool(_output(["git", "status", "--porcelain", "--untracked-files=no"], log_dir)),
        "workers": f"{WORKERS} × sync (gunicorn, no max_requests)", "wrk_threads": WRK_THREADS,
        "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name")), platform.processor()),
        "cpus": os.cpu_count(), "kernel": platform.release(),
    }
    env["gunicorn"] = env["gunicorn"][0] if env["gunicorn"] else ""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                env["sqlite_pragmas"] = {"journal_mode": conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
                                         "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                                             conn.exec_driver_sql("PRAGMA synchronous").scalar(), "?")}
            else:
                env["postgresql"] = conn.exec_driver_sql("SHOW server_version").scalar()
    finally:
        engine.dispose()
    return env


# ---------------------------------------------------------------- the command


CEILING_PAGES = ("hello", "memory", "keyset")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tier", default="S", help="the seeded tier whose manifest to read (default S)")
    parser.add_argument("--manifest", type=Path, help="default: instance/bench/<tier>.json (<tier>-pg.json for PostgreSQL)")
    parser.add_argument("--database-url", help="default: the manifest's (give it for PostgreSQL with a password)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", default="8,32", help="comma-separated wrk connection counts (default 8,32)")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per run (default 10)")
    parser.add_argument("--warmup-all", type=float, default=3, help="seconds of load on all pages at once before round 1 (default 3)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up load on the page before each run of round 1 "
                        "(default 2); the workers' caches (templates, compiled SQL, database pages) then stay warm")
    parser.add_argument("--warmup-every-round", action="store_true", help="warm up before the runs of every round")
    parser.add_argument("--pages", help="comma-separated subset (the ceiling pages always run); names: see the JSON output")
    parser.add_argument("--only-ceiling", action="store_true", help="measure only the ceiling app")
    parser.add_argument("--users", type=int, default=20, help="bench people to log in (logged-in pages, support POSTs)")
    parser.add_argument("--memory-requests", type=int, default=10_000, help="requests of the memory run at the end (0: skip)")
    parser.add_argument("--memory-page", default="thread")
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--markdown-out", type=Path)
    parser.add_argument("--gate", action="store_true", help="exit 1 if queries/request exceed a budget or CPU/request exceeds "
                        "--gate-tolerance × the keyset ceiling's (scaled by the page's own CPU target); never on requests/s")
    parser.add_argument("--gate-tolerance", type=float, default=5.0)
    return parser.parse_args(argv)


def _log_in_people(port: int, emails: list[str], password: str) -> tuple[list[str], list[Client]]:
    """Log in in parallel, one per worker (argon2 takes 64 MiB and most of a core); the people who got in."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        clients = list(pool.map(lambda e: login(port, e, password), emails))
    ok = [(e, c) for e, c in zip(emails, clients, strict=True) if c is not None]
    print(f"  logged in {len(ok)} of {len(emails)} bench people in {time.monotonic() - started:.1f} s")
    return [e for e, _ in ok], [c for _, c in ok]


def main(argv: list[str] | None = None) -> int:  # noqa: C901, PLR0912, PLR0915 — one linear script, step by step
    args = parse_args(argv)
    pg = bool(args.database_url) and make_url(args.database_url).get_backend_name() == "postgresql"
    manifest_path = args.manifest or OUT / (f"{args.tier}-pg.json" if pg else f"{args.tier}.json")
    if not manifest_path.exists():
        hint = f" --database-url {args.database_url}" if pg else ""
        print(f"No benchmark manifest at {manifest_path}.\nSeed the database first: python -m bench seed --tier {args.tier}{hint}",
              file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    url = args.database_url or manifest["database_url"]
    if "***" in url:
        print("The manifest hides the database password: pass --database-url.", file=sys.stderr)
        return 2
    backend = make_url(url).get_backend_name()
    tier = str(manifest.get("tier", args.tier))
    connections = [int(c) for c in args.connections.split(",") if c.strip()]
    log_dir = OUT / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    wrk = ensure_wrk(log_dir)
    if wrk is None:
        return 2
    wanted = set(CEILING_PAGES) if args.only_ceiling else None
    if args.pages and not args.only_ceiling:
        wanted = {p.strip() for p in args.pages.split(",") if p.strip()} | set(CEILING_PAGES)
    needs_ponte = not args.only_ceiling
    started = time.monotonic()
    engine = create_engine(url)
    servers: dict[str, Server] = {}
    print(f"Ponte load benchmark: tier {tier}, {backend} ({make_url(url).render_as_string(hide_password=True)}), "
          f"{args.rounds} rounds × {len(connections)} connection counts, {args.duration:g} s per run")
    try:
        with tempfile.TemporaryDirectory(prefix="ponte-bench-") as tmp:
            work = Path(tmp)
            servers["ceiling"] = start_gunicorn("ceiling", "bench.ceiling:app", {"BENCH_CEILING_DATABASE_URL": url}, log_dir, "/hello")
            clients: list[Client] = []
            emails: list[str] = []
            if needs_ponte:
                env = {"PONTE_DATABASE_URL": url, "PONTE_SECRET_KEY": secrets.token_urlsafe(36)[:48], "PONTE_RATELIMIT_ENABLED": "0",
                       "PONTE_DIAGNOSTICS": "1", "PONTE_MAIL_BACKEND": "file", "PONTE_MAIL_DIR": str(work / "mail")}
                servers["ponte"] = start_gunicorn("ponte", "wsgi:app", env, log_dir, "/healthz")
                emails, clients = _log_in_people(servers["ponte"].port, manifest.get("citizen_emails", [])[: args.users],
                                                 manifest["bench_password"])
            with engine.connect() as conn:
                top = conn.execute(text("SELECT MAX(id) FROM posts")).scalar() or 20
            rng = random.Random(42)
            afters = sorted(rng.randrange(0, max(1, top - 20)) for _ in range(64))
            pages = build_pages(manifest, servers["ponte"].port, clients, afters) if needs_ponte else \
                {p.name: p for p in ceiling_pages(afters)}
            selected = [p for p in pages.values() if wanted is None or p.name in wanted]
            sizes: dict[str, int] = {}
            for page in selected:
                first = page.first_get
                if first is None:
                    continue
                client = Client(servers[page.server].port)
                client.cookies = dict(part.split("=", 1) for part in first[1].split("; ") if "=" in part)
                status, _, body = client.request("GET", first[0])
                sizes[page.name] = len(body)
                if status != 200:
                    print(f"  warning: {page.name} {first[0]} answered {status}")
            pool = None
            if any(any(g.supports for g in p.groups) for p in selected) and clients:
                user_ids, pairs = eligible_pairs(url, emails, manifest.get("open_proposal_ids", []), 42)
                pool = SupportPool(engine, clients, user_ids, pairs)
                need = (args.duration + args.warmup) * 400
                print(f"  {len(pool.pairs):,} (person, proposal) pairs may be supported ({len(clients)} people × open proposals; "
                      f"{need:,.0f} would cover a run at 400 writes/s: then supports repeat and fail)")
            bench = Bench(wrk, servers, work, args.duration, args.warmup, args.warmup_every_round, pool)
            warm_up(bench, selected, args.warmup_all)
            pss_after_round_one: dict[int, int] = {}
            for round_no in range(1, args.rounds + 1):
                run_round(bench, selected, connections, round_no)
                if round_no == 1 and "ponte" in servers:
                    pss_after_round_one = {pid: procs.pss_kb(pid) for pid in servers["ponte"].workers}
            result: dict[str, Any] = {"backend": backend, "manifest": str(manifest_path), "options": {
                "rounds": args.rounds, "duration": args.duration, "warmup": args.warmup, "warmup_all": args.warmup_all,
                "warmup_every_round": args.warmup_every_round, "connections": connections}}
            if pss_after_round_one and args.rounds > 1:
                result["memory_rounds"] = memory_over_rounds(bench, pages, pss_after_round_one)
            if needs_ponte and args.memory_requests > 0 and args.memory_page in pages:
                print(f"memory run: {args.memory_requests:,} requests on '{args.memory_page}'…", flush=True)
                result["memory"] = memory_run(bench, pages[args.memory_page], args.memory_requests)
            if needs_ponte:
                base = f"http://127.0.0.1:{servers['ponte'].port}"
                result["first_load"] = [first_load(base, language) for language in ("it", "ar")]
            if pool is not None:
                pool.reset()
                result["counters"] = {"proposals": len(pool.touched), "mismatches": pool.mismatches}
                result["writes_total"] = pool.writes
            result["environment"] = environment(url, wrk, log_dir, tier)
    finally:
        for server in servers.values():
            procs.stop(server.proc.pid)
            _reap(server.proc.pid)
        engine.dispose()
    rows = summarize(bench.runs, pages)
    result["summary"], result["runs"], result["html_bytes"] = rows, bench.runs, sizes
    for row in rows:
        row["targets"] = check_targets(row)
    result["gate"] = gate(rows, args.gate_tolerance) if args.gate else None
    result["seconds"] = round(time.monotonic() - started, 1)
    cells = table_rows(rows, sizes)
    print()
    print_table(cells)
    for line in extra_lines(result):
        print(line)
    stem = f"results-{backend}-{tier}"
    json_out = args.json_out or OUT / f"{stem}.json"
    md_out = args.markdown_out or OUT / f"{stem}.md"
    json_out.parent.mkdir(parents=True, exist_ok=True)
    json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    md_out.parent.mkdir(parents=True, exist_ok=True)
    md_out.write_text(markdown(result, cells), encoding="utf-8")
    print(f"Wrote {json_out} and {md_out} ({result['seconds']:.0f} s in all)")
    if result["gate"]:
        print("GATE FAILED:\n  " + "\n  ".join(result["gate"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
