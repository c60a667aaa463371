"""The dependency rule of ARCHITECTURE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            names.append(node.module or "")
    return names


def _modules(folder: str, exclude: tuple[str, ...] = ()) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*.py") if not any(part in p.parts for part in exclude)]


def _top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


@pytest.mark.parametrize("path", _modules("models", exclude=("migrations",)), ids=str)
def test_models_import_only_sqlalchemy_stdlib_and_models(path: Path) -> None:
    for name in _imports(path):
        assert _top(name) not in {"flask", "flask_login", "flask_wtf", "flask_babel", "wtforms", "bleach", "app", "blueprints"}, (path, name)


@pytest.mark.parametrize("path", _modules("app/services"), ids=str)
def test_services_do_not_touch_http_or_forms(path: Path) -> None:
    for name in _imports(path):
        assert _top(name) not in {"flask", "flask_login", "flask_wtf", "wtforms", "blueprints", "bleach"}, (path, name)


@pytest.mark.parametrize("path", _modules("app/security"), ids=str)
def test_security_does_not_import_services_or_blueprints(path: Path) -> None:
    for name in _imports(path):
        assert not name.startswith(("blueprints", "wtforms", "app.services")), (path, name)


@pytest.mark.parametrize("path", _modules("blueprints"), ids=str)
def test_blueprints_do_not_query_or_import_each_other(path: Path) -> None:
    package = path.relative_to(ROOT / "blueprints").parts[0]
    for name in _imports(path):
        assert _top(name) not in {"sqlalchemy", "bleach"}, (path, name)
        assert name != "app.db", (path, name)
        if name.startswith("blueprints."):
            other = name.split(".")[1]
            assert other in {package, "common", "forms_common"}, (path, name)


def test_bleach_is_imported_only_by_the_sanitizer() -> None:
    for folder in ("app", "blueprints", "models"):
        for path in _modules(folder):
            if path != ROOT / "app" / "sanitize.py":
                assert "bleach" not in {_top(n) for n in _imports(path)}, path


def test_no_template_uses_the_safe_filter() -> None:
    for path in (ROOT / "templates").rglob("*.html"):
        assert "|safe" not in path.read_text(encoding="utf-8").replace(" ", ""), path


def test_no_service_or_view_commits() -> None:
    for folder in ("app/services", "blueprints", "models"):
        for path in _modules(folder):
            assert ".commit()" not in path.read_text(encoding="utf-8"), path
