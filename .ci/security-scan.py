"""``make security-scan``: external scanners against Ponte on this machine (not part of CI).

1. bandit on the Python code (app/, blueprints/, models/).
2. Ponte under gunicorn on 127.0.0.1 (production settings, rate limits off so the scanners are not
   throttled) on a fresh SQLite database with the demo data.
3. A bounded crawl of the public pages collects every GET form field and query parameter (one URL
   per route and parameter set), plus the open data API's list operations with every query
   parameter of its OpenAPI document; sqlmap tests each of them at --level 3.
4. wapiti with the xss, redirect, http_headers, csp and cookieflags modules.

Reports go to instance/security/ (bandit.txt, urls.txt, sqlmap/, wapiti.txt, summary.txt); the
findings and what was done about each are in docs/security.md. Everything started here is stopped
at the end. Options: --minutes N bounds each scanner (default 20), --skip sqlmap,wapiti.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import procs  # noqa: E402 — after the path set-up above

OUT = ROOT / "instance" / "security"
BIN = ROOT / ".venv" / "bin"
CRAWL_LIMIT = 400


class _Links(html.parser.HTMLParser):
    """Links and GET forms of a page (the form's fields with their first offered value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self._form = (a.get("action", ""), {})
        elif (self._form is not None and tag in ("input", "select", "textarea") and a.get("name")
              and a.get("type") not in ("submit", "button", "image")):
            self._form[1].setdefault(a["name"], a.get("value") or "1")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def crawl(base: str, route_of: Callable[[str], str]) -> list[str]:
    """One URL per (route, set of GET parameter names) reachable from the home page; each such
    shape is also followed once (pages of one route are alike: every forum, every event), up to
    CRAWL_LIMIT pages. ``route_of`` names the application's route of a path."""
    queue, followed = [base + "/"], {(route_of("/"), frozenset())}
    targets: dict[tuple[str, frozenset[str]], str] = {}
    fetched = 0
    while queue and fetched < CRAWL_LIMIT:
        url = queue.pop(0)
        fetched += 1
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our own local server
                if "text/html" not in response.headers.get("Content-Type", ""):
                    continue
                page = response.read().decode("utf-8", "replace")
        except Exception:  # noqa: S112 — a failing page is simply not crawled further
            continue
        parser = _Links()
        parser.feed(page)
        found = [urllib.parse.urljoin(url, href) for href in parser.links]
        found += [urllib.parse.urljoin(url, action) + "?" + urllib.parse.urlencode(fields) for action, fields in parser.forms if fields]
        for link in found:
            parts = urllib.parse.urlsplit(link)
            if not link.startswith(base) or parts.path.startswith(("/static/", "/auth/logout", "/lang/")):
                continue
            clean = urllib.parse.urlunsplit(parts._replace(fragment=""))
            shape = (route_of(parts.path), frozenset(urllib.parse.parse_qs(parts.query, keep_blank_values=True)))
            if shape[1]:
                targets.setdefault(shape, clean)
            if shape not in followed:
                followed.add(shape)
                queue.append(clean)
    return sorted(targets.values())


def api_urls(base: str) -> list[str]:
    """One URL per list operation of the open data API with every query parameter it declares
    (from its OpenAPI document): the API is not linked from the pages the crawl walks."""
    import json

    with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=10) as response:  # noqa: S310 — our own local server
        document = json.load(response)
    shared = document.get("components", {}).get("parameters", {})
    urls = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or "{" in path:
            continue
        params = [shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in operation.get("parameters", [])]
        query = {p["name"]: (p.get("schema", {}).get("enum") or ["1"])[0] for p in params if p.get("in") == "query"}
        if query:
            urls.append(f"{base}/api/v1{path}?{urllib.parse.urlencode(query)}")
    return urls


def _routes(env: dict[str, str]) -> Callable[[str], str]:
    """The application's URL map, to name the route of a path (its endpoint)."""
    os.environ.update(env)
    from app import create_app  # after the environment is set: the app reads it

    adapter = create_app().url_map.bind("127.0.0.1")

    def route_of(path: str) -> str:
        try:
            return adapter.match(path, method="GET")[0]
        except Exception:  # a redirect or an unknown path: the path is its own route
            return path

    return route_of


