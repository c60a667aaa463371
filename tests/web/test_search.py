"""The search page over HTTP: status for visitors and members, validated filters (400), the header
search box, escaped and marked results, links to each kind of result, and the query budget."""

from __future__ import annotations

import re

from flask import Flask

from app.services import forums, search_index
from app.services.forums import PostDraft, ThreadDraft
from tests import factories
from tests.conftest import login
from tests.services.test_search import _event
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {"/search"}


def test_covered_routes_are_the_blueprint_routes(app: Flask) -> None:
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("search.")} == COVERED_ROUTES


def test_search_page_for_visitors_and_members_with_filters(client, session) -> None:  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    org = factories.organization("Corsi per stranieri", home=comune)
    _event(org, "Corso di italiano serale", action="action_01")
    search_index.rebuild()
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<form[^>]*role="search"[^>]*action="/search"', home) and 'name="q"' in home

    guide = client.get("/search?lang=en")
    assert guide.status_code == 200 and "Write one or more words" in guide.get_data(as_text=True)
    page = client.get(f"/search?lang=en&q=corso+italiano&type=event&territory={province.istat_code}&action=action_01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "About 1 result" in html and '<mark class="p-0">Corso</mark>' in html and ">Event</span>" in html
    none = client.get(f"/search?lang=en&q=italiano&type=organization&territory={region.istat_code}").get_data(as_text=True)
    assert "Nothing matches these words." in none and "/search?q=italiano" in none  # search again without the filters
    for bad in ("type=user", "action=action_9", "page=0", "page=26", "page=x", "territory=Nessun+posto+qui", "territory=%00"):
        assert client.get(f"/search?lang=en&q=corso&{bad}").status_code == 400, bad
    too_long = client.get("/search?lang=en&q=" + "a" * 201)
    assert too_long.status_code == 400 and "Write at most 200 characters." in too_long.get_data(as_text=True)

    person = factories.user(home=comune)
    login(client, person.email, factories.PASSWORD)
    assert '<mark class="p-0">italiano</mark>' in client.get("/search?q=italiano").get_data(as_text=True)


def test_results_are_escaped_marked_and_linked(client, session) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    author = factories.user(home=comune)
    org = factories.organization("<script>alert(1)</script> Scuola <b>Aperta</b>", home=comune)
    _event(org, "مَدْرَسَة اللغة", "دروس اللغة الإيطالية للكبار", language="ar")
    search_index.rebuild()
    thread = forums.create_thread(author, forums.forum_for(comune), ThreadDraft(title="Scuola serale", body="Chi conosce una scuola?"))
    forums.reply(author, thread, PostDraft(body="La scuola <img src=x onerror=alert(2)> apre a ottobre."))

    html = client.get("/search?q=scuola").get_data(as_text=True)
    assert '&lt;script&gt;alert(1)&lt;/script&gt; <mark class="p-0">Scuola</mark> &lt;b&gt;Aperta&lt;/b&gt;' in html
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert f'href="/organizations/{org.slug}"' in html and f'href="/threads/{thread.id}#post-2"' in html
    _assert_inert(html)
    echoed = client.get("/search?q=%3Cscript%3E%22").get_data(as_text=True)
    assert 'value="&lt;script&gt;&#34;"' in echoed and "<script>\"" not in echoed
    arabic = client.get("/search?q=%D9%85%D8%AF%D8%B1%D8%B3%D8%A9").get_data(as_text=True)  # مدرسة
    assert 'dir="auto" lang="ar"><mark class="p-0">مدرسة</mark>' in arabic


def test_search_page_query_count_does_not_grow_with_results(client, session, engine) -> None:  # type: ignore[no-untyped-def]
    org = factories.organization("Sportello", home=factories.chain()[2])
    for n in range(25):
        _event(org, f"Sportello lavoro {n}")
    search_index.rebuild()
    client.get("/search?q=lavoro")  # warm up (session, translations)
    counts = []
    for url in ("/search?q=lavoro+1", "/search?q=lavoro"):
        with count_queries(engine) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] <= counts[1] <= 4
