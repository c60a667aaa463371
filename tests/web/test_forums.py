"""Forum pages over HTTP: route × role, XSS through the form and the endpoint, CSRF, anchors, budgets."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.services import forums
from models import Post, Thread
from models.base import utcnow
from tests import factories
from tests.conftest import login
from tests.unit.test_sanitize import XSS
from tests.web.test_query_budget import count_queries

ROLES = ("anonymous", "citizen", "author", "moderator", "other_moderator", "admin")


@pytest.fixture
def world(session):  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    forum = forums.forum_for(comune)
    author = factories.user(created_at=utcnow() - timedelta(days=30))
    thread = forums.create_thread(author, forum, forums.ThreadDraft(title="Orari dello sportello", body="Qualcuno sa gli orari?"))
    hidden = forums.create_thread(author, forum, forums.ThreadDraft(title="Pubblicità nascosta", body="Compra qui"))
    hidden.is_hidden, hidden.hidden_reason = True, "spam"
    session.flush()
    people = {"anonymous": None, "citizen": factories.user(), "author": author, "moderator": factories.moderator(region),
              "other_moderator": factories.moderator(factories.chain()[0]), "admin": factories.admin()}
    return {"forum": forum, "thread": thread, "hidden": hidden, "people": people, "slug": forum.slug,
            "tid": thread.id, "hid": hidden.id, "comune": comune.istat_code}


def _as(client, person) -> None:  # type: ignore[no-untyped-def]
    if person is not None:
        login(client, person.email, factories.PASSWORD)


MATRIX = {
    "/forums/": (200, 200, 200, 200, 200, 200),
    "/forums/{slug}": (200, 200, 200, 200, 200, 200),
    "/forums/{slug}/new": (302, 200, 200, 200, 200, 200),
    "/threads/{tid}": (200, 200, 200, 200, 200, 200),
    "/threads/{hid}": (404, 404, 404, 200, 404, 200),
    "/threads/{tid}/posts/1/edit": (302, 403, 200, 403, 403, 403),
    "/threads/{tid}/posts/1/history": (302, 403, 403, 200, 403, 200),
    "/threads/{tid}/report": (302, 200, 200, 200, 200, 200),
    "/threads/{tid}/posts/1/report": (302, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(client, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    response = client.get(path.format(**world))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


def test_territory_forum_is_created_on_demand_and_redirects(client, world) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/territories/{world['comune']}/forum")
    assert response.status_code == 302 and response.headers["Location"] == f"/forums/{world['slug']}"


def test_post_anchor_redirects_to_the_right_page(client, world, session) -> None:  # type: ignore[no-untyped-def]
    thread = session.get(Thread, world["tid"])
    replier = factories.user()
    for i in range(25):
        forums.reply(replier, thread, forums.PostDraft(body=f"Risposta {i}"))
    session.flush()
    response = client.get(f"/threads/{world['tid']}/posts/22")
    assert response.status_code == 302 and response.headers["Location"].endswith("?page=2#post-22")
    page = client.get(f"/threads/{world['tid']}?page=2").get_data(as_text=True)
    assert 'id="post-22"' in page and 'id="post-1"' not in page
    assert client.get(f"/threads/{world['tid']}/posts/99").status_code == 302  # the page says what is missing


def _elements(html: str) -> list[tuple[str, list]]:
    found: list[tuple[str, list]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            found.append((tag, attrs))

    P().feed(html)
    return found


def _assert_inert(html: str) -> None:
    for tag, attrs in _elements(html):
        a = dict(attrs)
        assert tag not in {"iframe", "object", "embed", "math", "frame", "base"}, tag
        if tag == "script":
            assert (a.get("src") or "").startswith("/static/"), a  # only our own files, never inline
        if tag == "img":
            assert (a.get("src") or "").startswith("/") and not a["src"].startswith("//"), a
        if tag == "svg":
            assert "icon" in (a.get("class") or ""), a  # only our sprite icons
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


@pytest.mark.parametrize("payload", XSS)
def test_xss_through_the_form_never_executes_in_any_sink(client, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    people = world["people"]
    _as(client, people["author"])
    response = client.post_form(f"/forums/{world['slug']}/new", {"title": f"Titolo {payload}"[:150], "body": payload})
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    _assert_inert(client.get(thread_url).get_data(as_text=True))
    thread_id = int(thread_url.rsplit("/", 1)[1])
    _assert_inert(client.get(f"/threads/{thread_id}/posts/1/edit").get_data(as_text=True))
    _assert_inert(client.post_form(f"/threads/{thread_id}/reply", {"body": payload, "preview": "1"}).get_data(as_text=True))
    client.post_form(f"/threads/{thread_id}/posts/1/report", {"reason": "spam", "message": payload})
    client.post_form("/auth/logout")
    _as(client, people["admin"])
    _assert_inert(client.get("/moderation/").get_data(as_text=True))
    post = session.scalar(select(Post).where(Post.thread_id == thread_id))
    client.post_form(f"/threads/{thread_id}/posts/1/hide", {"reason": payload[:200]})
    _assert_inert(client.get(f"/threads/{thread_id}").get_data(as_text=True))
    _assert_inert(client.get("/admin/").get_data(as_text=True))
    assert post is not None


def test_xss_posted_directly_to_the_reply_endpoint(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["citizen"])
    for payload in XSS:
        assert client.post_form(f"/threads/{world['tid']}/reply", {"body": payload, "reply_to": "1"}).status_code == 302
    _assert_inert(client.get(f"/threads/{world['tid']}").get_data(as_text=True))


POSTS = [
    "/forums/{slug}/join", "/forums/{slug}/leave", "/forums/{slug}/new", "/threads/{tid}/reply", "/threads/{tid}/follow",
    "/threads/{tid}/unfollow", "/threads/{tid}/report", "/threads/{tid}/posts/1/edit", "/threads/{tid}/posts/1/delete",
    "/threads/{tid}/posts/1/report", "/threads/{tid}/hide", "/threads/{tid}/lock", "/threads/{tid}/pin", "/threads/{tid}/move",
    "/threads/{tid}/posts/1/hide",
]


@pytest.mark.parametrize("path", POSTS)
def test_posts_without_csrf_are_refused_and_change_nothing(client, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["admin"])
    before = session.scalar(select(Post.body).where(Post.thread_id == world["tid"], Post.position == 1))
    response = client.post(path.format(**world), data={"body": "changed", "title": "Nuovo titolo qui", "reason": "spam x"})
    assert response.status_code == 400
    session.expire_all()
    assert session.scalar(select(Post.body).where(Post.thread_id == world["tid"], Post.position == 1)) == before
    thread = session.get(Thread, world["tid"])
    assert not thread.is_locked and not thread.is_pinned and not thread.is_hidden


def test_reply_edit_delete_flow_and_markers(client, world, session) -> None:  # type: ignore[no-untyped-def]
    citizen = world["people"]["citizen"]
    _as(client, citizen)
    response = client.post_form(f"/threads/{world['tid']}/reply", {"body": "Il sabato è chiuso."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/posts/2")
    edit = client.get(f"/threads/{world['tid']}/posts/2/edit").get_data(as_text=True)
    version = edit.split('name="version" type="hidden" value="')[1].split('"')[0] if 'name="version" type="hidden"' in edit else "1"
    client.post_form(f"/threads/{world['tid']}/posts/2/edit", {"body": "Il sabato apre alle 9.", "version": version})
    page = client.get(f"/threads/{world['tid']}").get_data(as_text=True)
    assert "Il sabato apre alle 9." in page
    client.post_form(f"/threads/{world['tid']}/posts/2/delete")
    session.expire_all()
    post = session.scalar(select(Post).where(Post.thread_id == world["tid"], Post.position == 2))
    assert post.deleted_at is not None and post.edited_at is not None


def test_thread_page_query_count_is_constant(client, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    thread = session.get(Thread, world["tid"])
    counts = []
    for n in (3, 19):
        while thread.posts_count < n:
            forums.reply(factories.user(), thread, forums.PostDraft(body="Sì, anche io."))
            session.refresh(thread)
        session.flush()
        with count_queries(engine) as statements:
            assert client.get(f"/threads/{world['tid']}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 6, counts


def test_forum_page_query_count_is_constant(client, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    forum = world["forum"]
    counts = []
    for n in (3, 20):
        for i in range(n):
            forums.create_thread(factories.user(), forum, forums.ThreadDraft(title=f"Discussione {n}-{i}", body="Testo di prova"))
        session.flush()
        with count_queries(engine) as statements:
            assert client.get(f"/forums/{world['slug']}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 6, counts


@pytest.mark.parametrize("query", ["action=x", "page=0", "page=abc"])
def test_bad_forum_filters_are_400(client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/forums/{world['slug']}?{query}").status_code == 400
