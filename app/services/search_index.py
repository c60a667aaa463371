"""Keeps the search index in step with the content: one ``SearchDocument`` per public object.

The services that create, edit, hide, restore, publish or unpublish content call ``refresh(obj)``
in the same transaction (one line each); ``refresh`` writes the document as the object is now,
or removes it when the object is not public. ``rebuild()`` writes the whole index again
(``flask search rebuild``, after bulk imports and demo data).

Who sees what is decided here, mirroring each catalogue's list query: hidden organisations,
hidden or deleted messages, hidden discussions, draft or hidden proposals, draft initiatives and
unpublished good practices have no document. Objects of a hidden organisation keep theirs and
are left out when searching (``organization_id``), as the catalogues do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.db import db
from models import (
    PUBLIC_STATUSES,
    Event,
    GoodPractice,
    Initiative,
    Lab,
    Organization,
    Post,
    Proposal,
    ProposalState,
    SearchDocument,
    SearchKind,
    Territory,
    Thread,
)
from models.base import utcnow

__all__ = ["ACTIONS", "MAX_BODY", "clean", "number_by_date", "rebuild", "refresh", "remove"]

MAX_BODY = 60_000
ACTIONS = frozenset({"action_01", "action_02", "action_03", "action_04"})
BATCH = 500
_FTS_TABLES = ("search_fts", "search_trigram")  # SQLite: the FTS5 indexes of migration 0008, over search_documents

# Arabic short vowels and other marks (tashkeel) and the tatweel: usually left out when writing,
# so a word written with them must match the same word written without them.
_TASHKEEL = dict.fromkeys([*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, 0x06D6, 0x06D7, 0x06D8, 0x06D9,
                           0x06DA, 0x06DB, 0x06DC, 0x06DF, 0x06E0, 0x06E1, 0x06E2, 0x06E3, 0x06E4, 0x06E7, 0x06E8,
                           0x06EA, 0x06EB, 0x06EC, 0x06ED, 0x0640])
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)")
_MARKS = re.compile(r"(\*\*|__|`+|^\s{0,3}(?:#{1,6}|>+|[-*+]|\d+\.)\s+)", re.MULTILINE)
_LINE_BREAK = re.compile(r"(?<![.!?:;,…·])[ \t]*\n\s*")  # a line (an objective, a list item) that ends without a stop
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Text as it is indexed and searched: composed Unicode, no Arabic marks, no Markdown marks,
    one space between words."""
    value = unicodedata.normalize("NFC", text or "").translate(_TASHKEEL)
    value = _MARKS.sub(" ", _LINK.sub(r"\1", value)).strip()
    return _SPACES.sub(" ", _LINE_BREAK.sub(" · ", value))


def _join(*parts: str | None) -> str:
    return "\n".join(part for part in parts if part)


def _day(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day, 12, tzinfo=UTC) if value else None


def _actions(codes: Iterable[str]) -> str:
    """The action codes between spaces (" action_01 action_03 "): a filter looks for " action_01 "."""
    known = sorted({code for code in codes if code in ACTIONS})
    return f" {' '.join(known)} " if known else ""


def _values(title: str, body: str, territory: Territory | None, *, language: str = "", actions: Iterable[str] = (),
            organization_id: int | None = None, url_args: dict, dated_at: datetime | None) -> dict[str, Any]:
    return {
        "title": clean(title)[:300], "body": clean(body)[:MAX_BODY], "language": language or "",
        "territory_id": territory.id if territory else None, "territory_path": territory.path if territory else "",
        "actions": _actions(actions),
        "organization_id": organization_id, "url_args": url_args, "dated_at": dated_at,
    }


# ---------------------------------------------------------------- one document per kind (None: not public)


def _organization(org: Organization) -> dict | None:
    if org.is_hidden:
        return None
    descriptions = sorted(org.descriptions, key=lambda d: (not d.is_original, d.language))
    language = descriptions[0].language if descriptions and descriptions[0].is_original else ""
    return _values(org.name, _join(org.communities_served, *(d.body for d in descriptions)), org.home_territory,
                   language=language, actions=org.area_codes, organization_id=org.id, url_args={"slug": org.slug},
                   dated_at=org.created_at)


def _post_visible(post: Post) -> bool:
    return not post.is_hidden and post.deleted_at is None


def _thread(thread: Thread, opening: Post | None) -> dict | None:
    if thread.is_hidden:
        return None
    body = opening.body if opening is not None and _post_visible(opening) else ""
    return _values(thread.title, body, thread.forum.territory, actions=[thread.action], url_args={"thread_id": thread.id},
                   dated_at=thread.created_at)


def _reply(post: Post, thread: Thread) -> dict | None:
    if thread.is_hidden or not _post_visible(post):
        return None
    return _values(thread.title, post.body, thread.forum.territory, actions=[thread.action],
                   url_args={"thread_id": thread.id, "position": post.position}, dated_at=post.created_at)


def _lab(lab: Lab) -> dict | None:
    return _values(lab.title, lab.description, lab.territory, actions=lab.actions or [], organization_id=lab.convener_id,
                   url_args={"slug": lab.slug}, dated_at=lab.proposals_at)


