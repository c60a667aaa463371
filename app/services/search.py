"""Site-wide search over the stored documents of ``search_index``: words in any order, accents
and (on PostgreSQL) word endings ignored, scripts written without spaces (Chinese) found by
substring; filters by type, territory (and everything inside it) and action; highlighted snippets.

The query is never passed to the database as syntax: it is cut into words here (letters, marks
and digits only) and each word is quoted, so quotes, ``*``, ``NEAR(``, ``-``, ``AND``/``OR`` or
colons are just text. Results are capped (``MAX_RESULTS``) and paginated.

Ranking by relevance costs time for every matching document, so a very common word ("italiano"
in tens of thousands of messages) is ranked over its newest ``RANKED`` matches only: document
ids follow publication order (``search_index`` numbers them so), and both full-text engines find
the newest matches by id without ranking them. Searches with a filter rank every match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache, reduce

from sqlalchemy import ColumnElement, Select, and_, case, column, exists, func, literal_column, or_, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import joinedload

from app.db import db
from app.exceptions import ValidationFailed
from app.i18n import _l
from app.services import forums, territories
from app.services.search_index import ACTIONS, clean
from models import Organization, OrganizationTerritory, SearchDocument, SearchKind, Territory

__all__ = ["MAX_PAGE", "MAX_QUERY", "MAX_RESULTS", "PER_PAGE", "TYPES", "Hit", "Results", "SearchQuery", "search", "words"]

MAX_QUERY = 200
MAX_WORDS = 12
PER_PAGE = 20
MAX_RESULTS = 500
MAX_PAGE = MAX_RESULTS // PER_PAGE
RANKED = MAX_RESULTS + 1  # an unfiltered search ranks this many of the newest matches: enough to fill every page and see the cap
SNIPPET = 220
_CHOOSE = _l("Choose one option from the list.")

# What people choose in the type filter → the kinds of documents it covers.
TYPES: dict[str, tuple[SearchKind, ...]] = {
    "organization": (SearchKind.ORGANIZATION,),
    "forum": (SearchKind.THREAD, SearchKind.POST),
    "lab": (SearchKind.LAB,),
    "proposal": (SearchKind.PROPOSAL,),
    "event": (SearchKind.EVENT,),
    "initiative": (SearchKind.INITIATIVE,),
    "practice": (SearchKind.PRACTICE,),
}
# The text search configurations of migration 0008: a query matches a document if it matches
# with the stemming of any of them (the document was stemmed in its own language).
PG_CONFIGS = ("ponte_it", "ponte_en", "ponte_fr", "ponte_es", "ponte_ro", "ponte_ar", "ponte_simple")
_FTS = table("search_fts", column("rowid"))
_TRIGRAM = table("search_trigram", column("rowid"))


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    type: str = ""
    territory: str = ""  # ISTAT code or a typed place name: the place and everything inside it
    action: str = ""


Segments = list[tuple[str, bool]]  # text, and whether it matched the query (shown as <mark>)


@dataclass(frozen=True)
class Hit:
    kind: SearchKind
    title: Segments
    snippet: Segments
    language: str  # "" when not known
    territory: Territory | None
    dated_at: datetime | None
    url_args: dict


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    page: int
    per_page: int
    has_next: bool
    total: int  # at most MAX_RESULTS
    capped: bool  # more than MAX_RESULTS matched

    @property
    def has_prev(self) -> bool:
        return self.page > 1


# ---------------------------------------------------------------- words


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _spaceless(word: str) -> bool:
    """Written without spaces between words (Chinese, Japanese, Thai, …): found by substring."""
    return any(0x2E80 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF or 0x0E00 <= cp <= 0x0EFF
               or 0x1000 <= cp <= 0x109F or 0x1780 <= cp <= 0x17FF for cp in map(ord, word))


def words(text: str) -> list[str]:
    """The words of a query: runs of letters, marks and digits (everything else separates them),
    at most ``MAX_WORDS``, each at most 64 characters, no repeats."""
    found: list[str] = []
    current = ""
    for ch in clean(text) + " ":
        if _is_word_char(ch):
            current += ch
            continue
        if current and current[:64] not in found:
            found.append(current[:64])
        current = ""
    return found[:MAX_WORDS]


# ---------------------------------------------------------------- matching


def _quoted(word: str, quote: str) -> str:
    return quote + word.replace(quote, quote * 2) + quote


def _fts5_match(terms: list[str]) -> str:
    """An FTS5 query of quoted strings (all must appear); the last one also as a prefix."""
    parts = [_quoted(term, '"') for term in terms]
    if len(terms[-1]) >= 3:
        parts[-1] += "*"
    return " ".join(parts)


def _pg_tsquery(terms: list[str], *, prefix: bool = True) -> ColumnElement:
    """The same in every configuration of PG_CONFIGS, joined with OR (``||``)."""
    text = " & ".join(_quoted(term, "'") for term in terms)
    if prefix and len(terms[-1]) >= 3:
        text += ":*"
    parts = [func.to_tsquery(literal_column(f"'{name}'::regconfig"), text, type_=TSQUERY) for name in PG_CONFIGS]
    return reduce(lambda a, b: a.op("||", return_type=TSQUERY)(b), parts)


def _like(piece: str) -> str:
    return "%" + piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(stmt: Select, terms: list[str], *, bounded: bool = False) -> tuple[Select, list]:
    """Add the text conditions; returns the statement and its ordering, best first. ``bounded``:
    only the newest ``RANKED`` documents matching the words (by id) are ranked; their bound is
    asked here, first (and on PostgreSQL the rest of the transaction plans each statement anew)."""
    plain = [t for t in terms if not _spaceless(t)]
    pieces = [t for t in terms if _spaceless(t)]
    order: list = []
    if db.session.get_bind().dialect.name == "postgresql":
        everything = SearchDocument.title.op("||")(literal_column("' '")).op("||")(SearchDocument.body)
        if plain:
            vector = literal_column("search_documents.search_vector", TSVECTOR)
            query = _pg_tsquery(plain)
            floor = 0
            if bounded:
                # The best plan depends on the words (read the newest rows by id for a common word, the
                # GIN index for a rare one): never the generic plan of a statement prepared earlier.
                db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
                query, floor = _pg_window(plain, vector)
            stmt = stmt.where(vector.op("@@")(query))
            if floor:
                stmt = stmt.where(SearchDocument.id >= floor)
            order.append(func.ts_rank(vector, query).desc())
        stmt = stmt.where(*(everything.ilike(_like(piece), escape="\\") for piece in pieces))
    else:
        if plain:
            query, floor = _fts5_match(plain), 0
            if bounded:
                query, floor = _fts5_window(plain)
            match = literal_column("search_fts").op("MATCH")(query)
            ranked = select(_FTS.c.rowid.label("doc_id"), func.bm25(literal_column("search_fts"), 5.0, 1.0).label("score")).where(match)
            if floor:  # the bound goes inside, where FTS5 uses it to skip older matches before ranking
                ranked = ranked.where(_FTS.c.rowid >= floor)
            ranked_rows = ranked.subquery()
            stmt = stmt.join(ranked_rows, ranked_rows.c.doc_id == SearchDocument.id)
            order.append(ranked_rows.c.score)  # bm25: lower is better
        for piece in pieces:
            if len(piece) >= 3:  # trigrams need three characters
                found = select(_TRIGRAM.c.rowid).where(literal_column("search_trigram").op("MATCH")(_quoted(piece, '"')))
                stmt = stmt.where(SearchDocument.id.in_(found))
            else:
                stmt = stmt.where(or_(SearchDocument.title.like(_like(piece), escape="\\"),
                                      SearchDocument.body.like(_like(piece), escape="\\")))
    return stmt, [*order, SearchDocument.dated_at.desc().nulls_last(), SearchDocument.id.desc()]


def _fts5_window(terms: list[str]) -> tuple[str, int]:
    """The FTS5 query and id bound of an unfiltered search. When the words as typed (the last one
    whole, not as a prefix) already match ``RANKED`` documents, the newest of those are ranked: FTS5
    evaluates a prefix by merging the posting lists of every word that starts with it, which for a
    common word costs a pass over hundreds of thousands of postings (tier L, 'italiano': 31 ms to
    find the bound, 0.2 ms for the whole word). Otherwise the prefix query and its own bound."""
    whole = " ".join(_quoted(term, '"') for term in terms)
    prefixed = _fts5_match(terms)

    def bound(query: str) -> int:
        return _floor(select(_FTS.c.rowid).where(literal_column("search_fts").op("MATCH")(query)), _FTS.c.rowid)

    if whole != prefixed and (floor := bound(whole)):
        return whole, floor
    return prefixed, bound(prefixed)


def _pg_window(terms: list[str], vector: ColumnElement) -> tuple[ColumnElement, int]:
    """``_fts5_window`` on PostgreSQL, in one round trip: the whole words' bound and, only when they
    do not fill the window (CASE evaluates its branch only then), the prefix query's."""
    prefixed = _pg_tsquery(terms)

    def bound(query: ColumnElement) -> ColumnElement:
        matches = select(SearchDocument.id).where(vector.op("@@")(query))
        return matches.order_by(SearchDocument.id.desc()).offset(RANKED - 1).limit(1).scalar_subquery()

    if len(terms[-1]) < 3:  # no prefix: one query either way
        return prefixed, db.session.scalar(select(bound(prefixed))) or 0
    whole = _pg_tsquery(terms, prefix=False)
    first = select(bound(whole).label("whole")).subquery()
    whole_floor, prefix_floor = db.session.execute(
        select(first.c.whole, case((first.c.whole.is_(None), bound(prefixed)), else_=None))).one()
    return (whole, whole_floor) if whole_floor else (prefixed, prefix_floor or 0)


