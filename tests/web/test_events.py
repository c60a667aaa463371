"""Event pages over HTTP: route × role, publishing and editing through the form, one date of a
series, registrations with a waiting list, approval, attendee lists and CSV for organisers only,
check-in, the online link, translations, co-organisers, the personal area, XSS in every sink."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.security.ratelimit import limiter
from app.services import events, labs, registrations
from app.services.events import EventDraft
from app.services.labs import LabDraft
from models import (
    Event,
    EventOrganizer,
    EventSession,
    EventTranslation,
    MemberRole,
    Notification,
    Organization,
    OrganizerStatus,
    OrgKind,
    RegistrationStatus,
    SessionStatus,
    Territory,
    User,
)
from tests import factories
from tests.conftest import Client, login
from tests.web.test_forums import _assert_inert

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/events/new",
    "/events/<int:event_id>",
    "/events/<int:event_id>/edit",
    "/events/<int:event_id>/cancel",
    "/events/<int:event_id>/sessions/<int:session_id>",
    "/events/<int:event_id>/sessions/<int:session_id>/cancel",
    "/events/<int:event_id>/register",
    "/events/<int:event_id>/sessions/<int:session_id>/unregister",
    "/events/<int:event_id>/attendees",
    "/events/<int:event_id>/attendees.csv",
    "/events/<int:event_id>/registrations/<int:registration_id>/<any(approve, decline):answer>",
    "/events/<int:event_id>/registrations/<int:registration_id>/<any(checkin, undo):action>",
    "/events/<int:event_id>/translations",
    "/events/<int:event_id>/organizers",
    "/events/<int:event_id>/organizers/<int:organization_id>/<any(accept, decline):answer>",
}

ROLES = ("anonymous", "citizen", "organiser", "co_organiser", "member", "other_official", "admin")
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "[x](javascript:alert(1))"]
DESCRIPTION = "Un corso di italiano per adulti, livello A1. Portate un quaderno e una penna."


def person(**kw: Any) -> User:
    return factories.user(**{"locale": "en", **kw})


def day(offset: int = 10) -> date:
    return datetime.now(events.ROME).date() + timedelta(days=offset)


def draft(place: Territory, **kw: Any) -> EventDraft:
    data: dict[str, Any] = {"title": "Corso di italiano", "description": DESCRIPTION, "kind": "italian_l2", "starts_on": day(),
                            "start_time": time(18), "end_time": time(20), "venue": "Biblioteca comunale", "address": "Via Roma 1",
                            "territory": place.istat_code, "capacity": 2}
    data.update(kw)
    return EventDraft(**data)


def form(place: Territory, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"title": "Laboratorio di cucina", "description": DESCRIPTION, "kind": "workshop", "language": "it",
                            "starts_on": day().isoformat(), "start_time": "18:00", "end_time": "20:00",
                            "recurrence": "none", "mode": "in_person", "venue": "Biblioteca comunale", "address": "Via Roma 1",
                            "territory": place.istat_code, "step_free": "yes", "registration_mode": "open", "capacity": "20"}
    data.update(kw)
    return data


@dataclass
class World:
    comune: Territory
    org: Organization
    co_org: Organization
    event: Event
    first: EventSession
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"eid": self.event.id, "sid": self.first.id, "slug": self.org.slug}


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    organiser, co_admin = person(home=comune), person(home=comune)
    org = factories.organization("Casa dei Popoli", home=comune, admin=organiser, verified=True)
    co_org = factories.organization("Scuola Aperta", kind=OrgKind.SCHOOL, home=comune, admin=co_admin, verified=True)
    member = person(home=comune)
    factories.member(org, member, MemberRole.MEMBER)
    other_official = person()
    other = factories.organization("Comune Altrove", kind=OrgKind.LOCAL_AUTHORITY, verified=True)
    factories.member(other, other_official, MemberRole.OFFICIAL)
    event = events.create_event(organiser, org, draft(comune))
    session.add(EventOrganizer(event_id=event.id, organization_id=co_org.id, status=OrganizerStatus.ACCEPTED))
    session.flush()
    session.expire(event, ["organizers"])
    people = {"anonymous": None, "citizen": person(home=comune), "organiser": organiser, "co_organiser": co_admin,
              "member": member, "other_official": other_official, "admin": factories.admin(locale="en")}
    return World(comune, org, co_org, event, events.list_sessions(event)[0], people)


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


# ---------------------------------------------------------------- route × role

MATRIX = {
    "/events/new": (302, 200, 200, 200, 200, 200, 200),
    "/events/new?org={slug}": (302, 403, 200, 403, 403, 403, 200),
    "/events/{eid}": (200, 200, 200, 200, 200, 200, 200),
    "/events/{eid}/edit": (302, 403, 200, 200, 403, 403, 200),
    "/events/{eid}/sessions/{sid}": (302, 403, 200, 200, 403, 403, 200),
    "/events/{eid}/attendees": (302, 403, 200, 200, 403, 403, 200),
    "/events/{eid}/attendees?session={sid}": (302, 403, 200, 200, 403, 403, 200),
    "/events/{eid}/attendees.csv": (302, 403, 200, 200, 403, 403, 200),
    "/events/{eid}/translations": (302, 403, 200, 200, 403, 403, 200),
    "/events/999999": (404, 404, 404, 404, 404, 404, 404),
    "/events/{eid}/sessions/999999": (302, 403, 404, 404, 403, 403, 404),
    "/events/{eid}/attendees?session=abc": (302, 403, 400, 400, 403, 403, 400),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[ROLES[role_index]])
    response = browser.get(path.format(**world.ids()))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


ORGANISER_POSTS = {
    "/events/{eid}/cancel": {"cancel-reason": "Maltempo"},
    "/events/{eid}/sessions/{sid}": {"form": "capacity", "capacity": "5"},
    "/events/{eid}/sessions/{sid}/cancel": {"cancel-reason": "Festa"},
    "/events/{eid}/translations": {"language": "en", "title": "Italian course", "description": ""},
    "/events/{eid}/organizers": {"organization": "anything"},
    "/events/{eid}/registrations/{rid}/approve": {"session_id": "{sid}"},
    "/events/{eid}/registrations/{rid}/checkin": {"session_id": "{sid}"},
}


@pytest.mark.parametrize("path", list(ORGANISER_POSTS))
@pytest.mark.parametrize("role", ["citizen", "member", "other_official"])
def test_organiser_actions_are_refused_to_everyone_else(app, world, session, path: str, role: str) -> None:  # type: ignore[no-untyped-def]
    registration, _ = registrations.register(world.people["citizen"], world.first)
    ids = {**world.ids(), "rid": registration.id}
    data = {k: v.format(**ids) for k, v in ORGANISER_POSTS[path].items()}
    browser = as_(app, world.people[role])
    assert browser.post_form(path.format(**ids), data).status_code == 403
    session.expire_all()
    assert world.event.cancelled_at is None and world.first.status == SessionStatus.SCHEDULED and world.first.capacity is None
    assert events.translations(world.event) == [] and registrations.registration_of(world.people["citizen"], world.first).attended_at is None


def test_visitors_are_sent_to_log_in_and_posts_need_the_csrf_token(app, world, session) -> None:  # type: ignore[no-untyped-def]
    visitor = as_(app, None)
    response = visitor.post_form(f"/events/{world.event.id}/register", {"session_id": str(world.first.id)})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    citizen = as_(app, world.people["citizen"])
    assert citizen.post(f"/events/{world.event.id}/register", data={"session_id": str(world.first.id)}).status_code == 400
    assert registrations.registration_of(world.people["citizen"], world.first) is None


def test_hidden_organisation_events_answer_404(app, world, session) -> None:  # type: ignore[no-untyped-def]
    world.org.is_hidden = True
    session.flush()
    assert as_(app, world.people["citizen"]).get(f"/events/{world.event.id}").status_code == 404
    assert as_(app, world.people["organiser"]).get(f"/events/{world.event.id}").status_code == 200


def test_choose_page_explains_who_can_publish(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, world.people["citizen"]), "/events/new")
    assert "admins, officials and school staff" in html
    html = page(as_(app, world.people["organiser"]), "/events/new")
    assert f"/events/new?org={world.org.slug}" in html
    org_page = page(as_(app, world.people["organiser"]), f"/organizations/{world.org.slug}")
    assert f"/events/new?org={world.org.slug}" in org_page
    assert f"/events/new?org={world.org.slug}" not in page(as_(app, world.people["member"]), f"/organizations/{world.org.slug}")


# ---------------------------------------------------------------- publishing


def _publish(app: Flask, world: World, **kw: Any) -> tuple[Any, Event]:
    browser = as_(app, world.people["organiser"])
    response = browser.post_form(f"/events/new?org={world.org.slug}", form(world.comune, **kw))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    event_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return browser, events.get_event(None, event_id)


def test_the_form_groups_fields_with_legends_and_html5_inputs(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, world.people["organiser"]), f"/events/new?org={world.org.slug}")
    for legend in ("What", "When", "Where", "Accessibility", "Registration"):
        assert f"<legend>{legend}</legend>" in html
    assert 'type="date"' in html and 'type="time"' in html and 'type="url"' in html
    assert 'id="recurrence-1" name="recurrence" type="radio" value="weekly"' in html
    assert '<input checked class="form-check-input" id="step_free-2" name="step_free" type="radio" value="unknown">' in html
    assert 'name="languages" type="checkbox" value="ar"' in html and 'lang="ar" dir="rtl"' in html


def test_publish_a_single_event_through_the_form(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser, event = _publish(app, world, languages=["it", "ar"], interpretation_languages=["uk"], childcare="y",
                              accessibility_notes="Rampa sul retro")
    assert [(events.local(s.starts_at).time(), events.local(s.ends_at).time()) for s in events.list_sessions(event)] == [(time(18), time(20))]
    html = page(browser, f"/events/{event.id}")
    assert "Laboratorio di cucina" in html and "6:00" in html and "Italian time" in html
    assert "Rampa sul retro" in html and "Українська" in html and "العربية" in html
    assert f'href="/events/{event.id}.ics"' in html
    assert "Organiser tools" in html and "Scuola Aperta" not in html


def test_publish_a_weekly_series_until_a_day(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser, event = _publish(app, world, recurrence="weekly", repeat_until=day(10 + 28).isoformat())
    sessions = events.list_sessions(event)
    assert len(sessions) == 5 and event.rrule == "FREQ=WEEKLY;COUNT=5"
    assert {events.local(s.starts_at).time() for s in sessions} == {time(18)}
    html = page(browser, f"/events/{event.id}")
    assert html.count('id="session-') == 5 and html.count("Change this date") == 5
    assert "Register for all dates" in page(as_(app, world.people["citizen"]), f"/events/{event.id}")


def test_publish_an_all_day_event(app, world) -> None:  # type: ignore[no-untyped-def]
    browser, event = _publish(app, world, all_day="y", start_time="", end_time="", ends_on=day(11).isoformat())
    only = events.list_sessions(event)[0]
    assert events.local(only.starts_at).time() == time(0) and events.local(only.ends_at).date() == day(12)
    html = page(browser, f"/events/{event.id}")
    assert "from " in html and " to " in html


def test_online_link_only_for_confirmed_people_when_the_organiser_wants(app, world, session) -> None:  # type: ignore[no-untyped-def]
    _, event = _publish(app, world, mode="online", venue="", online_url="https://meet.example.org/corso",
                        online_url_registrants_only="y", capacity="1")
    link = "https://meet.example.org/corso"
    assert link not in page(as_(app, None), f"/events/{event.id}")
    first, second = world.people["citizen"], world.people["member"]
    for who in (first, second):
        as_(app, who).post_form(f"/events/{event.id}/register", {"session_id": str(events.list_sessions(event)[0].id)})
    assert link in page(as_(app, first), f"/events/{event.id}")
    waiting = page(as_(app, second), f"/events/{event.id}")
    assert link not in waiting and "you are number 1" in waiting
    assert link in page(as_(app, world.people["organiser"]), f"/events/{event.id}")


def test_errors_are_shown_on_the_fields_and_the_input_is_kept(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["organiser"])
    data = form(world.comune, title="Festa di quartiere", description="Troppo corto", venue="", online_url="javascript:alert(1)",
                mode="hybrid", recurrence="weekly", repeat_until="")
    response = browser.post_form(f"/events/new?org={world.org.slug}", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Festa di quartiere"' in html and "Troppo corto" in html
    assert 'aria-describedby="description-help description-error"' in html and 'aria-invalid="true"' in html
    for message in ("Describe the event in 20 to 20,000 characters", "Write where it takes place", "https://",
                    "Choose the last day of the series"):
        assert message in html
    assert 'href="javascript:' not in html
    assert session.scalar(select(Event).where(Event.title == "Festa di quartiere")) is None
    other_lab = labs.create_lab(world.people["admin"], world.co_org, LabDraft(
        title="Laboratorio della scuola", description="Proposte degli studenti per la scuola.", territory=world.comune.istat_code,
        proposals_on=day(-2), support_threshold=2, votes_per_participant=2, response_days=30))
    response = browser.post_form(f"/events/new?org={world.org.slug}", form(world.comune, lab_id=str(other_lab.id)))
    assert response.status_code == 400 and "Not a valid choice." in response.get_data(as_text=True)


# ---------------------------------------------------------------- editing and cancelling


def test_edit_with_a_version_conflict_keeps_the_input(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["organiser"])
    html = page(browser, f"/events/{world.event.id}/edit")
    assert 'value="Corso di italiano"' in html and f'value="{day().isoformat()}"' in html and 'value="18:00"' in html
    seen = world.event.version
    events.update_event(world.people["co_organiser"], world.event, draft(world.comune, title="Corso di italiano A2"), seen)
    session.flush()
    data = form(world.comune, title="Corso serale di italiano", kind="italian_l2", capacity="2", version=str(seen))
    response = browser.post_form(f"/events/{world.event.id}/edit", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this event" in html and 'value="Corso serale di italiano"' in html
    assert f'name="version" type="hidden" value="{seen + 1}"' in html
    response = browser.post_form(f"/events/{world.event.id}/edit", {**data, "version": str(seen + 1)})
    assert response.status_code == 302
    session.expire_all()
    assert world.event.title == "Corso serale di italiano"


def test_changing_the_time_keeps_registrations_and_more_places_move_the_queue(app, world, session) -> None:  # type: ignore[no-untyped-def]
    people = [person() for _ in range(3)]
    for who in people:
        registrations.register(who, world.first)
    browser = as_(app, world.people["organiser"])
    data = form(world.comune, title="Corso di italiano", kind="italian_l2", start_time="19:00", end_time="21:00",
                capacity="3", version=str(world.event.version))
    assert browser.post_form(f"/events/{world.event.id}/edit", data).status_code == 302
    session.expire_all()
    sessions = events.list_sessions(world.event)
    assert [s.id for s in sessions] == [world.first.id] and events.local(sessions[0].starts_at).time() == time(19)
    assert [registrations.registration_of(p, world.first).status for p in people] == [RegistrationStatus.CONFIRMED] * 3
    assert session.scalar(select(Notification).where(Notification.user_id == people[2].id, Notification.kind == "event.promoted"))
    moved = {**data, "starts_on": day(12).isoformat(), "version": str(world.event.version)}
    assert browser.post_form(f"/events/{world.event.id}/edit", moved).status_code == 302
    session.expire_all()
    assert [s.id for s in events.list_sessions(world.event)] == [world.first.id] and events.local(world.first.starts_at).date() == day(12)
    assert registrations.registration_of(people[0], world.first).status == RegistrationStatus.CONFIRMED


def test_cancel_the_event_shows_a_banner_and_tells_registrants(app, world, session) -> None:  # type: ignore[no-untyped-def]
    citizen = world.people["citizen"]
    registrations.register(citizen, world.first)
    browser = as_(app, world.people["organiser"])
    response = browser.post_form(f"/events/{world.event.id}/cancel", {"cancel-reason": ""}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Write the reason" in response.get_data(as_text=True)
    response = browser.post_form(f"/events/{world.event.id}/cancel", {"cancel-reason": "La sala non è disponibile"})
    assert response.status_code == 302
    html = page(as_(app, citizen), f"/events/{world.event.id}")
    assert "This event is cancelled." in html and "La sala non è disponibile" in html and ">Register<" not in html
    notice = session.scalar(select(Notification).where(Notification.user_id == citizen.id, Notification.kind == "event.cancelled"))
    assert notice is not None and notice.data["reason"] == "La sala non è disponibile"
    assert browser.get(f"/events/{world.event.id}/edit").status_code == 302


def test_move_one_date_and_cancel_another(app, world, session) -> None:  # type: ignore[no-untyped-def]
    event = events.create_event(world.people["organiser"], world.org, draft(world.comune, recurrence="weekly", repeat_until=day(24)))
    first, second, _ = events.list_sessions(event)
    citizen = world.people["citizen"]
    registrations.register(citizen, first)
    registrations.register(citizen, second)
    browser = as_(app, world.people["organiser"])
    url = f"/events/{event.id}/sessions/{first.id}"
    assert 'value="18:00"' in page(browser, url)
    bad = browser.post_form(url, {"form": "move", "day": day(11).isoformat(), "start_time": "20:00", "end_time": "19:00", "note": "Sala 2"})
    assert bad.status_code == 400 and "The end must come after the start." in bad.get_data(as_text=True)
    moved = browser.post_form(url, {"form": "move", "day": day(11).isoformat(), "start_time": "17:00", "end_time": "19:00", "note": "Sala 2"})
    assert moved.status_code == 302
    assert browser.post_form(f"/events/{event.id}/sessions/{second.id}/cancel", {"cancel-reason": "Festa nazionale"}).status_code == 302
    session.expire_all()
    assert first.is_changed and events.local(first.starts_at).time() == time(17) and second.status == SessionStatus.CANCELLED
    html = page(as_(app, citizen), f"/events/{event.id}")
    assert "Sala 2" in html and "Changed" in html and "Cancelled" in html and "Festa nazionale" in html
    kinds = set(session.scalars(select(Notification.kind).where(Notification.user_id == citizen.id)))
    assert {"event.session_changed", "event.session_cancelled"} <= kinds


def test_one_date_gets_its_own_places(app, world, session) -> None:  # type: ignore[no-untyped-def]
    people = [person() for _ in range(3)]
    for who in people:
        registrations.register(who, world.first)
    browser = as_(app, world.people["organiser"])
    url = f"/events/{world.event.id}/sessions/{world.first.id}"
    assert browser.post_form(url, {"form": "capacity", "capacity": "0"}).status_code == 400
    assert browser.post_form(url, {"form": "capacity", "capacity": "3"}).status_code == 302
    session.expire_all()
    assert world.first.capacity == 3 and registrations.registration_of(people[2], world.first).status == RegistrationStatus.CONFIRMED


# ---------------------------------------------------------------- registrations


def test_capacity_two_four_people_and_a_cancellation_promotes_the_first_waiting(app, world, session) -> None:  # type: ignore[no-untyped-def]
    people = [person() for _ in range(4)]
    browsers = [as_(app, p) for p in people]
    url = f"/events/{world.event.id}/register"
    for browser in browsers:
        assert browser.post_form(url, {"session_id": str(world.first.id)}).status_code == 302
    statuses = [registrations.registration_of(p, world.first).status for p in people]
    assert statuses == [RegistrationStatus.CONFIRMED] * 2 + [RegistrationStatus.WAITING] * 2
    html = page(browsers[3], f"/events/{world.event.id}")
    assert "you are number 2" in html and "Full: you can join the waiting list." in html
    again = browsers[0].post_form(url, {"session_id": str(world.first.id)}, follow_redirects=True)
    assert again.status_code == 200 and "You are already registered for this date." in again.get_data(as_text=True)
    response = browsers[0].post_form(f"/events/{world.event.id}/sessions/{world.first.id}/unregister", follow_redirects=True)
    assert "Your registration is cancelled." in response.get_data(as_text=True)
    twice = browsers[0].post_form(f"/events/{world.event.id}/sessions/{world.first.id}/unregister", follow_redirects=True)
    assert twice.status_code == 200 and "You were not registered for this date." in twice.get_data(as_text=True)
    session.expire_all()
    assert registrations.registration_of(people[2], world.first).status == RegistrationStatus.CONFIRMED
    assert registrations.registration_of(people[3], world.first).status == RegistrationStatus.WAITING
    assert session.scalar(select(Notification).where(Notification.user_id == people[2].id, Notification.kind == "event.promoted"))
    assert "you are number 1" in page(browsers[3], f"/events/{world.event.id}")
    assert "Place confirmed" in page(browsers[2], f"/events/{world.event.id}")


def test_register_for_all_dates_of_a_series(app, world, session) -> None:  # type: ignore[no-untyped-def]
    event = events.create_event(world.people["organiser"], world.org, draft(world.comune, recurrence="weekly", repeat_until=day(24)))
    browser = as_(app, world.people["citizen"])
    response = browser.post_form(f"/events/{event.id}/register", {"session_id": "all"}, follow_redirects=True)
    assert "You are registered for every upcoming date." in response.get_data(as_text=True)
    assert len(registrations.my_registrations(world.people["citizen"], event)) == 3
    again = browser.post_form(f"/events/{event.id}/register", {"session_id": "all"}, follow_redirects=True)
    assert "You are already registered for every date" in again.get_data(as_text=True)
    assert browser.post_form(f"/events/{event.id}/register", {"session_id": "nope"}).status_code == 400
    assert browser.post_form(f"/events/{event.id}/register", {"session_id": str(world.first.id)}).status_code == 404


def test_unconfirmed_people_and_visitors_see_why_they_cannot_register(app, world, session) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, None), f"/events/{world.event.id}")
    assert "Log in to register" in html and f"/auth/login?next=/events/{world.event.id}" in html
    unconfirmed = person(confirmed=False)
    browser = as_(app, unconfirmed)
    assert "Confirm your e-mail address to register." in page(browser, f"/events/{world.event.id}")
    response = browser.post_form(f"/events/{world.event.id}/register", {"session_id": str(world.first.id)}, follow_redirects=True)
    assert response.status_code == 200 and "Confirm your e-mail address" in response.get_data(as_text=True)
    assert registrations.registration_of(unconfirmed, world.first) is None


def test_registration_by_approval(app, world, session) -> None:  # type: ignore[no-untyped-def]
    event = events.create_event(world.people["organiser"], world.org, draft(world.comune, registration_mode="approval"))
    only = events.list_sessions(event)[0]
    asker, other = world.people["citizen"], world.people["member"]
    for who in (asker, other):
        as_(app, who).post_form(f"/events/{event.id}/register", {"session_id": str(only.id)})
    assert "Waiting for the organisers" in page(as_(app, asker), f"/events/{event.id}")
    organiser = as_(app, world.people["organiser"])
    html = page(organiser, f"/events/{event.id}/attendees")
    assert "Approve" in html and asker.display_name in html
    first, second = (registrations.registration_of(p, only) for p in (asker, other))
    assert organiser.post_form(f"/events/{event.id}/registrations/{first.id}/approve", {"session_id": str(only.id)}).status_code == 302
    assert organiser.post_form(f"/events/{event.id}/registrations/{second.id}/decline", {"session_id": str(only.id)}).status_code == 302
    again = organiser.post_form(f"/events/{event.id}/registrations/{second.id}/approve", {"session_id": str(only.id)}, follow_redirects=True)
    assert "This request was already answered." in again.get_data(as_text=True)
    session.expire_all()
    assert (first.status, second.status) == (RegistrationStatus.CONFIRMED, RegistrationStatus.DECLINED)
    assert "Not accepted" in page(as_(app, other), f"/events/{event.id}")
    wrong = organiser.post_form(f"/events/{event.id}/registrations/{first.id}/approve", {"session_id": str(world.first.id)})
    assert wrong.status_code == 404  # a date of another event


def test_rate_limit_on_registering(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "RATELIMIT_PARTICIPATE", "2 per minute")
    limiter.enabled = True
    limiter.reset()
    try:
        browser = as_(app, world.people["citizen"])
        codes = [browser.post_form(f"/events/{world.event.id}/register", {"session_id": str(world.first.id)}).status_code for _ in range(3)]
    finally:
        limiter.enabled = False
    assert codes == [302, 302, 429]


# ---------------------------------------------------------------- attendees


def test_attendee_list_check_in_and_csv_for_organisers_only(app, world, session) -> None:  # type: ignore[no-untyped-def]
    sneaky = person(name="=cmd|' /C calc'!A0")
    citizen = world.people["citizen"]
    registrations.register(sneaky, world.first)
    registrations.register(citizen, world.first)
    registrations.register(person(), world.first)
    organiser = as_(app, world.people["organiser"])
    html = page(organiser, f"/events/{world.event.id}/attendees?session={world.first.id}")
    assert "=cmd|&#39; /C calc&#39;!A0" in html and "Check in" in html and "2 / 2" in html
    mine = registrations.registration_of(citizen, world.first)
    response = organiser.post_form(f"/events/{world.event.id}/registrations/{mine.id}/checkin", {"session_id": str(world.first.id)})
    assert response.status_code == 302
    session.expire_all()
    assert mine.attended_at is not None
    assert "Undo check-in" in page(organiser, f"/events/{world.event.id}/attendees")
    organiser.post_form(f"/events/{world.event.id}/registrations/{mine.id}/undo", {"session_id": str(world.first.id)})
    session.expire_all()
    assert mine.attended_at is None
    response = organiser.get(f"/events/{world.event.id}/attendees.csv?session={world.first.id}")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment;") and "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "name" and len(rows) == 4
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "'=cmd|' /C calc'!A0" in [row[0] for row in rows]
    for who in ("anonymous", "citizen", "member"):
        assert as_(app, world.people[who]).get(f"/events/{world.event.id}/attendees.csv").status_code in (302, 403)
    assert "calc" not in page(as_(app, citizen), f"/events/{world.event.id}")  # the list is never public


# ---------------------------------------------------------------- translations and co-organisers


def test_translations_are_shown_in_the_readers_language(app, world, session) -> None:  # type: ignore[no-untyped-def]
    organiser = as_(app, world.people["organiser"])
    url = f"/events/{world.event.id}/translations"
    assert organiser.post_form(url, {"language": "it", "title": "Corso", "description": ""}).status_code == 400
    response = organiser.post_form(url, {"language": "en", "title": "Italian course", "description": "A course for adults, **level A1**."})
    assert response.status_code == 302
    assert 'value="Italian course"' in page(organiser, f"{url}?language=en")
    reader = as_(app, world.people["citizen"])  # reads English
    html = page(reader, f"/events/{world.event.id}")
    assert "Italian course" in html and "<strong>level A1</strong>" in html and "Translated from Italiano." in html
    original = page(reader, f"/events/{world.event.id}?original=1")
    assert "<h1" in original and "Corso di italiano</h1>" in original
    italian = page(as_(app, person(locale="it")), f"/events/{world.event.id}")
    assert "Corso di italiano</h1>" in italian and "Italian course" not in italian
    organiser.post_form(url, {"language": "en", "remove": "1"})
    assert session.scalar(select(EventTranslation).where(EventTranslation.event_id == world.event.id)) is None


def test_invite_a_co_organiser_who_accepts_from_the_personal_area(app, world, session) -> None:  # type: ignore[no-untyped-def]
    guest_admin = person()
    guest = factories.organization("Rete Donne Migranti", admin=guest_admin, verified=True)
    organiser = as_(app, world.people["organiser"])
    response = organiser.post_form(f"/events/{world.event.id}/organizers", {"organization": f"https://ponte.test/organizations/{guest.slug}"},
                                   follow_redirects=True)
    assert "The invitation is sent." in response.get_data(as_text=True)
    again = organiser.post_form(f"/events/{world.event.id}/organizers", {"organization": "Rete Donne Migranti"}, follow_redirects=True)
    assert "This organisation is already invited." in again.get_data(as_text=True)
    missing = organiser.post_form(f"/events/{world.event.id}/organizers", {"organization": "Nessuna"}, follow_redirects=True)
    assert "We could not find this organisation." in missing.get_data(as_text=True)
    browser = as_(app, guest_admin)
    home = page(browser, "/me")
    assert "Invitations to co-organise" in home and "Corso di italiano" in home
    url = f"/events/{world.event.id}/organizers/{guest.id}/accept"
    assert as_(app, world.people["citizen"]).post_form(url, {"next": "/me"}).status_code == 403
    response = browser.post_form(url, {"next": "/me"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    session.expire_all()
    assert events.get_organizer(world.event, guest.id).status == OrganizerStatus.ACCEPTED
    assert "Rete Donne Migranti" in page(as_(app, None), f"/events/{world.event.id}")
    assert browser.get(f"/events/{world.event.id}/attendees").status_code == 200


def test_personal_area_lists_upcoming_registrations_with_their_status(app, world, session) -> None:  # type: ignore[no-untyped-def]
    citizen = world.people["citizen"]
    for who in (person(), person()):
        registrations.register(who, world.first)
    registrations.register(citizen, world.first)
    html = page(as_(app, citizen), "/me")
    assert "My registrations" in html and "Corso di italiano" in html and "On the waiting list" in html
    assert "{# events" not in html
    assert "You are not registered for any upcoming event." in page(as_(app, person()), "/me")


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_xss_never_executes_in_any_sink(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    fields = {"title": f"Titolo {payload}", "description": f"{DESCRIPTION} {payload}", "venue": payload, "address": payload,
              "accessibility_notes": payload}
    browser, event = _publish(app, world, **fields)
    only = events.list_sessions(event)[0]
    browser.post_form(f"/events/{event.id}/sessions/{only.id}", {"form": "move", "day": day().isoformat(), "start_time": "18:00",
                                                                "end_time": "20:00", "note": payload})
    browser.post_form(f"/events/{event.id}/translations", {"language": "en", "title": f"Title {payload}", "description": payload})
    attendee = person(name=payload)
    registrations.register(attendee, only)
    session.flush()
    sinks = [page(browser, f"/events/{event.id}"), page(browser, f"/events/{event.id}/edit"), page(browser, f"/events/{event.id}/attendees"),
             page(browser, f"/events/{event.id}/sessions/{only.id}"), page(browser, f"/events/{event.id}/translations"),
             page(as_(app, attendee), f"/events/{event.id}"), page(as_(app, attendee), "/me"), page(as_(app, None), f"/events/{event.id}")]
    for html in sinks:
        _assert_inert(html)
        if payload.startswith(("<", '"')):
            assert payload not in html
    assert "Title " in sinks[5]  # the translation reached the English reader
    exported = browser.get(f"/events/{event.id}/attendees.csv").get_data(as_text=True)
    assert payload in exported or "'" + payload in exported
    assert browser.get(f"/events/{event.id}/attendees.csv").headers["Content-Type"].startswith("text/csv")


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("events.")} == COVERED_ROUTES



def test_event_page_links_its_lab_and_forum(client, session) -> None:  # type: ignore[no-untyped-def]
    from datetime import time, timedelta

    from app.services import calendars as calendar_service
    from app.services import events as event_service
    from app.services import forums as forum_service

    region, _, comune = factories.chain()
    boss = factories.user(home=comune)
    org = factories.organization(home=comune, admin=boss)
    forum = forum_service.forum_for(region, "action_04")
    event = event_service.create_event(boss, org, event_service.EventDraft(
        title="Incontro del forum", description="Ci vediamo per parlare delle discussioni del forum.", kind="forum_meeting",
        starts_on=calendar_service.today_in_rome() + timedelta(days=5), start_time=time(17), end_time=time(19), venue="Sala civica",
        territory=comune.istat_code, forum_id=forum.id))
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/forums/{forum.slug}"' in page
    login(client, boss.email, factories.PASSWORD)
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{forum.id}"' in form or f'value="{forum.id}" selected' in form
