"""Following: what can be followed and by whom, follows that start by themselves, the list in
the personal area, and the migration that moved thread follows into the generic table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.pool import NullPool

from app.exceptions import NotFound, PermissionDenied
from app.services import follows, forums, organizations
from models import (
    Follow,
    FollowTarget,
    Forum,
    ForumMember,
    LabPhase,
    Notification,
    ProposalState,
    Territory,
    Thread,
    User,
    UserStatus,
)
from models.base import utcnow
from tests import factories
from tests.services.test_labs import make_lab, world


def _count(session, **where) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).select_from(Follow)
    for key, value in where.items():
        stmt = stmt.where(getattr(Follow, key) == value)
    return session.scalar(stmt)


def _thread(forum, author=None):  # type: ignore[no-untyped-def]
    author = author or factories.user(created_at=utcnow() - timedelta(days=30))
    return forums.create_thread(author, forum, forums.ThreadDraft(title="Orari dello sportello", body="Qualcuno sa gli orari?"))


def test_following_twice_keeps_one_row_and_unfollowing_removes_it(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    org = factories.organization()
    assert follows.follow(person, "organization", org.id) is True
    assert follows.follow(person, "organization", org.id) is False
    assert _count(session, user_id=person.id) == 1
    assert follows.is_following(person, "organization", org.id)
    assert follows.unfollow(person, "organization", org.id) is True
    assert follows.unfollow(person, "organization", org.id) is False
    assert not follows.is_following(person, "organization", org.id)


@pytest.mark.parametrize("target_type", ["user", "report", "", "organisation"])
def test_unknown_kinds_of_thing_cannot_be_followed(session, target_type: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        follows.follow(factories.user(), target_type, 1)
    assert not follows.is_following(factories.user(), target_type, 1)


def test_missing_and_hidden_things_answer_not_found(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    hidden = factories.organization(is_hidden=True)
    with pytest.raises(NotFound):
        follows.follow(person, "organization", hidden.id)
    with pytest.raises(NotFound):
        follows.follow(person, "event", 2**40)
    member = factories.user()
    factories.member(hidden, member)
    assert follows.follow(member, "organization", hidden.id)  # members still see a hidden profile


def test_a_draft_proposal_is_followed_only_by_its_author(session) -> None:  # type: ignore[no-untyped-def]
    from app.services import proposals

    w = world()
    lab = make_lab(w, phase=LabPhase.PROPOSALS)
    draft = proposals.create_proposal(w.resident, lab, proposals.ProposalDraft(
        title="Sportello serale", summary="Uno sportello aperto la sera.", body="Aperto la sera per chi lavora."))
    assert draft.state == ProposalState.DRAFT
    with pytest.raises(NotFound):
        follows.follow(factories.user(), "proposal", draft.id)
    assert follows.follow(w.resident, "proposal", draft.id)


def test_suspended_people_cannot_follow(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(status=UserStatus.SUSPENDED)
    with pytest.raises(PermissionDenied):
        follows.follow(person, "organization", factories.organization().id)


def test_joining_a_forum_follows_it_and_leaving_stops(session) -> None:  # type: ignore[no-untyped-def]
    forum = forums.forum_for(factories.chain()[2])
    person = factories.user()
    forums.join(person, forum)
    assert follows.is_following(person, "forum", forum.id)
    forums.leave(person, forum)
    assert not follows.is_following(person, "forum", forum.id)


def test_opening_or_replying_to_a_discussion_follows_it(session) -> None:  # type: ignore[no-untyped-def]
    forum = forums.forum_for(factories.chain()[2])
    thread = _thread(forum)
    replier = factories.user(created_at=utcnow() - timedelta(days=30))
    assert follows.is_following(thread.author, "thread", thread.id)
    assert not follows.is_following(replier, "thread", thread.id)
    forums.reply(replier, thread, forums.PostDraft(body="Il sabato è chiuso."))
    forums.reply(replier, thread, forums.PostDraft(body="Anche la domenica."))
    assert forums.is_following(replier, thread)
    assert _count(session, target_type=FollowTarget.THREAD, target_id=thread.id) == 2
    forums.set_follow(replier, thread, False)
    assert not forums.is_following(replier, thread)


def test_the_following_list_names_each_thing_links_it_and_admits_what_is_gone(session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    org = factories.organization(name="Donne del Sahel")
    forum = forums.forum_for(factories.chain()[2])
    thread = _thread(forum)
    follows.follow(person, "organization", org.id)
    follows.follow(person, "forum", forum.id)
    follows.follow(person, "thread", thread.id)
    organizations.set_hidden(factories.admin(), org, True, "controllo")
    page = follows.list_following(person)
    by_type = {item.follow.target_type: item for item in page.items}
    assert by_type[FollowTarget.THREAD].label == "Orari dello sportello"
    assert by_type[FollowTarget.THREAD].endpoint == ("forums.thread", {"thread_id": thread.id})
    assert by_type[FollowTarget.FORUM].endpoint == ("forums.show", {"slug": forum.slug})
    # The organisation is hidden now: it stays in the list (to unfollow it) but is not named.
    assert by_type[FollowTarget.ORGANIZATION].label == "" and by_type[FollowTarget.ORGANIZATION].endpoint is None
    assert [i.follow.target_type for i in page.items] == [FollowTarget.THREAD, FollowTarget.FORUM, FollowTarget.ORGANIZATION]


def test_the_following_list_runs_one_query_per_kind_not_per_row(session, engine) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_query_budget import count_queries

    counts = []
    for n in (3, 25):
        person = factories.user()
        for _ in range(n):
            follows.follow(person, "organization", factories.organization().id)
        session.expire_all()
        with count_queries(engine) as statements:
            follows.list_following(person)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- migration 0007


def _alembic(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    from app.config import ROOT

    cfg = Config(toml_file=str(ROOT / "pyproject.toml"))
    cfg.attributes["url"] = url
    return cfg


def test_migration_moves_thread_follows_and_forum_members_and_marks_old_notifications(tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from tests.web.live_server import fresh_database

    with fresh_database(tmp_path_factory, "follows_migration") as url:
        cfg = _alembic(url)
        command.upgrade(cfg, "0006")
        engine = create_engine(url, poolclass=NullPool)
        now = utcnow()
        with engine.begin() as conn:
            person = conn.execute(insert(User.__table__).values(
                email="a@example.org", display_name="A", password_hash="x", locale="it", languages_spoken=[],
                privacy_version="v").returning(User.__table__.c.id)).scalar_one()
            region = conn.execute(insert(Territory.__table__).values(
                istat_code="R1", name="Regione", name_key="regione", level="region", path="/").returning(Territory.__table__.c.id)).scalar_one()
            forum = conn.execute(insert(Forum.__table__).values(slug="regione-r1", kind="territorial", territory_id=region)
                                 .returning(Forum.__table__.c.id)).scalar_one()
            thread = conn.execute(insert(Thread.__table__).values(forum_id=forum, author_id=person, title="Titolo")
                                  .returning(Thread.__table__.c.id)).scalar_one()
            conn.execute(insert(ForumMember.__table__).values(forum_id=forum, user_id=person))
            conn.execute(text("INSERT INTO thread_follows (thread_id, user_id, created_at) VALUES (:t, :u, :now)"),
                         {"t": thread, "u": person, "now": now.replace(tzinfo=None)})
            conn.execute(insert(Notification.__table__).values(user_id=person, kind="proposal.comment", target_type="proposal", target_id=7))
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            moved = conn.execute(text("SELECT user_id, target_type, target_id FROM follows ORDER BY target_type")).all()
            unmailed = conn.execute(text("SELECT count(*) FROM notifications WHERE mailed_at IS NULL")).scalar_one()
        assert [tuple(r) for r in moved] == [(person, "forum", forum), (person, "thread", thread)]
        assert unmailed == 0  # the first digests do not repeat the history
        command.downgrade(cfg, "0006")
        with engine.connect() as conn:
            back = conn.execute(text("SELECT thread_id, user_id FROM thread_follows")).all()
        assert [tuple(r) for r in back] == [(thread, person)]
        engine.dispose()
