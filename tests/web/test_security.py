"""CSRF, headers, sessions, redirects, enumeration parity, rate limits, database outages."""

from __future__ import annotations

import re
import statistics
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.security import passwords
from app.security.ratelimit import limiter
from models import Feedback, User, UserSession
from tests import factories
from tests.conftest import login

REGISTER = {"display_name": "Ioana Popescu", "email": "ioana@example.org", "password": "a long sentence to remember",
            "locale": "ro", "home_territory": "", "accept_privacy": "y"}


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/auth/register", REGISTER),
        ("/auth/login", {"email": "x@example.org", "password": "whatever"}),
        ("/auth/reset", {"email": "x@example.org"}),
        ("/auth/resend", {"email": "x@example.org"}),
        ("/auth/logout", {}),
        ("/feedback", {"topic": "idea", "message": "More events in Lecce please"}),
        ("/me/settings", {"display_name": "X", "locale": "it"}),
        ("/me/password", {"pw-current_password": "a", "pw-new_password": "b"}),
    ],
)
def test_posts_without_csrf_token_are_refused_and_change_nothing(client, session, path, data) -> None:  # type: ignore[no-untyped-def]
    users_before = session.scalar(select(func.count()).select_from(User))
    response = client.post(path, data=data)
    assert response.status_code in (400, 302)
    if response.status_code == 302:  # login_required answers first for private pages
        assert response.headers["Location"].startswith("/auth/login")
    assert session.scalar(select(func.count()).select_from(User)) == users_before
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_logout_needs_csrf_token(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    login(client, user.email, factories.PASSWORD)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/me").status_code == 200


def test_security_headers_on_pages(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert client.get("/").headers["Content-Security-Policy"] != csp  # a fresh nonce each time


def test_security_headers_on_errors_and_json(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/missing", "/healthz"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_on_every_response_type_when_turned_on(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert "Strict-Transport-Security" not in client.get("/").headers  # off by default: plain http in development
    monkeypatch.setitem(app.config, "HSTS", True)  # PONTE_HSTS=1 in production, behind HTTPS
    for path in ("/", "/missing", "/healthz", "/api/v1/territories"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", path


def test_private_pages_are_not_cached(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    login(client, user.email, factories.PASSWORD)
    assert client.get("/me").headers["Cache-Control"] == "no-store"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_static_files_with_version_are_cached_for_a_year(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/static/css/ponte.css?v=abc")
    assert "immutable" in response.headers["Cache-Control"]
    response.close()


def test_session_cookie_flags_and_rotation_on_login(client) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    client.get("/auth/login")
    before = client.get_cookie("ponte_session", domain="ponte.test")
    response = login(client, user.email, factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    after = client.get_cookie("ponte_session", domain="ponte.test")
    assert before is not None and after is not None and before.value != after.value


def test_cookie_replayed_after_logout_is_refused(client, session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    login(client, user.email, factories.PASSWORD)
    stolen = client.get_cookie("ponte_session", domain="ponte.test").value
    client.post_form("/auth/logout")
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
    client.set_cookie("ponte_session", stolen, domain="ponte.test")
    response = client.get("/me")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")


def test_password_change_logs_out_other_devices(app, client, session) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    other = app.test_client()
    login(other, user.email, factories.PASSWORD)
    login(client, user.email, factories.PASSWORD)
    response = client.post_form("/me/password", {"pw-current_password": factories.PASSWORD, "pw-new_password": "a brand new sentence"})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert other.get("/me").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example", "/\r\nX: y"])
def test_login_next_never_leaves_the_site(client, target: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    response = client.post_form("/auth/login", {"email": user.email, "password": factories.PASSWORD}, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/me"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "\\\\evil.example", "/%09/evil.example"])
def test_language_switch_never_leaves_the_site(client, target: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/lang/ar", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@pytest.fixture
def real_password_hashing(session):  # type: ignore[no-untyped-def]
    """argon2 at its production cost (tests otherwise hash with the cheapest parameters)."""
    passwords.use_profile("rfc9106-low-memory")
    yield
    passwords.use_profile("cheapest")


def test_login_failure_is_the_same_for_known_and_unknown_emails(client, session, real_password_hashing) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(email="known@example.org")
    user.password_hash = passwords.hash_password(factories.PASSWORD)  # a hash at the production cost
    session.flush()
    known = client.post_form("/auth/login", {"email": user.email, "password": "wrong password!"})
    unknown = client.post_form("/auth/login", {"email": "unknown@example.org", "password": "wrong password!"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True))  # noqa: E731 — tokens and echoed e-mails differ
    assert strip(known) == strip(unknown)
    known_t = statistics.median(_timed(lambda: client.post_form("/auth/login", {"email": user.email, "password": "nope nope"})) for _ in range(5))
    unknown_t = statistics.median(_timed(lambda: client.post_form("/auth/login", {"email": "ghost@example.org", "password": "nope nope"})) for _ in range(5))
    assert abs(known_t - unknown_t) < max(known_t, unknown_t) * 0.5  # both run the KDF


@pytest.mark.parametrize("path", ["/auth/reset", "/auth/resend"])
def test_reset_and_resend_answer_the_same_for_known_and_unknown(client, outbox, path: str) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="known@example.org", confirmed=False)
    known = client.post_form(path, {"email": "known@example.org"})
    unknown = client.post_form(path, {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code
    assert known.headers.get("Location") == unknown.headers.get("Location")
    if known.status_code == 200:
        assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert len(outbox) == 1 and outbox[0].to == "known@example.org"


def test_registration_answers_the_same_for_known_and_unknown(client, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user(email="taken@example.org")
    known = client.post_form("/auth/register", {**REGISTER, "email": "taken@example.org"})
    unknown = client.post_form("/auth/register", REGISTER)
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/auth/check-email"
    assert sorted(m.to for m in outbox) == ["ioana@example.org", "taken@example.org"]


def test_rate_limit_on_login_gives_429_with_retry_after(client) -> None:  # type: ignore[no-untyped-def]
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [client.post_form("/auth/login", {"email": "a@example.org", "password": "x" * 12}).status_code for _ in range(12)]
    finally:
        limiter.enabled = False
        limiter.reset()
    assert statuses[0] == 200 and statuses[-1] == 429


def test_database_outage_gives_503_with_retry_after(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import territories

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(territories, "list_regions", down)
    response = client.get("/?lang=it")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "OperationalError" not in body
    assert "<html lang=\"it\"" in body
    assert client.get("/healthz").status_code == 200


def test_readyz_reports_unavailable_database(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import health

    monkeypatch.setattr(health, "database_ready", lambda: False)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