def _floor(matches: Select, key: ColumnElement) -> int:
    """The id of the ``RANKED``-th newest of ``matches`` (0 when there are fewer), found by id
    without ranking. Asked first, on its own, so that the database plans the ranked query knowing
    the bound (PostgreSQL then reads the newest rows by primary key instead of the whole table)."""
    return db.session.scalar(matches.order_by(key.desc()).offset(RANKED - 1).limit(1)) or 0


def _filtered(stmt: Select, query: SearchQuery) -> Select:
    """Public documents only (not of a hidden organisation), then the chosen filters."""
    hidden = select(Organization.id).where(Organization.is_hidden.is_(True))
    stmt = stmt.where(or_(SearchDocument.organization_id.is_(None), SearchDocument.organization_id.not_in(hidden)))
    if query.type:
        stmt = stmt.where(SearchDocument.kind.in_(TYPES[query.type]))
    if query.action:
        stmt = stmt.where(SearchDocument.actions.contains(f" {query.action} ", autoescape=True))
    if query.territory:
        typed = "".join(ch for ch in query.territory[:100] if ch.isprintable())  # no NUL or control characters reach the database
        place = territories.from_text(typed, "territory")
        inside = select(Territory.id).where(Territory.path.like(f"{place.path}%"))
        served = exists().where(and_(OrganizationTerritory.organization_id == SearchDocument.object_id,
                                     OrganizationTerritory.territory_id.in_(inside)))
        # Organisations are found where they are based and where they work, as in the directory.
        stmt = stmt.where(or_(SearchDocument.territory_path.like(f"{place.path}%"),
                              and_(SearchDocument.kind == SearchKind.ORGANIZATION, served)))
    return stmt


