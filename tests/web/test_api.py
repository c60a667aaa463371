"""The open data API over HTTP: every resource listed and shown, only public data (hidden,
draft and private things never in the JSON), keyset pages and strict cursors, ETag and 304,
CORS, JSON error objects (404, 405, 400, 429, 503), no cookies, and the OpenAPI document
matching the routes."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import OperationalError

from app.db import db
from app.security.ratelimit import limiter
from app.services import openapi, public_api
from models import (
    Event,
    EventSession,
    Forum,
    ForumKind,
    GoodPractice,
    InitiativePartner,
    Lab,
    Organization,
    OrganizationDescription,
    Post,
    Proposal,
    ProposalResponse,
    ProposalState,
    ResponseDecision,
    Territory,
    Thread,
)
from tests import factories
from tests.web.test_query_budget import count_queries

COVERED_ROUTES = {
    "/api/v1/openapi.json",
    "/api/v1/territories",
    "/api/v1/territories/<istat_code>",
    "/api/v1/organizations",
    "/api/v1/organizations/<slug>",
    "/api/v1/forums",
    "/api/v1/forums/<slug>/threads",
    "/api/v1/threads/<int:thread_id>",
    "/api/v1/labs",
    "/api/v1/labs/<slug>",
    "/api/v1/proposals",
    "/api/v1/proposals/<int:proposal_id>",
    "/api/v1/events",
    "/api/v1/events/<int:event_id>",
    "/api/v1/initiatives",
    "/api/v1/initiatives/<int:initiative_id>",
    "/api/v1/good-practices",
    "/api/v1/good-practices/<int:practice_id>",
}

# Text that must never leave the database through the API.
SECRETS = (
    "Organizzazione Nascosta", "SECRET-TAXCODE", "Mario Contatto Privato", "+390000111222", "Discussione nascosta",
    "messaggio nascosto", "messaggio cancellato", "Proposta in bozza", "Proposta nascosta", "Iniziativa in bozza",
    "Referente Interculturale", "referente@scuola.example.org", "+393331234567", "https://meet.example.org/riservato",
    "Evento nascosto", "Persona Autrice", "autrice@example.org",
)
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class World:
    region: Territory
    comune: Territory
    org: Organization
    hidden_org: Organization
    forum: Forum
    thread: Thread
    hidden_thread: Thread
    lab: Lab
    proposal: Proposal
    draft: Proposal
    event: Event
    private_link_event: Event
    initiative: Any
    draft_initiative: Any
    practice: GoodPractice


def seed() -> World:
    """Public data of every kind, each next to things that must stay out of the API."""
    add = db.session.add
    region, _province, comune = factories.chain()
    author = factories.user(name="Persona Autrice", email="autrice@example.org")
    org = factories.organization("Associazione Pubblica", home=comune, verified=True, verified_at=NOW, admin=author,
                                 email="info@pubblica.example.org", website="https://pubblica.example.org",
                                 tax_code="SECRET-TAXCODE", contact_name="Mario Contatto Privato", contact_phone="+390000111222")
    add(OrganizationDescription(organization_id=org.id, language="it", body="Chi siamo", body_html="<p>Chi siamo</p>", is_original=True))
    hidden_org = factories.organization("Organizzazione Nascosta", home=comune, is_hidden=True)

    forum = Forum(slug=f"forum-{region.istat_code.lower()}", kind=ForumKind.TERRITORIAL, territory_id=region.id, action="")
    add(forum)
    db.session.flush()
    thread = Thread(forum_id=forum.id, author_id=author.id, organization_id=org.id, title="Corsi di italiano", posts_count=3)
    hidden_thread = Thread(forum_id=forum.id, author_id=author.id, title="Discussione nascosta", is_hidden=True, posts_count=1)
    add_all = db.session.add_all
    add_all([thread, hidden_thread])
    db.session.flush()
    add_all([
        Post(thread_id=thread.id, position=1, author_id=author.id, body="Primo messaggio", body_html="<p>Primo messaggio</p>"),
        Post(thread_id=thread.id, position=2, author_id=author.id, body="messaggio nascosto", body_html="<p>x</p>", is_hidden=True),
        Post(thread_id=thread.id, position=3, author_id=author.id, body="messaggio cancellato", body_html="<p>x</p>", deleted_at=NOW),
        Post(thread_id=thread.id, position=4, author_id=author.id, organization_id=org.id, body="Risposta", body_html="<p>Risposta</p>"),
        Post(thread_id=hidden_thread.id, position=1, author_id=author.id, body="Nel nascosto", body_html="<p>x</p>"),
    ])

    lab = Lab(slug=f"lab-{region.id}", title="Laboratorio di quartiere", convener_id=org.id, territory_id=comune.id,
              actions=["action_02"], proposals_at=NOW - timedelta(days=10), description="Descrizione", description_html="<p>D</p>")
    hidden_lab = Lab(slug=f"lab-nascosto-{region.id}", title="Laboratorio nascosto", convener_id=hidden_org.id,
                     territory_id=comune.id, actions=[], proposals_at=NOW - timedelta(days=10))
    add_all([lab, hidden_lab])
    db.session.flush()
    common = {"summary": "Riassunto", "body": "Testo", "body_html": "<p>Testo</p>", "author_id": author.id, "authority_id": org.id}
    proposal = Proposal(lab_id=lab.id, title="Più panchine", state=ProposalState.ACCEPTED, supports_count=7,
                        published_at=NOW - timedelta(days=5), answered_at=NOW, **common)
    draft = Proposal(lab_id=lab.id, title="Proposta in bozza", state=ProposalState.DRAFT, **common)
    hidden = Proposal(lab_id=lab.id, title="Proposta nascosta", state=ProposalState.PUBLISHED, is_hidden=True, published_at=NOW, **common)
    in_hidden_lab = Proposal(lab_id=hidden_lab.id, title="Proposta nascosta 2", state=ProposalState.PUBLISHED, published_at=NOW, **common)
    add_all([proposal, draft, hidden, in_hidden_lab])
    db.session.flush()
    add(ProposalResponse(proposal_id=proposal.id, organization_id=org.id, author_id=author.id, decision=ResponseDecision.ACCEPTED,
                         text="Lo faremo", text_html="<p>Lo faremo</p>", office="Ufficio tecnico"))

    start = NOW + timedelta(days=3)
    event = Event(organization_id=org.id, title="Festa dei popoli", kind="festival", territory_id=comune.id, starts_at=start,
                  ends_at=start + timedelta(hours=2), language="it", capacity=30)
    private_link = Event(organization_id=org.id, title="Incontro online", kind="online_meeting", mode="online", territory_id=comune.id,
                         online_url="https://meet.example.org/riservato", online_url_registrants_only=True,
                         starts_at=start + timedelta(days=30), ends_at=start + timedelta(days=30, hours=1))
    hidden_event = Event(organization_id=hidden_org.id, title="Evento nascosto", kind="workshop", territory_id=comune.id,
                         starts_at=start, ends_at=start + timedelta(hours=1))
    add_all([event, private_link, hidden_event])
    db.session.flush()
    for e in (event, private_link, hidden_event):
        add(EventSession(event_id=e.id, original_start=e.starts_at, starts_at=e.starts_at, ends_at=e.ends_at))

    school = factories.organization("Scuola Media", kind="school", home=comune)
    initiative = factories.initiative(org, status="completed", partners=((school, "host_school", "confirmed"),))
    partner = db.session.get(InitiativePartner, (initiative.id, school.id))
    partner.contact_name, partner.contact_email, partner.contact_phone = "Referente Interculturale", "referente@scuola.example.org", "+393331234567"
    draft_initiative = factories.initiative(org, status="draft", title="Iniziativa in bozza")
    factories.initiative(hidden_org, status="running", title="Evento nascosto di iniziativa")
    practice = GoodPractice(initiative_id=initiative.id, title="Compagni di banco", problem="Problema", problem_html="<p>Problema</p>",
                            contact="Ufficio scuola del Comune")
    add(practice)
    db.session.flush()
    return World(region, comune, org, hidden_org, forum, thread, hidden_thread, lab, proposal, draft, event, private_link,
                 initiative, draft_initiative, practice)


def get(client, url: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.get(url, headers=headers)


# ---------------------------------------------------------------- routes and document


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")} == COVERED_ROUTES


def test_document_is_valid_openapi_and_matches_the_routes(app, client) -> None:  # type: ignore[no-untyped-def]
    import schemathesis

    served = client.get("/api/v1/openapi.json").get_json()
    assert served == json.loads(json.dumps(openapi.document()))
    schemathesis.openapi.from_dict(served).validate()  # the OpenAPI 3.1 meta-schema
    base = served["servers"][0]["url"]
    routes = {re.sub(r"<(?:\w+:)?\w+>", "{}", r.rule): r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    documented = {re.sub(r"\{\w+\}", "{}", base + path): item for path, item in served["paths"].items()}
    assert set(documented) == set(routes)
    parameters = served["components"]["parameters"]
    for path, item in documented.items():
        assert set(item) == {"get"} and routes[path].methods == {"GET", "HEAD", "OPTIONS"}, path
        declared = [parameters[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in item["get"].get("parameters", [])]
        assert len([p for p in declared if p["in"] == "path"]) == len(routes[path].arguments), path


# ---------------------------------------------------------------- every resource


def test_every_resource_is_listed_and_shown(client, session) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    code = w.region.istat_code
    territories = get(client, f"/api/v1/territories?parent={w.region.istat_code}").get_json()["data"]
    assert [t["level"] for t in territories] == ["province"]
    shown = get(client, f"/api/v1/territories/{w.comune.istat_code}").get_json()["data"]
    assert shown["parent"]["level"] == "province" and shown["ancestors"][0]["istat_code"] == code

    orgs = get(client, f"/api/v1/organizations?territory={code}&verified=true").get_json()["data"]
    assert [o["slug"] for o in orgs] == [w.org.slug] and orgs[0]["home_territory"]["istat_code"] == w.comune.istat_code
    assert orgs[0]["verified_at"].endswith("Z")
    detail = get(client, f"/api/v1/organizations/{w.org.slug}").get_json()["data"]
    assert detail["email"] == "info@pubblica.example.org" and detail["descriptions"][0]["language"] == "it"

    assert [f["slug"] for f in get(client, f"/api/v1/forums?territory={code}").get_json()["data"]] == [w.forum.slug]
    threads = get(client, f"/api/v1/forums/{w.forum.slug}/threads").get_json()["data"]
    assert [t["id"] for t in threads] == [w.thread.id] and threads[0]["organization"]["slug"] == w.org.slug
    thread = get(client, f"/api/v1/threads/{w.thread.id}").get_json()
    assert [p["position"] for p in thread["data"]["posts"]] == [1, 4] and thread["next_cursor"] is None

    assert [lab["slug"] for lab in get(client, f"/api/v1/labs?territory={code}").get_json()["data"]] == [w.lab.slug]
    assert get(client, f"/api/v1/labs/{w.lab.slug}").get_json()["data"]["phase"] == "proposals"
    proposals = get(client, f"/api/v1/proposals?lab={w.lab.slug}").get_json()["data"]
    assert [p["id"] for p in proposals] == [w.proposal.id]
    assert proposals[0]["supports_count"] == 7 and proposals[0]["response"]["decision"] == "accepted"
    assert proposals[0]["votes_count"] is None  # secret until results are published
    assert get(client, f"/api/v1/proposals?territory={code}&status=rejected").get_json()["data"] == []
    one = get(client, f"/api/v1/proposals/{w.proposal.id}").get_json()["data"]
    assert one["response"]["office"] == "Ufficio tecnico" and one["body"] == "Testo"

    events = get(client, f"/api/v1/events?territory={code}").get_json()["data"]
    assert [e["id"] for e in events] == [w.event.id, w.private_link_event.id]  # by first date
    assert events[1]["online_url"] is None
    soon = (NOW + timedelta(days=10)).date().isoformat()
    assert [e["id"] for e in get(client, f"/api/v1/events?organization={w.org.slug}&to={soon}").get_json()["data"]] == [w.event.id]
    event = get(client, f"/api/v1/events/{w.event.id}").get_json()["data"]
    assert event["sessions"][0]["places_left"] == 30 and event["translations"] == {} and event["language"] == "it"

    initiatives = get(client, f"/api/v1/initiatives?territory={code}&status=completed&action=action_01").get_json()["data"]
    assert [i["id"] for i in initiatives] == [w.initiative.id]
    shown_initiative = get(client, f"/api/v1/initiatives/{w.initiative.id}").get_json()["data"]
    assert {p["role"] for p in shown_initiative["partners"]} == {"lead", "host_school"}
    assert shown_initiative["good_practice_id"] == w.practice.id
    practices = get(client, f"/api/v1/good-practices?territory={code}&kind=peer_education").get_json()["data"]
    assert [p["id"] for p in practices] == [w.practice.id]
    card = get(client, f"/api/v1/good-practices/{w.practice.id}").get_json()["data"]
    assert card["problem_html"] == "<p>Problema</p>" and card["contact"] == "Ufficio scuola del Comune"


def test_hidden_draft_and_private_data_never_appear(client, session) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    urls = ["/api/v1/territories", "/api/v1/organizations", "/api/v1/forums", f"/api/v1/forums/{w.forum.slug}/threads",
            f"/api/v1/threads/{w.thread.id}", "/api/v1/labs", "/api/v1/proposals", f"/api/v1/proposals/{w.proposal.id}",
            "/api/v1/events", f"/api/v1/events/{w.private_link_event.id}", "/api/v1/initiatives",
            f"/api/v1/initiatives/{w.initiative.id}", "/api/v1/good-practices", f"/api/v1/good-practices/{w.practice.id}",
            f"/api/v1/organizations/{w.org.slug}", f"/api/v1/labs/{w.lab.slug}"]
    for url in urls:
        response = client.get(url + ("&" if "?" in url else "?") + "limit=100")
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert not [s for s in SECRETS if s in text], url
        assert w.hidden_org.slug not in text, url
    for url in (f"/api/v1/organizations/{w.hidden_org.slug}", f"/api/v1/threads/{w.hidden_thread.id}",
                f"/api/v1/proposals/{w.draft.id}", f"/api/v1/initiatives/{w.draft_initiative.id}",
                f"/api/v1/labs/lab-nascosto-{w.region.id}", "/api/v1/events/2147483648", "/api/v1/threads/99999999999"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == "not_found"


def test_list_query_count_does_not_grow_with_rows(client, session, engine) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    for n in range(6):
        partner = factories.organization(home=w.comune)
        factories.initiative(w.org, status="running", partners=((partner, "partner", "confirmed"),))
        row = Proposal(lab_id=w.lab.id, title=f"Proposta {n}", summary="R", body="T", body_html="<p>T</p>", authority_id=w.org.id,
                       organization_id=partner.id, state=ProposalState.PUBLISHED, published_at=NOW)
        db.session.add(row)
        db.session.flush()
        db.session.add(ProposalResponse(proposal_id=row.id, organization_id=w.org.id, decision=ResponseDecision.EVALUATING, text="T", text_html="T"))
    db.session.flush()
    for url in ("/api/v1/initiatives", "/api/v1/proposals", "/api/v1/organizations", "/api/v1/events", "/api/v1/good-practices"):
        counts = []
        for limit in (1, 7):
            with count_queries(engine) as statements:
                assert client.get(f"{url}?limit={limit}").status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1] <= 4, url


# ---------------------------------------------------------------- pages and cursors


def test_cursor_pages_walk_every_row_once_and_bad_values_are_400(client, session) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    for n in range(6):
        factories.organization(f"Gruppo {n}", home=w.comune)
    seen: list[str] = []
    url = f"/api/v1/organizations?territory={w.region.istat_code}&limit=2"
    cursor = None
    for _ in range(10):
        body = client.get(url + (f"&cursor={cursor}" if cursor else "")).get_json()
        assert len(body["data"]) <= 2
        seen += [o["slug"] for o in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8  # 6 groups, the association and the school; never the hidden one

    # Events page by (first date, id): a cursor carries both.
    first = client.get(f"/api/v1/events?territory={w.region.istat_code}&limit=1").get_json()
    second = client.get(f"/api/v1/events?territory={w.region.istat_code}&limit=1&cursor={first['next_cursor']}").get_json()
    assert [first["data"][0]["id"], second["data"][0]["id"]] == [w.event.id, w.private_link_event.id] and second["next_cursor"] is None

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    bad_cursors = ["!!", "a" * 201, b64(b"[0]"), b64(b'["7"]'), b64(b"[7,8]"), b64(b"{}"), b64(b"[true]"), b64(b"[7.0]"),
                   b64(b"[ 7]"), b64(b"[2147483648]"), b64(b"\xff\xfe"), public_api.encode_cursor([7]) + "=", "=", "YQ"]
    for bad in bad_cursors:
        response = client.get(f"/api/v1/organizations?cursor={bad}")
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["code"] == "bad_request"
        assert set(response.get_json()["error"]["fields"]) == {"cursor"}
    assert client.get(f"/api/v1/events?cursor={public_api.encode_cursor([7])}").status_code == 400
    for query, field in (("limit=0", "limit"), ("limit=101", "limit"), ("limit=abc", "limit"), ("limit=٣", "limit"),
                         ("level=planet", "level"), ("parent=nowhere", "parent"), ("kind=club", "kind"), ("verified=yes", "verified")):
        path = "/api/v1/territories" if field in ("level", "parent") else "/api/v1/organizations"
        response = client.get(f"{path}?{query}&lang=en")
        assert response.status_code == 400, query
        assert response.get_json()["error"]["fields"].keys() == {field}
    response = client.get("/api/v1/events?from=2026-02-30&to=2025-01-01&lang=en")
    assert response.status_code == 400 and response.get_json()["error"]["fields"] == {"from": "Choose a date between 2000 and 2100."}


# ---------------------------------------------------------------- HTTP behaviour


def test_etag_cache_cors_security_headers_and_no_cookies(client, session) -> None:  # type: ignore[no-untyped-def]
    w = seed()
    url = f"/api/v1/organizations/{w.org.slug}"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/json"
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert first.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in first.headers
    assert first.headers["X-Content-Type-Options"] == "nosniff" and "frame-ancestors 'none'" in first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in first.headers
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.head(url).status_code == 200
    preflight = client.options(url, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204 and preflight.get_data() == b""
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    # A logged-in reader gets the same public answer, and no session is written for it.
    factories_user = factories.user(email="lettore@example.org")
    from tests.conftest import login

    login(client, factories_user.email, factories.PASSWORD)
    logged = client.get(url)
    assert logged.headers["ETag"] == etag and logged.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in logged.headers


def test_errors_are_json_objects_with_their_status(client, session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/api/v1/nothing-here?lang=en")
    assert missing.status_code == 404 and missing.mimetype == "application/json"
    assert missing.get_json() == {"error": {"code": "not_found", "message": "This page does not exist or is no longer available."}}
    assert missing.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/api/v1/organizations/nobody?lang=en").get_json()["error"]["message"] == "We could not find this organisation."
    posted = client.post("/api/v1/organizations")
    assert posted.status_code == 405 and posted.get_json()["error"]["code"] == "method_not_allowed"
    assert set(posted.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert client.delete("/api/v1/organizations/anyone").status_code == 405
    assert client.get("/api/v1/organizations/anyone?lang=it").get_json()["error"]["message"] == "Non abbiamo trovato questa organizzazione."
    assert client.get("/organizations/nobody").mimetype == "text/html"  # the HTML pages keep their error pages

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(public_api, "list_territories", down)
    outage = client.get("/api/v1/territories")
    assert outage.status_code == 503 and outage.headers["Retry-After"] == "30"
    assert outage.get_json()["error"]["code"] == "unavailable"


def test_rate_limit_gives_a_json_429_with_retry_after(app, client, session) -> None:  # type: ignore[no-untyped-def]
    before = app.config["RATELIMIT_API"]
    app.config["RATELIMIT_API"] = "3 per minute"
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [client.get(url).status_code for url in ("/api/v1/territories", "/api/v1/forums", "/api/v1/labs", "/api/v1/events")]
        last = client.get("/api/v1/openapi.json")
    finally:
        limiter.enabled = False
        limiter.reset()
        app.config["RATELIMIT_API"] = before
    assert statuses == [200, 200, 200, 429]  # one budget for the whole API
    assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0
    assert last.get_json()["error"]["code"] == "rate_limited"
