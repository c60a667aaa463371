"""Checks of a seeded benchmark database: every counter-cache column equals COUNT(*), the pages a
benchmark hits render (anonymous and logged in) and the app's search finds the rare word."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, create_engine, text

# (what, SQL counting the rows whose cached value is wrong)
COUNTER_CHECKS = (
    ("threads.posts_count", "SELECT count(*) FROM threads t WHERE t.posts_count != (SELECT count(*) FROM posts p WHERE p.thread_id = t.id)"),
    ("threads.last_post_at/last_poster_id", """SELECT count(*) FROM threads t JOIN posts p ON p.thread_id = t.id
        AND p.position = t.posts_count WHERE p.created_at != t.last_post_at OR p.author_id != t.last_poster_id"""),
    ("forums.threads_count", "SELECT count(*) FROM forums f WHERE f.threads_count != (SELECT count(*) FROM threads t WHERE t.forum_id = f.id)"),
    ("forums.members_count",
     "SELECT count(*) FROM forums f WHERE f.members_count != (SELECT count(*) FROM forum_members m WHERE m.forum_id = f.id)"),
    ("forums.last_activity_at", """SELECT count(*) FROM forums f WHERE f.last_activity_at IS NOT
        (SELECT max(t.last_post_at) FROM threads t WHERE t.forum_id = f.id)"""),
    ("organizations.members_count", """SELECT count(*) FROM organizations o WHERE o.members_count !=
        (SELECT count(*) FROM memberships m WHERE m.organization_id = o.id AND m.status = 'active')"""),
    ("labs.proposals_count", """SELECT count(*) FROM labs l WHERE l.proposals_count !=
        (SELECT count(*) FROM proposals p WHERE p.lab_id = l.id AND p.state != 'draft')"""),
    ("proposals.supports_count", """SELECT count(*) FROM proposals p WHERE p.supports_count !=
        (SELECT count(*) FROM proposal_supports s WHERE s.proposal_id = p.id)"""),
    ("proposals.comments_count", """SELECT count(*) FROM proposals p WHERE p.comments_count !=
        (SELECT count(*) FROM proposal_comments c WHERE c.proposal_id = p.id)"""),
    ("proposals.votes_count", "SELECT count(*) FROM proposals p WHERE p.votes_count != (SELECT count(*) FROM proposal_votes v WHERE v.proposal_id = p.id)"),
    ("event_sessions.confirmed_count", """SELECT count(*) FROM event_sessions s WHERE s.confirmed_count !=
        (SELECT count(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'confirmed')"""),
    ("event_sessions.waiting_count", """SELECT count(*) FROM event_sessions s WHERE s.waiting_count !=
        (SELECT count(*) FROM registrations r WHERE r.session_id = s.id AND r.status = 'waiting')"""),
    ("event_sessions.arrivals", """SELECT count(*) FROM event_sessions s WHERE s.arrivals <
        (SELECT coalesce(max(r.position), 0) FROM registrations r WHERE r.session_id = s.id)"""),
    ("volunteer_calls.accepted_count", """SELECT count(*) FROM volunteer_calls c WHERE c.accepted_count !=
        (SELECT count(*) FROM volunteer_applications a WHERE a.call_id = c.id AND a.status = 'accepted')"""),
    ("search_documents.fts", "SELECT 0"),  # replaced per database in counter_problems
)


def counter_problems(conn: Connection) -> list[str]:
    """Every denormalised column that differs from the rows it counts, as 'column: N rows wrong'."""
    problems = []
    checks = list(COUNTER_CHECKS[:-1])
    if conn.dialect.name == "postgresql":
        checks = [(name, sql.replace("IS NOT", "IS DISTINCT FROM")) for name, sql in checks]
    else:
        checks.append(("search_fts rows", "SELECT (SELECT count(*) FROM search_documents) - (SELECT count(*) FROM search_fts)"))
    for name, sql in checks:
        wrong = conn.execute(text(sql)).scalar_one()
        if wrong:
            problems.append(f"{name}: {wrong} rows wrong")
    return problems


INDEX_CHECK_LIMIT = 30_000  # rebuilding through the ORM is slow: compare only on small databases
_DOC_COLUMNS = ("kind", "object_id", "title", "body", "language", "territory_id", "territory_path", "actions", "organization_id",
                "url_args", "dated_at")


def index_problems() -> list[str]:
    """Inside an app context: the bulk-written search documents equal what ``search_index.rebuild``
    writes from the content (compared, then rolled back)."""
    from app.db import db
    from app.services import search_index

    def documents() -> dict[tuple[str, int], tuple]:
        rows = db.session.execute(text(f"SELECT {', '.join(_DOC_COLUMNS)} FROM search_documents"))  # noqa: S608 — fixed names
        return {(row[0], row[1]): tuple(row) for row in rows}

    session = db.session()
    try:
        if session.execute(text("SELECT count(*) FROM search_documents")).scalar_one() > INDEX_CHECK_LIMIT:
            return []
        seeded = documents()
        search_index.rebuild()
        session.flush()
        rebuilt = documents()
    finally:
        session.rollback()
        db.session.remove()
    wrong = sorted(key for key in seeded.keys() | rebuilt.keys() if seeded.get(key) != rebuilt.get(key))
    if not wrong:
        return []
    key = wrong[0]
    return [f"search documents differ from search_index.rebuild() for {len(wrong)} objects, e.g. {key}: "
            f"seeded {seeded.get(key)!r} rebuilt {rebuilt.get(key)!r}"]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found[1] if found else ""


def page_problems(url: str, manifest: dict[str, Any], pages: bool = True) -> list[str]:
    """The search index against the content, the app's search for the rare word, then (``pages``)
    GET the pages a benchmark runner hits, anonymous and logged in as a bench citizen."""
    from app import create_app
    from app.db import db
    from app.services import search
    from bench.seed import app_config

    app = create_app(app_config(url) | {"RATELIMIT_ENABLED": False})
    problems = []
    with app.app_context():
        problems += index_problems()
    with app.app_context():
        found = search.search(search.SearchQuery(q=manifest["search"]["rare_word"]))
        if found.total != manifest["search"]["rare_documents"]:
            problems.append(f"search for {manifest['search']['rare_word']!r}: {found.total} hits, "
                            f"{manifest['search']['rare_documents']} expected")
        db.session.remove()
    if not pages:
        with app.app_context():
            db.engine.dispose()
        return problems
    big, busy, lab = manifest["big_thread"], manifest["busy_forum"], manifest["lab_slug"]
    pages = [
        "/", "/forums/", f"/forums/{busy['slug']}", f"/forums/{busy['slug']}?page={busy['last_page']}",
        f"/threads/{big['id']}", f"/threads/{big['id']}?page={big['last_page']}", "/proposals/",
        f"/proposals/{manifest['proposal_with_response']['id']}", f"/proposals/{manifest['popular_proposal_id']}",
        f"/labs/{lab}", "/labs/", manifest["events_territory"]["calendar_url"], "/events/", f"/events/{manifest['event_ids'][0]}",
        "/organizations/", manifest["organization_filter_url"], f"/organizations/{manifest['organization_slugs'][0]}",
        "/initiatives/", f"/initiatives/{manifest['initiative_ids'][0]}", f"/search?q={manifest['search']['rare_word']}",
        f"/search?q={manifest['search']['common_word']}", "/api/v1/proposals", "/api/v1/events", "/good-practices/",
        f"/territories/{manifest['region_code']}",
    ]
    client = app.test_client()
    for path in pages:
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"GET {path}: {response.status_code}")
    login = client.get("/auth/login")
    response = client.post("/auth/login", data={"email": manifest["citizen_emails"][0], "password": manifest["bench_password"],
                                                 "csrf_token": _csrf(login.get_data(as_text=True))})
    if response.status_code != 302:
        problems.append(f"login as {manifest['citizen_emails'][0]}: {response.status_code}")
    for path in ("/me", "/", f"/threads/{big['id']}", f"/proposals/{manifest['open_proposal_ids'][0]}", "/me/notifications"):
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"GET {path} logged in: {response.status_code} {response.headers.get('Location', '')}")
        elif path == "/me" and manifest["citizen_emails"][0] not in response.get_data(as_text=True):
            problems.append("GET /me logged in does not show the bench user")
    with app.app_context():
        db.engine.dispose()
    return problems


def verify(url: str, manifest: dict[str, Any], pages: bool = True) -> list[str]:
    """Everything above; an empty list when the database is as the benchmark expects."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            problems = counter_problems(conn)
    finally:
        engine.dispose()
    return problems + page_problems(url, manifest, pages)
