"""Figures of ``python -m bench run`` turned into results: medians, ratios, the spec's targets,
the CI gate, the printed table and the Markdown report; and the home page's first load."""

from __future__ import annotations

import gzip
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:

    from bench.runner import Page


@dataclass(frozen=True)
class Budget:
    """The spec's targets for one kind of page (None: no target)."""

    cpu_ms: float | None = None
    queries: int | None = None
    p95_ms: float | None = None  # at 8 connections
    keyset_share: float | None = None  # requests/s as a share of the keyset ceiling's


BUDGETS = {"list": Budget(4, 4, 25, 0.6), "detail": Budget(6, 6, 40), "home": Budget(8), "search": Budget(20)}
DEEP_RATIO = 1.5  # a deep page may cost at most this times its page one
WRITES_PER_S = 200
PSS_MB = 150
PSS_GROWTH_MB = 4  # "no growth": allocator noise allowed over 10k requests
FIRST_LOAD_KB = 500


# ---------------------------------------------------------------- medians and targets


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarize(runs: list[dict[str, Any]], pages: dict[str, Page]) -> list[dict[str, Any]]:
    """Medians over rounds per (page, connections); ratios to the keyset ceiling within each round first."""
    by: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}
    for run in runs:
        by.setdefault((run["page"], run["connections"]), {})[run["round"]] = run
    rows = []
    for (name, conns), rounds in by.items():
        keyset = by.get(("keyset", conns), {})
        page = pages[name]
        base = by.get((page.deep_of, conns), {}) if page.deep_of else {}
        row: dict[str, Any] = {"page": name, "label": page.label, "kind": page.kind, "connections": conns, "rounds": len(rounds)}
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "cpu_ms", "other_cpu_pct", "queries", "writes_per_s"):
            row[key] = _median(r.get(key) for r in rounds.values())
        row["non_2xx_3xx"] = sum(r["non_2xx_3xx"] for r in rounds.values())
        row["socket_errors"] = sum(r["socket_errors"] for r in rounds.values())
        row["writes"] = sum(r.get("writes", 0) for r in rounds.values()) if name in ("support", "mix") else None
        row["cpu_vs_keyset"] = _median(r["cpu_ms"] / keyset[n]["cpu_ms"] for n, r in rounds.items() if n in keyset and keyset[n]["cpu_ms"])
        row["rps_vs_keyset"] = _median(r["rps"] / keyset[n]["rps"] for n, r in rounds.items() if n in keyset and keyset[n]["rps"])
        row["cpu_vs_page_one"] = _median(r["cpu_ms"] / base[n]["cpu_ms"] for n, r in rounds.items() if n in base and base[n]["cpu_ms"])
        rows.append(row)
    order = list(pages)
    rows.sort(key=lambda r: (order.index(r["page"]), r["connections"]))
    return rows


def check_targets(row: dict[str, Any]) -> dict[str, bool]:
    """The spec's targets that apply to this row: name → met."""
    budget = BUDGETS.get(row["kind"])
    checks: dict[str, bool] = {}
    if budget:
        if budget.cpu_ms is not None and row["cpu_ms"] is not None:
            checks[f"cpu≤{budget.cpu_ms:g}"] = row["cpu_ms"] <= budget.cpu_ms
        if budget.queries is not None and row["queries"] is not None:
            checks[f"q≤{budget.queries}"] = row["queries"] <= budget.queries
        if budget.p95_ms is not None and row["connections"] == 8 and row["p95_ms"] is not None:
            checks[f"p95≤{budget.p95_ms:g}"] = row["p95_ms"] <= budget.p95_ms
        if budget.keyset_share is not None and row["rps_vs_keyset"] is not None:
            checks[f"rps≥{budget.keyset_share:.0%}ks"] = row["rps_vs_keyset"] >= budget.keyset_share
    if row["cpu_vs_page_one"] is not None:
        checks[f"≤{DEEP_RATIO}×p1"] = row["cpu_vs_page_one"] <= DEEP_RATIO
    if row["kind"] == "write" and row["writes_per_s"] is not None:
        checks[f"≥{WRITES_PER_S}w/s"] = row["writes_per_s"] >= WRITES_PER_S
    return checks


def gate(rows: list[dict[str, Any]], tolerance: float) -> list[str]:
    """CI failures on stable figures only: queries over budget, CPU far above the keyset ceiling's.
    The CPU tolerance scales with the page's own target (search may cost 5× a list page)."""
    failures = []
    list_cpu = BUDGETS["list"].cpu_ms or 1
    for row in rows:
        budget = BUDGETS.get(row["kind"])
        if budget is None:
            continue
        if budget.queries is not None and row["queries"] is not None and row["queries"] > budget.queries:
            failures.append(f"{row['page']} ({row['connections']} conns): {row['queries']:.1f} queries/request > {budget.queries}")
        allowed = tolerance * (budget.cpu_ms or list_cpu) / list_cpu
        if row["cpu_vs_keyset"] is not None and row["cpu_vs_keyset"] > allowed:
            failures.append(f"{row['page']} ({row['connections']} conns): CPU {row['cpu_vs_keyset']:.1f}× the keyset ceiling > {allowed:g}×")
    return failures



COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml", "font/ttf", "font/otf")
def first_load(base_url: str, language: str = "it") -> dict[str, Any]:
    """What a browser downloads to show the home page the first time: headless Chromium loads it (empty
    cache, a 390 px phone viewport) and every response it fetched is counted, text gzipped at level 6 as
    the reverse proxy sends it (docs/deploy/nginx), fonts and images as they are. Only the font faces the
    page really uses are fetched, as on a real phone."""
    from playwright.sync_api import sync_playwright

    responses: list[Any] = []
    with sync_playwright() as driver:
        chromium = Path("/usr/bin/chromium")
        browser = driver.chromium.launch(executable_path=str(chromium) if chromium.exists() else None, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale=language,
                                          extra_http_headers={"Accept-Language": language})
            context.add_cookies([{"name": "ponte_lang", "value": language, "url": base_url}])
            page = context.new_page()
            page.on("response", lambda response: responses.append(response))  # noqa: PLW0108 — Playwright cannot wrap a bound builtin
            page.goto(base_url + "/", wait_until="networkidle")
            page.evaluate("document.fonts.ready.then(() => true)")
            seen: dict[str, dict[str, Any]] = {}
            for response in responses:
                path = response.url.removeprefix(base_url)
                if path in seen or response.url.startswith("data:"):
                    continue
                try:
                    body = response.body()
                except Exception:  # a redirect has no body
                    body = b""
                ctype = (response.headers.get("content-type") or "").split(";")[0].strip()
                zipped = len(gzip.compress(body, 6)) if ctype.startswith(COMPRESSIBLE) else len(body)
                seen[path] = {"status": response.status, "type": ctype, "bytes": len(body), "transferred": zipped,
                              "cache_control": response.headers.get("cache-control", "")}
            version = browser.version
        finally:
            browser.close()
    kinds: dict[str, int] = {}
    for path, item in seen.items():
        font = item["type"].startswith("font/") or path.split("?")[0].endswith((".woff2", ".woff", ".ttf"))
        kind = "html" if path == "/" else "font" if font else item["type"].split("/")[-1]
        kinds[kind] = kinds.get(kind, 0) + item["transferred"]
    fingerprinted = sorted({i["cache_control"] for p, i in seen.items() if "?v=" in p or re.search(r"\.[0-9a-f]{8,}\.", p)})
    return {"language": language, "browser": f"Chromium {version}", "files": len(seen),
            "kb_transferred": round(sum(i["transferred"] for i in seen.values()) / 1024, 1),
            "kb_uncompressed": round(sum(i["bytes"] for i in seen.values()) / 1024, 1),
            "kb_by_kind": {k: round(v / 1024, 1) for k, v in sorted(kinds.items())},
            "failed": [p for p, i in seen.items() if i["status"] >= 400], "fingerprinted_cache_control": fingerprinted}


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "–" if value is None else format(value, spec)


COLUMNS = ("page", "conns", "req/s", "%keyset", "p50 ms", "p95 ms", "p99 ms", "CPU ms/req", "×keyset", "queries", "KB", "errors",
           "other CPU %", "targets")


def table_rows(rows: list[dict[str, Any]], sizes: dict[str, int]) -> list[list[str]]:
    out = []
    for row in rows:
        checks = check_targets(row)
        marks = " ".join(f"{name}{'✓' if ok else '✗'}" for name, ok in checks.items())
        rps = _fmt(row["rps"], ".0f")
        if row["writes_per_s"] is not None and row["page"] == "support":
            rps += f" ({row['writes_per_s']:.0f} w/s)"
        out.append([row["label"], str(row["connections"]), rps,
                    _fmt(None if row["rps_vs_keyset"] is None else 100 * row["rps_vs_keyset"], ".0f"),
                    _fmt(row["p50_ms"]), _fmt(row["p95_ms"]), _fmt(row["p99_ms"]), _fmt(row["cpu_ms"], ".2f"),
                    _fmt(row["cpu_vs_keyset"], ".2f"), _fmt(row["queries"]),
                    _fmt(sizes[row["page"]] / 1024 if row["page"] in sizes else None),
                    f"{row['non_2xx_3xx']}/{row['socket_errors']}", _fmt(row["other_cpu_pct"]), marks])
    return out


