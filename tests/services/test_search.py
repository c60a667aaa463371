"""Site-wide search: words found without accents in Italian, Romanian, Arabic and Chinese (word
endings too on PostgreSQL), only public content (hidden, draft, unpublished and hidden
organisations' content never; restoring brings it back), hostile queries, filters and the cap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.db import db
from app.exceptions import ValidationFailed
from app.services import forums, initiatives, organizations, practices, proposals, search, search_index
from app.services.forums import PostDraft, ThreadDraft
from app.services.practices import PracticeCard
from app.services.search import SearchQuery
from models import Event, EventKind, Organization, SearchDocument
from models.base import utcnow
from tests import factories
from tests.services.test_labs import make_lab, publish, world


def _event(org: Organization, title: str, description: str = "", language: str = "it", action: str = "") -> Event:
    start = utcnow() + timedelta(days=7)
    event = Event(organization_id=org.id, organization=org, title=title, description=description, language=language,
                  kind=EventKind.WORKSHOP, action=action, territory=org.home_territory, starts_at=start,
                  ends_at=start + timedelta(hours=2))
    db.session.add(event)
    db.session.flush()
    return event


def found(q: str, **filters: Any) -> set[tuple[str, Any]]:
    """(kind, first URL argument) of every hit on the first page."""
    return {(hit.kind.value, next(iter(hit.url_args.values()))) for hit in search.search(SearchQuery(q=q, **filters)).hits}


def test_words_are_found_without_accents_in_every_script(session) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    org = factories.organization("Ponti di Carta", home=comune)
    lab = factories.initiative(org, status="running", title="Laboratorio nella città",
                               description="I **bambini** delle scuole imparano l'italiano insieme.")
    factories.initiative(org, status="draft", title="Bozza segreta della città")
    romanian = _event(org, "Școală de vară pentru copii", language="ro")
    arabic = _event(org, "مَدْرَسَة اللغة العربية", language="ar")
    chinese = _event(org, "中文课程", "我在北京的学校工作", language="zh_Hans")
    counts = search_index.rebuild()  # also proves rebuild: the factories bypass the services
    assert (counts["organization"], counts["initiative"], counts["event"]) == (1, 1, 3)

    assert found("citta") == found("CITTÀ") == {("initiative", lab.id)}  # the draft never
    hit = search.search(SearchQuery(q="citta")).hits[0]
    assert ("città", True) in hit.title and hit.language == "it"
    assert found("scoala") == {("event", romanian.id)}
    assert found("مدرسة") == {("event", arabic.id)}  # written without the short vowels
    assert found("北京") == found("北京的学校") == found("的学校") == {("event", chinese.id)}
    assert found("ponti carta") == {("organization", org.slug)}
    snippet = search.search(SearchQuery(q="bambini scuole")).hits[0].snippet
    assert ("bambini", True) in snippet and all("**" not in text for text, _ in snippet)  # Markdown marks left out
    if db.session.get_bind().dialect.name == "postgresql":  # Snowball: other endings of the same word
        assert found("bambino scuola") == {("initiative", lab.id)}
        assert found("copiilor") == {("event", romanian.id)}


def test_only_public_content_is_found_and_restoring_brings_it_back(session) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    staff, author = factories.admin(), factories.user(home=comune)
    org = factories.organization("Amici del Sud", home=comune, admin=author)
    _event(org, "Festa di primavera")
    search_index.rebuild()
    forum = forums.forum_for(comune)
    thread = forums.create_thread(author, forum, ThreadDraft(title="Dove trovare un mediatore", body="Cerco un mediatore per la biblioteca."))
    reply = forums.reply(author, thread, PostDraft(body="Il mediatore del comune riceve il martedì."))
    assert found("mediatore") == {("thread", thread.id), ("post", thread.id)}

    forums.set_post_hidden(staff, reply, True, "Fuori tema")
    assert found("martedi") == set()
    forums.set_post_hidden(staff, reply, False)
    forums.set_thread_flag(staff, thread, "hidden", True, "Fuori tema")
    assert found("mediatore") == set()  # the discussion and its replies
    forums.set_thread_flag(staff, thread, "hidden", False)
    assert found("martedi") == {("post", thread.id)}
    forums.edit_post(author, forums.get_post(thread, 1), "Cerco una interprete per la scuola.", 1)
    assert found("interprete") == {("thread", thread.id)} and found("biblioteca") == set()
    forums.delete_post(author, reply)
    assert found("martedi") == set()

    assert found("amici") == {("organization", org.slug)} and len(found("primavera")) == 1
    organizations.set_hidden(staff, org, True, "Profilo falso")
    assert found("amici") == found("primavera") == set()  # the profile and its events
    organizations.set_hidden(staff, org, False)
    assert found("amici", territory=region.istat_code) == {("organization", org.slug)}
    assert search.search(SearchQuery(q="primavera")).hits[0].territory.id == comune.id


def test_drafts_unpublished_and_hidden_items_of_labs_and_initiatives(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    staff = factories.admin()
    lab = make_lab(w, title="Laboratorio del quartiere Navile")
    proposal = publish(lab, w.resident, title="Orti condivisi al Navile")
    proposals.create_proposal(w.resident, lab, proposals.ProposalDraft(title="Bozza di orti sul tetto", summary="Una bozza di orti.",
                                                                         body="Orti sul tetto della scuola."))
    assert found("navile") == {("lab", lab.slug), ("proposal", proposal.id)}
    assert found("tetto") == set()  # a draft
    proposals.set_proposal_hidden(staff, proposal, True, "Offensiva")
    assert found("orti") == set()
    proposals.set_proposal_hidden(staff, proposal, False)
    assert found("orti", type="proposal") == {("proposal", proposal.id)}
    assert found("orti", type="lab") == set()

    lead_admin = factories.user()
    lead = factories.organization("Scuola Aperta", home=w.comune, admin=lead_admin)
    planned = factories.initiative(lead, status="planned", title="Compiti insieme al Navile")
    search_index.refresh(planned)
    db.session.refresh(planned)  # the factory leaves the status as a plain string
    assert ("initiative", planned.id) in found("compiti")
    initiatives.set_status(lead_admin, planned, "draft")
    assert found("compiti") == set()

    done = factories.initiative(lead, status="completed", title="Pari tra pari")
    card = PracticeCard(title="Pari tra pari a scuola", problem="Gli alunni arrivati da poco restavano soli.",
                        method="Coppie di alunni si incontrano due volte a settimana.", results="Più amicizie tra compagni di classe.",
                        replication="Una scuola, due insegnanti e una stanza.", contact="")
    practice = practices.designate(staff, done, card)
    assert found("amicizie") == {("practice", practice.id)}
    practices.set_published(staff, practice, False)
    assert found("amicizie") == set()
    practices.set_published(staff, practice, True)
    assert found("amicizie", action="action_01", territory=w.region.istat_code) == {("practice", practice.id)}
    assert found("amicizie", action="action_02") == set()


HOSTILE = ['"', '""', "'", "*", "**", "NEAR(", "NEAR(a b)", "a NEAR/2 b", "-", "- -", "-scuola", "AND OR", "NOT", "^scuola",
           "title:scuola", "scuola:*", "(scuola", "scuola)", "{scuola}", "a & b | !c", "'; DROP TABLE search_documents; --",
           "%", "_", "\\", "\x00", "<script>", "😀", "&amp;", "北", "ﷺ", " ", "tsquery:*&|!<->", "\u0301", "a\u200db",
           "e\u0301 \u064b"]


def test_hostile_queries_never_break_and_long_ones_are_refused(session) -> None:  # type: ignore[no-untyped-def]
    org = factories.organization("Scuola aperta")
    search_index.refresh(org)
    for text in HOSTILE:
        assert isinstance(search.search(SearchQuery(q=text)), search.Results), text
    assert found('"scuola" (aperta*') == found("-scuola (aperta):*") == {("organization", org.slug)}
    assert search.search(SearchQuery(q="")).hits == []
    assert search.search(SearchQuery(q="x" * 200)).hits == []
    with pytest.raises(ValidationFailed) as refused:
        search.search(SearchQuery(q="scuola " * 2000))
    assert "q" in refused.value.errors
    for bad in ({"type": "user"}, {"action": "action_99"}):
        with pytest.raises(ValidationFailed):
            search.search(SearchQuery(q="scuola", **bad))
    with pytest.raises(ValidationFailed):
        search.search(SearchQuery(q="scuola"), page=search.MAX_PAGE + 1)


def test_results_are_paginated_capped_and_filtered(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, province, comune = factories.chain()
    elsewhere = factories.chain()[2]
    org = factories.organization("Corsi per stranieri", home=comune)
    for n in range(45):
        _event(org, f"Corso di italiano {n}", action="action_01" if n % 3 == 0 else "")
    far = _event(factories.organization(home=elsewhere), "Corso di italiano altrove")
    search_index.rebuild()
    monkeypatch.setattr(search, "MAX_RESULTS", 30)
    first, second = search.search(SearchQuery(q="corso italiano")), search.search(SearchQuery(q="corso italiano"), page=2)
    assert (len(first.hits), first.has_next, first.total, first.capped) == (20, True, 30, True)
    assert (len(second.hits), second.has_next, second.has_prev) == (10, False, True)
    assert not {h.url_args["event_id"] for h in first.hits} & {h.url_args["event_id"] for h in second.hits}
    inside = search.search(SearchQuery(q="corso", territory=province.istat_code, action="action_01"))
    assert (inside.total, inside.capped) == (15, False)
    assert found("corso", territory=elsewhere.istat_code) == {("event", far.id)}
    assert found("italiano", type="organization") == set() and found("stranieri", type="organization") == {("organization", org.slug)}
    with pytest.raises(ValidationFailed):
        search.search(SearchQuery(q="corso", territory="Nessun posto così"))


def test_rebuild_numbers_documents_by_date_and_search_still_finds_each(session) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    org = factories.organization("Associazione Ponte Sud", home=comune)
    now = utcnow()
    courses = [_event(org, f"Corso di italiano {n}") for n in range(6)]
    for n, course in enumerate(courses):  # written in one order, dated in the reverse one
        course.starts_at = now - timedelta(days=10 * (n + 1))
    db.session.flush()
    search_index.rebuild()
    docs = list(db.session.scalars(select(SearchDocument).order_by(SearchDocument.id)))
    assert [doc.id for doc in docs] == list(range(1, len(docs) + 1))
    dates = [doc.dated_at for doc in docs]
    assert dates == sorted(dates, key=lambda d: (d is not None, d))
    assert [doc.object_id for doc in docs if doc.kind == "event"] == [c.id for c in reversed(courses)]
    # The full-text index follows the new numbers: every hit is the document of its own event.
    hits = search.search(SearchQuery(q="italiano")).hits
    assert sorted(hit.url_args["event_id"] for hit in hits) == sorted(c.id for c in courses)
    assert all(hit.title[0][0].startswith("Corso di") for hit in hits)
    # A document written afterwards, as publishing does, comes after all of them.
    later = _event(org, "Corso di italiano serale")
    search_index.refresh(later)
    db.session.flush()
    assert db.session.scalar(select(func.max(SearchDocument.id))) == db.session.scalar(
        select(SearchDocument.id).where(SearchDocument.kind == "event", SearchDocument.object_id == later.id))


def test_a_common_word_ranks_only_its_newest_matches_unless_a_filter_is_chosen(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    org = factories.organization("Scuola di lingua", home=comune)
    now = utcnow()
    courses = [_event(org, f"Corso di italiano numero {n}") for n in range(6)]
    for n, course in enumerate(courses):
        course.starts_at = now - timedelta(days=n + 1)  # course 0 is the newest
    db.session.flush()
    search_index.rebuild()
    monkeypatch.setattr(search, "RANKED", 3)
    newest = {("event", c.id) for c in courses[:3]}
    assert found("italiano") == newest
    assert search.search(SearchQuery(q="italiano")).total == 3
    assert found("italiano", type="event") == {("event", c.id) for c in courses}  # a filter ranks every match
    # The bound is on the documents that match every word: a more precise search reaches older ones.
    assert found("italiano 5") == {("event", courses[5].id)}
    monkeypatch.setattr(search, "RANKED", 1000)
    assert found("italiano") == {("event", c.id) for c in courses}


def test_a_common_whole_word_fills_the_window_before_longer_words_that_start_with_it(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    comune = factories.chain()[2]
    org = factories.organization("Scuola di lingua", home=comune)
    now = utcnow()
    longer = _event(org, "Serata italianissima")  # matches "italian" only as a prefix, and is the newest
    courses = [_event(org, f"Corso di italian numero {n}") for n in range(4)]
    longer.starts_at = now
    for n, course in enumerate(courses):
        course.starts_at = now - timedelta(days=n + 1)
    db.session.flush()
    search_index.rebuild()
    monkeypatch.setattr(search, "RANKED", 3)
    # The whole word matches 4 documents: its 3 newest are ranked (the window of a common word).
    assert found("italian") == {("event", c.id) for c in courses[:3]}
    # "italia" as a whole word matches nothing: the prefix finds the rest, newest first.
    assert found("italia") == {("event", longer.id), ("event", courses[0].id), ("event", courses[1].id)}
    monkeypatch.setattr(search, "RANKED", 1000)
    assert found("italian") == {("event", longer.id)} | {("event", c.id) for c in courses}
