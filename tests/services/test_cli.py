"""CLI commands print clear errors (no tracebacks) and call the services."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_create_admin_refuses_a_weak_password_with_a_message(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "x@example.org", "--name", "X", "--password", "short"])
    assert result.exit_code == 1
    assert "password" in result.output and "Traceback" not in result.output


def test_territories_import_names_the_bad_line(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["territories", "import", str(FIXTURES / "istat-malformed.csv")])
    assert result.exit_code == 1
    assert "line 5" in result.output and "nothing imported" in result.output


def test_grant_moderator_for_unknown_person_is_explained(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["users", "grant-moderator", "nobody@example.org", "16"])
    assert result.exit_code == 1 and "no account" in result.output