def run(argv: list[str], log: Path, minutes: float) -> int:
    print("$", " ".join(argv), f"(log: {log.relative_to(ROOT)})", flush=True)
    with open(log, "w", encoding="utf-8") as out:
        try:
            return subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=minutes * 60, check=False).returncode  # noqa: S603
        except subprocess.TimeoutExpired:
            out.write(f"\n[stopped after {minutes} minutes]\n")
            return -1


def ensure_debian(*packages: str) -> list[str]:
    missing = [p for p in packages if shutil.which(p) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, env=env, stdout=subprocess.DEVNULL)  # noqa: S603, S607
    return [p for p in packages if shutil.which(p) is None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20, help="bound on each scanner (default 20)")
    parser.add_argument("--skip", default="", help="comma-separated: bandit, sqlmap, wapiti")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still stop the server (finally below)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    OUT.mkdir(parents=True, exist_ok=True)
    summary: list[str] = []
    if "bandit" not in skip:
        code = run([str(BIN / "bandit"), "-r", "app", "blueprints", "models", "-x", "models/migrations", "-q"], OUT / "bandit.txt", args.minutes)
        summary.append(f"bandit: exit {code} (findings in instance/security/bandit.txt)")
    missing = ensure_debian(*(s for s in ("sqlmap", "wapiti") if s not in skip))
    for name in missing:
        summary.append(f"{name}: not installed (sudo apt-get install {name}); skipped")
        skip.add(name)
    if {"sqlmap", "wapiti"} <= skip:
        print("\n".join(summary))
        return 0
    database = OUT / "scan.db"
    database.unlink(missing_ok=True)
    port = procs.free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PONTE_")}
    env.update({"PONTE_DATABASE_URL": f"sqlite:///{database}", "PONTE_SECRET_KEY": secrets.token_urlsafe(36),
                "PONTE_SERVER_NAME": f"127.0.0.1:{port}", "PONTE_RATELIMIT_ENABLED": "0", "PONTE_MAIL_BACKEND": "file",
                "PONTE_MAIL_DIR": str(OUT / "mail"), "PONTE_UPLOAD_DIR": str(OUT / "uploads"), "FLASK_APP": "wsgi:app"})
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    server = procs.spawn("ponte", [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                         log=OUT / "server.log", env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        procs.wait_http(base + "/healthz", timeout=60, proc=server)
        urls = crawl(base, _routes(env)) + api_urls(base)
        (OUT / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
        summary.append(f"crawl: {len(urls)} URLs with GET parameters (instance/security/urls.txt)")
        if "sqlmap" not in skip:
            started = time.monotonic()
            code = run(["sqlmap", "-m", str(OUT / "urls.txt"), "--batch", "--level", "3", "--risk", "1", "--threads", "2",
                        "--output-dir", str(OUT / "sqlmap"), "--disable-coloring", "--answers", "follow=N"],
                       OUT / "sqlmap.txt", args.minutes)
            summary.append(f"sqlmap: exit {code} in {time.monotonic() - started:.0f} s (instance/security/sqlmap.txt)")
        if "wapiti" not in skip:
            started = time.monotonic()
            # The calendar's month and week links go on for ever: without bounds wapiti spends its whole time
            # crawling (40,000 URLs in 20 minutes here) and attacks nothing. A quarter of the time crawls,
            # each of the five modules attacks for at most a seventh of it, and the report is written.
            budget = int(args.minutes * 60)
            code = run(["wapiti", "-u", base + "/", "--scope", "folder", "-m", "xss,redirect,http_headers,csp,cookieflags",
                        "--depth", "4", "--max-links-per-page", "40", "--max-files-per-dir", "30",
                        "--max-scan-time", str(budget // 4), "--max-attack-time", str(budget // 7), "--flush-session",
                        "-f", "txt", "-o", str(OUT / "wapiti.txt")], OUT / "wapiti.log", args.minutes + 3)
            summary.append(f"wapiti: exit {code} in {time.monotonic() - started:.0f} s (instance/security/wapiti.txt)")
    finally:
        procs.stop(server.pid)
    (OUT / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
