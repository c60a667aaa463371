"""Every route of the application is in a route × role test: each tests/web module with a matrix
declares the routes it walks in ``COVERED_ROUTES``, and together they must be the whole URL map.
A new route without a declaration fails here (and its own module's url-map test says where)."""

from __future__ import annotations

import importlib
from pathlib import Path

WEB_TESTS = Path(__file__).resolve().parent


def _declared() -> dict[str, set[str]]:
    found = {}
    for path in sorted(WEB_TESTS.glob("test_*.py")):
        if "\nCOVERED_ROUTES" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(f"tests.web.{path.stem}")
        found[path.stem] = set(module.COVERED_ROUTES)
    return found


def test_every_route_is_in_a_route_by_role_test(app) -> None:  # type: ignore[no-untyped-def]
    declared = _declared()
    covered = set().union(*declared.values())
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert not routes - covered, f"routes without a route × role test: {sorted(routes - covered)}"
    assert not covered - routes, f"declared routes the application no longer has: {sorted(covered - routes)}"
