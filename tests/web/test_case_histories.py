"""Case history pages over HTTP: route × role, CSRF on every POST, writing and editing through
the form (with a version conflict), pictures (upload, alt text, served file, removal), the video
link (https only, a plain link, never embedded), publishing and hiding, XSS through every field,
the list's filters and its query budget."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select

from app.services import case_histories, uploads
from app.services.case_histories import CaseDraft
from models import CaseHistory, CaseHistoryImage, CaseStatus, Organization, OrgKind, Territory, User
from tests import factories
from tests.conftest import Client, login
from tests.unit.test_sanitize import XSS
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/case-histories/",
    "/case-histories/new",
    "/case-histories/<int:case_id>",
    "/case-histories/<int:case_id>/edit",
    "/case-histories/<int:case_id>/publish",
    "/case-histories/<int:case_id>/images",
    "/case-histories/<int:case_id>/images/<int:image_id>",
    "/case-histories/<int:case_id>/images/<int:image_id>/delete",
    "/case-histories/<int:case_id>/<any(hide, restore):action>",
}

ROLES = ("anonymous", "citizen", "teller", "other_admin", "moderator", "moderator_elsewhere", "admin")
DRAFT = CaseDraft(
    title="Amina e il murale della scuola",
    summary="Amina, arrivata due anni fa, ha guidato i compagni nel dipingere il muro del cortile.",
    body="Quando Amina è arrivata a Reggio Emilia non parlava italiano. Con il laboratorio ha trovato amici e coraggio.",
)


def png(size: tuple[int, int] = (30, 20)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, "orange").save(out, "PNG")
    return out.getvalue()


def story_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Il coro dei ragazzi", "summary": "Un coro di ragazzi di sei paesi canta in piazza ogni estate.",
                            "body": "Il coro è nato in una scuola media. Oggi canta in italiano, arabo e wolof, e ogni estate in piazza.",
                            "language": "it", "territory": "", "initiative_id": "", "organizations": "", "video_url": ""}
    data.update(changes)
    return data


@dataclass
class World:
    region: Territory
    comune: Territory
    org: Organization
    case: CaseHistory  # published, with one picture
    image: CaseHistoryImage
    draft: CaseHistory
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"cid": self.case.id, "img": self.image.id, "did": self.draft.id, "slug": self.org.slug}


@pytest.fixture
def world(session, tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _, comune = factories.chain()
    teller, other_admin = factories.user(locale="en", home=comune), factories.user(locale="en")
    org = factories.organization("Giovani Ponti", kind=OrgKind.YOUTH_ASSOCIATION, home=comune, admin=teller, verified=True)
    factories.organization("Altra Associazione", home=comune, admin=other_admin)
    case = case_histories.create_case_history(teller, org, replace(DRAFT, youth_protagonists=True, video_url="https://video.example.org/v/1"))
    image = case_histories.add_image(teller, case, uploads.Upload("murale.png", png()), "Amina dipinge il muro", "Il murale")
    case_histories.publish(teller, case)
    draft = case_histories.create_case_history(teller, org, replace(DRAFT, title="Una storia ancora in bozza"))
    people = {"anonymous": None, "citizen": factories.user(locale="en", home=comune), "teller": teller, "other_admin": other_admin,
              "moderator": factories.moderator(region, locale="en"),
              "moderator_elsewhere": factories.moderator(factories.chain()[0], locale="en"), "admin": factories.admin(locale="en")}
    try:
        yield World(region, comune, org, case, image, draft, people)
    finally:
        uploads.configure(previous)


def as_(app: Flask, who: User | None) -> Any:
    """A fresh browser, logged in as ``who`` (or a visitor reading English)."""
    app.test_client_class = Client
    browser = app.test_client()
    if who is not None:
        assert login(browser, who.email, factories.PASSWORD).status_code == 302
    else:
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


def page(browser: Any, url: str, status: int = 200) -> str:
    response = browser.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("case_histories.")} == COVERED_ROUTES


# ---------------------------------------------------------------- route × role

MATRIX = {
    "/case-histories/": (200, 200, 200, 200, 200, 200, 200),
    "/case-histories/?youth=y&organization={slug}": (200, 200, 200, 200, 200, 200, 200),
    "/case-histories/?initiative=abc": (400, 400, 400, 400, 400, 400, 400),
    "/case-histories/?territory=Nessun+posto+al+mondo": (400, 400, 400, 400, 400, 400, 400),
    "/case-histories/new": (302, 200, 200, 200, 200, 200, 200),
    "/case-histories/new?org={slug}": (302, 403, 200, 403, 403, 403, 200),
    "/case-histories/new?org=no-such-org": (302, 404, 404, 404, 404, 404, 404),
    "/case-histories/{cid}": (200, 200, 200, 200, 200, 200, 200),
    "/case-histories/{did}": (404, 404, 200, 404, 200, 404, 200),
    "/case-histories/999999": (404, 404, 404, 404, 404, 404, 404),
    "/case-histories/{cid}/edit": (302, 403, 200, 403, 403, 403, 200),
    "/case-histories/{did}/edit": (302, 404, 200, 404, 403, 404, 200),
    "/case-histories/{cid}/images/{img}": (200, 200, 200, 200, 200, 200, 200),
    "/case-histories/{did}/images/{img}": (404, 404, 404, 404, 404, 404, 404),  # the picture belongs to another story
    "/case-histories/{cid}/images/999999": (404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[ROLES[role_index]])
    response = browser.get(path.format(**world.ids()))
    response.close()  # a picture is sent from its file
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]


def _posts(world: World) -> dict[str, tuple[dict[str, Any], tuple[int, ...]]]:
    """Each POST with its data and the answer per role (302 when done, or a visitor sent to log in)."""
    return {
        "/case-histories/new?org={slug}": (story_form(), (302, 403, 302, 403, 403, 403, 302)),
        "/case-histories/{cid}/edit": (story_form(version=str(world.case.version)), (302, 403, 302, 403, 403, 403, 302)),
        "/case-histories/{cid}/publish": ({"published": "0"}, (302, 403, 302, 403, 403, 403, 302)),
        "/case-histories/{cid}/images": ({"file": (BytesIO(png()), "foto.png"), "alt_text": "Una foto del coro"},
                                         (302, 403, 302, 403, 403, 403, 302)),
        "/case-histories/{cid}/images/{img}/delete": ({}, (302, 403, 302, 403, 403, 403, 302)),
        "/case-histories/{cid}/hide": ({"reason": "Dati di un minore"}, (302, 403, 403, 403, 302, 403, 302)),
        "/case-histories/{cid}/restore": ({}, (302, 403, 403, 403, 302, 403, 302)),
    }


def _state(session: Any, world: World) -> tuple[Any, ...]:
    session.expire_all()
    count = len(session.scalars(select(CaseHistory).where(CaseHistory.organization_id == world.org.id)).all())
    return count, world.case.title, world.case.status, world.case.is_hidden, len(world.case.images)


POST_PATHS = ["/case-histories/new?org={slug}", "/case-histories/{cid}/edit", "/case-histories/{cid}/publish",
              "/case-histories/{cid}/images", "/case-histories/{cid}/images/{img}/delete", "/case-histories/{cid}/hide",
              "/case-histories/{cid}/restore"]


@pytest.mark.parametrize("path", POST_PATHS)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_by_role(app, world, session, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    data, expected = _posts(world)[path]
    before = _state(session, world)
    response = as_(app, world.people[ROLES[role_index]]).post_form(path.format(**world.ids()), data)
    assert response.status_code == expected[role_index], (path, ROLES[role_index], response.get_data(as_text=True)[:1500])
    if response.status_code != 302 or "/auth/login" in response.headers["Location"]:
        assert _state(session, world) == before
    elif not path.endswith("restore"):
        assert _state(session, world) != before, (path, ROLES[role_index])


@pytest.mark.parametrize("path", POST_PATHS)
def test_every_post_needs_the_csrf_token(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    data, _ = _posts(world)[path]
    before = _state(session, world)
    response = as_(app, world.people["admin"]).post(path.format(**world.ids()), data=data)
    assert response.status_code == 400
    assert _state(session, world) == before


# ---------------------------------------------------------------- pages


def test_the_story_page_shows_pictures_and_the_video_as_a_plain_link(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, None), f"/case-histories/{world.case.id}")
    img_url = f"/case-histories/{world.case.id}/images/{world.image.id}"
    assert f'src="{img_url}" alt="Amina dipinge il muro"' in html and 'width="30" height="20" loading="lazy"' in html
    assert "<figcaption" in html and "Il murale" in html
    assert '<a href="https://video.example.org/v/1" rel="nofollow ugc noopener"' in html and "opens another site" in html
    assert "<iframe" not in html and "<video" not in html and "<embed" not in html
    assert "Young people of foreign origin as protagonists" in html and "Giovani Ponti" in html
    assert "Tools of the organisation" not in html and "Moderation" not in html
    response = as_(app, None).get(img_url)
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_the_list_filters_by_the_youth_tag_and_shows_drafts_to_their_organisation(app, world) -> None:  # type: ignore[no-untyped-def]
    teller = as_(app, world.people["teller"])
    html = page(teller, f"/case-histories/?youth=y&territory={world.region.istat_code}")
    assert "Amina e il murale della scuola" in html and f'href="/case-histories/{world.draft.id}"' in html  # the draft, in "your stories"
    html = page(as_(app, None), f"/case-histories/?youth=y&territory={world.region.istat_code}")
    assert "Amina e il murale della scuola" in html and "Una storia ancora in bozza" not in html
    case_histories.update_case_history(world.people["teller"], world.case, replace(DRAFT, youth_protagonists=False), world.case.version)
    html = page(as_(app, None), f"/case-histories/?youth=y&territory={world.region.istat_code}")
    assert "Amina e il murale della scuola" not in html and "No story matches" in html


def test_write_a_story_through_the_form_then_publish_it(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["teller"])
    assert f"/case-histories/new?org={world.org.slug}" in page(browser, "/case-histories/new")
    html = page(browser, f"/case-histories/new?org={world.org.slug}")
    assert "Link to a video" in html and 'type="url"' in html
    response = browser.post_form(f"/case-histories/new?org={world.org.slug}", story_form(youth_protagonists="y"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit#images")
    made = session.scalar(select(CaseHistory).where(CaseHistory.title == "Il coro dei ragazzi"))
    assert made is not None and made.status == CaseStatus.DRAFT and made.youth_protagonists
    html = page(browser, f"/case-histories/{made.id}/edit")
    assert "Blind people hear this text instead of seeing the picture" in html and 'enctype="multipart/form-data"' in html
    assert browser.post_form(f"/case-histories/{made.id}/publish", {"published": "1"}).status_code == 302
    assert "Il coro dei ragazzi" in page(as_(app, None), "/case-histories/")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://video.example.org/v/2", "data:text/html,x", "https://"])
def test_unsafe_video_links_are_refused(app, world, session, url: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["teller"])
    response = browser.post_form(f"/case-histories/{world.case.id}/edit", story_form(video_url=url, version=str(world.case.version)))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write a link that starts with https://" in html
    _assert_inert(html)
    response = browser.post_form(f"/case-histories/new?org={world.org.slug}", story_form(video_url=url))
    assert response.status_code == 400
    session.expire_all()
    assert world.case.video_url == "https://video.example.org/v/1"
    assert session.scalar(select(CaseHistory).where(CaseHistory.title == "Il coro dei ragazzi")) is None


def test_edit_with_an_old_version_answers_409_and_keeps_the_input(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["teller"])
    seen = world.case.version
    assert f'name="version" type="hidden" value="{seen}"' in page(browser, f"/case-histories/{world.case.id}/edit")
    case_histories.update_case_history(world.people["admin"], world.case, replace(DRAFT, title="Titolo dell'amministratore"), seen)
    session.flush()
    response = browser.post_form(f"/case-histories/{world.case.id}/edit", story_form(title="Titolo nuovo", version=str(seen)))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this story" in html and 'value="Titolo nuovo"' in html
    assert f'name="version" type="hidden" value="{seen + 1}"' in html


def test_a_picture_without_alt_text_or_of_the_wrong_type_is_refused(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["teller"])
    url = f"/case-histories/{world.case.id}/images"
    response = browser.post_form(url, {"file": (BytesIO(png()), "foto.png"), "alt_text": ""}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'id="alt_text-error"' in response.get_data(as_text=True)
    response = browser.post_form(url, {"file": (BytesIO(b"<svg onload=alert(1)>"), "x.svg"), "alt_text": "Un disegno"},
                                 content_type="multipart/form-data")
    assert response.status_code == 400 and "This file type is not accepted" in response.get_data(as_text=True)
    session.expire_all()
    assert len(world.case.images) == 1


def test_moderators_hide_and_restore_a_story(app, world, session) -> None:  # type: ignore[no-untyped-def]
    moderator = as_(app, world.people["moderator"])
    html = page(moderator, f"/case-histories/{world.case.id}")
    assert "Moderation" in html and "Hide the story" in html
    assert moderator.post_form(f"/case-histories/{world.case.id}/hide", {"reason": "Nome completo di un minore"}).status_code == 302
    page(as_(app, None), f"/case-histories/{world.case.id}", 404)
    assert as_(app, None).get(f"/case-histories/{world.case.id}/images/{world.image.id}").status_code == 404
    assert "The moderators have hidden this story" in page(as_(app, world.people["teller"]), f"/case-histories/{world.case.id}")
    assert moderator.post_form(f"/case-histories/{world.case.id}/restore", {}).status_code == 302
    page(as_(app, None), f"/case-histories/{world.case.id}")


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_xss_through_every_field_never_executes(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["teller"])
    data = story_form(title=f"Storia {payload}"[:160], summary=f"Sommario abbastanza lungo {payload}"[:500],
                      body=f"Un racconto abbastanza lungo da superare i cinquanta caratteri. {payload}", video_url=payload[:300])
    response = browser.post_form(f"/case-histories/new?org={world.org.slug}", data)
    assert response.status_code == 400  # the payload is no https link
    _assert_inert(response.get_data(as_text=True))
    response = browser.post_form(f"/case-histories/new?org={world.org.slug}", {**data, "video_url": "https://video.example.org/v/x?q=\"><b"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = session.scalar(select(CaseHistory).where(CaseHistory.title == f"Storia {payload}"[:160]))
    assert made is not None
    image_response = browser.post_form(f"/case-histories/{made.id}/images", {"file": (BytesIO(png()), "foto.png"),
                                       "alt_text": payload[:300], "caption": payload[:300]}, content_type="multipart/form-data")
    assert image_response.status_code == 302
    browser.post_form(f"/case-histories/{made.id}/publish", {"published": "1"})
    for url in (f"/case-histories/{made.id}", f"/case-histories/{made.id}/edit", "/case-histories/"):
        html = page(browser, url)
        _assert_inert(html)
        assert "<script>alert" not in html
    _assert_inert(page(as_(app, None), f"/case-histories/{made.id}"))
    _assert_inert(page(as_(app, None), f"/case-histories/?territory={world.region.istat_code}"))


# ---------------------------------------------------------------- query budget


def test_list_query_count_does_not_grow_with_rows(app, client, engine, session, tmp_path) -> None:  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _, comune = factories.chain()
    teller = factories.user()
    counts = []
    try:
        for n in (2, 10):
            for i in range(n - (2 if counts else 0)):
                org = factories.organization(home=comune, admin=teller)
                case = case_histories.create_case_history(teller, org, replace(DRAFT, organizations=[]))
                if i % 2 == 0:
                    case_histories.add_image(teller, case, uploads.Upload("f.png", png()), "Una foto")
                case_histories.publish(teller, case)
            with count_queries(engine) as statements:
                html = page(client, f"/case-histories/?territory={region.istat_code}")
            assert html.count('class="card card-bg h-100"') == n
            counts.append(len(statements))
    finally:
        uploads.configure(previous)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 4, counts
