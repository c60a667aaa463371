"""Open data: Atom feeds of public content, CSV data sets and the DCAT-AP_IT catalogue.
What is hidden, a draft or unpublished never appears; user text stays text in every format."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import feedparser
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from app.db import db
from app.exceptions import NotFound
from app.services import catalog, feeds, opendata
from models import (
    Event,
    EventSession,
    GoodPractice,
    Lab,
    Organization,
    OrgKind,
    Proposal,
    ProposalResponse,
    ProposalState,
    ResponseDecision,
    Territory,
)
from models.base import utcnow
from tests import factories
from tests.web.test_query_budget import count_queries

NASTY = '=HYPERLINK("https://evil.example")<script>alert(1)</script>]]>\x07\x0b fine'
SHOWN = '=HYPERLINK("https://evil.example")<script>alert(1)</script>]]> fine'  # what XML can carry of it
DCATAPIT = rdflib.Namespace("http://dati.gov.it/onto/dcatapit#")


@dataclass
class OpenWorld:
    region: Territory
    comune: Territory
    elsewhere: Territory
    authority: Organization
    association: Organization
    hidden: Organization  # hidden by the moderators
    far: Organization  # in another region
    proposal: Proposal  # public, with the nasty title, on behalf of the association
    draft: Proposal
    hidden_proposal: Proposal
    in_hidden_lab: Proposal
    far_proposal: Proposal
    response: ProposalResponse
    event: Event
    hidden_event: Event
    practice: GoodPractice
    unpublished: GoodPractice


def _lab(convener: Organization, place: Territory) -> Lab:
    n = next(factories._seq)
    lab = Lab(slug=f"lab-{n}", title=f"Laboratorio {n}", convener_id=convener.id, territory_id=place.id, actions=["action_01"],
              proposals_at=utcnow() - timedelta(days=30))
    db.session.add(lab)
    db.session.flush()
    return lab


def _proposal(lab: Lab, authority: Organization, title: str = "Una proposta", days_ago: int = 3, **kw: Any) -> Proposal:
    row = Proposal(lab_id=lab.id, title=title, summary="Corsi di italiano di sera.", body="Testo.", body_html="<p>Testo.</p>",
                   authority_id=authority.id, state=kw.pop("state", ProposalState.PUBLISHED),
                   published_at=utcnow() - timedelta(days=days_ago), **kw)
    db.session.add(row)
    db.session.flush()
    return row


def _event(org: Organization, title: str) -> Event:
    start = utcnow() + timedelta(days=7)
    event = Event(organization_id=org.id, title=title, kind="workshop", territory_id=org.home_territory_id, starts_at=start,
                  ends_at=start + timedelta(hours=2), venue="Sala civica", language="it")
    db.session.add(event)
    db.session.flush()
    db.session.add(EventSession(event_id=event.id, original_start=start, starts_at=start, ends_at=start + timedelta(hours=2)))
    db.session.flush()
    return event


def _practice(lead: Organization, title: str, published: bool = True, status: str = "completed") -> GoodPractice:
    source = factories.initiative(lead, status=status, starts_on=date(2025, 9, 1), ends_on=date(2026, 6, 1))
    practice = GoodPractice(initiative_id=source.id, title=title, problem="Problema.", problem_html="<p>Problema.</p>",
                            results_html="<p>Risultati.</p>", is_published=published)
    db.session.add(practice)
    db.session.flush()
    return practice


def open_world() -> OpenWorld:
    region, _, comune = factories.chain()
    elsewhere = factories.chain()[2]
    authority = factories.organization("Comune di Prova", kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    association = factories.organization("Ponti Insieme", home=comune, email="segreteria@ponti.example", phone="+390101234567")
    hidden = factories.organization("Associazione Nascosta", home=comune, is_hidden=True)
    far = factories.organization("Lontani APS", home=elsewhere)
    lab = _lab(authority, region)
    author = factories.user(name="Amina Rossi")
    proposal = _proposal(lab, authority, NASTY, organization_id=association.id, author_id=author.id, days_ago=1)
    response = ProposalResponse(proposal_id=proposal.id, organization_id=authority.id, decision=ResponseDecision.ACCEPTED,
                                text="Sì.", text_html="<p>Sì, <em>dal mese prossimo</em>.</p>", next_step="Delibera entro marzo.")
    db.session.add(response)
    world = OpenWorld(
        region, comune, elsewhere, authority, association, hidden, far, proposal,
        draft=_proposal(lab, authority, "Proposta in bozza", state=ProposalState.DRAFT),
        hidden_proposal=_proposal(lab, authority, "Proposta nascosta", is_hidden=True),
        in_hidden_lab=_proposal(_lab(hidden, comune), authority, "Proposta del lab nascosto"),
        far_proposal=_proposal(_lab(far, elsewhere), far, "Proposta lontana", days_ago=2),
        response=response, event=_event(association, "Festa dei popoli"), hidden_event=_event(hidden, "Evento nascosto"),
        practice=_practice(association, "Compagni di banco"), unpublished=_practice(association, "Pratica ritirata", published=False),
    )
    _practice(hidden, "Pratica della nascosta")
    _practice(far, "Pratica in bozza", status="draft")
    _event(far, "Evento lontano")
    return world


@pytest.fixture
def ow(session) -> OpenWorld:  # type: ignore[no-untyped-def]
    return open_world()


def _keys(name: str, where: feeds.Scope) -> list[str]:
    return [e.key for e in feeds.entries(name, where)]


def _link(endpoint: str, values: dict[str, Any]) -> str:
    return f"https://ponte.test/{endpoint}/" + "/".join(str(v) for v in values.values())


# ---------------------------------------------------------------- feeds


def test_feeds_hold_only_public_entries_newest_first_and_follow_the_filters(ow: OpenWorld) -> None:
    everywhere = feeds.scope()
    assert _keys("proposals", everywhere)[:2] == [f"proposal/{ow.proposal.id}", f"proposal/{ow.far_proposal.id}"]
    hidden = {f"proposal/{p.id}" for p in (ow.draft, ow.hidden_proposal, ow.in_hidden_lab)}
    assert not hidden & set(_keys("proposals", everywhere))
    assert f"response/{ow.response.id}" in _keys("responses", everywhere)
    assert f"event/{ow.event.id}" in _keys("events", everywhere)
    assert f"event/{ow.hidden_event.id}" not in _keys("events", everywhere)
    practices = _keys("good-practices", everywhere)
    assert f"good-practice/{ow.practice.id}" in practices and f"good-practice/{ow.unpublished.id}" not in practices
    assert not {"Pratica della nascosta", "Pratica in bozza"} & {e.title for e in feeds.entries("good-practices", everywhere)}

    # A territory holds everything inside it; an organisation what it wrote, convened, answered or organised.
    region = feeds.scope(ow.region.istat_code)
    assert _keys("proposals", region) == [f"proposal/{ow.proposal.id}"]
    assert _keys("events", region) == [f"event/{ow.event.id}"]
    assert [e.title for e in feeds.entries("events", feeds.scope(ow.elsewhere.istat_code))] == ["Evento lontano"]
    by_association = feeds.scope(organization_slug=ow.association.slug)
    assert _keys("proposals", by_association) == [f"proposal/{ow.proposal.id}"]
    assert _keys("responses", feeds.scope(organization_slug=ow.authority.slug)) == [f"response/{ow.response.id}"]
    assert _keys("good-practices", by_association) == [f"good-practice/{ow.practice.id}"]
    assert _keys("events", feeds.scope(ow.elsewhere.istat_code, ow.association.slug)) == []
    for bad in ({"territory_code": "999999"}, {"organization_slug": "nobody"}, {"organization_slug": ow.hidden.slug}):
        with pytest.raises(NotFound):
            feeds.scope(**bad)
    with pytest.raises(NotFound):
        feeds.entries("secrets", everywhere)


def test_atom_is_valid_and_user_text_stays_text(app, ow: OpenWorld) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=en"):
        for name in feeds.FEEDS:
            body = feeds.atom(name, feeds.scope(), locale="en", host="ponte.test:443", self_url=f"https://ponte.test/feeds/{name}.atom",
                              link=_link)
            parsed = feedparser.parse(body)
            assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
            assert parsed.feed.title.startswith("Ponte · ") and parsed.feed.links[0].rel in ("self", "alternate")
            assert all(e.id.startswith("tag:ponte.test,2026:") and e.author and e.updated for e in parsed.entries)
        body = feeds.atom("proposals", feeds.scope(), locale="en", host="ponte.test", self_url="https://ponte.test/feeds/proposals.atom",
                          link=_link)
    assert b"<script>" not in body and b"]]>" not in body and b"\x07" not in body
    root = ET.fromstring(body)  # noqa: S314 — our own output
    atom = "{http://www.w3.org/2005/Atom}"
    first = root.find(f"{atom}entry")
    assert first is not None
    assert first.findtext(f"{atom}title") == SHOWN
    assert first.findtext(f"{atom}author/{atom}name") == "Ponti Insieme"  # the organisation, not the person
    assert root.findtext(f"{atom}title") == "Ponte · New proposals"
    entry = feedparser.parse(body).entries[0]
    assert entry.title == SHOWN and entry.link.endswith(f"/{ow.proposal.id}")


# ---------------------------------------------------------------- CSV


def _table(name: str) -> tuple[list[str], list[dict[str, str]]]:
    text = opendata.csv_for(name, "https://ponte.test/")
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text[1:]))
    rows = list(reader)
    assert reader.fieldnames == list(opendata.DATASETS[name].header)
    return list(reader.fieldnames or []), rows


def test_every_data_set_is_public_only_safe_and_complete(ow: OpenWorld) -> None:
    tables = {name: _table(name)[1] for name in opendata.DATASETS}
    orgs = {row["slug"]: row for row in tables["organizations"]}
    assert ow.association.slug in orgs and ow.hidden.slug not in orgs
    flat = "\n".join(",".join(row.values()) for rows in tables.values() for row in rows)
    for secret in ("segreteria@ponti.example", "+390101234567", "Amina Rossi", "Associazione Nascosta", "Proposta in bozza",
                   "Proposta nascosta", "Proposta del lab nascosto", "Pratica ritirata", "Pratica della nascosta",
                   "Pratica in bozza", "Evento nascosto"):
        assert secret not in flat, secret
    proposals = {int(row["id"]): row for row in tables["proposals"]}
    row = proposals[ow.proposal.id]
    assert row["title"].startswith("'=HYPERLINK") and "<script>" in row["title"]  # neutralised, and kept as plain text
    assert row["is_answered"] == "0" and row["decision"] == "accepted" and row["on_behalf_of_slug"] == ow.association.slug
    assert row["votes_count"] == "" and row["url"] == f"https://ponte.test/proposals/{ow.proposal.id}"
    assert [r["decision"] for r in tables["responses"] if r["proposal_id"] == str(ow.proposal.id)] == ["accepted"]
    sessions = [r for r in tables["events"] if r["event_id"] == str(ow.event.id)]
    assert len(sessions) == 1 and sessions[0]["status"] == "scheduled" and sessions[0]["starts_at"].endswith("Z")
    assert [r["title"] for r in tables["good-practices"]] == ["Compagni di banco"]
    assert {r["status"] for r in tables["initiatives"]} <= {"planned", "running", "completed"}
    changes = opendata.last_changes()
    assert set(changes) == set(opendata.DATASETS) and changes["proposals"] is not None and changes["proposals"].tzinfo is not None
    with pytest.raises(NotFound):
        opendata.csv_for("users", "https://ponte.test")


def test_csv_files_take_the_same_queries_for_few_rows_and_many(ow: OpenWorld, engine) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for _ in range(2):
        with count_queries(engine) as statements:
            for name in opendata.DATASETS:
                opendata.csv_for(name, "https://ponte.test")
        counts.append(len(statements))
        for n in range(3):
            _practice(factories.organization(home=ow.comune), f"Altra pratica {n}")
            _event(ow.association, f"Altro evento {n}")
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- the catalogue


def test_catalog_is_turtle_with_one_dataset_per_file_and_escaped_literals(ow: OpenWorld) -> None:
    tricky = 'Regione "Prova" \\ Ufficio\ndati <aperti>'
    text = catalog.turtle("https://ponte.test/", catalog.Publisher("r_prova", tricky, "dati@ponte.example"))
    graph = rdflib.Graph().parse(data=text, format="turtle")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(opendata.DATASETS) == len(set(graph.subjects(RDF.type, DCATAPIT.Dataset)))
    downloads = sorted(str(graph.value(graph.value(d, DCAT.distribution), DCAT.downloadURL)) for d in datasets)
    assert downloads == sorted(f"https://ponte.test/opendata/{name}.csv" for name in opendata.DATASETS)
    (catalogue,) = graph.subjects(RDF.type, DCATAPIT.Catalog)
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == tricky and str(graph.value(publisher, DCTERMS.identifier)) == "r_prova"
    assert {str(graph.value(d, DCTERMS.identifier)) for d in datasets} == {f"r_prova:ponte-{n}" for n in opendata.DATASETS}
    for d in datasets:
        assert {o.language for o in graph.objects(d, DCTERMS.title)} == {"it", "en"}  # type: ignore[attr-defined]
        assert graph.value(d, DCTERMS.rightsHolder) == publisher and graph.value(d, DCAT.contactPoint) is not None
        assert graph.value(d, DCTERMS.accrualPeriodicity) is not None and list(graph.objects(d, DCAT.theme))
        licence = graph.value(graph.value(d, DCAT.distribution), DCTERMS.license)
        assert (licence, RDF.type, DCATAPIT.LicenseDocument) in graph
    assert catalog.iri('https://x.example/a b"<c>') == "<https://x.example/a%20b%22%3Cc%3E>"
    assert catalog.literal('a"b\\c\n\x01', "it") == '"a\\"b\\\\c\\n\\u0001"@it'