def _proposal(proposal: Proposal) -> dict | None:
    if proposal.state == ProposalState.DRAFT or proposal.is_hidden:
        return None
    lab = proposal.lab
    return _values(proposal.title, _join(proposal.summary, proposal.body), lab.territory, actions=[proposal.action],
                   organization_id=lab.convener_id, url_args={"proposal_id": proposal.id}, dated_at=proposal.published_at)


def _event(event: Event) -> dict | None:
    return _values(event.title, _join(event.description, event.venue), event.territory, language=event.language,
                   actions=[event.action], organization_id=event.organization_id, url_args={"event_id": event.id},
                   dated_at=event.starts_at)


def _initiative(initiative: Initiative) -> dict | None:
    if initiative.status not in PUBLIC_STATUSES:
        return None
    return _values(initiative.title, _join(initiative.objectives, initiative.description), initiative.territory,
                   language=initiative.language, actions=initiative.action_codes, organization_id=initiative.lead_id,
                   url_args={"initiative_id": initiative.id}, dated_at=_day(initiative.starts_on))


def _practice(practice: GoodPractice) -> dict | None:
    initiative = practice.initiative
    if not practice.is_published or initiative.status not in PUBLIC_STATUSES:
        return None
    body = _join(practice.problem, practice.method, practice.results, practice.replication, practice.contact)
    return _values(practice.title, body, initiative.territory, language=practice.language, actions=initiative.action_codes,
                   organization_id=initiative.lead_id, url_args={"practice_id": practice.id}, dated_at=practice.designated_at)


# ---------------------------------------------------------------- writing


def _fill(doc: SearchDocument, values: dict) -> None:
    for key, value in values.items():
        setattr(doc, key, value)
    doc.updated_at = utcnow()


def _write(kind: SearchKind, documents: dict[int, dict | None]) -> None:
    """Make the documents of these objects match ``documents`` (None: no document): two statements."""
    gone = [object_id for object_id, values in documents.items() if values is None]
    if gone:
        db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.object_id.in_(gone)))
    wanted = {object_id: values for object_id, values in documents.items() if values is not None}
    if not wanted:
        return
    existing = {doc.object_id: doc for doc in db.session.scalars(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.object_id.in_(list(wanted))))}
    for object_id, values in wanted.items():
        doc = existing.get(object_id)
        if doc is not None:
            _fill(doc, values)
            continue
        try:  # a concurrent request may be writing the same new document: then update that one
            with db.session.begin_nested():
                doc = SearchDocument(kind=kind, object_id=object_id)
                _fill(doc, values)
                db.session.add(doc)
        except IntegrityError:
            doc = db.session.scalars(select(SearchDocument).where(SearchDocument.kind == kind,
                                                                  SearchDocument.object_id == object_id)).one()
            _fill(doc, values)


def _opening(thread: Thread) -> Post | None:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 1))


def _refresh_thread(thread: Thread) -> None:
    """The discussion and its replies (hiding, restoring or moving it changes them all)."""
    _write(SearchKind.THREAD, {thread.id: _thread(thread, _opening(thread))})
    replies = db.session.scalars(select(Post).where(Post.thread_id == thread.id, Post.position > 1))
    _write(SearchKind.POST, {post.id: _reply(post, thread) for post in replies})


def _refresh_post(post: Post) -> None:
    if post.position == 1:  # the opening message is the discussion's text
        _write(SearchKind.THREAD, {post.thread_id: _thread(post.thread, post)})
    else:
        _write(SearchKind.POST, {post.id: _reply(post, post.thread)})


def _refresh_lab(lab: Lab) -> None:
    _write(SearchKind.LAB, {lab.id: _lab(lab)})
    # Proposals are found where their lab is.
    db.session.execute(
        update(SearchDocument)
        .where(SearchDocument.kind == SearchKind.PROPOSAL, SearchDocument.object_id.in_(select(Proposal.id).where(Proposal.lab_id == lab.id)))
        .values(territory_id=lab.territory_id, territory_path=lab.territory.path),
        execution_options={"synchronize_session": False},
    )


def _refresh_initiative(initiative: Initiative) -> None:
    _write(SearchKind.INITIATIVE, {initiative.id: _initiative(initiative)})
    practice = db.session.scalar(select(GoodPractice).where(GoodPractice.initiative_id == initiative.id))
    if practice is not None:  # its place, actions and visibility come from the initiative
        _write(SearchKind.PRACTICE, {practice.id: _practice(practice)})


_REFRESH: dict[type, Callable[[Any], None]] = {
    Organization: lambda org: _write(SearchKind.ORGANIZATION, {org.id: _organization(org)}),
    Thread: _refresh_thread,
    Post: _refresh_post,
    Lab: _refresh_lab,
    Proposal: lambda proposal: _write(SearchKind.PROPOSAL, {proposal.id: _proposal(proposal)}),
    Event: lambda event: _write(SearchKind.EVENT, {event.id: _event(event)}),
    Initiative: _refresh_initiative,
    GoodPractice: lambda practice: _write(SearchKind.PRACTICE, {practice.id: _practice(practice)}),
}