def _checked(query: SearchQuery, page: int) -> None:
    errors: dict = {}
    if len(query.q) > MAX_QUERY:
        errors["q"] = _l("Write at most %(max)d characters.", max=MAX_QUERY)
    if query.type and query.type not in TYPES:
        errors["type"] = _CHOOSE
    if query.action and query.action not in ACTIONS:
        errors["action"] = _CHOOSE
    if not 1 <= page <= MAX_PAGE:
        errors["page"] = _CHOOSE
    if errors:
        raise ValidationFailed(errors)


def search(query: SearchQuery, page: int = 1) -> Results:
    """One page of public documents matching every word of ``query.q`` (best first), with their
    highlighted titles and snippets: two queries at most (a bounded search: its bound, then the rows
    with the number of matches; otherwise the rows, then the count when needed)."""
    _checked(query, page)
    terms = words(query.q)
    if not terms:
        return Results(hits=[], page=page, per_page=PER_PAGE, has_next=False, total=0, capped=False)
    bounded = not (query.type or query.action or query.territory) and not all(_spaceless(t) for t in terms)
    stmt, order = _matching(_filtered(select(SearchDocument), query), terms, bounded=bounded)
    offset = (page - 1) * PER_PAGE
    take = max(0, min(PER_PAGE, MAX_RESULTS - offset))  # nothing past the cap
    page_rows = (stmt.options(joinedload(SearchDocument.territory).lazyload(Territory.parent))
                 .order_by(*order).offset(offset).limit(take + 1))
    total: int | None = None
    if bounded:  # at most RANKED documents match: counting them beside the rows costs nothing more
        counted = db.session.execute(page_rows.add_columns(func.count().over())).all()
        rows = [row[0] for row in counted]
        total = counted[0][1] if counted else None
    else:
        rows = list(db.session.scalars(page_rows))
    if total is None:
        if page == 1 and len(rows) <= take:
            total = len(rows)
        else:
            capped_ids = stmt.with_only_columns(SearchDocument.id).order_by(None).limit(MAX_RESULTS + 1).subquery()
            total = db.session.scalar(select(func.count()).select_from(capped_ids)) or 0
    pattern = _pattern(terms)
    hits = [_hit(doc, pattern) for doc in rows[:take]]
    return Results(hits=hits, page=page, per_page=PER_PAGE, has_next=len(rows) > take and offset + take < MAX_RESULTS,
                   total=min(total, MAX_RESULTS), capped=total > MAX_RESULTS)


