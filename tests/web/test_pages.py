"""Every page answers for visitors and for logged-in people; private pages need a login."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import login

PUBLIC = ["/", "/forums/", "/territories/", "/auth/login", "/auth/register", "/auth/reset", "/auth/resend", "/auth/check-email",
          "/privacy", "/accessibility", "/feedback", "/healthz", "/readyz", "/founding/"]
PRIVATE = ["/me", "/me/settings"]


@pytest.fixture
def places(session):  # type: ignore[no-untyped-def]
    return factories.chain()


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_answer_for_visitors(client, places, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", PRIVATE)
def test_private_pages_send_visitors_to_login(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("path", [p for p in PUBLIC if not p.startswith("/auth")] + PRIVATE)
def test_pages_answer_for_logged_in_people(client, places, path: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.user(home=places[2])
    login(client, user.email, factories.PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    if path not in ("/healthz", "/readyz"):
        assert user.display_name in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/auth/login", "/auth/register"])
def test_auth_pages_send_logged_in_people_on(client, path: str) -> None:  # type: ignore[no-untyped-def]
    user = factories.user()
    login(client, user.email, factories.PASSWORD)
    assert client.get(path).status_code == 302


def test_territory_pages_show_hierarchy_and_children(client, places) -> None:  # type: ignore[no-untyped-def]
    region, province, comune = places
    page = client.get(f"/territories/{region.istat_code}").get_data(as_text=True)
    assert province.name in page
    page = client.get(f"/territories/{comune.istat_code}").get_data(as_text=True)
    assert region.name in page and province.name in page


def test_unknown_territory_is_a_translated_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/territories/000000?lang=it")
    assert response.status_code == 404
    assert "territorio" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1;drop", "99999"])
def test_bad_page_numbers_are_rejected(client, places, page: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/territories/{places[0].istat_code}?page={page}").status_code == 400


def test_territory_children_are_paginated(client, session) -> None:  # type: ignore[no-untyped-def]
    region = factories.territory("Regione Grande")
    for i in range(65):
        factories.territory(f"Provincia {i:03d}", factories.TerritoryLevel.PROVINCE, region)
    first = client.get(f"/territories/{region.istat_code}").get_data(as_text=True)
    assert "Provincia 000" in first and "Provincia 064" not in first and 'rel="next"' in first
    second = client.get(f"/territories/{region.istat_code}?page=2").get_data(as_text=True)
    assert "Provincia 064" in second and 'rel="prev"' in second


def test_unknown_page_is_404_with_html_lang_and_dir(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no-such-page?lang=ar")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)


# The static files are served by Flask (and nginx in production): tests/web/test_security.py checks their caching.
NOT_A_PAGE = {"/static/<path:filename>"}


def _covered_routes() -> set[str]:
    """The routes every tests/web module with a route × role table declares in ``COVERED_ROUTES``."""
    covered: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        if "\nCOVERED_ROUTES" in path.read_text(encoding="utf-8"):
            covered |= set(importlib.import_module(f"tests.web.{path.stem}").COVERED_ROUTES)
    return covered


def test_every_route_is_declared_in_a_status_test(app) -> None:  # type: ignore[no-untyped-def]
    """The route × role tables together walk the whole URL map: a new route without one fails here
    (and its own module's url-map test says where)."""
    declared = set(PUBLIC) | set(PRIVATE) | NOT_A_PAGE | _covered_routes()
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert routes - declared == set(), "add new routes to the COVERED_ROUTES of their route × role test"
    assert declared - routes == set(), "declared routes the application no longer has"


def test_confirm_and_reset_links_with_unknown_tokens_explain_what_to_do(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/auth/confirm/nope", "/auth/reset/nope"):
        response = client.get(path)
        assert response.status_code == 400
        assert 'href="/auth/' in response.get_data(as_text=True)
