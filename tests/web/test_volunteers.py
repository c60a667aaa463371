"""Calls for volunteers over HTTP: route × role on every route, CSRF on every POST, the lead's
actions refused to everyone else, applying (once, rate-limited, with a page that keeps what was
typed when refused), withdrawing, answering, closing, applications private to the applicant and
the lead, the partials the initiative page and the personal area include, XSS in every sink."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, render_template
from sqlalchemy import select

from app.security.ratelimit import limiter
from app.services import volunteering
from app.services.volunteering import CallDraft
from models import (
    ApplicationStatus,
    Initiative,
    MemberRole,
    Notification,
    OrgKind,
    User,
    VolunteerApplication,
    VolunteerCall,
)
from tests import factories
from tests.conftest import Client, login
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/initiatives/<int:initiative_id>/calls/new",
    "/calls/<int:call_id>",
    "/calls/<int:call_id>/edit",
    "/calls/<int:call_id>/close",
    "/calls/<int:call_id>/apply",
    "/calls/<int:call_id>/withdraw",
    "/calls/<int:call_id>/applications",
    "/calls/<int:call_id>/applications/<int:application_id>/decide",
}

ROLES = ("anonymous", "citizen", "applicant", "lead_admin", "partner_staff", "invited_partner", "other_org_admin", "admin")
OUTSIDERS = ("citizen", "applicant", "partner_staff", "invited_partner", "other_org_admin")
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "[x](javascript:alert(1))",
       "{{ 7*7 }}{% raw %}"]
SECRET = "Sono libera il martedì, telefono 333-PRIVATO"


@dataclass
class World:
    initiative: Initiative
    call: VolunteerCall
    application: VolunteerApplication
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"iid": self.initiative.id, "cid": self.call.id, "aid": self.application.id}


def person(**kw: Any) -> User:
    return factories.user(**{"locale": "en", **kw})


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    _, _, comune = factories.chain()
    boss, teacher, invited, other_admin = person(), person(), person(), person()
    lead = factories.organization("Casa dei Popoli", home=comune, admin=boss, verified=True)
    school = factories.organization("Scuola Aperta", kind=OrgKind.SCHOOL, home=comune, verified=True)
    factories.member(school, teacher, MemberRole.STAFF)
    waiting = factories.organization("Rete in attesa", home=comune, admin=invited)
    factories.organization("Altra associazione", admin=other_admin)
    today = volunteering.today()
    initiative = factories.initiative(lead, partners=((school, "host_school", "confirmed"), (waiting, "partner", "invited")),
                                      starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=200), title="Compiti insieme")
    call = volunteering.open_call(boss, initiative, CallDraft(title="Tutor del martedì", description="Aiuto compiti.", places=2))
    applicant = person()
    application = volunteering.apply(applicant, call, SECRET)
    people = {"anonymous": None, "citizen": person(), "applicant": applicant, "lead_admin": boss, "partner_staff": teacher,
              "invited_partner": invited, "other_org_admin": other_admin, "admin": factories.admin(locale="en")}
    return World(initiative, call, application, people)


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
    "/initiatives/{iid}/calls/new": (302, 403, 403, 200, 403, 403, 403, 200),
    "/initiatives/999999/calls/new": (302, 404, 404, 404, 404, 404, 404, 404),
    "/calls/{cid}": (200, 200, 200, 200, 200, 200, 200, 200),
    "/calls/{cid}/edit": (302, 403, 403, 200, 403, 403, 403, 200),
    "/calls/{cid}/applications": (302, 403, 403, 200, 403, 403, 403, 200),
    "/calls/999999": (404, 404, 404, 404, 404, 404, 404, 404),
    "/calls/99999999999999": (404, 404, 404, 404, 404, 404, 404, 404),
    "/calls/999999/applications": (302, 404, 404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, world.people[ROLES[role_index]]).get(path.format(**world.ids()))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


DRAFT_MATRIX = (404, 404, 404, 200, 200, 200, 404, 200)  # the lead and the partners (invited too) see a draft initiative


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_calls_of_a_draft_initiative_are_hidden_from_outsiders(app, world, session, role_index: int) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = "draft"
    session.flush()
    response = as_(app, world.people[ROLES[role_index]]).get(f"/calls/{world.call.id}")
    assert response.status_code == DRAFT_MATRIX[role_index], ROLES[role_index]


LEAD_POSTS = {
    "/initiatives/{iid}/calls/new": {"title": "Un altro invito", "places": "3"},
    "/calls/{cid}/edit": {"title": "Titolo cambiato", "places": "5"},
    "/calls/{cid}/close": {},
    "/calls/{cid}/applications/{aid}/decide": {"answer": "accept"},
}


def _unchanged(session: Any, world: World, calls: int = 1) -> None:
    session.expire_all()
    assert session.scalar(select(VolunteerCall.title).where(VolunteerCall.id == world.call.id)) == "Tutor del martedì"
    assert session.scalar(select(VolunteerCall.closed_at).where(VolunteerCall.id == world.call.id)) is None
    assert len(session.scalars(select(VolunteerCall).where(VolunteerCall.initiative_id == world.initiative.id)).all()) == calls
    assert session.get(VolunteerApplication, world.application.id).status == ApplicationStatus.PENDING


@pytest.mark.parametrize("path", list(LEAD_POSTS))
@pytest.mark.parametrize("role", OUTSIDERS)
def test_lead_actions_are_refused_to_everyone_else(app, world, session, path: str, role: str) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, world.people[role]).post_form(path.format(**world.ids()), LEAD_POSTS[path])
    assert response.status_code == 403, (path, role)
    _unchanged(session, world)


@pytest.mark.parametrize("path", list(LEAD_POSTS))
def test_lead_actions_send_visitors_to_log_in(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, None).post_form(path.format(**world.ids()), LEAD_POSTS[path])
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    _unchanged(session, world)


ALL_POSTS = {
    **{path: ("lead_admin", data) for path, data in LEAD_POSTS.items()},
    "/calls/{cid}/apply": ("citizen", {"message": "Vorrei aiutare"}),
    "/calls/{cid}/withdraw": ("applicant", {}),
}


@pytest.mark.parametrize("path", list(ALL_POSTS))
def test_every_post_needs_the_csrf_token(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    role, data = ALL_POSTS[path]
    browser = as_(app, world.people[role])
    assert browser.post(path.format(**world.ids()), data=data).status_code == 400
    assert browser.post(path.format(**world.ids()), data={**data, "csrf_token": "forged"}).status_code == 400
    _unchanged(session, world)
    assert volunteering.application_of(world.people["citizen"], world.call) is None


def test_decide_with_an_unknown_answer_is_a_bad_request(app, world, session) -> None:  # type: ignore[no-untyped-def]
    url = "/calls/{cid}/applications/{aid}/decide".format(**world.ids())
    assert as_(app, world.people["lead_admin"]).post_form(url, {"answer": "maybe"}).status_code == 400
    _unchanged(session, world)


def test_an_application_of_another_call_is_not_found(app, world, session) -> None:  # type: ignore[no-untyped-def]
    other = volunteering.open_call(world.people["lead_admin"], world.initiative, CallDraft(title="Altro invito"))
    url = f"/calls/{other.id}/applications/{world.application.id}/decide"
    assert as_(app, world.people["lead_admin"]).post_form(url, {"answer": "accept"}).status_code == 404
    _unchanged(session, world, calls=2)


# ---------------------------------------------------------------- the lead's pages


def test_lead_opens_a_call_through_the_form(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    closes = (volunteering.today() + timedelta(days=10)).isoformat()
    response = browser.post_form(f"/initiatives/{world.initiative.id}/calls/new",
                                 {"title": "Mediatori per le famiglie", "description": "Riga uno\nRiga due", "places": "4", "closes_on": closes})
    assert response.status_code == 302
    call_id = int(response.headers["Location"].rsplit("/", 1)[1])
    html = page(browser, f"/calls/{call_id}")
    assert "Mediatori per le famiglie" in html and "<p>Riga uno</p>" in html and "4 places left" in html
    assert "Applications" in html and "Close the call" in html


def test_a_refused_call_form_comes_back_with_what_was_typed(app, world) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    response = browser.post_form(f"/initiatives/{world.initiative.id}/calls/new",
                                 {"title": "ab", "description": "Descrizione scritta con cura", "places": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="ab"' in html and "Descrizione scritta con cura" in html and 'value="0"' in html
    assert 'aria-invalid="true"' in html and "Write a title of 3 to 160 characters." in html and "Please correct the form" in html


def test_no_call_can_be_opened_on_a_completed_initiative(app, world, session) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = "completed"
    session.flush()
    response = as_(app, world.people["lead_admin"]).post_form(f"/initiatives/{world.initiative.id}/calls/new", {"title": "Troppo tardi"})
    assert response.status_code == 409 and "planned or running" in response.get_data(as_text=True)


def test_lead_edits_and_closes_the_call(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    form = page(browser, f"/calls/{world.call.id}/edit")
    assert 'value="Tutor del martedì"' in form and 'value="2"' in form
    assert browser.post_form(f"/calls/{world.call.id}/edit", {"title": "Tutor del mercoledì", "places": "3"}).status_code == 302
    assert browser.post_form(f"/calls/{world.call.id}/close").status_code == 302
    session.expire_all()
    stored = session.get(VolunteerCall, world.call.id)
    assert stored.title == "Tutor del mercoledì" and stored.places == 3 and stored.closed_at is not None
    html = page(as_(app, world.people["citizen"]), f"/calls/{world.call.id}")
    assert "This call is closed." in html and f'action="/calls/{world.call.id}/apply"' not in html
    assert browser.get(f"/calls/{world.call.id}/edit").status_code == 200
    assert browser.post_form(f"/calls/{world.call.id}/edit", {"title": "Ancora"}).status_code == 409


def test_lead_accepts_and_declines_and_the_applicant_is_told(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    second = volunteering.apply(world.people["citizen"], world.call, "Anche io")
    html = page(browser, f"/calls/{world.call.id}/applications")
    assert SECRET in html and "Anche io" in html and html.count('name="answer" value="accept"') == 2
    url = f"/calls/{world.call.id}/applications/{{}}/decide"
    assert browser.post_form(url.format(world.application.id), {"answer": "accept"}).status_code == 302
    assert browser.post_form(url.format(second.id), {"answer": "decline"}).status_code == 302
    session.expire_all()
    assert session.get(VolunteerCall, world.call.id).accepted_count == 1
    told = {n.user_id: n.data["status"] for n in session.scalars(select(Notification).where(Notification.kind == "volunteer.application_decided"))}
    assert told == {world.people["applicant"].id: "accepted", world.people["citizen"].id: "declined"}
    assert "Accepted" in page(as_(app, world.people["applicant"]), f"/calls/{world.call.id}")
    again = browser.post_form(url.format(world.application.id), {"answer": "accept"}, follow_redirects=True)
    assert "already answered" in again.get_data(as_text=True)


def test_accepting_beyond_the_places_shows_a_message_and_changes_nothing(app, world, session) -> None:  # type: ignore[no-untyped-def]
    boss = world.people["lead_admin"]
    volunteering.update_call(boss, world.call, CallDraft(title=world.call.title, places=1))
    volunteering.decide(boss, world.application, accept=True)
    # Written directly: a full call refuses new applications.
    other = VolunteerApplication(call_id=world.call.id, user_id=world.people["citizen"].id, message="Arrivo dopo")
    session.add(other)
    session.flush()
    response = as_(app, boss).post_form(f"/calls/{world.call.id}/applications/{other.id}/decide", {"answer": "accept"}, follow_redirects=True)
    assert "All places are taken" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(VolunteerCall, world.call.id).accepted_count == 1
    assert session.get(VolunteerApplication, other.id).status == ApplicationStatus.PENDING


# ---------------------------------------------------------------- applying


def test_citizen_applies_once_and_sees_the_status(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["citizen"])
    html = page(browser, f"/calls/{world.call.id}")
    assert f'action="/calls/{world.call.id}/apply"' in html and "2 places left" in html
    response = browser.post_form(f"/calls/{world.call.id}/apply", {"message": "  Posso il giovedì.  "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/calls/{world.call.id}#apply")
    html = page(browser, f"/calls/{world.call.id}")
    assert "Waiting for an answer" in html and "Posso il giovedì." in html and "Withdraw my application" in html
    again = browser.post_form(f"/calls/{world.call.id}/apply", {"message": "Di nuovo"}, follow_redirects=True)
    assert "already applied" in again.get_data(as_text=True)
    rows = session.scalars(select(VolunteerApplication).where(VolunteerApplication.user_id == world.people["citizen"].id)).all()
    assert [r.message for r in rows] == ["Posso il giovedì."]


def test_an_empty_or_long_message_comes_back_with_an_error_and_the_text(app, world) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["citizen"])
    response = browser.post_form(f"/calls/{world.call.id}/apply", {"message": ""})
    assert response.status_code == 400 and "Fill in this field." in response.get_data(as_text=True)
    long_text = "parola " * 200
    response = browser.post_form(f"/calls/{world.call.id}/apply", {"message": long_text})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Write at most 1000 characters." in html and long_text.strip() in html
    assert volunteering.application_of(world.people["citizen"], world.call) is None


def test_visitors_are_asked_to_log_in_and_unconfirmed_people_to_confirm(app, world, session) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, None), f"/calls/{world.call.id}")
    assert "Log in to apply." in html and f'action="/calls/{world.call.id}/apply"' not in html
    response = as_(app, None).post_form(f"/calls/{world.call.id}/apply", {"message": "Ciao"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    unconfirmed = person(confirmed=False)
    browser = as_(app, unconfirmed)
    assert "Confirm your e-mail address to apply." in page(browser, f"/calls/{world.call.id}")
    assert "Confirm your e-mail" in browser.post_form(f"/calls/{world.call.id}/apply", {"message": "Ciao"},
                                                      follow_redirects=True).get_data(as_text=True)
    assert volunteering.application_of(unconfirmed, world.call) is None


def test_applying_after_the_last_day_is_refused_with_a_message(app, world, session) -> None:  # type: ignore[no-untyped-def]
    world.call.closes_on = volunteering.today() - timedelta(days=1)
    session.flush()
    browser = as_(app, world.people["citizen"])
    assert "The last day to apply has passed." in page(browser, f"/calls/{world.call.id}")
    response = browser.post_form(f"/calls/{world.call.id}/apply", {"message": "In ritardo"}, follow_redirects=True)
    assert "The last day to apply has passed." in response.get_data(as_text=True)
    assert volunteering.application_of(world.people["citizen"], world.call) is None


def test_applicant_withdraws(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["applicant"])
    assert browser.post_form(f"/calls/{world.call.id}/withdraw").status_code == 302
    session.expire_all()
    assert session.get(VolunteerApplication, world.application.id).status == ApplicationStatus.WITHDRAWN
    html = page(browser, f"/calls/{world.call.id}")
    assert f'action="/calls/{world.call.id}/apply"' in html  # may apply again
    nothing = as_(app, world.people["citizen"]).post_form(f"/calls/{world.call.id}/withdraw", follow_redirects=True)
    assert "You have not applied to this call." in nothing.get_data(as_text=True)


def test_applying_is_rate_limited(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "RATELIMIT_PARTICIPATE", "2 per minute")
    browser = as_(app, world.people["citizen"])
    limiter.enabled = True
    limiter.reset()
    try:
        codes = [browser.post_form(f"/calls/{world.call.id}/apply", {"message": "Eccomi"}).status_code for _ in range(3)]
    finally:
        limiter.enabled = False
    assert codes == [302, 302, 429]


# ---------------------------------------------------------------- privacy


@pytest.mark.parametrize("role", ["anonymous", "citizen", "partner_staff", "invited_partner", "other_org_admin"])
def test_application_messages_and_names_stay_private(app, world, role: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[role])
    applicant_name = world.people["applicant"].display_name
    for url in (f"/calls/{world.call.id}", f"/initiatives/{world.initiative.id}/outputs"):
        html = page(browser, url)
        assert SECRET not in html and applicant_name not in html
    assert browser.get(f"/calls/{world.call.id}/applications").status_code in (302, 403)


def test_the_applicant_and_the_lead_see_the_message(app, world) -> None:  # type: ignore[no-untyped-def]
    assert SECRET in page(as_(app, world.people["applicant"]), f"/calls/{world.call.id}")
    assert SECRET in page(as_(app, world.people["lead_admin"]), f"/calls/{world.call.id}/applications")
    assert SECRET in page(as_(app, world.people["admin"]), f"/calls/{world.call.id}/applications")


# ---------------------------------------------------------------- partials for the initiative page and the personal area


def _render(app: Flask, who: User | None, template: str, **context: Any) -> str:
    """Render a partial as the page that includes it would, in a request of ``who``."""
    from flask_login import login_user

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        if who is not None:
            login_user(who)
        return render_template(template, **context)


def test_initiative_section_shows_calls_and_pending_counts_to_the_lead_only(app, world) -> None:  # type: ignore[no-untyped-def]
    lead = world.people["lead_admin"]
    html = _render(app, lead, "volunteers/_section.html", initiative=world.initiative,
                   calls_section=volunteering.calls_section(world.initiative, lead))
    assert "Calls for volunteers" in html and "Tutor del martedì" in html and "1 application waiting for an answer" in html
    assert f'href="/initiatives/{world.initiative.id}/calls/new"' in html
    citizen = world.people["citizen"]
    html = _render(app, citizen, "volunteers/_section.html", initiative=world.initiative,
                   calls_section=volunteering.calls_section(world.initiative, citizen))
    assert "Tutor del martedì" in html and "2 places left" in html and "waiting for an answer" not in html and "/calls/new" not in html
    applicant = world.people["applicant"]
    html = _render(app, applicant, "volunteers/_section.html", initiative=world.initiative,
                   calls_section=volunteering.calls_section(world.initiative, applicant))
    assert "You applied:" in html and "Waiting for an answer" in html


def test_initiative_section_is_empty_without_calls_for_visitors(app, world, session) -> None:  # type: ignore[no-untyped-def]
    volunteering.close_call(world.people["lead_admin"], world.call)
    html = _render(app, None, "volunteers/_section.html", initiative=world.initiative,
                   calls_section=volunteering.calls_section(world.initiative, None))
    assert html.strip() == ""


def test_personal_area_card_lists_my_applications(app, world) -> None:  # type: ignore[no-untyped-def]
    applicant = world.people["applicant"]
    html = _render(app, applicant, "volunteers/_my_applications.html", applications=volunteering.my_applications(applicant))
    assert "My applications to volunteer" in html and "Tutor del martedì" in html and "Compiti insieme" in html
    assert "Waiting for an answer" in html and f'href="/calls/{world.call.id}"' in html
    html = _render(app, world.people["citizen"], "volunteers/_my_applications.html", applications=[])
    assert "You have not applied to a call for volunteers yet." in html


# ---------------------------------------------------------------- query budget


def test_applications_page_query_count_does_not_grow_with_applications(app, world, engine, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    url = f"/calls/{world.call.id}/applications"

    def measure() -> int:
        browser.get(url)
        with count_queries(engine) as statements:
            assert browser.get(url).status_code == 200
        return len(statements)

    few = measure()
    for n in range(12):
        application = volunteering.apply(person(), world.call, f"Messaggio {n}")
        if n % 3 == 0:
            volunteering.withdraw(application.user, application)
    session.flush()
    assert measure() == few


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_xss_never_executes_in_any_sink(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    world.initiative.title = f"Iniziativa {payload}"[:160]
    world.initiative.lead.name = f"Associazione {payload}"[:200]
    session.flush()
    lead = as_(app, world.people["lead_admin"])
    response = lead.post_form(f"/initiatives/{world.initiative.id}/calls/new",
                              {"title": f"Invito {payload}", "description": f"{payload}\n{payload}", "places": "3"})
    assert response.status_code == 302
    call_id = int(response.headers["Location"].rsplit("/", 1)[1])
    writer = person(name=f"Nome {payload}"[:120])
    browser = as_(app, writer)
    assert browser.post_form(f"/calls/{call_id}/apply", {"message": payload}).status_code == 302
    call = volunteering.get_call(None, call_id)
    sinks = [page(lead, f"/calls/{call_id}"), page(lead, f"/calls/{call_id}/edit"), page(lead, f"/calls/{call_id}/applications"),
             page(browser, f"/calls/{call_id}"), page(as_(app, None), f"/calls/{call_id}"),
             lead.post_form(f"/calls/{call_id}/edit", {"title": "ab", "description": payload}).get_data(as_text=True),
             browser.post_form(f"/calls/{call_id}/apply", {"message": payload * 300}).get_data(as_text=True),
             _render(app, world.people["lead_admin"], "volunteers/_section.html", initiative=world.initiative,
                     calls_section=volunteering.calls_section(world.initiative, world.people["lead_admin"])),
             _render(app, writer, "volunteers/_my_applications.html", applications=volunteering.my_applications(writer))]
    assert call.title == f"Invito {payload}"
    for html in sinks:
        _assert_inert(html)
        if payload.startswith(("<", '"')):
            assert payload not in html
    assert "49" not in sinks[0].split("Invito", 1)[1][:40]  # template syntax is shown as text, never evaluated


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("volunteers.")} == COVERED_ROUTES
