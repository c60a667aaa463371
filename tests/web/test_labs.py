"""Community lab pages over HTTP: route × role, convening and editing through the form, filters and
pagination, the random order, query budgets, results, the convener's export, transparency, XSS."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.services import labs, proposals
from models import Lab, MemberRole, OrgKind, Proposal, ProposalSponsor, ProposalState, ProposalVote, SponsorStatus
from models.base import utcnow
from tests import factories
from tests.conftest import login
from tests.web.test_query_budget import count_queries

COVERED_ROUTES = {
    "/labs/",
    "/proposals/",
    "/labs/new",
    "/labs/<slug>",
    "/labs/<slug>/edit",
    "/labs/<slug>/results",
    "/labs/<slug>/export.csv",
    "/transparency/",
    "/transparency.csv",
}

ROLES = ("anonymous", "citizen", "convener", "admin")
PROPOSAL_LINK = re.compile(r'href="/proposals/(\d+)"')


def _today() -> date:
    """Today in Rome, where phases change at midnight."""
    day = labs.local_day(utcnow())
    assert day is not None
    return day


def _draft(territory: str, title: str = "Laboratorio del quartiere", **days: int | None) -> labs.LabDraft:
    """A lab draft with phase days relative to today (proposals opened yesterday by default)."""
    offsets = {"proposals_on": -1, **days}
    dates = {k: _today() + timedelta(days=v) for k, v in offsets.items() if v is not None}
    return labs.LabDraft(title=title, description="Un laboratorio per proporre idee per il quartiere.", territory=territory,
                         actions=["action_02"], **dates)


def _form(territory: str, **values: str) -> dict[str, str]:
    """What a person types into the convening form (proposals open today)."""
    data = {
        "title": "Laboratorio delle scuole", "description": "Proposte per le scuole del comune, da discutere insieme.",
        "territory": territory, "actions": "action_01", "proposals_on": _today().isoformat(), "deliberation_on": "",
        "voting_on": "", "results_on": "", "follow_up_on": "", "support_threshold": "20", "votes_per_participant": "3",
        "eligibility": "residents", "response_days": "30", "allow_organization_proposals": "y",
    }
    data.update(values)
    return data


def _proposal(author, lab: Lab, title: str, **fields) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = proposals.create_proposal(
        author, lab, proposals.ProposalDraft(title=title, summary="Una proposta concreta per tutti.", body="Il testo della proposta, con i dettagli."),
        publish=True,
    )
    for name, value in fields.items():
        setattr(proposal, name, value)
    return proposal


@pytest.fixture
def world(session, client):  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    region, _, comune = factories.chain()
    authority = factories.organization("Comune di Prova", OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    official = factories.user(home=comune, locale="en")
    factories.member(authority, official, MemberRole.OFFICIAL)
    citizen = factories.user(home=comune, locale="en")
    lab = labs.create_lab(official, authority, _draft(comune.istat_code, voting_on=10, results_on=20))
    closed = labs.create_lab(official, authority, _draft(comune.istat_code, "Laboratorio chiuso", proposals_on=-30, voting_on=-10, results_on=-2))
    session.flush()
    people = {"anonymous": None, "citizen": citizen, "convener": official, "admin": factories.admin(locale="en")}
    return {"people": people, "lab": lab, "closed": closed, "authority": authority, "comune": comune, "region": region,
            "slug": lab.slug, "closed_slug": closed.slug, "org": authority.slug}


def _as(client, person) -> None:  # type: ignore[no-untyped-def]
    if person is not None:
        login(client, person.email, factories.PASSWORD)


MATRIX = {
    "/labs/": (200, 200, 200, 200),
    "/labs/?phase=open&action=action_02": (200, 200, 200, 200),
    "/labs/new": (302, 200, 200, 200),
    "/labs/new?org={org}": (302, 403, 200, 200),
    "/labs/new?org=no-such-org": (302, 404, 404, 404),
    "/labs/{slug}": (200, 200, 200, 200),
    "/labs/{slug}?sort=random&page=1": (200, 200, 200, 200),
    "/labs/no-such-lab": (404, 404, 404, 404),
    "/labs/{slug}/edit": (302, 403, 200, 200),
    "/labs/{slug}/results": (200, 200, 200, 200),
    "/labs/{closed_slug}/results": (200, 200, 200, 200),
    "/labs/{slug}/export.csv": (302, 403, 200, 200),
    "/transparency/": (200, 200, 200, 200),
    "/proposals/": (200, 200, 200, 200),
    "/proposals/?territory={region.istat_code}&sort=random": (200, 200, 200, 200),
    "/proposals/?territory=Atlantide": (400, 400, 400, 400),
    "/transparency.csv": (200, 200, 200, 200),
}


@pytest.mark.parametrize("path", list(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_route_by_role(client, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"][ROLES[role_index]])
    response = client.get(path.format(**world))
    assert response.status_code == MATRIX[path][role_index], (path, ROLES[role_index])


def test_every_route_of_the_blueprint_is_covered(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("labs.")} == COVERED_ROUTES


# ---------------------------------------------------------------- convening and editing


def test_convene_a_lab_through_the_form(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["convener"])
    page = client.get(f"/labs/new?org={world['org']}").get_data(as_text=True)
    assert world["comune"].name in page and 'type="date"' in page and 'value="30"' in page
    response = client.post_form(f"/labs/new?org={world['org']}", _form(world["comune"].istat_code, standing="y"))
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[1]
    lab = session.scalar(select(Lab).where(Lab.slug == slug))
    assert lab.title == "Laboratorio delle scuole" and lab.convener_id == world["authority"].id
    assert lab.actions == ["action_01"] and lab.support_threshold == 20 and lab.is_standing
    assert labs.local_day(lab.proposals_at) == _today()
    assert "Laboratorio delle scuole" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_bad_dates_are_shown_on_the_fields_and_nothing_typed_is_lost(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["convener"])
    before = session.scalar(select(Lab.id).order_by(Lab.id.desc()))
    yesterday = (_today() - timedelta(days=1)).isoformat()
    data = _form(world["comune"].istat_code, title="Titolo che resta", deliberation_on=yesterday, voting_on=_today().isoformat())
    page = client.post_form(f"/labs/new?org={world['org']}", data).get_data(as_text=True)
    assert "This date must come after the previous phase." in page and 'aria-invalid="true"' in page
    assert "A voting phase needs both its first day" in page
    assert 'value="Titolo che resta"' in page and f'value="{yesterday}"' in page and data["description"] in page
    page = client.post_form(f"/labs/new?org={world['org']}", {**data, "proposals_on": "31/02/2026"}).get_data(as_text=True)
    assert "Not a valid date value." in page and 'value="31/02/2026"' in page
    session.expire_all()
    assert session.scalar(select(Lab.id).order_by(Lab.id.desc())) == before


def test_people_without_a_role_read_who_can_convene(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["citizen"])
    page = client.get("/labs/new").get_data(as_text=True)
    assert "admins and officials" in page and "?org=" not in page
    client.post_form("/auth/logout")
    _as(client, world["people"]["convener"])
    assert f'href="/labs/new?org={world["org"]}"' in client.get("/labs/new").get_data(as_text=True)


def test_edit_is_prefilled_and_saves(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab = world["lab"]
    _as(client, world["people"]["convener"])
    page = client.get(f"/labs/{lab.slug}/edit").get_data(as_text=True)
    proposals_on = labs.local_day(lab.proposals_at).isoformat()
    assert f'value="{proposals_on}"' in page and f'name="version" type="hidden" value="{lab.version}"' in page
    data = _form(world["comune"].istat_code, title="Titolo nuovo del lab", proposals_on=proposals_on, version=str(lab.version),
                 voting_on=labs.local_day(lab.voting_at).isoformat(), results_on=labs.local_day(lab.results_at).isoformat())
    response = client.post_form(f"/labs/{lab.slug}/edit", data)
    assert response.status_code == 302 and response.headers["Location"] == f"/labs/{lab.slug}"
    session.expire_all()
    assert session.get(Lab, lab.id).title == "Titolo nuovo del lab"


def test_edit_after_someone_else_saved_shows_the_conflict_and_keeps_input(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab, convener = world["lab"], world["people"]["convener"]
    _as(client, convener)
    seen = lab.version
    labs.update_lab(convener, lab, _draft(world["comune"].istat_code, "Cambiato da un collega", voting_on=10, results_on=20), seen)
    session.flush()
    data = _form(world["comune"].istat_code, title="La mia modifica", version=str(seen),
                 proposals_on=labs.local_day(lab.proposals_at).isoformat())
    page = client.post_form(f"/labs/{lab.slug}/edit", data).get_data(as_text=True)
    assert "Someone else changed this lab" in page and 'value="La mia modifica"' in page
    assert f'name="version" type="hidden" value="{seen + 1}"' in page
    session.expire_all()
    assert session.get(Lab, lab.id).title == "Cambiato da un collega"
    assert client.post_form(f"/labs/{lab.slug}/edit", {**data, "version": str(seen + 1)}).status_code == 302


@pytest.mark.parametrize("path", ["/labs/new?org={org}", "/labs/{slug}/edit"])
def test_posts_without_csrf_are_refused(client, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["admin"])
    count = len(list(session.scalars(select(Lab.id))))
    data = _form(world["comune"].istat_code, version=str(world["lab"].version))
    assert client.post(path.format(**world), data=data).status_code == 400
    session.expire_all()
    assert len(list(session.scalars(select(Lab.id)))) == count and session.get(Lab, world["lab"].id).title != data["title"]


# ---------------------------------------------------------------- the list of labs


def test_lab_list_filters_and_pages(client, world, session) -> None:  # type: ignore[no-untyped-def]
    official, authority, comune = world["people"]["convener"], world["authority"], world["comune"]
    for i in range(labs.LABS_PER_PAGE):
        labs.create_lab(official, authority, _draft(comune.istat_code, f"Laboratorio numero {i:02d}", proposals_on=5))
    session.flush()
    first = client.get("/labs/").get_data(as_text=True)
    assert 'rel="next"' in first and "Laboratorio del quartiere" in first  # open labs come first
    assert "Laboratorio chiuso" in client.get("/labs/?page=2").get_data(as_text=True)
    open_now = client.get("/labs/?phase=open").get_data(as_text=True)
    assert "Laboratorio del quartiere" in open_now and "Laboratorio chiuso" not in open_now and "numero" not in open_now
    closed = client.get("/labs/?phase=closed").get_data(as_text=True) + client.get("/labs/?phase=closed&page=2").get_data(as_text=True)
    assert "Laboratorio chiuso" in closed and "Laboratorio del quartiere" not in closed
    assert "Laboratorio del quartiere" not in client.get("/labs/?action=action_04").get_data(as_text=True)
    assert "Laboratorio del quartiere" in client.get("/labs/", query_string={"territory": world["region"].name}).get_data(as_text=True)
    elsewhere = factories.chain()[0]
    assert "Laboratorio del quartiere" not in client.get(f"/labs/?territory={elsewhere.istat_code}").get_data(as_text=True)
    card = client.get("/labs/?phase=open").get_data(as_text=True)
    assert "Comune di Prova" in card and comune.name in card and "Phase: Proposals" in card and "0 proposals" in card


@pytest.mark.parametrize("query", ["phase=tomorrow", "action=action_99", "territory=Atlantide", "page=0", "page=abc", "page=-1"])
def test_lab_list_rejects_bad_filters(client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/labs/?{query}")
    assert response.status_code == 400
    if query.startswith("territory"):
        assert "We could not find this place." in response.get_data(as_text=True)


# ---------------------------------------------------------------- the lab page and its proposals


def test_lab_page_shows_timeline_rules_and_the_write_button(client, world) -> None:  # type: ignore[no-untyped-def]
    slug = world["slug"]
    page = client.get(f"/labs/{slug}").get_data(as_text=True)
    assert 'aria-current="step"' in page and "Now" in page and "Coming" in page
    assert page.index('aria-current="step"') < page.index("Voting")
    assert "Log in to take part." in page and f"/labs/{slug}/proposals/new" not in page
    assert "50 supports" in page and "30 days" in page and "up to 3 proposals" in page
    assert f"/labs/{slug}/edit" not in page and f"/labs/{slug}/export.csv" not in page
    _as(client, world["people"]["citizen"])
    page = client.get(f"/labs/{slug}").get_data(as_text=True)
    assert f'href="/labs/{slug}/proposals/new"' in page and "Log in to take part." not in page
    client.post_form("/auth/logout")
    outsider = factories.user(home=factories.chain()[2], locale="en")
    _as(client, outsider)
    assert "This lab is for people who live in" in client.get(f"/labs/{slug}").get_data(as_text=True)
    client.post_form("/auth/logout")
    _as(client, world["people"]["convener"])
    page = client.get(f"/labs/{slug}").get_data(as_text=True)
    assert f"/labs/{slug}/edit" in page and f"/labs/{slug}/export.csv" in page


def test_closed_lab_page_marks_past_phases_and_links_results(client, world) -> None:  # type: ignore[no-untyped-def]
    page = client.get(f"/labs/{world['closed_slug']}").get_data(as_text=True)
    assert "Done" in page and f'href="/labs/{world["closed_slug"]}/results"' in page and "proposals/new" not in page


def test_proposal_list_shows_state_due_days_sponsors_and_drafts(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    now = utcnow()
    today = now.astimezone(labs.ROME).date()

    def noon(days: int):  # type: ignore[no-untyped-def]  # due dates in whole Rome calendar days from today
        return datetime.combine(today + timedelta(days=days), time(12), tzinfo=labs.ROME)

    due = _proposal(citizen, lab, "Proposta in attesa", state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now,
                    due_at=noon(12))
    late = _proposal(citizen, lab, "Proposta in ritardo", state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now - timedelta(days=40),
                     due_at=noon(-11))
    sponsor = factories.organization("Associazione Amica")
    session.add(ProposalSponsor(proposal_id=due.id, organization_id=sponsor.id, status=SponsorStatus.ACCEPTED))
    proposals.create_proposal(citizen, lab, proposals.ProposalDraft(title="La mia bozza", summary="Una bozza da finire presto.",
                                                                    body="Ancora da scrivere per bene, con calma."))
    supporter = factories.user(home=world["comune"], locale="en")
    proposals.support(supporter, late)
    session.flush()
    page = client.get(f"/labs/{lab.slug}").get_data(as_text=True)
    assert "Answer due in 12 days" in page and "Answer overdue by 11 days" in page and "Waiting for an answer" in page
    assert "Associazione Amica" in page and "La mia bozza" not in page and f'href="/proposals/{due.id}"' in page
    _as(client, citizen)
    page = client.get(f"/labs/{lab.slug}").get_data(as_text=True)
    assert "Your drafts" in page and "La mia bozza" in page and "You support it" not in page
    client.post_form("/auth/logout")
    _as(client, supporter)
    page = client.get(f"/labs/{lab.slug}").get_data(as_text=True)
    assert page.count("You support it") == 1 and page.index("Proposta in ritardo") < page.index("You support it")


def test_proposal_list_filters_sort_and_pages(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    made = [_proposal(citizen, lab, f"Proposta numero {i:02d}", supports_count=i) for i in range(proposals.PER_PAGE + 2)]
    made[3].state = ProposalState.ACCEPTED
    made[4].action = "action_03"
    session.flush()
    first = [int(i) for i in PROPOSAL_LINK.findall(client.get(f"/labs/{lab.slug}").get_data(as_text=True))]
    assert first == [p.id for p in reversed(made)][: proposals.PER_PAGE]
    second = [int(i) for i in PROPOSAL_LINK.findall(client.get(f"/labs/{lab.slug}?page=2").get_data(as_text=True))]
    assert second == [made[1].id, made[0].id]
    supported = PROPOSAL_LINK.findall(client.get(f"/labs/{lab.slug}?sort=supported").get_data(as_text=True))
    assert int(supported[0]) == made[-1].id
    assert PROPOSAL_LINK.findall(client.get(f"/labs/{lab.slug}?state=accepted").get_data(as_text=True)) == [str(made[3].id)]
    assert PROPOSAL_LINK.findall(client.get(f"/labs/{lab.slug}?action=action_03").get_data(as_text=True)) == [str(made[4].id)]
    following = re.search(r'rel="next" href="([^"]+)"', client.get(f"/labs/{lab.slug}?sort=supported").get_data(as_text=True))
    assert following and "sort=supported" in following.group(1) and "page=2" in following.group(1)  # the pager keeps the filters
    assert "No proposal matches these filters." in client.get(f"/labs/{lab.slug}?action=action_01").get_data(as_text=True)


def test_all_proposals_filter_by_place_across_labs(client, world, session) -> None:  # type: ignore[no-untyped-def]
    citizen = world["people"]["citizen"]
    here = _proposal(citizen, world["lab"], "Proposta di questo comune")
    elsewhere_region, _, elsewhere = factories.chain()
    other_authority = factories.organization("Comune Lontano", OrgKind.LOCAL_AUTHORITY, home=elsewhere, verified=True)
    other_lab = labs.create_lab(factories.admin(), other_authority, _draft(elsewhere.istat_code, "Laboratorio lontano"))
    there = _proposal(factories.user(home=elsewhere), other_lab, "Proposta di un altro comune")
    session.flush()
    everything = client.get("/proposals/").get_data(as_text=True)
    assert {str(here.id), str(there.id)} <= set(PROPOSAL_LINK.findall(everything))
    assert "Laboratorio lontano" in everything  # each item names its lab
    mine = client.get(f"/proposals/?territory={world['region'].istat_code}").get_data(as_text=True)
    assert PROPOSAL_LINK.findall(mine) == [str(here.id)]
    theirs = client.get(f"/proposals/?territory={elsewhere_region.istat_code}&action=action_02").get_data(as_text=True)
    assert PROPOSAL_LINK.findall(theirs) == []
    bad = client.get("/proposals/?territory=Atlantide")
    assert bad.status_code == 400 and "Atlantide" in bad.get_data(as_text=True)  # the typed place stays in the form


@pytest.mark.parametrize("query", ["state=draft", "state=lost", "action=x", "sort=id", "sort=random;drop", "page=0", "page=x"])
def test_proposal_list_rejects_bad_filters(client, world, query: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/labs/{world['slug']}?{query}").status_code == 400


def test_random_order_is_stable_for_one_visitor_across_pages(client, world, session, app) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    made = {_proposal(citizen, lab, f"Proposta casuale {i:02d}").id for i in range(25)}
    session.flush()

    def ids(page: int) -> list[int]:
        html = client.get(f"/labs/{lab.slug}?sort=random&page={page}").get_data(as_text=True)
        return [int(i) for i in PROPOSAL_LINK.findall(html)]

    first, second = ids(1), ids(2)
    assert len(first) == proposals.PER_PAGE and len(second) == 5
    assert set(first) | set(second) == made and not set(first) & set(second)
    assert ids(1) == first and ids(2) == second
    assert first != sorted(first, reverse=True) or second != sorted(second, reverse=True)
    assert 'sort=random' in client.get(f"/labs/{lab.slug}?sort=random").get_data(as_text=True)  # the pager keeps the order
    assert ids(1) == first  # the seed lives in the visitor's session


def test_lab_page_query_count_is_constant(client, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    supporter = factories.user(home=world["comune"], locale="en")
    sponsor = factories.organization("Associazione Sponsor")
    counts: dict[str, list[int]] = {"anonymous": [], "supporter": []}
    for n in (3, 25):
        while lab.proposals_count < n:
            proposal = _proposal(citizen, lab, f"Proposta per il conteggio {lab.proposals_count:02d}")
            session.add(ProposalSponsor(proposal_id=proposal.id, organization_id=sponsor.id, status=SponsorStatus.ACCEPTED))
            proposals.support(supporter, proposal)
            session.flush()
            session.refresh(lab)
        for who, found in counts.items():
            _as(client, supporter if who == "supporter" else None)
            for query in ("", "?sort=random&state=published"):
                with count_queries(engine) as statements:
                    assert client.get(f"/labs/{lab.slug}{query}").status_code == 200
                found.append(len(statements))
            client.post_form("/auth/logout")
    for who, found in counts.items():
        assert found[0] == found[2] and found[1] == found[3], (who, counts)
    # Anonymous: lab, proposals, co-sponsors. Logged in: also the session, drafts, supports, roles, memberships.
    assert max(counts["anonymous"]) <= 6 and max(counts["supporter"]) <= 9, counts


def test_lab_list_query_count_is_constant(client, world, session, engine) -> None:  # type: ignore[no-untyped-def]
    official, authority, comune = world["people"]["convener"], world["authority"], world["comune"]
    counts = []
    for n in (2, 15):
        for i in range(n):
            labs.create_lab(official, authority, _draft(comune.istat_code, f"Laboratorio in serie {n}-{i:02d}"))
        session.flush()
        with count_queries(engine) as statements:
            assert client.get("/labs/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] and counts[1] <= 4, counts


# ---------------------------------------------------------------- results


def test_results_before_close_say_when_they_come(client, world) -> None:  # type: ignore[no-untyped-def]
    lab = world["lab"]
    page = client.get(f"/labs/{lab.slug}/results").get_data(as_text=True)
    assert "The results are published when voting closes" in page
    assert (_today() + timedelta(days=20)).strftime("%B") in page and "<table" not in page


def test_results_after_close_rank_proposals_without_voter_identities(client, world, session) -> None:  # type: ignore[no-untyped-def]
    closed, citizen = world["closed"], world["people"]["citizen"]
    first = Proposal(lab_id=closed.id, title="Proposta vincente", summary="Riassunto della proposta.", body="Testo lungo abbastanza.",
                     body_html="<p>Testo</p>", author_id=citizen.id, authority_id=world["authority"].id,
                     state=ProposalState.PUBLISHED, published_at=utcnow() - timedelta(days=20), votes_count=2, supports_count=4)
    second = Proposal(lab_id=closed.id, title="Proposta seconda", summary="Riassunto della proposta.", body="Testo lungo abbastanza.",
                      body_html="<p>Testo</p>", author_id=citizen.id, authority_id=world["authority"].id,
                      state=ProposalState.PUBLISHED, published_at=utcnow() - timedelta(days=20), votes_count=1, supports_count=9)
    session.add_all([first, second])
    session.flush()
    voters = [factories.user(home=world["comune"], name=f"Votante Segreto {i}") for i in range(2)]
    session.add_all([ProposalVote(proposal_id=first.id, user_id=voters[0].id, lab_id=closed.id),
                     ProposalVote(proposal_id=first.id, user_id=voters[1].id, lab_id=closed.id),
                     ProposalVote(proposal_id=second.id, user_id=voters[0].id, lab_id=closed.id)])
    session.flush()
    page = client.get(f"/labs/{closed.slug}/results").get_data(as_text=True)
    assert page.index("Proposta vincente") < page.index("Proposta seconda")
    assert "People who voted" in page and "Votes cast" in page and "Turnout" in page and "%" in page
    assert "Votante Segreto" not in page and voters[0].email not in page and citizen.display_name not in page


# ---------------------------------------------------------------- export


def _rows(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_export_is_a_safe_csv_for_the_convener_only(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    _proposal(citizen, lab, '=HYPERLINK("https://evil.example","clic")')
    _proposal(citizen, lab, "+SOMMA(1;2) proposta")
    session.flush()
    _as(client, citizen)
    assert client.get(f"/labs/{lab.slug}/export.csv").status_code == 403
    client.post_form("/auth/logout")
    _as(client, world["people"]["convener"])
    response = client.get(f"/labs/{lab.slug}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{lab.slug}-proposals.csv"'
    body = response.get_data(as_text=True)
    rows = _rows(body)
    assert rows[0][:4] == ["id", "title", "summary", "state"] and "url" in rows[0]
    titles = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"https://evil.example\",\"clic\")" in titles and "'+SOMMA(1;2) proposta" in titles
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row if not cell.lstrip("-").isdigit())
    assert rows[1][rows[0].index("url")].startswith("https://ponte.test/proposals/")
    for person in world["people"].values():
        if person is not None:
            assert person.email not in body
    assert "@" not in body


# ---------------------------------------------------------------- transparency


def test_transparency_counts_on_time_and_overdue_answers(client, world, session) -> None:  # type: ignore[no-untyped-def]
    lab, citizen = world["lab"], world["people"]["citizen"]
    now = utcnow()
    _proposal(citizen, lab, "Risposta arrivata in tempo", state=ProposalState.ACCEPTED, threshold_reached_at=now - timedelta(days=10),
              due_at=now + timedelta(days=20), answered_at=now - timedelta(days=5))
    _proposal(citizen, lab, "Risposta mai arrivata", state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now - timedelta(days=40),
              due_at=now - timedelta(days=10))
    _proposal(citizen, lab, "Ancora senza sostegni")
    session.flush()
    page = client.get("/transparency/").get_data(as_text=True)
    assert "An answer counts as on time when" in page
    row = page[page.index("Comune di Prova"):].split("</tr>")[0]
    cells = [c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["3", "2", "1", "50%", "5", "1"], cells
    assert 'href="/transparency.csv"' in page
    rows = _rows(client.get("/transparency.csv").get_data(as_text=True))
    assert rows[0][0] == "authority" and ["Comune di Prova", world["comune"].name, "3", "2", "1", "1", "50.0", "5.0", "1"] in rows
    elsewhere = factories.chain()[0]
    assert "Comune di Prova" not in client.get(f"/transparency/?territory={elsewhere.istat_code}").get_data(as_text=True)
    mine = client.get(f"/transparency/?territory={world['region'].istat_code}").get_data(as_text=True)
    assert "Comune di Prova" in mine and f"territory={world['region'].istat_code}" in mine
    assert client.get("/transparency/?territory=Atlantide").status_code == 400
    assert client.get("/transparency.csv?territory=Atlantide").status_code == 400
    response = client.get(f"/transparency.csv?territory={world['region'].istat_code}")
    assert response.headers["Content-Disposition"] == f'attachment; filename="transparency-{world["region"].istat_code}.csv"'


# ---------------------------------------------------------------- territory and organisation pages


def test_territory_and_organization_pages_list_labs(client, world) -> None:  # type: ignore[no-untyped-def]
    territory = client.get(f"/territories/{world['comune'].istat_code}").get_data(as_text=True)
    assert f'href="/labs/{world["slug"]}"' in territory and f"/labs/?territory={world['comune'].istat_code}" in territory
    assert f'href="/labs/{world["slug"]}"' in client.get(f"/territories/{world['region'].istat_code}").get_data(as_text=True)
    org_page = client.get(f"/organizations/{world['org']}").get_data(as_text=True)
    assert f'href="/labs/{world["closed_slug"]}"' in org_page and "/labs/new?org=" not in org_page
    _as(client, world["people"]["convener"])
    assert f'href="/labs/new?org={world["org"]}"' in client.get(f"/organizations/{world['org']}").get_data(as_text=True)


# ---------------------------------------------------------------- XSS

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '"><svg onload=alert(1)>',
    "{{ 7*7 }} {% raw %}",
]


def _elements(html: str) -> list[tuple[str, list]]:
    found: list[tuple[str, list]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            found.append((tag, attrs))

    Parser().feed(html)
    return found


def _assert_inert(html: str, payload: str) -> None:
    if "<" in payload:
        assert payload not in html
    for tag, attrs in _elements(html):
        a = dict(attrs)
        if tag == "script":
            assert (a.get("src") or "").startswith("/static/"), a
        if tag == "img":
            assert (a.get("src") or "").startswith("/") and not a["src"].startswith("//"), a
        if tag == "svg":
            assert "icon" in (a.get("class") or ""), a
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_lab_title_and_description_never_executes(client, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world["people"]["convener"])
    data = _form(world["comune"].istat_code, title=f"Lab {payload}"[:150], description=f"{payload} — descrizione del laboratorio.")
    response = client.post_form(f"/labs/new?org={world['org']}", data)
    assert response.status_code == 302
    slug = response.headers["Location"].rsplit("/", 1)[1]
    if payload.startswith("{{"):
        assert "{{ 7*7 }}" in client.get(f"/labs/{slug}").get_data(as_text=True)
    for path in ("/labs/", f"/labs/{slug}", f"/labs/{slug}/edit", f"/labs/{slug}/results",
                 f"/territories/{world['comune'].istat_code}", f"/organizations/{world['org']}"):
        _assert_inert(client.get(path).get_data(as_text=True), payload)


