"""Good practice pages over HTTP: route × role, CSRF on every POST, designating and editing the
card through the form (with a version conflict), partner contacts never on the card, XSS
through every card field, "replicate this" and the catalogue's query budget."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app.services import practices
from app.services.practices import PracticeCard
from models import (
    GoodPractice,
    Initiative,
    InitiativeMaterial,
    InitiativePartner,
    InitiativeStatus,
    Organization,
    OrgKind,
    OutputReport,
    ParticipantCount,
    Territory,
    User,
)
from tests import factories
from tests.conftest import Client, login
from tests.unit.test_sanitize import XSS
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/good-practices/",
    "/good-practices/<int:practice_id>",
    "/initiatives/<int:initiative_id>/good-practice",
    "/good-practices/<int:practice_id>/publish",
    "/good-practices/<int:practice_id>/replicate",
}

ROLES = ("anonymous", "citizen", "lead_admin", "other_admin", "moderator", "moderator_elsewhere", "admin")
CARD = PracticeCard(
    title="Compagni di banco",
    problem="Gli alunni arrivati da poco restavano soli durante la ricreazione.",
    method="Coppie di alunni si incontrano due volte a settimana con un tutor.",
    results="Meno assenze e più amicizie tra compagni di classe.",
    replication="Una scuola, due insegnanti referenti e una stanza il pomeriggio.",
    contact="Ufficio scuola del Comune",
)
CONTACTS = ("Maria Referente Segreta", "referente.segreta@scuola.example.org", "3331234567")


def card_form(**changes: str) -> dict[str, str]:
    data = {"title": CARD.title, "language": "it", "problem": CARD.problem, "method": CARD.method, "results": CARD.results,
            "replication": CARD.replication, "contact": CARD.contact}
    data.update(changes)
    return data


@dataclass
class World:
    region: Territory
    comune: Territory
    lead: Organization
    school: Organization
    initiative: Initiative  # completed, designated
    practice: GoodPractice
    unpublished: GoodPractice
    spare: Initiative  # completed, not designated yet
    running: Initiative
    draft: Initiative
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"pid": self.practice.id, "uid": self.unpublished.id, "iid": self.initiative.id, "sid": self.spare.id,
                "rid": self.running.id, "did": self.draft.id}


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    lead_admin, other_admin = factories.user(locale="en", home=comune), factories.user(locale="en")
    lead = factories.organization("Ponti di Carta", home=comune, admin=lead_admin, verified=True)
    factories.organization("Altra Associazione", home=comune, admin=other_admin)
    school = factories.organization("Scuola Rossetti", kind=OrgKind.SCHOOL, home=comune)
    initiative = factories.initiative(lead, status="completed", partners=((school, "host_school", "confirmed"),))
    partner_row = session.get(InitiativePartner, (initiative.id, school.id))
    partner_row.contact_name, partner_row.contact_email, partner_row.contact_phone = CONTACTS
    moderator = factories.moderator(region, locale="en")
    practice = practices.designate(moderator, initiative, CARD)
    hidden_one = factories.initiative(lead, status="completed")
    unpublished = practices.designate(moderator, hidden_one, replace(CARD, title="Una pratica ritirata"))
    practices.unpublish(moderator, unpublished)
    people = {"anonymous": None, "citizen": factories.user(locale="en", home=comune), "lead_admin": lead_admin,
              "other_admin": other_admin, "moderator": moderator,
              "moderator_elsewhere": factories.moderator(factories.chain()[0], locale="en"), "admin": factories.admin(locale="en")}
    return World(region, comune, lead, school, initiative, practice, unpublished,
                 factories.initiative(lead, status="completed"), factories.initiative(lead, status="running"),
                 factories.initiative(lead, status="draft"), people)


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
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("practices.")} == COVERED_ROUTES


# ---------------------------------------------------------------- route × role

MATRIX = {
    "/good-practices/": (200, 200, 200, 200, 200, 200, 200),
    "/good-practices/?kind=peer_education&action=action_01&target=lower_secondary_pupils": (200, 200, 200, 200, 200, 200, 200),
    "/good-practices/?kind=nothing": (400, 400, 400, 400, 400, 400, 400),
    "/good-practices/?page=0": (400, 400, 400, 400, 400, 400, 400),
    "/good-practices/{pid}": (200, 200, 200, 200, 200, 200, 200),
    "/good-practices/{uid}": (404, 404, 404, 404, 200, 404, 200),
    "/good-practices/999999": (404, 404, 404, 404, 404, 404, 404),
    "/initiatives/{iid}/good-practice": (302, 403, 403, 403, 200, 403, 200),
    "/initiatives/{sid}/good-practice": (302, 403, 403, 403, 200, 403, 200),
    "/initiatives/{rid}/good-practice": (302, 403, 403, 403, 403, 403, 403),
    "/initiatives/{did}/good-practice": (302, 404, 403, 404, 404, 404, 403),
    "/initiatives/999999/good-practice": (302, 404, 404, 404, 404, 404, 404),
    "/good-practices/{pid}/replicate": (302, 200, 200, 200, 200, 200, 200),
    "/good-practices/{uid}/replicate": (302, 404, 404, 404, 200, 404, 200),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(app, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people[ROLES[role_index]])
    response = browser.get(path.format(**world.ids()))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])
    if response.status_code == 302:
        assert "/auth/login" in response.headers["Location"]


POSTS = {
    "/initiatives/{sid}/good-practice": card_form(),
    "/good-practices/{pid}/publish": {"published": "0"},
}
POST_MATRIX = {  # who may post (302 = done and sent back to the card; anonymous visitors are sent to log in)
    "/initiatives/{sid}/good-practice": (302, 403, 403, 403, 302, 403, 302),
    "/good-practices/{pid}/publish": (302, 403, 403, 403, 302, 403, 302),
}


@pytest.mark.parametrize("path", list(POSTS))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_by_role(app, world, session, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    role = ROLES[role_index]
    response = as_(app, world.people[role]).post_form(path.format(**world.ids()), POSTS[path])
    assert response.status_code == POST_MATRIX[path][role_index], (path, role)
    session.expire_all()
    allowed = role in ("moderator", "admin")
    assert (practices.find_for_initiative(world.spare) is not None) == (allowed and path.startswith("/initiatives/"))
    assert world.practice.is_published != (allowed and path.endswith("/publish"))


@pytest.mark.parametrize("path", [*POSTS, "/good-practices/{pid}/replicate"])
def test_every_post_needs_the_csrf_token(app, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["admin"])
    data = POSTS.get(path, {"lead": str(world.lead.id), "territory": world.comune.istat_code,
                            "starts_on": "2027-09-01", "ends_on": "2028-06-01"})
    assert browser.post(path.format(**world.ids()), data=data).status_code == 400
    session.expire_all()
    assert practices.find_for_initiative(world.spare) is None and world.practice.is_published
    assert session.scalar(select(Initiative).where(Initiative.replicated_from_id == world.initiative.id)) is None


# ---------------------------------------------------------------- the card


def test_the_card_shows_partners_figures_materials_and_never_partner_contacts(app, world, session) -> None:  # type: ignore[no-untyped-def]
    report = OutputReport(initiative_id=world.initiative.id, organization_id=world.school.id, period_start=world.initiative.starts_on,
                          period_end=world.initiative.ends_on, sessions_held=12, hours=30, materials_produced=2, participants_total=27)
    report.counts = [ParticipantCount(target_group="lower_secondary_pupils", count=20), ParticipantCount(target_group="families", count=7)]
    session.add(report)
    session.add_all([InitiativeMaterial(initiative_id=world.initiative.id, title="Guida per i tutor", url="https://materiali.example.org/guida"),
                     InitiativeMaterial(initiative_id=world.initiative.id, title="Link sospetto", url="javascript:alert(1)")])
    session.flush()
    for role in ROLES:
        html = page(as_(app, world.people[role]), f"/good-practices/{world.practice.id}")
        for secret in CONTACTS:
            assert secret not in html, (role, secret)
        assert "Scuola Rossetti" in html and "Host school" in html and "Ponti di Carta" in html
        assert "Gli alunni arrivati da poco" in html and "Ufficio scuola del Comune" in html
        assert "<caption>What the partners recorded</caption>" in html and ">27<" in html and ">20<" in html
        assert f'href="/good-practices/{world.practice.id}/replicate"' in html
        assert f'href="/initiatives/{world.initiative.id}"' in html
        assert ("Moderator tools" in html) == (role in ("moderator", "admin"))
        assert '<a href="https://materiali.example.org/guida" rel="nofollow ugc noopener"' in html and "Link sospetto" in html
        _assert_inert(html)  # a stored link that is not https is shown as its title only


def test_the_catalogue_shows_cards_with_headline_figures(app, world) -> None:  # type: ignore[no-untyped-def]
    html = page(as_(app, None), f"/good-practices/?territory={world.region.istat_code}")
    assert "Compagni di banco" in html and "2 partners" in html and "Una pratica ritirata" not in html
    assert f'href="/good-practices/{world.practice.id}"' in html
    assert "Correct the filters" in page(as_(app, None), "/good-practices/?territory=Nessun+posto+al+mondo", 400)


def test_designate_through_the_form(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["moderator"])
    html = page(browser, f"/initiatives/{world.spare.id}/good-practice")
    assert f'value="{world.spare.title}"' in html and "Make it a good practice" in html
    response = browser.post_form(f"/initiatives/{world.spare.id}/good-practice", card_form(title="Pratica nuova", method="corto"))
    assert response.status_code == 400 and "Write 20 to 20,000 characters." in response.get_data(as_text=True)
    assert practices.find_for_initiative(world.spare) is None
    response = browser.post_form(f"/initiatives/{world.spare.id}/good-practice", card_form(title="Pratica nuova"))
    assert response.status_code == 302
    made = practices.find_for_initiative(world.spare)
    assert made is not None and response.headers["Location"].endswith(f"/good-practices/{made.id}")
    assert "Pratica nuova" in page(browser, f"/good-practices/{made.id}")


def test_editing_with_an_old_version_answers_409_and_keeps_the_input(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["moderator"])
    html = page(browser, f"/initiatives/{world.initiative.id}/good-practice")
    seen = world.practice.version
    assert f'name="version" type="hidden" value="{seen}"' in html and "Save the card" in html
    practices.update_card(world.people["admin"], world.practice, replace(CARD, title="Titolo dell'amministratore"), seen)
    session.flush()
    response = browser.post_form(f"/initiatives/{world.initiative.id}/good-practice", card_form(title="Titolo del moderatore", version=str(seen)))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Someone else changed this card" in html and 'value="Titolo del moderatore"' in html
    assert f'name="version" type="hidden" value="{seen + 1}"' in html
    response = browser.post_form(f"/initiatives/{world.initiative.id}/good-practice",
                                 card_form(title="Titolo del moderatore", version=str(seen + 1)))
    assert response.status_code == 302
    session.expire_all()
    assert world.practice.title == "Titolo del moderatore"


def test_unpublish_and_publish_again(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["moderator"])
    assert browser.post_form(f"/good-practices/{world.practice.id}/publish", {"published": "0"}).status_code == 302
    session.expire_all()
    assert not world.practice.is_published
    page(as_(app, world.people["citizen"]), f"/good-practices/{world.practice.id}", 404)
    assert "not in the catalogue" in page(browser, f"/good-practices/{world.practice.id}")
    browser.post_form(f"/good-practices/{world.practice.id}/publish", {"published": "1"})
    session.expire_all()
    assert world.practice.is_published


@pytest.mark.parametrize("payload", XSS)
def test_xss_through_every_card_field_never_executes(app, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["moderator"])
    filler = " — testo abbastanza lungo per il controllo"
    data = card_form(title=f"T {payload}"[:160], problem=payload + filler, method=payload + filler, results=payload + filler,
                     replication=payload + filler, contact=payload[:300])
    response = browser.post_form(f"/initiatives/{world.spare.id}/good-practice", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    made = practices.find_for_initiative(world.spare)
    assert made is not None
    for url in (f"/good-practices/{made.id}", f"/initiatives/{world.spare.id}/good-practice", "/good-practices/",
                f"/good-practices/{made.id}/replicate"):
        html = page(browser, url)
        _assert_inert(html)
        assert "<script>alert" not in html
    _assert_inert(page(as_(app, None), f"/good-practices/{made.id}"))


# ---------------------------------------------------------------- replicate this


def test_replicate_through_the_form_opens_the_new_draft(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["lead_admin"])
    html = page(browser, f"/good-practices/{world.practice.id}/replicate")
    assert f'<option selected value="{world.lead.id}">' in html or f'value="{world.lead.id}"' in html
    response = browser.post_form(f"/good-practices/{world.practice.id}/replicate",
                                 {"lead": str(world.lead.id), "territory": world.comune.istat_code, "starts_on": "2028-01-01",
                                  "ends_on": "2027-01-01"})
    assert response.status_code == 400 and "The last day cannot come before the first day." in response.get_data(as_text=True)
    response = browser.post_form(f"/good-practices/{world.practice.id}/replicate",
                                 {"lead": str(world.lead.id), "territory": world.comune.istat_code, "starts_on": "2027-09-01",
                                  "ends_on": "2028-06-01"})
    assert response.status_code == 302
    made = session.scalar(select(Initiative).where(Initiative.replicated_from_id == world.initiative.id))
    assert made is not None and made.status == InitiativeStatus.DRAFT and made.lead_id == world.lead.id
    assert response.headers["Location"].endswith(f"/initiatives/{made.id}/edit")
    page(as_(app, world.people["citizen"]), f"/initiatives/{made.id}", 404)


REPLICATE_BY_ROLE = (302, 400, 302, 400, 400, 400, 400)  # only the lead's admin has an organisation that may lead


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_replicate_post_by_role(app, world, session, role_index: int) -> None:  # type: ignore[no-untyped-def]
    response = as_(app, world.people[ROLES[role_index]]).post_form(
        f"/good-practices/{world.practice.id}/replicate",
        {"lead": str(world.lead.id), "territory": world.comune.istat_code, "starts_on": "2027-09-01", "ends_on": "2028-06-01"})
    assert response.status_code == REPLICATE_BY_ROLE[role_index], ROLES[role_index]
    made = session.scalar(select(Initiative).where(Initiative.replicated_from_id == world.initiative.id))
    assert (made is not None) == (ROLES[role_index] == "lead_admin")
    unpublished = as_(app, world.people[ROLES[role_index]]).post_form(f"/good-practices/{world.unpublished.id}/replicate", {})
    assert unpublished.status_code == (302, 404, 404, 404, 400, 404, 400)[role_index]


def test_replicate_refuses_an_organisation_that_is_not_mine(app, world, session) -> None:  # type: ignore[no-untyped-def]
    browser = as_(app, world.people["other_admin"])
    response = browser.post_form(f"/good-practices/{world.practice.id}/replicate",
                                 {"lead": str(world.lead.id), "territory": world.comune.istat_code, "starts_on": "2027-09-01",
                                  "ends_on": "2028-06-01"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    citizen = as_(app, world.people["citizen"])
    assert "You do not have one of these roles" in page(citizen, f"/good-practices/{world.practice.id}/replicate")
    assert session.scalar(select(Initiative).where(Initiative.replicated_from_id == world.initiative.id)) is None


# ---------------------------------------------------------------- query budget


def test_catalogue_query_count_does_not_grow_with_rows(app, client, engine, session) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    admin = factories.admin()
    counts = []
    for n in (2, 10):
        for _ in range(n - (2 if counts else 0)):
            lead = factories.organization(home=comune)
            item = factories.initiative(lead, status="completed", partners=((factories.organization(home=comune), "partner", "confirmed"),))
            practices.designate(admin, item, CARD)
        with count_queries(engine) as statements:
            html = page(client, f"/good-practices/?territory={region.istat_code}")
        assert html.count('class="card card-bg h-100"') == n
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 3, counts
