"""The read-only open data API (``/api/v1``): keyset pages with opaque cursors, and the public
JSON shapes of territories, organisations, forums and threads. Labs and proposals live in
``public_api_labs``, events, initiatives and good practices in ``public_api_activities``.

Only what the public HTML pages show is ever serialised, filtered in the queries: hidden
organisations, threads and posts, drafts and private contacts never leave the database, and
no person is named (contributions are signed with their organisation, if any).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.services import MAX_ID, beyond, decode_cursor, encode_cursor
from models import (
    Forum,
    Organization,
    OrganizationTerritory,
    OrgKind,
    Post,
    Territory,
    TerritoryLevel,
    Thread,
)

DEFAULT_LIMIT, MAX_LIMIT = 20, 100
CODE_RE = re.compile(r"[A-Za-z0-9-]{1,16}")
SLUG_RE = re.compile(r"[a-z0-9-]{1,80}")
BOOLEANS = {"true": True, "false": False}
_CHOOSE = _l("Choose one option from the list.")
_INVALID = _l("Something in the address or in the form was not valid.")


@dataclass(frozen=True)
class ApiPage:
    """One page of a list: the serialised rows and the cursor of the next page (None at the end)."""

    data: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class ApiItem:
    """One object; ``next_cursor`` continues a list inside it (the posts of a thread)."""

    data: dict[str, Any]
    next_cursor: str | None = None
    paginated: bool = False


# ---------------------------------------------------------------- formats


def iso(moment: datetime | None) -> str | None:
    """A UTC moment as ISO 8601 with ``Z`` (seconds precision)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def iso_day(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def territory_ref(territory: Territory | None) -> dict[str, Any] | None:
    if territory is None:
        return None
    return {"istat_code": territory.istat_code, "name": territory.name, "level": territory.level.value}


def org_ref(org: Organization | None) -> dict[str, Any] | None:
    """A visible organisation as a reference; a hidden one (or none) is ``None``."""
    if org is None or org.is_hidden:
        return None
    return {"slug": org.slug, "name": org.name, "kind": org.kind.value}


def valid_id(value: int) -> bool:
    return 0 < value <= MAX_ID


def valid_slug(value: str) -> bool:
    return bool(SLUG_RE.fullmatch(value or ""))


# ---------------------------------------------------------------- parameters


def choice(params: Mapping[str, str], key: str, allowed: Sequence[str]) -> str:
    """The parameter if it is one of ``allowed`` ("" when absent), else ValidationFailed."""
    value = params.get(key, "")
    if value and value not in allowed:
        raise ValidationFailed({key: _CHOOSE})
    return value


def boolean(params: Mapping[str, str], key: str) -> bool | None:
    value = params.get(key)
    if value is None:
        return None
    if value not in BOOLEANS:
        raise ValidationFailed({key: _CHOOSE})
    return BOOLEANS[value]


def place(params: Mapping[str, str], key: str = "territory") -> Territory | None:
    """The territory named by its ISTAT code in ``params[key]``; unknown codes are a 400."""
    code = params.get(key)
    if code is None:
        return None
    found = db.session.scalar(select(Territory).where(Territory.istat_code == code)) if CODE_RE.fullmatch(code) else None
    if found is None:
        raise ValidationFailed({key: _l("We could not find this territory.")})
    return found


def inside(territory: Territory) -> Select:
    """Ids of the territory and everything inside it (one indexed prefix match)."""
    return select(Territory.id).where(Territory.path.like(f"{territory.path}%"))


def limit_of(params: Mapping[str, str]) -> int:
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3 and 1 <= int(raw) <= MAX_LIMIT):
        raise ValidationFailed({"limit": _l("Write a whole number from %(low)d to %(high)d.", low=1, high=MAX_LIMIT)})
    return int(raw)


# ---------------------------------------------------------------- cursors


def _cursor(raw: str | None, kinds: Sequence[type]) -> tuple[Any, ...] | None:
    """The sort key in ``?cursor=``: anything but a cursor this API wrote is a ValidationFailed
    (400), never a crash or a silent restart."""
    if raw is None:
        return None
    values = decode_cursor(raw, kinds)
    if values is None:
        raise ValidationFailed({"cursor": _INVALID})
    return values


