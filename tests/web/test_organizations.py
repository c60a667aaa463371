"""Organisation pages and actions over HTTP: statuses per role, CSRF, uploads, query budgets."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.services import uploads
from models import MemberRole, Membership, MembershipStatus, Organization, OrgKind, Report
from tests import factories
from tests.conftest import login
from tests.web.test_query_budget import count_queries


@pytest.fixture
def world(session, tmp_path):  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _, comune = factories.chain()
    comune.name, comune.name_key, comune.car_code = "Lecce", "lecce", "LE"
    admin = factories.user(email="admin-org@example.org")
    org = factories.organization("Teranga", home=comune, admin=admin, tax_code="01234567897", contact_phone="+390832245118")
    member = factories.member(org).user
    people = {
        "anonymous": None, "citizen": factories.user(), "member": member, "org_admin": admin,
        "moderator": factories.moderator(region), "other_moderator": factories.moderator(factories.chain()[0]),
        "platform_admin": factories.admin(),
    }
    yield {"org": org, "people": people, "region": region, "comune": comune}
    uploads.configure(previous)


def _as(client, person) -> None:  # type: ignore[no-untyped-def]
    if person is not None:
        login(client, person.email, factories.PASSWORD)


ROLES = ("anonymous", "citizen", "member", "org_admin", "moderator", "other_moderator", "platform_admin")
# path template → expected status per role (302 = sent to the login page)
MATRIX = {
    "/organizations/": (200, 200, 200, 200, 200, 200, 200),
    "/organizations/{slug}": (200, 200, 200, 200, 200, 200, 200),
    "/organizations/new": (302, 200, 200, 200, 200, 200, 200),
    "/organizations/{slug}/edit": (302, 403, 403, 200, 403, 403, 200),
    "/organizations/{slug}/members": (302, 403, 200, 200, 200, 403, 200),
    "/organizations/{slug}/report": (302, 200, 200, 200, 200, 200, 200),
    "/admin/": (302, 403, 403, 403, 403, 403, 200),
    "/moderation/": (302, 403, 403, 403, 200, 200, 200),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(client, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    response = client.get(path.format(slug=world["org"].slug))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


def test_public_profile_hides_private_fields_and_member_names(client, world) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/organizations/{world['org'].slug}").get_data(as_text=True)
    assert "Teranga" in page and "01234567897" not in page and "245 118" not in page
    assert world["people"]["member"].display_name not in page
    _as(client, world["people"]["org_admin"])
    page = client.get(f"/organizations/{world['org'].slug}").get_data(as_text=True)
    assert "01234567897" in page


def test_hidden_profile_is_404_for_the_public(client, world, session) -> None:  # type: ignore[no-untyped-def]
    world["org"].is_hidden = True
    session.flush()
    assert client.get(f"/organizations/{world['org'].slug}").status_code == 404
    _as(client, world["people"]["member"])
    assert client.get(f"/organizations/{world['org'].slug}").status_code == 200


def test_create_profile_with_logo_strips_exif_and_serves_it_safely(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["citizen"])
    image = Image.new("RGB", (40, 30), "red")
    exif = image.getexif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    response = client.post_form("/organizations/new", {
        "name": "Comunità <b>Senegalese</b> di Lecce", "kind": "migrant_association", "home_territory": "Lecce",
        "original_language": "it", "description-0-language": "it", "description-0-text": "Ciao **a tutti**",
        "logo": (io.BytesIO(buffer.getvalue()), "تقرير.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    org = session.scalar(select(Organization).where(Organization.name.like("Comunit%")))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Comunità &lt;b&gt;Senegalese&lt;/b&gt; di Lecce" in page and "<strong>a tutti</strong>" in page
    logo = client.get(f"/organizations/{org.slug}/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/webp"
    assert b"SecretCam" not in logo.data and "sandbox" in logo.headers["Content-Security-Policy"]
    assert org.logo.original_name == "تقرير.jpg"
    logo.close()


def test_svg_logo_is_refused_and_nothing_is_created(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["citizen"])
    response = client.post_form("/organizations/new", {
        "name": "SVG Club", "kind": "migrant_association", "home_territory": "Lecce", "original_language": "it",
        "logo": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), "logo.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Organization).where(Organization.name == "SVG Club")) == 0


def test_oversized_request_is_413(client, world, app) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["citizen"])
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post(
        "/organizations/new", input_stream=io.BytesIO(b"x" * size), content_length=size,
        content_type="multipart/form-data; boundary=ponte",
    )
    assert response.status_code == 413


def test_edit_keeps_changes_and_warns_when_edited_meanwhile(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org = world["org"]
    _as(client, world["people"]["org_admin"])
    base = {"name": "Teranga Lecce", "kind": "migrant_association", "home_territory": "Lecce", "original_language": "it"}
    stale = org.version
    assert client.post_form(f"/organizations/{org.slug}/edit", {**base, "version": str(stale)}).status_code == 302
    response = client.post_form(f"/organizations/{org.slug}/edit", {**base, "name": "Nome vecchio", "version": str(stale)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'value="Nome vecchio"' in body and 'class="alert alert-danger"' in body
    session.refresh(org)
    assert org.name == "Teranga Lecce"


def test_join_and_approve_flow(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org, citizen = world["org"], world["people"]["citizen"]
    _as(client, citizen)
    assert client.post_form(f"/organizations/{org.slug}/join", {"message": "Ciao"}).status_code == 302
    assert client.post_form(f"/organizations/{org.slug}/join", {"message": "Ancora"}).status_code == 302
    pending = session.scalars(select(Membership).where(Membership.user_id == citizen.id)).all()
    assert len(pending) == 1 and pending[0].status == MembershipStatus.PENDING
    client.post_form("/auth/logout")
    _as(client, world["people"]["org_admin"])
    assert citizen.display_name in client.get(f"/organizations/{org.slug}/members").get_data(as_text=True)
    client.post_form(f"/organizations/{org.slug}/members/{pending[0].id}/approve")
    session.refresh(pending[0])
    assert pending[0].status == MembershipStatus.ACTIVE


def test_member_cannot_change_roles_by_posting(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org = world["org"]
    member = world["people"]["member"]
    mine = session.scalar(select(Membership).where(Membership.user_id == member.id))
    _as(client, member)
    assert client.post_form(f"/organizations/{org.slug}/members/{mine.id}/role", {"role": "admin"}).status_code == 403
    session.refresh(mine)
    assert mine.role == MemberRole.MEMBER


def test_mass_assignment_of_privileged_fields_is_ignored(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org = world["org"]
    _as(client, world["people"]["org_admin"])
    client.post_form(f"/organizations/{org.slug}/edit", {
        "name": "Teranga", "kind": "migrant_association", "home_territory": "Lecce", "original_language": "it",
        "version": str(org.version), "is_verified": "1", "members_count": "999", "slug": "hacked",
    })
    session.refresh(org)
    assert (org.is_verified, org.members_count, org.slug) == (False, 2, org.slug)
    assert org.slug != "hacked"


def test_verify_requires_the_territory_moderator(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org = world["org"]
    _as(client, world["people"]["other_moderator"])
    assert client.post_form(f"/organizations/{org.slug}/verify", {"note": "ok"}).status_code == 403
    client.post_form("/auth/logout")
    _as(client, world["people"]["moderator"])
    assert client.post_form(f"/organizations/{org.slug}/verify", {"note": "RUNTS visto"}).status_code == 302
    session.refresh(org)
    assert org.is_verified


def test_report_goes_to_the_moderation_queue(client, world, session) -> None:  # type: ignore[no-untyped-def]
    org = world["org"]
    _as(client, world["people"]["citizen"])
    assert client.post_form(f"/organizations/{org.slug}/report", {"reason": "spam", "message": "<script>x</script>"}).status_code == 302
    client.post_form("/auth/logout")
    _as(client, world["people"]["moderator"])
    queue = client.get("/moderation/").get_data(as_text=True)
    assert org.name in queue and "&lt;script&gt;x&lt;/script&gt;" in queue
    report = session.scalar(select(Report))
    assert client.post_form(f"/moderation/reports/{report.id}", {"decision": "hide", "note": "spam"}).status_code == 302
    session.refresh(org)
    assert org.is_hidden


@pytest.mark.parametrize("path", ["/organizations/{slug}/join", "/organizations/{slug}/leave", "/organizations/{slug}/verify",
                                  "/organizations/{slug}/invite", "/organizations/{slug}/report", "/organizations/{slug}/logo/remove"])
def test_posts_without_csrf_are_refused(client, world, path: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["platform_admin"])
    assert client.post(path.format(slug=world["org"].slug), data={"note": "x", "reason": "spam", "email": "a@b.it"}).status_code == 400


@pytest.mark.parametrize("query", ["kind=bank", "area=x", "sort=id;drop", "page=0", "page=abc", "territory=Atlantide"])
def test_directory_rejects_bad_filters_without_error_pages(client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/organizations/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert 'aria-invalid="true"' in response.get_data(as_text=True) or "alert-danger" in response.get_data(as_text=True)


def test_directory_query_count_is_constant(client, session, engine) -> None:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    counts = []
    for n in (5, 30):
        for i in range(n):
            factories.organization(f"Org {n}-{i:02d}", OrgKind.MIGRANT_ASSOCIATION, home=comune)
        with count_queries(engine) as statements:
            assert client.get("/organizations/?q=org").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 4, counts


def test_profile_page_query_budget(client, world, engine) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["member"])
    with count_queries(engine) as statements:
        assert client.get(f"/organizations/{world['org'].slug}").status_code == 200
    assert len(statements) <= 11, statements  # + the labs it convened, its upcoming events and whether the viewer follows it
