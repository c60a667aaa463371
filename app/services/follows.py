"""Following: people follow organisations, forums, threads, proposals, labs, events and
initiatives, and hear about what happens to them (see app.services.notifications).

One row per person and thing (a unique constraint), so following twice changes nothing.
Some follows start by themselves: opening a discussion or replying to it follows it, joining
a forum follows the forum (leaving it stops that)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.exceptions import NotFound, PermissionDenied
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can
from app.services import Page, paginate
from models import Event, Follow, FollowTarget, Forum, Initiative, Lab, Organization, Proposal, Thread, User

# What can be followed: the model, and the permission that lets a person see it (None: public).
TARGETS: dict[FollowTarget, tuple[type, Permission | None]] = {
    FollowTarget.ORGANIZATION: (Organization, Permission.ORGANIZATION_VIEW),
    FollowTarget.FORUM: (Forum, None),
    FollowTarget.THREAD: (Thread, Permission.THREAD_VIEW),
    FollowTarget.PROPOSAL: (Proposal, Permission.PROPOSAL_VIEW),
    FollowTarget.LAB: (Lab, None),
    FollowTarget.EVENT: (Event, Permission.EVENT_VIEW),
    FollowTarget.INITIATIVE: (Initiative, Permission.INITIATIVE_VIEW),
}

TARGET_NAMES = {
    FollowTarget.ORGANIZATION: _l("Organisation"),
    FollowTarget.FORUM: _l("Forum"),
    FollowTarget.THREAD: _l("Discussion"),
    FollowTarget.PROPOSAL: _l("Proposal"),
    FollowTarget.LAB: _l("Community lab"),
    FollowTarget.EVENT: _l("Event"),
    FollowTarget.INITIATIVE: _l("Initiative"),
}

PER_PAGE = 30


def _kind(target_type: str) -> FollowTarget:
    try:
        return FollowTarget(target_type)
    except ValueError:
        raise NotFound(_l("We could not find this page.")) from None


def get_target(viewer: User | None, target_type: str, target_id: int) -> Any:
    """The thing to follow, or NotFound (also when the viewer may not see it)."""
    kind = _kind(target_type)
    model, permission = TARGETS[kind]
    target = db.session.get(model, target_id) if 0 < target_id < 2**31 else None
    if target is None or (permission is not None and not can(viewer, permission, target)):
        raise NotFound(_l("We could not find this page."))
    return target


def follow(actor: User, target_type: str, target_id: int) -> bool:
    """Follow something the actor can see. Returns False when already following (nothing changes)."""
    if not actor.is_active:
        raise PermissionDenied()
    target = get_target(actor, target_type, target_id)
    if isinstance(target, Thread) and not can(actor, Permission.THREAD_FOLLOW, target):
        raise PermissionDenied()
    return add(actor.id, _kind(target_type), target_id)


def unfollow(actor: User, target_type: str, target_id: int) -> bool:
    """Stop following (always allowed, also for things one can no longer see)."""
    return remove(actor.id, _kind(target_type), target_id)


def add(user_id: int, target_type: FollowTarget, target_id: int) -> bool:
    """Record a follow without checks (for follows that start by themselves). False if it existed."""
    if is_following_id(user_id, target_type, target_id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Follow(user_id=user_id, target_type=target_type, target_id=target_id))
    except IntegrityError:  # a concurrent request followed first
        return False
    return True


def remove(user_id: int, target_type: FollowTarget, target_id: int) -> bool:
    result = db.session.execute(delete(Follow).where(
        Follow.user_id == user_id, Follow.target_type == target_type, Follow.target_id == target_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def is_following_id(user_id: int, target_type: FollowTarget, target_id: int) -> bool:
    return db.session.scalar(select(Follow.id).where(
        Follow.user_id == user_id, Follow.target_type == target_type, Follow.target_id == target_id)) is not None


def is_following(user: User | None, target_type: str, target_id: int) -> bool:
    """Whether the person follows this thing (False for visitors and unknown types)."""
    if user is None:
        return False
    try:
        kind = FollowTarget(target_type)
    except ValueError:
        return False
    return is_following_id(user.id, kind, target_id)


def followers(target_type: FollowTarget, target_id: int) -> Select[Any]:
    """A query of the ids of the people following this thing."""
    return select(Follow.user_id).where(Follow.target_type == target_type, Follow.target_id == target_id)


# ---------------------------------------------------------------- "following" in the personal area


@dataclass(frozen=True)
class Followed:
    follow: Follow
    label: str  # the thing's title or name; "" when it no longer exists or is not visible
    endpoint: tuple[str, dict[str, Any]] | None  # where it is: (endpoint, values) for url_for


def _describe(model: type, ids: set[int], viewer: User) -> dict[int, tuple[str, tuple[str, dict[str, Any]]]]:
    """Labels and links of the visible things among ``ids`` of one kind: one query."""
    kind = next(k for k, (m, _) in TARGETS.items() if m is model)
    permission = TARGETS[kind][1]
    found: dict[int, tuple[str, tuple[str, dict[str, Any]]]] = {}
    for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
        if permission is not None and not can(viewer, permission, obj):
            continue
        found[obj.id] = (label_of(obj), link_of(kind, obj))
    return found


def label_of(obj: Any) -> str:
    if isinstance(obj, Organization):
        return obj.name
    if isinstance(obj, Forum):
        return obj.territory.name + (f" · {obj.action.replace('_', ' ')}" if obj.action else "")
    return str(getattr(obj, "title", ""))


def link_of(kind: FollowTarget, obj: Any) -> tuple[str, dict[str, Any]]:
    """The page of a followed thing, as (endpoint, values)."""
    return {
        FollowTarget.ORGANIZATION: lambda: ("organizations.show", {"slug": obj.slug}),
        FollowTarget.FORUM: lambda: ("forums.show", {"slug": obj.slug}),
        FollowTarget.THREAD: lambda: ("forums.thread", {"thread_id": obj.id}),
        FollowTarget.PROPOSAL: lambda: ("proposals.show", {"proposal_id": obj.id}),
        FollowTarget.LAB: lambda: ("labs.show", {"slug": obj.slug}),
        FollowTarget.EVENT: lambda: ("events.show", {"event_id": obj.id}),
        FollowTarget.INITIATIVE: lambda: ("initiatives.show", {"initiative_id": obj.id}),
    }[kind]()


def list_following(user: User, page: int = 1) -> Page[Followed]:
    """What the person follows, newest first, with names and links (one query per kind shown)."""
    rows = paginate(select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at.desc(), Follow.id.desc()),
                    page, PER_PAGE)
    described: dict[tuple[FollowTarget, int], tuple[str, tuple[str, dict[str, Any]]]] = {}
    for kind, (model, _) in TARGETS.items():
        ids = {f.target_id for f in rows.items if f.target_type == kind}
        if ids:
            described.update({(kind, i): v for i, v in _describe(model, ids, user).items()})
    items = []
    for f in rows.items:
        label, link = described.get((f.target_type, f.target_id), ("", None))
        items.append(Followed(follow=f, label=label, endpoint=link))
    return Page(items=items, page=rows.page, per_page=rows.per_page, has_next=rows.has_next)
