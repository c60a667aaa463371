"""Forums: creation on demand, threads and posts, edits, deletion, moderation, reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import accounts, forums, moderation
from models import AuditEntry, OrgKind, PostRevision, ReportStatus, TerritoryLevel, UserStatus
from models.base import utcnow
from tests import factories


@pytest.fixture
def place(session):  # type: ignore[no-untyped-def]
    return factories.chain()


def _thread(forum, author=None, **kw):  # type: ignore[no-untyped-def]
    author = author or factories.user(created_at=utcnow() - timedelta(days=30))
    draft = forums.ThreadDraft(title=kw.get("title", "Orari dello sportello"), body=kw.get("body", "Qualcuno sa gli orari?"),
                               action=kw.get("action", ""), organization_id=kw.get("organization_id"))
    return forums.create_thread(author, forum, draft)


def test_forums_are_created_on_demand_once_and_thematic_only_for_regions(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    first = forums.forum_for(comune)
    assert forums.forum_for(comune) is first
    thematic = forums.forum_for(region, "action_01")
    assert thematic.kind == "thematic" and thematic.slug.endswith("action-01")
    with pytest.raises(NotFound):
        forums.forum_for(comune, "action_01")
    with pytest.raises(NotFound):
        forums.forum_for(region, "action_99")


def test_every_region_gets_five_forums(session) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        factories.territory(level=TerritoryLevel.REGION)
    made = forums.ensure_regional_forums()
    assert made >= 10
    assert forums.ensure_regional_forums() == 0


def test_thread_and_replies_get_positions_counts_and_follow(session, place) -> None:  # type: ignore[no-untyped-def]
    forum = forums.forum_for(place[2])
    thread = _thread(forum)
    replier = factories.user()
    second = forums.reply(replier, thread, forums.PostDraft(body="Il sabato no.", reply_to=1))
    third = forums.reply(replier, thread, forums.PostDraft(body="Ma il martedì sì.", reply_to=99))
    session.refresh(thread)
    session.refresh(forum)
    assert [second.position, third.position] == [2, 3] and thread.posts_count == 3
    assert second.reply_to_position == 1 and third.reply_to_position is None
    assert forum.threads_count == 1
    assert forums.is_following(thread.author, thread)
    assert forums.page_of(21) == 2 and forums.page_of(20) == 1


def test_markdown_is_sanitized_on_write(session, place) -> None:  # type: ignore[no-untyped-def]
    thread = _thread(forums.forum_for(place[2]), body="**ciao** <script>alert(1)</script> [x](javascript:alert(1))")
    post = forums.list_posts(thread).items[0]
    assert "<strong>ciao</strong>" in post.body_html and "<script>" not in post.body_html and 'href="javascript' not in post.body_html


@pytest.mark.parametrize(("field", "changes"), [("title", {"title": "ab"}), ("body", {"body": " "}), ("action", {"action": "x"})])
def test_bad_threads_are_refused(session, place, field, changes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        _thread(forums.forum_for(place[2]), **changes)
    assert field in err.value.errors


def test_unconfirmed_people_cannot_post(session, place) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        _thread(forums.forum_for(place[2]), author=factories.user(confirmed=False))


def test_writing_on_behalf_of_an_organisation_and_official_badge(session, place) -> None:  # type: ignore[no-untyped-def]
    official = factories.user()
    authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, admin=official, verified=True)
    unverified = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, admin=official)
    forum = forums.forum_for(place[2])
    thread = _thread(forum, author=official, organization_id=authority.id)
    assert forums.list_posts(thread).items[0].is_official
    post = forums.reply(official, thread, forums.PostDraft(body="Senza verifica", organization_id=unverified.id))
    assert not post.is_official
    with pytest.raises(ValidationFailed):
        forums.reply(factories.user(), thread, forums.PostDraft(body="Finto comune", organization_id=authority.id))


def test_new_members_are_labelled(session, place) -> None:  # type: ignore[no-untyped-def]
    thread = _thread(forums.forum_for(place[2]), author=factories.user())
    assert forums.list_posts(thread).items[0].author_is_new
    veteran = factories.user(created_at=utcnow() - timedelta(days=60))
    assert not forums.reply(veteran, thread, forums.PostDraft(body="Benvenuto!")).author_is_new


def test_edit_keeps_history_and_refuses_stale_versions(session, place) -> None:  # type: ignore[no-untyped-def]
    thread = _thread(forums.forum_for(place[2]))
    post = forums.list_posts(thread).items[0]
    seen = post.version
    forums.edit_post(thread.author, post, "Testo corretto", seen)
    assert post.edited_at is not None and post.body == "Testo corretto"
    with pytest.raises(Conflict):
        forums.edit_post(thread.author, post, "Versione vecchia", seen)
    with pytest.raises(PermissionDenied):
        forums.edit_post(factories.user(), post, "Non mio", post.version)
    history = session.scalars(select(PostRevision).where(PostRevision.post_id == post.id)).all()
    assert [r.body for r in history] == ["Qualcuno sa gli orari?"]


def test_soft_delete_keeps_counts_and_history(session, place) -> None:  # type: ignore[no-untyped-def]
    thread = _thread(forums.forum_for(place[2]))
    post = forums.list_posts(thread).items[0]
    forums.delete_post(thread.author, post)
    session.refresh(thread)
    assert post.deleted_at is not None and thread.posts_count == 1
    with pytest.raises(PermissionDenied):
        forums.delete_post(thread.author, post)


def test_locked_threads_take_replies_only_from_moderators(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    thread = _thread(forums.forum_for(comune))
    moderator = factories.moderator(region)
    forums.set_thread_flag(moderator, thread, "locked", True)
    with pytest.raises(PermissionDenied):
        forums.reply(factories.user(), thread, forums.PostDraft(body="Ancora?"))
    forums.reply(moderator, thread, forums.PostDraft(body="Chiudo la discussione."))


def test_hidden_content_leaves_lists_but_is_kept(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    forum = forums.forum_for(comune)
    thread = _thread(forum)
    moderator = factories.moderator(region)
    with pytest.raises(ValidationFailed):
        forums.set_thread_flag(moderator, thread, "hidden", True, "")
    forums.set_thread_flag(moderator, thread, "hidden", True, "Spam")
    assert forums.list_threads(None, forum).items == []
    assert [t.id for t in forums.list_threads(moderator, forum).items] == [thread.id]  # rows, not entities
    with pytest.raises(NotFound):
        forums.get_thread(factories.user(), thread.id)
    with pytest.raises(PermissionDenied):
        forums.set_thread_flag(factories.moderator(factories.chain()[0]), thread, "hidden", False)
    actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.target_type == "thread"))]
    assert actions == ["thread.hidden"]


def test_move_between_moderated_forums(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    thread = _thread(forums.forum_for(comune))
    target = forums.forum_for(region, "action_02")
    moderator = factories.moderator(region)
    forums.move_thread(moderator, thread, target.slug)
    assert thread.forum_id == target.id
    outside = forums.forum_for(factories.chain()[0])
    with pytest.raises(PermissionDenied):
        forums.move_thread(moderator, thread, outside.slug)


def test_reports_on_posts_reach_moderators_and_hide(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    thread = _thread(forums.forum_for(comune))
    post = forums.reply(factories.user(), thread, forums.PostDraft(body="Compra qui!"))
    reporter = factories.user()
    report = moderation.report_content(reporter, post, moderation.ReportDraft(reason="spam"))
    with pytest.raises(Conflict):
        moderation.report_content(reporter, post, moderation.ReportDraft(reason="spam"))
    with pytest.raises(ValidationFailed):
        moderation.report_content(factories.user(), post, moderation.ReportDraft(reason="boring"))
    moderator = factories.moderator(region)
    assert moderation.open_reports(moderator).items == [report]
    assert moderation.targets_of([report]) == {("post", post.id): post}
    moderation.decide(moderator, report, hide=True, note="pubblicità")
    assert post.is_hidden and report.status == ReportStatus.RESOLVED


def test_join_and_leave_keep_the_count(session, place) -> None:  # type: ignore[no-untyped-def]
    forum = forums.forum_for(place[2])
    person = factories.user()
    forums.join(person, forum)
    forums.join(person, forum)
    session.refresh(forum)
    assert forum.members_count == 1 and forums.my_forums(person) == [forum]
    forums.leave(person, forum)
    forums.leave(person, forum)
    session.refresh(forum)
    assert forum.members_count == 0


def test_admin_suspends_and_sessions_end(session) -> None:  # type: ignore[no-untyped-def]
    admin, person = factories.admin(), factories.user()
    sid = accounts.start_session(person)
    with pytest.raises(PermissionDenied):
        accounts.suspend(factories.moderator(factories.chain()[0]), person, True)
    accounts.suspend(admin, person, True, "spam")
    assert person.status == UserStatus.SUSPENDED and accounts.load_session(sid) is None
    with pytest.raises(PermissionDenied):
        accounts.suspend(admin, admin, True)