def _hit(doc: SearchDocument, pattern: re.Pattern[str]) -> Hit:
    args = dict(doc.url_args)
    if doc.kind == SearchKind.POST:  # a reply: its page of the discussion, at its anchor
        position = int(args.pop("position", 1))
        args["_anchor"] = f"post-{position}"
        if forums.page_of(position) > 1:
            args["page"] = forums.page_of(position)
    return Hit(kind=doc.kind, title=segments(doc.title, pattern), snippet=snippet(doc.body, pattern), language=doc.language,
               territory=doc.territory, dated_at=doc.dated_at, url_args=args)


# ---------------------------------------------------------------- highlighting


def _fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


@cache
def _variants() -> dict[str, str]:
    """Each plain Latin letter → the accented letters that fold to it ("a" → "àáâãäåāăą…")."""
    found: dict[str, str] = {}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        folded = _fold(chr(cp))
        if len(folded) == 1 and folded != chr(cp):
            found[folded] = found.get(folded, "") + chr(cp)
    return found


def _loose(word: str) -> str:
    """A regular expression matching ``word`` with or without accents."""
    variants = _variants()
    return "".join(f"[{re.escape(ch + variants[ch])}]" if ch in variants else re.escape(ch) for ch in _fold(word))


def _pattern(terms: list[str]) -> re.Pattern[str]:
    """What to mark: each word and the words starting like it (its other endings: "scuole"
    marks "scuola"), or the bare substring for scripts without spaces."""
    parts = []
    for term in terms:
        if _spaceless(term):
            parts.append(_loose(term))
            continue
        folded = _fold(term)
        stem = folded[: max(3, len(folded) - 2)] if len(folded) > 4 else folded
        parts.append(rf"(?<!\w){_loose(stem)}\w*")
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def segments(text: str, pattern: re.Pattern[str]) -> Segments:
    """``text`` cut into (piece, matched) pairs: the template escapes each piece and wraps the
    matched ones in <mark>, so no HTML is ever built from user text."""
    out: Segments = []
    last = 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        if match.start() > last:
            out.append((text[last:match.start()], False))
        out.append((match.group(), True))
        last = match.end()
    if last < len(text):
        out.append((text[last:], False))
    return out


def snippet(body: str, pattern: re.Pattern[str], size: int = SNIPPET) -> Segments:
    """About ``size`` characters of ``body`` around its first match (or its beginning), cut at spaces."""
    if not body:
        return []
    match = pattern.search(body)
    start = 0
    if match is not None and match.start() > size // 3:
        start = body.rfind(" ", 0, match.start() - size // 3) + 1
    end = min(len(body), start + size)
    if end < len(body):
        space = body.rfind(" ", start + size // 2, end)
        end = space if space > 0 else end
    out = segments(body[start:end], pattern)
    if start > 0:
        out.insert(0, ("… ", False))
    if end < len(body):
        out.append((" …", False))
    return out
