"""Every page answers for visitors and for logged-in people; private pages need a login."""

from __future__ import annotations

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


# Routes that need a path parameter or only accept POST are covered by their own tests.
COVERED_ELSEWHERE = {"/lang/<code>", "/territories/<code>", "/auth/confirm/<token>", "/auth/reset/<token>",
                     "/auth/logout", "/me/password", "/static/<path:filename>",
                     # founding path: tests/web/test_founding.py
                     "/founding/start/<slug>", "/founding/<slug>", "/founding/<slug>/answers", "/founding/<slug>/steps/<key>",
                     "/founding/<slug>/documents/<int:document_id>", "/founding/<slug>/documents/<int:document_id>/delete",
                     "/founding/<slug>/mentor", "/founding/<slug>/mentor/<any(accept, decline):answer>",
                     "/founding/<slug>/complete", "/founding/<slug>/statute",
                     # organisations, moderation, administration: tests/web/test_organizations.py
                     "/admin/",
                     "/invitations/<token>",
                     "/moderation/",
                     "/moderation/reports/<int:report_id>",
                     "/organizations/",
                     "/organizations/<slug>",
                     "/organizations/<slug>/<any(verify, revoke):decision>",
                     "/organizations/<slug>/cancel-request",
                     "/organizations/<slug>/edit",
                     "/organizations/<slug>/invite",
                     "/organizations/<slug>/join",
                     "/organizations/<slug>/leave",
                     "/organizations/<slug>/logo",
                     "/organizations/<slug>/logo/remove",
                     "/organizations/<slug>/members",
                     "/organizations/<slug>/members/<int:membership_id>/<any(approve, decline):decision>",
                     "/organizations/<slug>/members/<int:membership_id>/remove",
                     "/organizations/<slug>/members/<int:membership_id>/role",
                     "/organizations/<slug>/members/<int:membership_id>/transfer",
                     "/organizations/<slug>/report",
                     "/organizations/new",
                     # forums: tests/web/test_forums.py
                     "/admin/users/<int:user_id>/<any(suspend, unsuspend):choice>",
                     "/forums/<slug>",
                     "/forums/<slug>/<any(join, leave):choice>",
                     "/forums/<slug>/new",
                     "/territories/<code>/forum",
                     "/threads/<int:thread_id>",
                     "/threads/<int:thread_id>/<any(follow, unfollow):choice>",
                     "/threads/<int:thread_id>/<any(hide, restore, lock, unlock, pin, unpin):action>",
                     "/threads/<int:thread_id>/move",
                     "/threads/<int:thread_id>/posts/<int:position>",
                     "/threads/<int:thread_id>/posts/<int:position>/<any(hide, restore):action>",
                     "/threads/<int:thread_id>/posts/<int:position>/delete",
                     "/threads/<int:thread_id>/posts/<int:position>/edit",
                     "/threads/<int:thread_id>/posts/<int:position>/history",
                     "/threads/<int:thread_id>/posts/<int:position>/report",
                     "/threads/<int:thread_id>/reply",
                     "/threads/<int:thread_id>/report",
}


def test_every_route_is_declared_in_a_status_test(app) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_api import COVERED_ROUTES as API_ROUTES
    from tests.web.test_calendars import COVERED_ROUTES as CALENDAR_ROUTES
    from tests.web.test_case_histories import COVERED_ROUTES as CASE_HISTORY_ROUTES
    from tests.web.test_dashboard import COVERED_ROUTES as DASHBOARD_ROUTES
    from tests.web.test_events import COVERED_ROUTES as EVENT_ROUTES
    from tests.web.test_initiatives import COVERED_ROUTES as INITIATIVE_ROUTES
    from tests.web.test_labs import COVERED_ROUTES as LAB_ROUTES
    from tests.web.test_notifications import COVERED_ROUTES as NOTIFICATION_ROUTES
    from tests.web.test_opendata import COVERED_ROUTES as OPENDATA_ROUTES
    from tests.web.test_outputs import COVERED_ROUTES as OUTPUT_ROUTES
    from tests.web.test_practices import COVERED_ROUTES as PRACTICE_ROUTES
    from tests.web.test_privacy import COVERED_ROUTES as PRIVACY_ROUTES
    from tests.web.test_proposals import COVERED_ROUTES as PROPOSAL_ROUTES
    from tests.web.test_search import COVERED_ROUTES as SEARCH_ROUTES
    from tests.web.test_volunteers import COVERED_ROUTES as VOLUNTEER_ROUTES

    declared = (
        set(PUBLIC) | set(PRIVATE) | COVERED_ELSEWHERE | LAB_ROUTES | PROPOSAL_ROUTES | CALENDAR_ROUTES | EVENT_ROUTES
        | INITIATIVE_ROUTES | VOLUNTEER_ROUTES | OUTPUT_ROUTES | PRACTICE_ROUTES | CASE_HISTORY_ROUTES | DASHBOARD_ROUTES
        | NOTIFICATION_ROUTES | OPENDATA_ROUTES | API_ROUTES | PRIVACY_ROUTES | SEARCH_ROUTES
    )
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert routes - declared == set(), "add new routes to PUBLIC, PRIVATE or COVERED_ELSEWHERE"


def test_confirm_and_reset_links_with_unknown_tokens_explain_what_to_do(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/auth/confirm/nope", "/auth/reset/nope"):
        response = client.get(path)
        assert response.status_code == 400
        assert 'href="/auth/' in response.get_data(as_text=True)
