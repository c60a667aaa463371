"""Open data over HTTP: feeds (filters, caching, 304), CSV downloads, the Turtle catalogue whose
download links all answer, the /opendata/ page in Italian and Arabic, and feed discovery links."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser
import pytest
import rdflib
from rdflib.namespace import DCAT

from app.services import opendata
from tests.services.test_opendata import SHOWN, OpenWorld, open_world

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {"/opendata/", "/feeds/<name>.atom", "/opendata/<name>.csv", "/catalog.ttl"}


@pytest.fixture
def ow(session) -> OpenWorld:  # type: ignore[no-untyped-def]
    return open_world()


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("opendata.")} == COVERED_ROUTES


def test_feeds_are_atom_cached_filtered_and_answer_304(client, ow: OpenWorld) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/feeds/proposals.atom?lang=en")
    assert response.status_code == 200 and response.content_type == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300" and response.headers.get("ETag")
    parsed = feedparser.parse(response.data)
    assert parsed.bozo == 0 and parsed.feed.title == "Ponte · New proposals"
    assert [e.title for e in parsed.entries][:2] == [SHOWN, "Proposta lontana"]
    assert {link.href for link in parsed.feed.links if link.rel == "self"} == {"https://ponte.test/feeds/proposals.atom?lang=en"}
    again = client.get("/feeds/proposals.atom?lang=en", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert client.get("/feeds/proposals.atom?lang=it").headers["ETag"] != response.headers["ETag"]  # feed texts differ

    scoped = feedparser.parse(client.get(f"/feeds/events.atom?territory={ow.region.istat_code}&lang=en").data)
    assert [e.title for e in scoped.entries] == ["Festa dei popoli"] and ow.comune.name not in scoped.feed.title
    by_org = feedparser.parse(client.get(f"/feeds/responses.atom?organization={ow.authority.slug}").data)
    assert by_org.bozo == 0 and [e.title for e in by_org.entries] == [SHOWN] and "Comune di Prova" in by_org.feed.title
    assert feedparser.parse(client.get("/feeds/good-practices.atom?lang=ar").data).bozo == 0
    for url in ("/feeds/secrets.atom", "/feeds/events.atom?territory=nowhere", f"/feeds/events.atom?organization={ow.hidden.slug}",
                "/feeds/events.atom?organization=" + "x" * 500):
        assert client.get(url).status_code == 404, url
    assert "We could not find this territory." in client.get("/feeds/events.atom?territory=nowhere&lang=en").get_data(as_text=True)


def test_csv_files_and_the_catalogue_that_lists_them(client, ow: OpenWorld) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/catalog.ttl")
    assert response.status_code == 200 and response.content_type == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    downloads = [str(o) for o in graph.objects(None, DCAT.downloadURL)]
    assert len(downloads) == len(set(graph.subjects(rdflib.RDF.type, DCAT.Dataset))) == len(opendata.DATASETS)
    for url in downloads:
        got = client.get(urlsplit(url).path)
        assert got.status_code == 200, url
        assert got.data.startswith("\ufeff".encode()) and got.content_type == "text/csv; charset=utf-8"
        assert got.headers["Content-Disposition"].startswith("attachment;")
    text = client.get("/opendata/proposals.csv").get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("id,lab_slug,title,summary,state") and "'=HYPERLINK" in text
    assert "Associazione Nascosta" not in client.get("/opendata/organizations.csv").get_data(as_text=True)
    assert client.get("/opendata/users.csv").status_code == 404


def test_open_data_page_and_feed_discovery(client, ow: OpenWorld) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/opendata/?lang=en").get_data(as_text=True)
    assert "<h1>Open data</h1>" in html and 'href="/catalog.ttl"' in html and "CC BY 4.0" in html
    for name in opendata.DATASETS:
        assert f'href="/opendata/{name}.csv"' in html
    assert 'href="/feeds/good-practices.atom"' in html
    arabic = client.get("/opendata/?lang=ar")
    assert arabic.status_code == 200 and 'dir="rtl"' in arabic.get_data(as_text=True)
    alternate = 'rel="alternate" type="application/atom+xml"'
    for url, feed in (("/labs/", "/feeds/proposals.atom"), ("/events/", "/feeds/events.atom"),
                      ("/good-practices/", "/feeds/good-practices.atom"),
                      (f"/territories/{ow.region.istat_code}", f"/feeds/events.atom?territory={ow.region.istat_code}")):
        page = client.get(url).get_data(as_text=True)
        assert alternate in page and f'href="{feed}"' in page, url
        assert 'href="/opendata/"' in page  # the footer link