def refresh(obj: Organization | Thread | Post | Lab | Proposal | Event | Initiative | GoodPractice) -> None:
    """Write the search document of ``obj`` as it is now, or remove it if ``obj`` is not public.
    Call it after the change, in the same transaction."""
    db.session.flush()
    _REFRESH[type(obj)](obj)


def remove(kind: SearchKind | str, object_id: int) -> None:
    """Remove the document of an object that is being deleted."""
    _write(SearchKind(kind), {object_id: None})


# ---------------------------------------------------------------- rebuilding


def _batches(stmt: Any, key: Any) -> Iterator[list]:
    """Rows of ``stmt`` in batches, by ascending ``key`` (keyset: no OFFSET over large tables)."""
    last = 0
    while True:
        rows = list(db.session.scalars(stmt.where(key > last).order_by(key).limit(BATCH)).unique())
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.key)


def _openings(threads: list[Thread]) -> dict[int, Post]:
    posts = db.session.scalars(select(Post).where(Post.thread_id.in_([t.id for t in threads]), Post.position == 1))
    return {post.thread_id: post for post in posts}


def _sources() -> Iterator[tuple[SearchKind, Iterator[list], Callable[[list], list[tuple[int, dict | None]]]]]:
    yield (SearchKind.ORGANIZATION,
           _batches(select(Organization).where(Organization.is_hidden.is_(False))
                    .options(selectinload(Organization.descriptions), selectinload(Organization.areas)), Organization.id),
           lambda rows: [(org.id, _organization(org)) for org in rows])

    def threads(rows: list[Thread]) -> list[tuple[int, dict | None]]:
        openings = _openings(rows)
        return [(t.id, _thread(t, openings.get(t.id))) for t in rows]

    yield SearchKind.THREAD, _batches(select(Thread).where(Thread.is_hidden.is_(False)), Thread.id), threads
    yield (SearchKind.POST,
           _batches(select(Post).join(Thread, Thread.id == Post.thread_id)
                    .where(Post.position > 1, Post.is_hidden.is_(False), Post.deleted_at.is_(None), Thread.is_hidden.is_(False))
                    .options(joinedload(Post.thread)), Post.id),
           lambda rows: [(p.id, _reply(p, p.thread)) for p in rows])
    yield SearchKind.LAB, _batches(select(Lab), Lab.id), lambda rows: [(lab.id, _lab(lab)) for lab in rows]
    yield (SearchKind.PROPOSAL,
           _batches(select(Proposal).where(Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False))
                    .options(joinedload(Proposal.lab)), Proposal.id),
           lambda rows: [(p.id, _proposal(p)) for p in rows])
    yield SearchKind.EVENT, _batches(select(Event), Event.id), lambda rows: [(e.id, _event(e)) for e in rows]
    yield (SearchKind.INITIATIVE, _batches(select(Initiative).where(Initiative.status.in_(PUBLIC_STATUSES)), Initiative.id),
           lambda rows: [(i.id, _initiative(i)) for i in rows])
    yield (SearchKind.PRACTICE, _batches(select(GoodPractice).where(GoodPractice.is_published.is_(True)), GoodPractice.id),
           lambda rows: [(p.id, _practice(p)) for p in rows])


def rebuild() -> dict[str, int]:
    """Write every document again from the content (inside the caller's transaction), numbered in
    date order. Returns how many documents each kind has."""
    db.session.flush()
    db.session.execute(delete(SearchDocument), execution_options={"synchronize_session": False})
    counts: dict[str, int] = {}
    for kind, batches, documents in _sources():
        counts[kind.value] = 0
        for rows in batches:
            docs = []
            for object_id, values in documents(rows):
                if values is not None:
                    doc = SearchDocument(kind=kind, object_id=object_id)
                    _fill(doc, values)
                    docs.append(doc)
            db.session.add_all(docs)
            db.session.flush()
            for doc in docs:  # renumbered below: no object may keep an old id
                db.session.expunge(doc)
            counts[kind.value] += len(docs)
    number_by_date(db.session.connection())
    return counts


def number_by_date(conn: Connection) -> None:
    """Number the documents 1, 2, 3… in date order (undated first, then oldest to newest), the
    order they get when written one at a time as content is published. ``search`` relies on it to
    find the newest matches of a common word by id; ``rebuild`` and the benchmark seeder write in
    bulk, kind after kind, and call this at the end. On SQLite the FTS5 tables are then built
    again from the numbered rows: their triggers follow title and body, not ids."""
    docs = SearchDocument.__table__
    conn.execute(update(docs).values(id=-docs.c.id))  # out of the way of the new numbers
    order = select(docs.c.id.label("old"), func.row_number().over(
        order_by=(docs.c.dated_at.asc().nulls_first(), docs.c.id.desc())).label("new")).subquery()  # ids are negative here
    conn.execute(update(docs).values(id=order.c.new).where(docs.c.id == order.c.old))
    if conn.dialect.name == "sqlite":
        for table in _FTS_TABLES:
            conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))  # noqa: S608 — fixed names
