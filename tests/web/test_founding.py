"""Founding path over HTTP: statuses per role, CSRF, uploads and downloads, statute, completion."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from app.services import founding, uploads
from models import FoundingDocument, FoundingPath, LegalForm, MentorStatus, Organization, OrgKind, StepKey, StepStatus
from tests import factories
from tests.conftest import login
from tests.web.test_query_budget import count_queries

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENTITY_CODE = "80012345676"
FOUNDERS = "Amina Diallo\nOleksandr Koval\nFatima Rahman"


@pytest.fixture
def world(session, tmp_path):  # type: ignore[no-untyped-def]
    """An informal group with a started path, an invited mentor and one document."""
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _province, comune = factories.chain()
    admin = factories.user(email="group-admin@example.org")
    group = factories.organization("Donne del Sahel", kind=OrgKind.INFORMAL_GROUP, home=comune, admin=admin)
    member = factories.member(group).user
    mentor_admin = factories.user()
    mentor = factories.organization("Casa dei Popoli", kind=OrgKind.MIGRANT_ASSOCIATION, home=comune, admin=mentor_admin, verified=True)
    path = founding.start_path(admin, group)
    step = founding.update_step(admin, path, "statute", "in_progress", "", uploads.Upload(filename="statuto firmato.pdf", data=PDF))
    founding.invite_mentor(admin, path, mentor.slug)
    session.flush()
    people = {
        "anonymous": None, "citizen": factories.user(), "member": member, "group_admin": admin,
        "mentor_admin": mentor_admin, "moderator": factories.moderator(region), "platform_admin": factories.admin(),
    }
    yield {"group": group, "slug": group.slug, "path_id": path.id, "doc": step.documents[0].id, "people": people, "mentor": mentor}
    uploads.configure(previous)


def _as(client, person) -> None:  # type: ignore[no-untyped-def]
    if person is not None:
        login(client, person.email, factories.PASSWORD)


def _post(client, url: str, data: dict[str, Any] | None = None, prefix: str | None = None, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
    """POST with the CSRF token, also under the form's prefix (forms on the path page are prefixed)."""
    token = client.csrf_token()
    payload = {"csrf_token": token, **(data or {})}
    if prefix:
        payload[f"{prefix}-csrf_token"] = token
    return client.post(url, data=payload, **kwargs)


def _path(session) -> FoundingPath:  # type: ignore[no-untyped-def]
    """The path as stored now (requests use their own session: drop what this one remembers)."""
    session.expire_all()
    return session.scalar(select(FoundingPath))


def _answers(version: int, **changes: str) -> dict[str, str]:
    data = {"legal_form": "odv", "association_name": "Donne del Sahel ODV", "purpose": "Accoglienza e lezioni di italiano.",
            "seat_address": "Via Roma 1, 70121 Bari", "founding_members": FOUNDERS, "version": str(version)}
    data.update(changes)
    return {f"answers-{k}": v for k, v in data.items()}


ROLES = ("anonymous", "citizen", "member", "group_admin", "mentor_admin", "moderator", "platform_admin")
GET_MATRIX = {
    "/founding/": (200, 200, 200, 200, 200, 200, 200),
    "/founding/{slug}": (302, 404, 200, 200, 200, 200, 200),
    "/founding/{slug}/statute": (302, 404, 200, 200, 200, 200, 200),
    "/founding/{slug}/documents/{doc}": (302, 404, 200, 200, 200, 200, 200),
    "/founding/no-such-group": (302, 404, 404, 404, 404, 404, 404),
}
# POSTs with a valid token: only the group's admins work on the path; the invited mentor answers.
POST_MATRIX = {
    "/founding/start/{slug}": (302, 403, 403, 302, 403, 403, 403),
    "/founding/{slug}/answers": (302, 404, 403, 302, 403, 403, 403),
    "/founding/{slug}/steps/statute": (302, 404, 403, 302, 403, 403, 403),
    "/founding/{slug}/documents/{doc}/delete": (302, 404, 403, 302, 403, 403, 403),
    "/founding/{slug}/mentor": (302, 404, 403, 409, 403, 403, 403),
    "/founding/{slug}/mentor/accept": (302, 404, 403, 403, 302, 403, 403),
    "/founding/{slug}/complete": (302, 404, 403, 400, 403, 403, 403),
}


