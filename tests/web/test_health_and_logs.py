"""/readyz checks every dependency; the logs are JSON lines with request ids and carry no secrets."""

from __future__ import annotations

import json
import logging
import re
import socket

import pytest

from app import logs
from app.db import db
from app.services import health, notifications
from tests import factories
from tests.conftest import login

LINK_RE = re.compile(r"https://ponte\.test/\S+")


def _unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- readiness


def test_readyz_is_ready_with_the_database_and_no_redis_configured(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", "")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_checks_redis_when_it_is_configured(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr(health, "redis_ready", lambda url: True)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_names_redis_when_it_is_down_without_revealing_its_address(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A real connection attempt to a port where nothing listens: refused at once.
    url = f"redis://:hunter2-redis-password@127.0.0.1:{_unused_port()}/0"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
    body = response.get_data(as_text=True)
    assert "hunter2" not in body and "127.0.0.1" not in body


def test_readyz_names_the_database_when_it_is_down(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr(health, "database_ready", lambda: False)
    monkeypatch.setattr(health, "redis_ready", lambda url: True)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "checks": {"database": "failed", "redis": "ok"}}


# ---------------------------------------------------------------- request ids and access lines


@pytest.fixture
def records(caplog):  # type: ignore[no-untyped-def]
    """Everything logged at INFO and above (the production level), as the JSON lines stderr gets."""
    caplog.set_level(logging.INFO)

    def lines() -> list[str]:
        formatter = logs.JsonFormatter()
        return [formatter.format(record) for record in caplog.records]

    return lines


def _access(lines: list[str]) -> list[dict]:
    return [entry for entry in map(json.loads, lines) if entry["logger"] == logs.ACCESS]


def test_a_valid_request_id_round_trips_into_the_response_and_the_logs(client, records) -> None:  # type: ignore[no-untyped-def]
    rid = "0123456789abcdef0123456789abcdef"
    response = client.get("/healthz", headers={"X-Request-Id": rid})
    assert response.headers["X-Request-Id"] == rid
    (line,) = _access(records())
    assert line["request_id"] == rid and line["route"] == "/healthz" and line["status"] == 200
    assert line["method"] == "GET" and line["level"] == "INFO" and line["time"].endswith("Z")
    assert isinstance(line["duration_ms"], float) and line["user_id"] is None


@pytest.mark.parametrize("bad", ["short", "x" * 65, "abc def 0123456789", "abcdefgh<script>", "abcdefgh\"}{\"level\": \"x", "../../etc/passwd0"])
def test_a_malformed_request_id_is_replaced(client, records, bad: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz", headers={"X-Request-Id": bad})
    rid = response.headers["X-Request-Id"]
    assert rid != bad and re.fullmatch(r"[0-9a-f]{32}", rid)
    assert _access(records())[0]["request_id"] == rid


def test_every_request_gets_an_id_and_the_access_line_has_the_user(client, session, records) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(email="logged@example.org")
    db.commit()
    login(client, "logged@example.org", factories.PASSWORD)
    response = client.get("/me/")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    last = _access(records())[-1]
    assert last["request_id"] == response.headers["X-Request-Id"]
    assert last["user_id"] == person.id and last["status"] == response.status_code


# ---------------------------------------------------------------- no secrets in the logs


def _assert_absent(lines: list[str], *secrets: str) -> None:
    text = "\n".join(lines)
    for secret in secrets:
        assert secret not in text, f"{secret!r} was logged"


def test_login_posts_log_neither_the_password_nor_the_form(client, session, records) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="secret-login@example.org")
    db.commit()
    login(client, "secret-login@example.org", factories.PASSWORD)
    login(client, "secret-login@example.org", "a-wrong-password-for-the-log-test")
    lines = records()
    assert any(entry["route"] == "/auth/login" and entry["method"] == "POST" for entry in _access(lines))
    _assert_absent(lines, factories.PASSWORD, "a-wrong-password-for-the-log-test", "csrf_token", "ponte_session=")


def test_reset_links_tokens_and_new_passwords_stay_out_of_the_logs(client, session, outbox, records) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="reset-me@example.org")
    db.commit()
    client.post_form("/auth/reset", {"email": "reset-me@example.org"})
    (link,) = LINK_RE.findall(outbox[-1].text)
    token = link.rsplit("/", 1)[1]
    path = f"/auth/reset/{token}"
    assert client.get(f"{path}?utm=mail").status_code == 200
    new_password = "a brand new password for the log test"
    answer = client.post_form(path, {"password": new_password})
    assert answer.status_code == 302
    lines = records()
    assert [e["route"] for e in _access(lines) if e["route"] and "reset/" in e["route"]] == ["/auth/reset/<token>"] * 2
    _assert_absent(lines, token, link, path, new_password, "utm=mail")


def test_confirmation_tokens_stay_out_of_the_logs(client, session, outbox, records) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="confirm-me@example.org", confirmed=False)
    db.commit()
    client.post_form("/auth/resend", {"email": "confirm-me@example.org"})
    (link,) = LINK_RE.findall(outbox[-1].text)
    token = link.rsplit("/", 1)[1]
    client.get(f"/auth/confirm/{token}")
    client.post_form(f"/auth/confirm/{token}")
    lines = records()
    assert "/auth/confirm/<token>" in {e["route"] for e in _access(lines)}
    _assert_absent(lines, token, link)


def test_unsubscribe_tokens_stay_out_of_the_logs(client, session, records) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    token = notifications.unsubscribe_token(person.id)
    db.commit()
    assert client.get(f"/unsubscribe/{token}").status_code == 200
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert client.get("/unsubscribe/not-a-valid-token-at-all").status_code == 404
    lines = records()
    assert {e["route"] for e in _access(lines)} == {"/unsubscribe/<token>"}
    _assert_absent(lines, token, "not-a-valid-token-at-all")