def print_table(cells: list[list[str]]) -> None:
    widths = [max(len(COLUMNS[i]), *(len(r[i]) for r in cells)) for i in range(len(COLUMNS))]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(c.ljust(w) if i in (0, len(COLUMNS) - 1) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))


def extra_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    for key in ("memory_rounds", "memory"):
        memory = result.get(key)
        if not memory:
            continue
        worst = max(memory["pss_mb_after"] or [0])
        growth = memory["max_growth_mb"]
        # Growth is judged on the dedicated run (one page); over the rounds, new pages still fill caches.
        verdict = f"no growth (≤{PSS_GROWTH_MB} MB) {'✓' if growth is not None and growth <= PSS_GROWTH_MB else '✗'}" \
            if key == "memory" else "growth informational: many pages"
        lines.append(f"Memory: PSS per worker {memory['pss_mb_before']} MB {memory.get('when', 'after warm-up')}, "
                     f"{memory['pss_mb_after']} MB after {memory['requests']:,} more requests on '{memory['page']}' "
                     f"(growth {memory['growth_mb']} MB; ≤{PSS_MB} MB {'✓' if worst <= PSS_MB else '✗'}, {verdict}"
                     f"{'' if memory['workers_unchanged'] else '; a worker was replaced during the run!'})")
    for load in result.get("first_load") or []:
        ok = load["kb_transferred"] <= FIRST_LOAD_KB
        lines.append(f"Home first load ({load['language']}, {load['browser']}, 390 px, empty cache): {load['kb_transferred']} KB "
                     f"transferred ({load['files']} files, {load['kb_uncompressed']} KB uncompressed; text gzipped at level 6 as "
                     f"the reverse proxy does; by kind {load['kb_by_kind']}; ≤{FIRST_LOAD_KB} KB {'✓' if ok else '✗'})"
                     + (f"; failed: {load['failed']}" if load["failed"] else ""))
        lines.append(f"Cache-Control of fingerprinted assets: {' | '.join(load['fingerprinted_cache_control']) or '(none found)'}")
    counters = result.get("counters")
    if counters is not None:
        ok = not counters["mismatches"]
        lines.append(f"Support counters: {counters['proposals']} proposals touched, supports_count == COUNT(*) "
                     f"{'✓' if ok else '✗ ' + str(counters['mismatches'][:10])}; "
                     f"{result.get('writes_total', 0):,} successful support writes in all")
    return lines


def markdown(result: dict[str, Any], cells: list[list[str]]) -> str:
    env = result["environment"]
    out = [f"# Ponte load benchmark — tier {env['tier']}, {result['backend']}", ""]
    out += [f"- date: {env['date']}", f"- git: {env['git_sha']}{' (uncommitted changes)' if env['git_dirty'] else ''}",
            f"- Python {env['python']}, SQLite library {env['sqlite_library']}"
            + (f", PostgreSQL {env['postgresql']}" if env.get("postgresql") else ""),
            f"- {env['gunicorn']}, {env['workers']}; {env['wrk']} ({env['wrk_threads']} threads)",
            f"- CPU: {env['cpu']} × {env['cpus']}, Linux {env['kernel']}",
            f"- database: {env['database']}"]
    if env.get("sqlite_pragmas"):
        out.append(f"- SQLite PRAGMAs in effect: journal_mode={env['sqlite_pragmas']['journal_mode']}, "
                   f"synchronous={env['sqlite_pragmas']['synchronous']}")
    opts = result["options"]
    warm = f"{opts['warmup']} s warm-up on the page before each run of {'every round' if opts['warmup_every_round'] else 'round 1'}"
    out += [f"- {opts['rounds']} rounds of {opts['duration']} s runs at {opts['connections']} connections (wrk); {opts['warmup_all']} s "
            f"warm-up on all pages first, {warm}; figures are medians over rounds, ratios to the keyset ceiling are taken within "
            "a round, then their median", ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "|".join("---" if i in (0, len(COLUMNS) - 1) else "---:" for i in range(len(COLUMNS))) + "|")
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
    out += ["", "errors = non-2xx/3xx responses / socket errors; other CPU % = the rest of the machine (not gunicorn, not wrk) "
            "over the run, as a share of all cores" + (" (it includes the PostgreSQL server)" if env.get("postgresql") else "")
            + "; server CPU includes the few requests still queued when wrk stops (at most the connection count).", ""]
    out += [f"- {line}" for line in extra_lines(result)]
    if result.get("gate") is not None:
        out.append(f"- gate: {'passed' if not result['gate'] else 'FAILED: ' + '; '.join(result['gate'])}")
    return "\n".join(out) + "\n"