@pytest.mark.parametrize("url", list(GET_MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_route_by_role(client, world, url: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    response = client.get(url.format(slug=world["slug"], doc=world["doc"]))
    response.close()  # a served file is streamed: close it
    assert response.status_code == GET_MATRIX[url][role_index], (url, ROLES[role_index])
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize("url", list(POST_MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_route_by_role(client, world, session, url: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    prefix = {"answers": "answers", "statute": "statute", "mentor": "mentor", "complete": "complete"}.get(url.rsplit("/", 1)[-1])
    data = {**_answers(_path(session).version), "statute-status": "in_progress", "statute-version": str(_path(session).version),
            "mentor-mentor": world["mentor"].slug, "complete-tax_code": ENTITY_CODE, "complete-runts_number": "123",
            "complete-kind": "migrant_association", "complete-version": str(_path(session).version)}
    response = _post(client, url.format(slug=world["slug"], doc=world["doc"]), data, prefix)
    assert response.status_code == POST_MATRIX[url][role_index], (url, ROLES[role_index])
    if ROLES[role_index] == "anonymous":
        assert response.headers["Location"].startswith("/auth/login")


@pytest.mark.parametrize(
    "url",
    ["/founding/start/{slug}", "/founding/{slug}/answers", "/founding/{slug}/steps/statute", "/founding/{slug}/documents/{doc}/delete",
     "/founding/{slug}/mentor", "/founding/{slug}/mentor/decline", "/founding/{slug}/complete"],
)
def test_posts_without_csrf_token_are_refused_and_change_nothing(client, world, session, url: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    version = _path(session).version
    response = client.post(url.format(slug=world["slug"], doc=world["doc"]), data=_answers(version))
    assert response.status_code == 400
    path = _path(session)
    assert path.version == version and path.legal_form is None
    assert session.scalar(select(FoundingDocument.id)) == world["doc"]


def test_index_offers_the_start_and_start_creates_the_path(client, session) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user()
    group = factories.organization("Giovani Ponte", kind=OrgKind.INFORMAL_GROUP, admin=admin)
    _as(client, admin)
    page = client.get("/founding/").get_data(as_text=True)
    assert f'action="/founding/start/{group.slug}"' in page
    assert 'href="/organizations/new"' in page
    response = _post(client, f"/founding/start/{group.slug}")
    assert response.status_code == 302 and response.headers["Location"] == f"/founding/{group.slug}"
    page = client.get(f"/founding/{group.slug}").get_data(as_text=True)
    assert re.search(r"\b0\b\D{1,40}\b7\b", page)  # "0 of 7 steps done" in any language
    assert len(re.findall(r'id="step-[a-z_]+"', page)) == 7
    assert session.scalar(select(FoundingPath).where(FoundingPath.organization_id == group.id)) is not None
    page = client.get("/founding/").get_data(as_text=True)
    assert f'action="/founding/start/{group.slug}"' not in page and f'href="/founding/{group.slug}"' in page


def test_anonymous_index_explains_and_links_to_login_and_new_group(client, session) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/founding/?lang=en").get_data(as_text=True)
    assert "RUNTS" in page and "APS" in page and "ODV" in page
    assert 'href="/organizations/new"' in page and "/auth/login?next=" in page


def test_admin_page_has_forms_and_member_page_has_none(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    page = client.get(f"/founding/{world['slug']}?lang=en").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="statute-status"' in page and 'name="answers-purpose"' in page
    assert "statuto firmato.pdf" in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "duplicate ids on the page"
    client.post_form("/auth/logout")
    _as(client, world["people"]["member"])
    page = client.get(f"/founding/{world['slug']}?lang=en").get_data(as_text=True)
    assert 'name="statute-status"' not in page and "statuto firmato.pdf" in page and "In progress" in page


def test_answers_are_saved_and_the_statute_is_in_italian(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    response = _post(client, f"/founding/{world['slug']}/answers", _answers(_path(session).version), "answers")
    assert response.status_code == 302
    path = _path(session)
    assert path.legal_form == LegalForm.ODV and path.founding_members == FOUNDERS.splitlines()
    page = client.get(f"/founding/{world['slug']}?lang=en").get_data(as_text=True)
    assert "fewer than 7 founding members" in page
    page = client.get(f"/founding/{world['slug']}/statute?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert 'lang="it" dir="ltr"' in page
    assert "Donne del Sahel ODV" in page and "Oleksandr Koval" in page and "Via Roma 1, 70121 Bari" in page
    assert "organizzazione di volontariato" in page and "Statuto" in page and "[data]" in page
    assert "draft" in page  # the explanation is in the reader's language
    assert 'href="/static/css/print.css' in page


def test_statute_uses_placeholders_when_answers_are_missing(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["member"])
    page = client.get(f"/founding/{world['slug']}/statute?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and 'lang="it" dir="ltr"' in page
    assert "Donne del Sahel" in page  # the group's name is the default proposed name
    assert "[nome e cognome]" in page and "[indirizzo completo della sede]" in page


def test_invalid_answers_come_back_on_the_form(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    data = _answers(_path(session).version, founding_members="Amina Diallo\nFatima Rahman", legal_form="other_ets")
    response = _post(client, f"/founding/{world['slug']}/answers?lang=en", data, "answers")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "at least 3 founding members" in page and "Choose APS or ODV." in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="answers-founding_members-help answers-founding_members-error"' in page
    assert _path(session).legal_form is None


def test_a_save_on_an_old_version_gets_a_clear_conflict(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    old = _path(session).version
    assert _post(client, f"/founding/{world['slug']}/answers", _answers(old), "answers").status_code == 302
    response = _post(client, f"/founding/{world['slug']}/answers?lang=en", _answers(old, purpose="Altro"), "answers")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "while you were working on it" in page
    assert f'value="{_path(session).version}"' in page  # the next save is checked against what is shown now
    assert _path(session).purpose == "Accoglienza e lezioni di italiano."


def test_step_with_upload_then_download_is_an_attachment_and_delete(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    data = {"statute-status": "done", "statute-notes": "Firmato il 3 marzo <b>tutti</b>", "statute-version": str(_path(session).version),
            "statute-file": (io.BytesIO(PDF), "تقرير.pdf")}
    response = _post(client, f"/founding/{world['slug']}/steps/statute", data, "statute", content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("#step-statute")
    step = next(s for s in _path(session).steps if s.key == StepKey.STATUTE)
    assert step.status == StepStatus.DONE and len(step.documents) == 2
    new_id = step.documents[-1].id
    download = client.get(f"/founding/{world['slug']}/documents/{new_id}")
    body = download.data
    download.close()
    assert download.status_code == 200 and body == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf" in download.headers["Content-Disposition"]
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    client.post_form("/auth/logout")
    _as(client, world["people"]["member"])
    page = client.get(f"/founding/{world['slug']}").get_data(as_text=True)
    assert "تقرير.pdf" in page and "&lt;b&gt;tutti&lt;/b&gt;" in page and "<b>tutti" not in page
    client.post_form("/auth/logout")
    _as(client, world["people"]["group_admin"])
    assert _post(client, f"/founding/{world['slug']}/documents/{new_id}/delete").status_code == 302
    assert client.get(f"/founding/{world['slug']}/documents/{new_id}").status_code == 404


def test_wrong_upload_type_is_shown_on_the_file_field(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    data = {"statute-status": "done", "statute-version": str(_path(session).version),
            "statute-file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg")}
    response = _post(client, f"/founding/{world['slug']}/steps/statute?lang=en", data, "statute", content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="statute-file-error"' in response.get_data(as_text=True)
    assert next(s for s in _path(session).steps if s.key == StepKey.STATUTE).status == StepStatus.IN_PROGRESS


def test_unknown_step_and_document_are_404(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    assert _post(client, f"/founding/{world['slug']}/steps/party", {"party-status": "done"}, "party").status_code == 404
    assert client.get(f"/founding/{world['slug']}/documents/999999").status_code == 404
    assert _post(client, f"/founding/{world['slug']}/documents/999999/delete").status_code == 404


def test_mentor_invitation_mail_and_answer(client, world, session, outbox) -> None:  # type: ignore[no-untyped-def]
    assert [m.to for m in outbox] == []  # the fixture's invitation was never committed by a request
    _as(client, world["people"]["mentor_admin"])
    page = client.get(f"/founding/{world['slug']}?lang=en").get_data(as_text=True)
    assert "/mentor/accept" in page and "/mentor/decline" in page
    assert _post(client, f"/founding/{world['slug']}/mentor/accept").status_code == 302
    assert _path(session).mentor_status == MentorStatus.ACCEPTED


def test_group_admin_invites_a_mentor_by_http(client, session, outbox) -> None:  # type: ignore[no-untyped-def]
    _region, _province, comune = factories.chain()
    admin = factories.user()
    group = factories.organization(kind=OrgKind.INFORMAL_GROUP, home=comune, admin=admin)
    mentor_admin = factories.user(locale="en")
    mentor = factories.organization("Casa dei Popoli", kind=OrgKind.THIRD_SECTOR, home=comune, admin=mentor_admin, verified=True)
    founding.start_path(admin, group)
    _as(client, admin)
    page = client.get(f"/founding/{group.slug}").get_data(as_text=True)
    assert f'value="{mentor.slug}"' in page
    assert _post(client, f"/founding/{group.slug}/mentor", {"mentor-mentor": mentor.slug}, "mentor").status_code == 302
    assert [m.to for m in outbox] == [mentor_admin.email]
    assert f"https://ponte.test/founding/{group.slug}" in outbox[0].text


def test_complete_converts_the_group(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    path = _path(session)
    admin = world["people"]["group_admin"]
    founding.save_answers(admin, path, founding.AnswersDraft(legal_form="aps", association_name="Donne del Sahel APS",
                                                             purpose="Scopo", founding_members=tuple(FOUNDERS.splitlines())))
    for key in StepKey:
        founding.update_step(admin, path, key.value, "done", "", None)
    session.flush()
    data = {"complete-tax_code": "80012345670", "complete-runts_number": "123", "complete-kind": "migrant_association",
            "complete-version": str(path.version)}
    response = _post(client, f"/founding/{world['slug']}/complete?lang=en", data, "complete")
    assert response.status_code == 400 and "codice fiscale" in response.get_data(as_text=True)
    data["complete-tax_code"] = ENTITY_CODE
    response = _post(client, f"/founding/{world['slug']}/complete", data, "complete")
    assert response.status_code == 302
    session.expire_all()
    org = session.get(Organization, world["group"].id)
    assert org.kind == OrgKind.MIGRANT_ASSOCIATION and org.tax_code == ENTITY_CODE and org.runts_number == "123"
    assert org.name == "Donne del Sahel APS" and org.legal_form == LegalForm.APS
    page = client.get(f"/founding/{world['slug']}?lang=en").get_data(as_text=True)
    assert "completed" in page and 'name="answers-purpose"' not in page


def test_user_text_is_escaped_everywhere(client, session) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user()
    group = factories.organization('<img src=x onerror="alert(1)">', kind=OrgKind.INFORMAL_GROUP, admin=admin)
    path = founding.start_path(admin, group)
    founding.save_answers(admin, path, founding.AnswersDraft(purpose="<script>alert(2)</script>", founding_members=("{{ 7*7 }}", "b", "c")))
    _as(client, admin)
    for url in ("/founding/", f"/founding/{group.slug}", f"/founding/{group.slug}/statute"):
        page = client.get(url).get_data(as_text=True)
        assert "<img src=x" not in page and "<script>alert(2)" not in page and ">49<" not in page



def test_list_page_query_count_does_not_grow_with_paths(client, session, engine) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for n in (1, 6):
        admin = factories.user()
        for _ in range(n):
            founding.start_path(admin, factories.organization(kind=OrgKind.INFORMAL_GROUP, admin=admin))
        factories.organization(kind=OrgKind.INFORMAL_GROUP, admin=admin)  # one still to start
        session.flush()
        _as(client, admin)
        client.get("/founding/")
        with count_queries(engine) as statements:
            assert client.get("/founding/").status_code == 200
        counts.append(len(statements))
        client.post_form("/auth/logout")
    assert counts[0] == counts[1] <= 5, counts  # session, paths, their steps, groups to start, memberships


def test_detail_page_keeps_its_query_budget(client, world, engine) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["group_admin"])
    client.get(f"/founding/{world['slug']}")
    for url in (f"/founding/{world['slug']}", f"/founding/{world['slug']}/statute"):
        with count_queries(engine) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= 6, "\n".join(s[:200].replace("\n", " ") for s in statements)