def keyset(
    stmt: Select, params: Mapping[str, str], keys: Sequence[ColumnElement[Any]], key_of: Callable[[Any], Sequence[Any]],
    *, kinds: Sequence[type] = (int,), descending: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` by keyset on ``keys`` (the last one unique): one query, whatever the
    depth. Returns the rows and the next cursor."""
    limit = limit_of(params)
    after = _cursor(params.get("cursor"), kinds)
    if after is not None:
        stmt = stmt.where(beyond(keys, after, descending))
    order = [key.desc() if descending else key.asc() for key in keys]
    rows = list(db.session.scalars(stmt.order_by(*order).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(key_of(rows[-1])) if more and rows else None


def _by_id(row: Any) -> tuple[int]:
    return (row.id,)


# ---------------------------------------------------------------- territories


def _territory(t: Territory) -> dict[str, Any]:
    return {
        "istat_code": t.istat_code, "name": t.name, "name_other": t.name_other or None, "level": t.level.value,
        "parent": territory_ref(t.parent), "car_code": t.car_code or None, "is_capital": bool(t.is_capital),
    }


def list_territories(params: Mapping[str, str]) -> ApiPage:
    """Territories by level and parent (the direct children of an ISTAT code)."""
    level = choice(params, "level", [lv.value for lv in TerritoryLevel])
    parent = place(params, "parent")
    stmt = select(Territory).options(joinedload(Territory.parent))
    if level:
        stmt = stmt.where(Territory.level == TerritoryLevel(level))
    if parent is not None:
        stmt = stmt.where(Territory.parent_id == parent.id)
    rows, cursor = keyset(stmt, params, [Territory.id], _by_id, descending=False)
    return ApiPage([_territory(t) for t in rows], cursor)


def get_territory(code: str) -> ApiItem:
    """A territory with the chain of territories containing it (region first)."""
    found = db.session.scalar(select(Territory).where(Territory.istat_code == code)) if CODE_RE.fullmatch(code or "") else None
    if found is None:
        raise NotFound(_l("We could not find this territory."))
    above = [i for i in found.ancestor_ids if i != found.id]
    chain = {t.id: t for t in db.session.scalars(select(Territory).where(Territory.id.in_(above)))} if above else {}
    ancestors = [territory_ref(chain[i]) for i in above if i in chain]
    return ApiItem({**_territory(found), "ancestors": ancestors})  # the parent is in the chain: no further query


# ---------------------------------------------------------------- organisations


def _organization(org: Organization) -> dict[str, Any]:
    return {
        "id": org.id, "slug": org.slug, "name": org.name, "kind": org.kind.value, "is_verified": bool(org.is_verified),
        "verified_at": iso(org.verified_at) if org.is_verified else None, "home_territory": territory_ref(org.home_territory),
        "areas": [a.area.value for a in org.areas], "members_count": org.members_count, "website": org.website or None,
        "created_at": iso(org.created_at),
    }


def list_organizations(params: Mapping[str, str]) -> ApiPage:
    """Visible organisations based in or serving a territory (and what is inside it), by kind and
    verification; newest first. Two queries (rows, then their areas)."""
    kind = choice(params, "kind", [k.value for k in OrgKind])
    verified = boolean(params, "verified")
    where = place(params)
    stmt = select(Organization).where(Organization.is_hidden.is_(False)).options(selectinload(Organization.areas))
    if where is not None:
        ids = inside(where)
        served = exists().where(and_(OrganizationTerritory.organization_id == Organization.id, OrganizationTerritory.territory_id.in_(ids)))
        stmt = stmt.where(or_(Organization.home_territory_id.in_(ids), served))
    if kind:
        stmt = stmt.where(Organization.kind == OrgKind(kind))
    if verified is not None:
        stmt = stmt.where(Organization.is_verified.is_(verified))
    rows, cursor = keyset(stmt, params, [Organization.id], _by_id)
    return ApiPage([_organization(org) for org in rows], cursor)


def get_organization(slug: str) -> ApiItem:
    """The public profile: contacts the organisation publishes, never its private ones (tax
    code, contact person and phone), and its descriptions in every language written."""
    org = None
    if valid_slug(slug):
        org = db.session.scalar(
            select(Organization).where(Organization.slug == slug, Organization.is_hidden.is_(False)).options(
                selectinload(Organization.areas), selectinload(Organization.languages),
                selectinload(Organization.served), selectinload(Organization.descriptions),
            )
        )
    if org is None:
        raise NotFound(_l("We could not find this organisation."))
    optional = {key: (getattr(org, key) or None) for key in (
        "address", "email", "phone", "communities_served", "runts_number", "founding_year", "school_code")}
    enums = {key: (value.value if value is not None else None) for key, value in (
        ("authority_type", org.authority_type), ("school_level", org.school_level),
        ("third_sector_type", org.third_sector_type), ("legal_form", org.legal_form))}
    return ApiItem({
        **_organization(org), **optional, **enums,
        "social_links": list(org.social_links or []),
        "languages": [lang.code for lang in org.languages],
        "served_territories": [territory_ref(s.territory) for s in org.served],
        "descriptions": [{"language": d.language, "is_original": bool(d.is_original), "body": d.body, "body_html": d.body_html}
                         for d in org.descriptions],
    })


# ---------------------------------------------------------------- forums and threads


def _forum(forum: Forum) -> dict[str, Any]:
    return {
        "id": forum.id, "slug": forum.slug, "kind": forum.kind.value, "action": forum.action or None,
        "territory": territory_ref(forum.territory), "threads_count": forum.threads_count,
        "members_count": forum.members_count, "last_activity_at": iso(forum.last_activity_at), "created_at": iso(forum.created_at),
    }


def list_forums(params: Mapping[str, str]) -> ApiPage:
    """Territorial and thematic forums (of a territory and what is inside it)."""
    where = place(params)
    stmt = select(Forum)
    if where is not None:
        stmt = stmt.where(Forum.territory_id.in_(inside(where)))
    rows, cursor = keyset(stmt, params, [Forum.id], _by_id, descending=False)
    return ApiPage([_forum(f) for f in rows], cursor)


def _thread(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id, "forum": thread.forum.slug, "title": thread.title, "action": thread.action or None,
        "is_pinned": bool(thread.is_pinned), "is_locked": bool(thread.is_locked), "posts_count": thread.posts_count,
        "organization": org_ref(thread.organization), "created_at": iso(thread.created_at), "last_post_at": iso(thread.last_post_at),
    }


def list_threads(slug: str, params: Mapping[str, str]) -> ApiPage:
    """The forum's threads that are not hidden, newest first."""
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug)) if valid_slug(slug) else None
    if forum is None:
        raise NotFound(_l("We could not find this forum."))
    stmt = select(Thread).where(Thread.forum_id == forum.id, Thread.is_hidden.is_(False))
    rows, cursor = keyset(stmt, params, [Thread.id], _by_id)
    return ApiPage([_thread(t) for t in rows], cursor)


def _post(post: Post) -> dict[str, Any]:
    return {
        "position": post.position, "organization": org_ref(post.organization), "is_official": bool(post.is_official),
        "reply_to_position": post.reply_to_position, "body": post.body, "body_html": post.body_html,
        "created_at": iso(post.created_at), "edited_at": iso(post.edited_at),
    }


def get_thread(thread_id: int, params: Mapping[str, str]) -> ApiItem:
    """A thread that is not hidden, with one page of its visible posts (neither hidden by the
    moderators nor deleted by their authors), by position."""
    thread = db.session.scalar(select(Thread).where(Thread.id == thread_id, Thread.is_hidden.is_(False))) if valid_id(thread_id) else None
    if thread is None:
        raise NotFound(_l("We could not find this discussion."))
    stmt = select(Post).where(Post.thread_id == thread.id, Post.is_hidden.is_(False), Post.deleted_at.is_(None))
    posts, cursor = keyset(stmt, params, [Post.position], lambda p: (p.position,), descending=False)
    return ApiItem({**_thread(thread), "posts": [_post(p) for p in posts]}, cursor, paginated=True)
