"""The notifications pages: the list (grouped by day, unread marked, mark read), e-mail settings,
what I follow, follow buttons, one-click unsubscribe; login, CSRF and other people's data."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from app.db import db
from app.services import follows, forums, notifications
from models import Delivery, Follow, Notification, NotificationPreference
from models.base import utcnow
from tests import factories
from tests.conftest import login
from tests.web.test_query_budget import count_queries

COVERED_ROUTES = {
    "/me/notifications",
    "/me/notifications/read",
    "/me/notifications/<int:notification_id>/read",
    "/me/notifications/settings",
    "/me/following",
    "/follow/<target_type>/<int:target_id>",
    "/unfollow/<target_type>/<int:target_id>",
    "/unsubscribe/<token>",
}


def test_every_route_of_the_blueprint_is_covered(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("notifications.")} == COVERED_ROUTES


def _as(client: Any, person: Any) -> None:
    db.commit()
    assert login(client, person.email, factories.PASSWORD).status_code == 302


def _note(person: Any, title: str = "Sportello serale", kind: str = "proposal.comment", target_id: int = 1,
          target_type: str = "proposal", **data: Any) -> Notification:
    notifications.notify([person.id], kind, target_type, target_id, dedupe_key=title[:60], title=title, **data)
    return db.session.scalar(select(Notification).where(Notification.user_id == person.id).order_by(Notification.id.desc()))


@pytest.mark.parametrize("path", ["/me/notifications", "/me/notifications/settings", "/me/following"])
def test_personal_pages_ask_visitors_to_log_in(client, path: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(path)
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


@pytest.mark.parametrize("path", ["/me/notifications/read", "/me/notifications/1/read", "/follow/organization/1", "/unfollow/organization/1"])
def test_buttons_ask_visitors_to_log_in(client, path: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.post_form(path)
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]


def test_the_list_groups_by_day_marks_unread_and_escapes_titles(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    old = _note(person, "Ieri")
    old.created_at = utcnow() - timedelta(days=1)
    old.read_at = utcnow()
    _note(person, '<script>alert("x")</script> Corsi', kind="thread.reply", target_type="thread", actor="<b>Giulia</b>", position=3)
    _note(person, "Mystery", kind="future.kind")
    _as(client, person)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Today" in page and "Yesterday" in page
    assert page.index("Today") < page.index("Yesterday")
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "&lt;b&gt;Giulia&lt;/b&gt;" in page
    assert "Something new about “Mystery”." in page  # an unknown kind still says something
    assert page.count("Mark as read") == 2 and "Mark all as read" in page
    assert 'href="/threads/1#post-3"' in page
    assert re.search(r'<span class="visually-hidden">, 2 unread</span>', page)


def test_the_list_pages_and_rejects_bad_page_numbers(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    for n in range(notifications.PER_PAGE + 3):
        _note(person, f"Proposta {n:02d}")
    _as(client, person)
    first = client.get("/me/notifications").get_data(as_text=True)
    second = client.get("/me/notifications?page=2").get_data(as_text=True)
    assert "Proposta 32" in first and "Proposta 00" not in first and 'rel="next"' in first
    assert "Proposta 00" in second and 'rel="prev"' in second
    for bad in ("abc", "0", "-1", "99999"):
        assert client.get(f"/me/notifications?page={bad}").status_code == 400


def test_the_list_runs_the_same_queries_for_5_or_40_notifications(client, session, engine) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for n in (5, 40):
        person = factories.user()
        for i in range(n):
            _note(person, f"Tema {i}", kind=["proposal.comment", "membership.requested", "thread.reply"][i % 3], target_id=i + 1)
        org = factories.organization()
        notifications.notify([person.id], "membership.requested", "organization", org.id, person="X", organization=org.name)
        _as(client, person)
        with count_queries(engine) as statements:
            assert client.get("/me/notifications").status_code == 200
        counts.append(len(statements))
        client.post_form("/auth/logout")
    assert counts[0] == counts[1] and counts[1] <= 8, counts


def test_marking_one_as_read_needs_the_token_and_ones_own_notification(client, session) -> None:  # type: ignore[no-untyped-def]
    person, other = factories.user(), factories.user()
    mine, theirs = _note(person), _note(other)
    _as(client, person)
    assert client.post(f"/me/notifications/{mine.id}/read").status_code == 400  # no CSRF token
    session.refresh(mine)
    assert mine.read_at is None
    assert client.post_form(f"/me/notifications/{theirs.id}/read").status_code == 404
    assert client.post_form("/me/notifications/99999999/read").status_code == 404
    session.refresh(theirs)
    assert theirs.read_at is None
    answer = client.post_form(f"/me/notifications/{mine.id}/read", {"next": "https://evil.example/x"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/me/notifications"
    session.refresh(mine)
    assert mine.read_at is not None


def test_mark_all_as_read_needs_the_token_and_clears_the_header_count(client, session) -> None:  # type: ignore[no-untyped-def]
    person, other = factories.user(locale="en"), factories.user()
    for n in range(3):
        _note(person, f"N{n}")
    untouched = _note(other)
    _as(client, person)
    assert ", 3 unread" in client.get("/me/notifications").get_data(as_text=True)
    assert client.post("/me/notifications/read").status_code == 400
    assert client.post_form("/me/notifications/read").status_code == 302
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "unread</span>" not in page and "You have no unread notifications." in page
    session.refresh(untouched)
    assert untouched.read_at is None


def test_settings_show_and_save_delivery_and_types(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    _as(client, person)
    page = client.get("/me/notifications/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="daily"', page) and page.count('name="types"') == len(notifications.TYPES)
    wanted = [t for t in notifications.TYPES if t not in ("following", "moderation")]
    assert client.post("/me/notifications/settings", data={"delivery": "weekly", "types": wanted}).status_code == 400
    assert client.post_form("/me/notifications/settings", {"delivery": "weekly", "types": wanted}).status_code == 302
    pref = session.get(NotificationPreference, person.id)
    assert pref.delivery == Delivery.WEEKLY and sorted(pref.opted_out) == ["following", "moderation"]
    again = client.get("/me/notifications/settings").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="weekly"', again)
    assert client.post_form("/me/notifications/settings", {"delivery": "hourly", "types": wanted}).status_code == 400
    assert client.post_form("/me/notifications/settings", {"delivery": "daily", "types": ["spam"]}).status_code == 400
    session.refresh(pref)
    assert pref.delivery == Delivery.WEEKLY


def test_follow_and_unfollow_need_the_token_and_go_back_safely(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    org = factories.organization()
    _as(client, person)
    assert client.post(f"/follow/organization/{org.id}").status_code == 400
    assert not follows.is_following(person, "organization", org.id)
    answer = client.post_form(f"/follow/organization/{org.id}", {"next": f"/organizations/{org.slug}"})
    assert answer.status_code == 302 and answer.headers["Location"] == f"/organizations/{org.slug}"
    assert follows.is_following(person, "organization", org.id)
    page = client.get(f"/organizations/{org.slug}").get_data(as_text=True)
    assert "You follow this." in page and f'action="/unfollow/organization/{org.id}"' in page
    following = client.get("/me/following").get_data(as_text=True)
    assert org.name in following and f'href="/organizations/{org.slug}"' in following
    assert client.post(f"/unfollow/organization/{org.id}").status_code == 400
    answer = client.post_form(f"/unfollow/organization/{org.id}", {"next": "//evil.example"})
    assert answer.headers["Location"] == "/me/following"
    assert session.scalar(select(Follow).where(Follow.user_id == person.id)) is None


@pytest.mark.parametrize("target", ["user/1", "organization/99999999", "report/1"])
def test_following_what_does_not_exist_answers_404(client, session, target: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, factories.user())
    assert client.post_form(f"/follow/{target}").status_code == 404


def test_a_hidden_organisation_cannot_be_followed_by_outsiders(client, session) -> None:  # type: ignore[no-untyped-def]
    hidden = factories.organization(is_hidden=True)
    _as(client, factories.user())
    assert client.post_form(f"/follow/organization/{hidden.id}").status_code == 404


def test_pages_show_follow_buttons_and_visitors_a_login_link(client, session) -> None:  # type: ignore[no-untyped-def]
    forum = forums.forum_for(factories.chain()[2])
    author = factories.user(created_at=utcnow() - timedelta(days=30), locale="en")
    thread = forums.create_thread(author, forum, forums.ThreadDraft(title="Orari dello sportello", body="Qualcuno sa?"))
    org = factories.organization()
    db.commit()
    assert "Log in to follow" in client.get(f"/organizations/{org.slug}?lang=en").get_data(as_text=True)
    _as(client, author)
    assert f'action="/follow/organization/{org.id}"' in client.get(f"/organizations/{org.slug}").get_data(as_text=True)
    assert f'action="/follow/forum/{forum.id}"' in client.get(f"/forums/{forum.slug}").get_data(as_text=True)
    assert f'action="/unfollow/thread/{thread.id}"' in client.get(f"/threads/{thread.id}").get_data(as_text=True)


# ---------------------------------------------------------------- one-click unsubscribe


def test_unsubscribe_asks_first_then_stops_all_mail_without_login(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    token = notifications.unsubscribe_token(person.id)
    db.commit()
    page = client.get(f"/unsubscribe/{token}?lang=en").get_data(as_text=True)
    assert "Do you want to stop all e-mails about your notifications?" in page
    assert notifications.preferences(person).delivery == Delivery.DAILY  # a link scanner opening it changes nothing
    done = client.post(f"/unsubscribe/{token}?lang=en")
    assert done.status_code == 200 and "Done" in done.get_data(as_text=True)
    assert session.get(NotificationPreference, person.id).delivery == Delivery.NEVER


def test_one_click_unsubscribe_of_one_type_works_as_rfc_8058_post(client, session) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    token = notifications.unsubscribe_token(person.id, "replies")
    db.commit()
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    pref = session.get(NotificationPreference, person.id)
    assert pref.opted_out == ["replies"] and pref.delivery == Delivery.DAILY


def test_a_tampered_token_is_refused_with_a_friendly_page_and_changes_nothing(client, session) -> None:  # type: ignore[no-untyped-def]
    victim, attacker = factories.user(), factories.user()
    mine = notifications.unsubscribe_token(attacker.id)
    payload, _, signature = mine.rpartition(".")
    forged_payload = notifications.unsubscribe_token(victim.id).rpartition(".")[0]
    db.commit()
    for bad in (f"{forged_payload}.{signature}", mine[:-2] + "xx", "nonsense", "a" * 400):
        answer = client.post(f"/unsubscribe/{bad}?lang=en")
        assert answer.status_code == 404 and "This link is not valid" in answer.get_data(as_text=True)
        assert client.get(f"/unsubscribe/{bad}").status_code == 404
    assert session.get(NotificationPreference, victim.id) is None
    client.post(f"/unsubscribe/{mine}")
    assert session.get(NotificationPreference, victim.id) is None  # the attacker's own link stops only their mail
    assert session.get(NotificationPreference, attacker.id).delivery == Delivery.NEVER
    assert payload


def test_a_token_from_another_secret_is_refused(client, session) -> None:  # type: ignore[no-untyped-def]
    from itsdangerous import URLSafeSerializer

    person = factories.user()
    db.commit()
    forged = URLSafeSerializer("another-secret", salt="ponte.unsubscribe").dumps([person.id, "all"])
    assert client.post(f"/unsubscribe/{forged}").status_code == 404
    assert session.get(NotificationPreference, person.id) is None
