"""Route × role for the core pages (home, health, language, privacy, feedback), the account pages
(auth, me), territories and forums: every GET and every POST, once per role, with a fresh world per
case. Every refused POST is checked to have changed nothing in the database."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app.db import db
from app.services import accounts, forums
from app.services.mail import mailer
from models import (
    AccountToken,
    Feedback,
    Follow,
    FollowTarget,
    Forum,
    ForumMember,
    Organization,
    Post,
    Report,
    Territory,
    Thread,
    TokenPurpose,
    User,
    UserSession,
)
from models.base import utcnow
from tests import factories
from tests.conftest import Client, login

# Every route of the main, auth, me, territories and forums blueprints (the lead checks them
# against the URL map in test_pages.py). /me/calendar, /me/notifications… belong to other
# blueprints (calendars, notifications), so the five prefixes own exactly these 37 rules.
COVERED_ROUTES = {
    "/",
    "/accessibility",
    "/feedback",
    "/healthz",
    "/readyz",
    "/lang/<code>",
    "/privacy",
    "/auth/check-email",
    "/auth/confirm/<token>",
    "/auth/login",
    "/auth/logout",
    "/auth/register",
    "/auth/resend",
    "/auth/reset",
    "/auth/reset/<token>",
    "/me",
    "/me/password",
    "/me/settings",
    "/territories/",
    "/territories/<code>",
    "/territories/<code>/forum",
    "/forums/",
    "/forums/<slug>",
    "/forums/<slug>/<any(join, leave):choice>",
    "/forums/<slug>/new",
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
PREFIXES = ("main.", "auth.", "me.", "territories.", "forums.")

# "moderator" moderates the region that contains the forum's comune (a moderator of a territory
# moderates everything inside it), so they can also move a thread to the regional forum.
# "suspended" logged in, then an administrator suspended the account (its sessions ended).
ROLES = ("anonymous", "unconfirmed", "citizen", "author", "org_member", "moderator", "other_moderator", "admin", "suspended")
NEW_PASSWORD = "a brand new sentence to remember"
REGISTER = {"display_name": "Ioana Popescu", "email": "ioana.nuova@example.org", "password": "a long sentence to remember",
            "locale": "ro", "home_territory": "", "accept_privacy": "y"}


@dataclass
class World:
    region: Territory
    comune: Territory
    forum: Forum
    regional_forum: Forum
    org: Organization
    thread: Thread  # post 1 by the author, post 2 by org_member for the organisation, post 3 by the citizen (hidden)
    hidden: Thread  # hidden by a moderator
    closed: Thread  # locked and pinned
    pending: User  # registered, not confirmed: the confirmation link below is theirs
    target: User  # asked for a password reset: the reset link below is theirs
    confirm_token: str
    reset_token: str
    people: dict[str, User | None] = field(default_factory=dict)

    def ids(self) -> dict[str, Any]:
        return {"slug": self.forum.slug, "tid": self.thread.id, "hid": self.hidden.id, "cid": self.closed.id,
                "comune": self.comune.istat_code, "confirm": self.confirm_token, "reset": self.reset_token}

    def post_version(self, position: int) -> int:
        return _post_of(db.session, self.thread.id, position).version

    def person(self, role: str) -> User:
        """Whose row a POST would change: the role's own account (the citizen's for visitors)."""
        return self.people[role] or self.people["citizen"]  # type: ignore[return-value]


def _token(text: str) -> str:
    match = re.search(r"/auth/(?:confirm|reset)/([A-Za-z0-9_\-]+)", text)
    assert match, text
    return match.group(1)


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    forum = forums.forum_for(comune)
    regional_forum = forums.forum_for(region)
    old = utcnow() - timedelta(days=30)
    author = factories.user(created_at=old, home=comune)
    citizen = factories.user(created_at=old, home=comune)
    org_member = factories.user(created_at=old)
    org = factories.organization("Ponti Solidali", home=comune)
    factories.member(org, org_member)
    moderator = factories.moderator(region)
    thread = forums.create_thread(author, forum, forums.ThreadDraft(title="Orari dello sportello", body="Qualcuno sa gli orari?"))
    forums.reply(org_member, thread, forums.PostDraft(body="Apre alle 9, lo gestiamo noi.", organization_id=org.id))
    spam = forums.reply(citizen, thread, forums.PostDraft(body="Un messaggio fuori luogo"))
    forums.set_post_hidden(moderator, spam, True, "fuori tema")
    hidden = forums.create_thread(author, forum, forums.ThreadDraft(title="Pubblicità nascosta", body="Compra qui"))
    forums.set_thread_flag(moderator, hidden, "hidden", True, "spam")
    closed = forums.create_thread(author, forum, forums.ThreadDraft(title="Regole del forum", body="Leggete prima di scrivere"))
    forums.set_thread_flag(moderator, closed, "locked", True)
    forums.set_thread_flag(moderator, closed, "pinned", True)
    pending = factories.user(confirmed=False)
    target = factories.user()
    mailer.outbox.clear()
    accounts.resend_confirmation(pending.email)
    accounts.request_password_reset(target.email)
    db.commit()  # the after-commit effects (the two mails) run as after a request
    confirm_token, reset_token = (_token(m.text) for m in mailer.outbox)
    mailer.outbox.clear()
    people: dict[str, User | None] = {
        "anonymous": None, "unconfirmed": factories.user(confirmed=False), "citizen": citizen, "author": author,
        "org_member": org_member, "moderator": moderator, "other_moderator": factories.moderator(factories.chain()[0]),
        "admin": factories.admin(), "suspended": factories.user(home=comune),
    }
    return World(region, comune, forum, regional_forum, org, thread, hidden, closed, pending, target, confirm_token,
                 reset_token, people)


def as_(app: Flask, world: World, role: str) -> Any:
    """A fresh browser for ``role``: logged in, except for visitors (and suspended accounts,
    whose session ended when they were suspended)."""
    app.test_client_class = Client
    browser = app.test_client()
    person = world.people[role]
    if person is not None and person.is_active:
        assert login(browser, person.email, factories.PASSWORD).status_code == 302, role
    if role == "suspended" and person.is_active:  # type: ignore[union-attr]
        accounts.suspend(world.people["admin"], person, True, "test")  # type: ignore[arg-type]
        db.session.flush()
    return browser


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith(PREFIXES)} == COVERED_ROUTES


# ---------------------------------------------------------------- GET: route × role

#        anonymous, unconfirmed, citizen, author, org_member, moderator, other_moderator, admin, suspended
EVERYONE = (200,) * 9
LOGGED_IN = (302, 200, 200, 200, 200, 200, 200, 200, 302)  # login_required: visitors (and suspended) go to log in
MODERATORS = (404, 404, 404, 404, 404, 200, 404, 200, 404)  # a hidden thread exists only for its moderators
GET_MATRIX: dict[str, tuple[int, ...]] = {
    "/": EVERYONE,
    "/accessibility": EVERYONE,
    "/feedback": EVERYONE,
    "/feedback?page=/forums/": EVERYONE,
    "/healthz": EVERYONE,
    "/readyz": EVERYONE,
    "/lang/ar": (302,) * 9,
    "/lang/xx": (404,) * 9,
    "/privacy": EVERYONE,
    "/auth/check-email": EVERYONE,
    "/auth/confirm/{confirm}": EVERYONE,  # GET only shows the button: it never uses the token up
    "/auth/confirm/nope": (400,) * 9,
    "/auth/login": (200, 302, 302, 302, 302, 302, 302, 302, 200),  # already logged in: on to the personal area
    "/auth/register": (200, 302, 302, 302, 302, 302, 302, 302, 200),
    "/auth/resend": EVERYONE,
    "/auth/reset": EVERYONE,
    "/auth/reset/{reset}": EVERYONE,
    "/auth/reset/nope": (400,) * 9,
    "/me": LOGGED_IN,
    "/me/settings": LOGGED_IN,
    "/territories/": EVERYONE,
    "/territories/{comune}": EVERYONE,
    "/territories/NOPE1": (404,) * 9,
    "/territories/{comune}/forum": (302,) * 9,
    "/territories/NOPE1/forum": (404,) * 9,
    "/forums/": EVERYONE,
    "/forums/{slug}": EVERYONE,
    "/forums/no-such-forum": (404,) * 9,
    "/forums/{slug}/new": (302, 403, 200, 200, 200, 200, 200, 200, 302),  # unconfirmed people do not open threads
    "/forums/no-such-forum/new": (302, 404, 404, 404, 404, 404, 404, 404, 302),
    "/threads/{tid}": EVERYONE,
    "/threads/{hid}": MODERATORS,
    "/threads/{cid}": EVERYONE,
    "/threads/999999": (404,) * 9,
    "/threads/{tid}/posts/1": (302,) * 9,
    "/threads/{hid}/posts/1": (404, 404, 404, 404, 404, 302, 404, 302, 404),
    "/threads/{tid}/posts/1/edit": (302, 403, 403, 200, 403, 403, 403, 403, 302),  # only the author
    "/threads/{tid}/posts/2/edit": (302, 403, 403, 403, 200, 403, 403, 403, 302),  # the member who wrote for the organisation
    "/threads/{tid}/posts/3/edit": (302, 403, 403, 403, 403, 403, 403, 403, 302),  # hidden: not even its author
    "/threads/{cid}/posts/1/edit": (302, 403, 403, 403, 403, 403, 403, 403, 302),  # locked thread
    "/threads/{hid}/posts/1/edit": (302, 404, 404, 404, 404, 403, 404, 403, 302),
    "/threads/{tid}/posts/99/edit": (302, 404, 404, 404, 404, 404, 404, 404, 302),
    "/threads/{tid}/posts/1/history": (302, 403, 403, 403, 403, 200, 403, 200, 302),  # earlier versions: moderators
    "/threads/{hid}/posts/1/history": (302, 404, 404, 404, 404, 200, 404, 200, 302),
    "/threads/{tid}/report": LOGGED_IN,
    "/threads/{hid}/report": (302, 404, 404, 404, 404, 200, 404, 200, 302),
    "/threads/{tid}/posts/1/report": LOGGED_IN,
    "/threads/{tid}/posts/99/report": (302, 404, 404, 404, 404, 404, 404, 404, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_get_by_role(app, world, role: str) -> None:  # type: ignore[no-untyped-def]
    """Every GET of the matrix for one role, in one world (GETs change nothing a later one reads)."""
    index, browser, wrong = ROLES.index(role), as_(app, world, role), []
    for path, expected in GET_MATRIX.items():
        response = browser.get(path.format(**world.ids()))
        if response.status_code != expected[index]:
            wrong.append((path, response.status_code, expected[index]))
        elif (response.status_code == 302 and LOGGED_IN[index] == 302 and expected != (302,) * 9
              and not response.headers["Location"].startswith("/auth/login")):
            wrong.append((path, response.headers["Location"], "/auth/login"))
    assert wrong == [], f"{role}: (path, got, expected) {wrong}"


def test_get_redirects_go_where_they_should(app, world) -> None:  # type: ignore[no-untyped-def]
    ids = world.ids()
    visitor = as_(app, world, "anonymous")
    assert visitor.get("/lang/ar?next=/forums/").headers["Location"] == "/forums/"
    assert visitor.get("/lang/ar?next=https://evil.example/").headers["Location"] == "/"
    assert visitor.get(f"/territories/{ids['comune']}/forum").headers["Location"] == f"/forums/{ids['slug']}"
    assert visitor.get(f"/threads/{ids['tid']}/posts/2").headers["Location"].endswith(f"/threads/{ids['tid']}?page=1#post-2")
    citizen = as_(app, world, "citizen")
    assert citizen.get("/auth/login").headers["Location"] == "/me"
    assert citizen.get("/auth/register").headers["Location"] == "/me"


def test_hidden_content_is_not_shown_to_people_who_may_not_see_it(app, world) -> None:  # type: ignore[no-untyped-def]
    for role in ROLES:
        forum_page = as_(app, world, role).get(f"/forums/{world.forum.slug}").get_data(as_text=True)
        assert ("Pubblicità nascosta" in forum_page) == (role in ("moderator", "admin")), role
        thread_page = as_(app, world, role).get(f"/threads/{world.thread.id}").get_data(as_text=True)
        assert "Un messaggio fuori luogo" not in thread_page or role in ("moderator", "admin"), role


# ---------------------------------------------------------------- POST: route × role


def _count(session: Any, stmt: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _post_of(session: Any, thread_id: int, position: int) -> Post:
    return session.scalar(select(Post).where(Post.thread_id == thread_id, Post.position == position))


def _follows(session: Any, w: World, role: str = "") -> int:
    return _count(session, select(Follow.id).where(Follow.target_type == FollowTarget.THREAD, Follow.target_id == w.thread.id))


def _no_follows(session: Any, w: World) -> None:
    session.execute(delete(Follow).where(Follow.target_type == FollowTarget.THREAD, Follow.target_id == w.thread.id))


def _everyone_follows(session: Any, w: World) -> None:
    _no_follows(session, w)
    session.add_all(Follow(user_id=p.id, target_type=FollowTarget.THREAD, target_id=w.thread.id) for p in w.people.values() if p)


def _everyone_is_member(session: Any, w: World) -> None:
    session.add_all(ForumMember(forum_id=w.forum.id, user_id=p.id) for p in w.people.values() if p)


@dataclass(frozen=True)
class Case:
    """One POST: the form (built from the world and the role), what it should change (a value read
    before and after), an optional set-up, and per role the status, "+" when the change happens."""

    path: str
    expected: tuple[str, ...]
    state: Callable[[Any, World, str], Any]
    data: Callable[[World, str], dict[str, str]] = lambda w, role: {}
    prepare: Callable[[Any, World], None] | None = None


def _speaker(w: World, role: str) -> dict[str, str]:
    return {"organization_id": str(w.org.id)} if role == "org_member" else {}


#              anonymous, unconfirmed, citizen, author, org_member, moderator, other_moderator, admin, suspended
ALL_DONE = ("302+",) * 9
MEMBERS_ONLY = ("302", "302+", "302+", "302+", "302+", "302+", "302+", "302+", "302")
PARTICIPANTS = ("302", "403", "302+", "302+", "302+", "302+", "302+", "302+", "302")  # confirmed e-mail needed
MODERATE = ("302", "403", "403", "403", "403", "302+", "403", "302+", "302")
MODERATE_HIDDEN = ("302", "404", "404", "404", "404", "302+", "404", "302+", "302")
AUTHOR_ONLY = ("302", "403", "403", "302+", "403", "403", "403", "403", "302")
LOGGED_OUT_ONLY = ("302+", "302", "302", "302", "302", "302", "302", "302", "302+")  # logged-in people are sent on

POSTS: dict[str, Case] = {
    "feedback": Case("/feedback", ALL_DONE, lambda s, w, r: _count(s, select(Feedback.id)),
                     lambda w, r: {"topic": "idea", "message": "Più eventi a Lecce, per favore", "page": "/forums/"}),
    "login": Case("/auth/login", LOGGED_OUT_ONLY,
                  lambda s, w, r: _count(s, select(UserSession.id).where(UserSession.user_id == w.target.id)),
                  lambda w, r: {"email": w.target.email, "password": factories.PASSWORD}),
    "login-wrong-password": Case("/auth/login", ("200", "302", "302", "302", "302", "302", "302", "302", "200"),
                                 lambda s, w, r: _count(s, select(UserSession.id).where(UserSession.user_id == w.target.id)),
                                 lambda w, r: {"email": w.target.email, "password": "not the password at all"}),
    "register": Case("/auth/register", LOGGED_OUT_ONLY,
                     lambda s, w, r: _count(s, select(User.id).where(User.email == REGISTER["email"])), lambda w, r: REGISTER),
    "resend": Case("/auth/resend", ALL_DONE,  # a fresh link replaces the old one, whoever asks
                   lambda s, w, r: s.scalar(select(AccountToken.token_hash).where(AccountToken.user_id == w.pending.id)),
                   lambda w, r: {"email": w.pending.email}),
    "reset": Case("/auth/reset", ("200+",) * 9,  # a fresh link replaces the old one
                  lambda s, w, r: s.scalar(select(AccountToken.token_hash).where(AccountToken.user_id == w.target.id,
                                                                                 AccountToken.purpose == TokenPurpose.RESET)),
                  lambda w, r: {"email": w.target.email}),
    "confirm": Case("/auth/confirm/{confirm}", ALL_DONE, lambda s, w, r: s.get(User, w.pending.id).email_confirmed_at is not None),
    "confirm-bad-token": Case("/auth/confirm/nope", ("400",) * 9,
                              lambda s, w, r: s.get(User, w.pending.id).email_confirmed_at is not None),
    "reset-password": Case("/auth/reset/{reset}", ALL_DONE, lambda s, w, r: s.get(User, w.target.id).password_hash,
                           lambda w, r: {"password": NEW_PASSWORD}),
    "reset-password-bad-token": Case("/auth/reset/nope", ("400",) * 9, lambda s, w, r: s.get(User, w.target.id).password_hash,
                                     lambda w, r: {"password": NEW_PASSWORD}),
    "logout": Case("/auth/logout", MEMBERS_ONLY, lambda s, w, r: _count(s, select(UserSession.id))),
    "settings": Case("/me/settings", MEMBERS_ONLY, lambda s, w, r: s.get(User, w.person(r).id).display_name,
                     lambda w, r: {"display_name": "Nome Cambiato", "locale": "en", "home_territory": ""}),
    "password": Case("/me/password", MEMBERS_ONLY, lambda s, w, r: s.get(User, w.person(r).id).password_hash,
                     lambda w, r: {"pw-current_password": factories.PASSWORD, "pw-new_password": NEW_PASSWORD}),
    "join": Case("/forums/{slug}/join", PARTICIPANTS,
                 lambda s, w, r: _count(s, select(ForumMember.user_id).where(ForumMember.forum_id == w.forum.id))),
    "leave": Case("/forums/{slug}/leave", MEMBERS_ONLY,  # leaving is always allowed
                  lambda s, w, r: _count(s, select(ForumMember.user_id).where(ForumMember.forum_id == w.forum.id)),
                  prepare=_everyone_is_member),
    "new-thread": Case("/forums/{slug}/new", PARTICIPANTS,
                       lambda s, w, r: _count(s, select(Thread.id).where(Thread.forum_id == w.forum.id)),
                       lambda w, r: {"title": "Una nuova discussione", "body": "Chi viene sabato?", **_speaker(w, r)}),
    "reply": Case("/threads/{tid}/reply", PARTICIPANTS, lambda s, w, r: _count(s, select(Post.id).where(Post.thread_id == w.thread.id)),
                  lambda w, r: {"body": "Il sabato è chiuso.", **_speaker(w, r)}),
    "reply-locked": Case("/threads/{cid}/reply", ("302", "403", "403", "403", "403", "302+", "403", "302+", "302"),
                         lambda s, w, r: _count(s, select(Post.id).where(Post.thread_id == w.closed.id)),
                         lambda w, r: {"body": "Una risposta al thread chiuso"}),
    "reply-hidden": Case("/threads/{hid}/reply", ("302", "404", "404", "404", "404", "403", "404", "403", "302"),
                         lambda s, w, r: _count(s, select(Post.id).where(Post.thread_id == w.hidden.id)),
                         lambda w, r: {"body": "Una risposta al thread nascosto"}),
    "follow": Case("/threads/{tid}/follow", MEMBERS_ONLY, _follows, prepare=_no_follows),
    "unfollow": Case("/threads/{tid}/unfollow", MEMBERS_ONLY, _follows, prepare=_everyone_follows),
    "follow-hidden": Case("/threads/{hid}/follow", ("302", "404", "404", "404", "404", "302+", "404", "302+", "302"),
                          lambda s, w, r: _count(s, select(Follow.id).where(Follow.target_type == FollowTarget.THREAD,
                                                                            Follow.target_id == w.hidden.id))),
    "hide-thread": Case("/threads/{tid}/hide", MODERATE, lambda s, w, r: s.get(Thread, w.thread.id).is_hidden,
                        lambda w, r: {"reason": "spam"}),
    "restore-thread": Case("/threads/{hid}/restore", MODERATE_HIDDEN, lambda s, w, r: s.get(Thread, w.hidden.id).is_hidden),
    "lock-thread": Case("/threads/{tid}/lock", MODERATE, lambda s, w, r: s.get(Thread, w.thread.id).is_locked),
    "unlock-thread": Case("/threads/{cid}/unlock", MODERATE, lambda s, w, r: s.get(Thread, w.closed.id).is_locked),
    "pin-thread": Case("/threads/{tid}/pin", MODERATE, lambda s, w, r: s.get(Thread, w.thread.id).is_pinned),
    "unpin-thread": Case("/threads/{cid}/unpin", MODERATE, lambda s, w, r: s.get(Thread, w.closed.id).is_pinned),
    "move-thread": Case("/threads/{tid}/move", MODERATE, lambda s, w, r: s.get(Thread, w.thread.id).forum_id,
                        lambda w, r: {"forum": w.regional_forum.slug}),
    "hide-post": Case("/threads/{tid}/posts/1/hide", MODERATE, lambda s, w, r: _post_of(s, w.thread.id, 1).is_hidden,
                      lambda w, r: {"reason": "offensivo"}),
    "restore-post": Case("/threads/{tid}/posts/3/restore", MODERATE, lambda s, w, r: _post_of(s, w.thread.id, 3).is_hidden),
    "delete-post": Case("/threads/{tid}/posts/1/delete", AUTHOR_ONLY, lambda s, w, r: _post_of(s, w.thread.id, 1).deleted_at),
    "edit-post": Case("/threads/{tid}/posts/1/edit", AUTHOR_ONLY, lambda s, w, r: _post_of(s, w.thread.id, 1).body,
                      lambda w, r: {"body": "Orari corretti dall'autore", "version": str(w.post_version(1))}),
    "edit-org-post": Case("/threads/{tid}/posts/2/edit", ("302", "403", "403", "403", "302+", "403", "403", "403", "302"),
                          lambda s, w, r: _post_of(s, w.thread.id, 2).body,
                          lambda w, r: {"body": "Apre alle 10, corretto", "version": str(w.post_version(2))}),
    "edit-hidden-post": Case("/threads/{tid}/posts/3/edit", ("302", "403", "403", "403", "403", "403", "403", "403", "302"),
                             lambda s, w, r: _post_of(s, w.thread.id, 3).body,
                             lambda w, r: {"body": "Ora è un messaggio pulito", "version": str(w.post_version(3))}),
    "report-thread": Case("/threads/{tid}/report", MEMBERS_ONLY, lambda s, w, r: _count(s, select(Report.id)),
                          lambda w, r: {"reason": "spam", "message": "pubblicità"}),
    "report-post": Case("/threads/{tid}/posts/1/report", MEMBERS_ONLY, lambda s, w, r: _count(s, select(Report.id)),
                        lambda w, r: {"reason": "offensive"}),
    "report-hidden-thread": Case("/threads/{hid}/report", ("302", "404", "404", "404", "404", "302+", "404", "302+", "302"),
                                 lambda s, w, r: _count(s, select(Report.id)), lambda w, r: {"reason": "spam"}),
}


@pytest.mark.parametrize("name", list(POSTS))
def test_post_by_role(app, world, session, name: str) -> None:  # type: ignore[no-untyped-def]
    """One POST for every role. Each role's attempt runs inside a savepoint rolled back afterwards,
    so every role meets the world as it was built (one-shot tokens included)."""
    case, wrong = POSTS[name], []
    for index, role in enumerate(ROLES):
        savepoint = session.begin_nested()
        try:
            problem = _attempt(app, world, session, case, role, case.expected[index])
        finally:
            savepoint.rollback()
            session.expire_all()
        if problem:
            wrong.append((role, problem))
    assert wrong == [], f"{name}: {wrong}"


def _attempt(app: Flask, world: World, session: Any, case: Case, role: str, expected: str) -> str:
    """Post as ``role``; what went differently from ``expected`` ("" when all is as it should be)."""
    if case.prepare is not None:
        case.prepare(session, world)
        session.flush()
    browser = as_(app, world, role)
    data = case.data(world, role)
    session.expire_all()
    before = case.state(session, world, role)
    response = browser.post_form(case.path.format(**world.ids()), data)
    if response.status_code != int(expected.rstrip("+")):
        return f"status {response.status_code}, expected {expected}"
    if (response.status_code == 302 and role in ("anonymous", "suspended") and not expected.endswith("+")
            and not case.path.startswith("/auth/") and not response.headers["Location"].startswith("/auth/login")):
        return f"sent to {response.headers['Location']}, not to log in"
    session.expire_all()
    after = case.state(session, world, role)
    if expected.endswith("+") and after == before:
        return "nothing changed"
    if not expected.endswith("+") and after != before:
        return f"refused, but the database changed: {before!r} -> {after!r}"
    return ""


def test_org_member_speaks_for_the_organisation(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world, "org_member")
    response = browser.post_form(f"/forums/{world.forum.slug}/new",
                                 {"title": "Una nuova discussione", "body": "Chi viene sabato?", "organization_id": str(world.org.id)})
    assert response.status_code == 302
    made = session.get(Thread, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert made.organization_id == world.org.id
    browser.post_form(f"/threads/{world.thread.id}/reply", {"body": "Rispondiamo noi.", "organization_id": str(world.org.id)})
    session.expire_all()
    assert _post_of(session, world.thread.id, 4).organization_id == world.org.id


REFUSED_SPEAKER = "Puoi scrivere solo a nome di un&#39;organizzazione di cui fai parte."  # the people read Italian


@pytest.mark.parametrize("role", ["citizen", "author", "moderator", "admin"])
def test_nobody_speaks_for_an_organisation_they_do_not_belong_to(app, world, session, role: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world, role)
    threads = _count(session, select(Thread.id).where(Thread.forum_id == world.forum.id))
    posts = _count(session, select(Post.id).where(Post.thread_id == world.thread.id))
    response = browser.post_form(f"/forums/{world.forum.slug}/new",
                                 {"title": "A nome di altri", "body": "Scrivo per loro", "organization_id": str(world.org.id)})
    # The new-thread form comes back with the error at 200, the reply form at 400: either is a refusal.
    assert response.status_code in (200, 400) and REFUSED_SPEAKER in response.get_data(as_text=True)
    response = browser.post_form(f"/threads/{world.thread.id}/reply", {"body": "Scrivo per loro", "organization_id": str(world.org.id)})
    assert response.status_code == 400 and REFUSED_SPEAKER in response.get_data(as_text=True)
    session.expire_all()
    assert _count(session, select(Thread.id).where(Thread.forum_id == world.forum.id)) == threads
    assert _count(session, select(Post.id).where(Post.thread_id == world.thread.id)) == posts


def test_a_suspended_account_cannot_log_in_again(app, world, session) -> None:  # type: ignore[no-untyped-def]
    as_(app, world, "suspended")
    suspended = world.people["suspended"]
    sessions = _count(session, select(UserSession.id).where(UserSession.user_id == suspended.id))
    response = as_(app, world, "anonymous").post_form("/auth/login", {"email": suspended.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    assert _count(session, select(UserSession.id).where(UserSession.user_id == suspended.id)) == sessions == 0


@pytest.mark.parametrize("where", ["own-forum-to-elsewhere", "elsewhere-to-own"])
def test_moderators_move_only_between_forums_they_moderate(app, world, session, where: str) -> None:  # type: ignore[no-untyped-def]
    elsewhere_region = world.people["other_moderator"].roles[0].territory  # type: ignore[union-attr]
    elsewhere = forums.forum_for(elsewhere_region)
    session.flush()
    browser = as_(app, world, "moderator" if where == "own-forum-to-elsewhere" else "other_moderator")
    assert browser.post_form(f"/threads/{world.thread.id}/move", {"forum": elsewhere.slug}).status_code == 403
    session.expire_all()
    assert session.get(Thread, world.thread.id).forum_id == world.forum.id
