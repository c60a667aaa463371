"""Forums: one per territory (created on demand) plus one per action in each region; threads,
posts with edit history, joining, following, and the moderators' actions.

Joining a forum follows it; opening or replying to a discussion follows it. Followers hear of
new discussions and replies, people named with "@Display Name" in a reply are told they were
mentioned, and authors hear when moderators hide or restore what they wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import (
    KeysetPage,
    Page,
    audit,
    decode_cursor,
    encode_cursor,
    follows,
    keyset_page,
    notifications,
    paginate,
    search_index,
    territories,
)
from models import (
    Follow,
    FollowTarget,
    Forum,
    ForumKind,
    ForumMember,
    Organization,
    OrgKind,
    Post,
    PostRevision,
    Role,
    RoleAssignment,
    Territory,
    TerritoryLevel,
    Thread,
    User,
    UserStatus,
)
from models.base import utcnow

ACTIONS = ("action_01", "action_02", "action_03", "action_04")
POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 20


@dataclass(frozen=True)
class Settings:
    new_member_days: int = 7


settings = Settings()


def configure(new: Settings) -> None:
    """Set forum rules from the app configuration (called by ``create_app``)."""
    global settings  # noqa: PLW0603 — one process-wide settings object, set once at start-up
    settings = new


@dataclass(frozen=True)
class ThreadDraft:
    title: str
    body: str
    action: str = ""
    organization_id: int | None = None


@dataclass(frozen=True)
class PostDraft:
    body: str
    reply_to: int | None = None
    organization_id: int | None = None


# ---------------------------------------------------------------- forums


def forum_for(territory: Territory, action: str = "") -> Forum:
    """The forum of a territory (or the thematic forum of a region), created on first use."""
    if action and (action not in ACTIONS or territory.level != TerritoryLevel.REGION):
        raise NotFound(_l("We could not find this forum."))
    forum = db.session.scalar(select(Forum).where(Forum.territory_id == territory.id, Forum.action == action))
    if forum is not None:
        return forum
    slug = f"{territories.name_key(territory.name).replace(' ', '-')[:50]}-{territory.istat_code.lower()}"
    if action:
        slug += f"-{action.replace('_', '-')}"
    forum = Forum(slug=slug, kind=ForumKind.THEMATIC if action else ForumKind.TERRITORIAL, territory=territory, action=action)
    try:
        with db.session.begin_nested():
            db.session.add(forum)
    except IntegrityError:  # created by a concurrent request
        return db.session.scalars(select(Forum).where(Forum.territory_id == territory.id, Forum.action == action)).one()
    return forum


def ensure_regional_forums() -> int:
    """Every region gets its territorial forum and its four thematic forums. Returns how many were made."""
    made = 0
    for region in territories.list_regions():
        for action in ("", *ACTIONS):
            before = db.session.scalar(select(Forum.id).where(Forum.territory_id == region.id, Forum.action == action))
            if before is None:
                forum_for(region, action)
                made += 1
    db.session.flush()
    return made


def get_forum(slug: str) -> Forum:
    forum = db.session.scalar(select(Forum).where(Forum.slug == slug)) if slug and len(slug) <= 80 else None
    if forum is None:
        raise NotFound(_l("We could not find this forum."))
    return forum


def regional_forums() -> list[Forum]:
    """The forums of the regions (territorial and thematic), by region then action."""
    return list(
        db.session.scalars(
            select(Forum).join(Territory, Territory.id == Forum.territory_id)
            .where(Territory.level == TerritoryLevel.REGION).order_by(Territory.name, Forum.action)
        )
    )


def forums_of_region_of(territory: Territory) -> list[Forum]:
    """The territorial and thematic forums of the region a territory belongs to."""
    region_id = (territory.ancestor_ids or [territory.id])[0]
    return list(db.session.scalars(
        select(Forum).where(Forum.territory_id == region_id).order_by(Forum.action)
    ))


def my_forums(user: User) -> list[Forum]:
    return list(
        db.session.scalars(
            select(Forum).join(ForumMember, ForumMember.forum_id == Forum.id)
            .where(ForumMember.user_id == user.id).order_by(Forum.last_activity_at.desc())
        )
    )


def is_member(user: User | None, forum: Forum) -> bool:
    if user is None:
        return False
    return db.session.get(ForumMember, (forum.id, user.id)) is not None


def join(actor: User, forum: Forum) -> None:
    """Join a forum (joining twice changes nothing)."""
    ensure(actor, Permission.FORUM_JOIN, forum)
    follows.add(actor.id, FollowTarget.FORUM, forum.id)
    try:
        with db.session.begin_nested():
            db.session.add(ForumMember(forum_id=forum.id, user_id=actor.id))
    except IntegrityError:
        return
    db.session.execute(update(Forum).where(Forum.id == forum.id).values(members_count=Forum.members_count + 1))
    db.session.expire(forum, ["members_count"])


def leave(actor: User, forum: Forum) -> None:
    follows.remove(actor.id, FollowTarget.FORUM, forum.id)
    result = db.session.execute(delete(ForumMember).where(ForumMember.forum_id == forum.id, ForumMember.user_id == actor.id))
    if result.rowcount:  # type: ignore[attr-defined]
        db.session.execute(update(Forum).where(Forum.id == forum.id).values(members_count=Forum.members_count - 1))
        db.session.expire(forum, ["members_count"])


def moderators_of(forum: Forum) -> list[User]:
    """Territorial moderators of the forum's territory and of the territories containing it."""
    ids = forum.territory.ancestor_ids or [forum.territory_id]
    return list(
        db.session.scalars(
            select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == Role.MODERATOR, RoleAssignment.territory_id.in_(ids)).order_by(User.display_name)
        )
    )


@dataclass(frozen=True)
class ForumView:
    """A forum with the viewer's own state on it (for the join and follow buttons)."""

    forum: Forum
    is_member: bool
    is_following: bool


def open_forum(viewer: User | None, slug: str) -> ForumView:
    """The forum, and whether the viewer is a member and follows it: one query."""
    if not slug or len(slug) > 80:
        raise NotFound(_l("We could not find this forum."))
    if viewer is None:
        return ForumView(get_forum(slug), is_member=False, is_following=False)
    member = select(ForumMember.forum_id).where(ForumMember.forum_id == Forum.id, ForumMember.user_id == viewer.id).exists()
    following = select(Follow.id).where(
        Follow.user_id == viewer.id, Follow.target_type == FollowTarget.FORUM, Follow.target_id == Forum.id).exists()
    row = db.session.execute(select(Forum, member, following).where(Forum.slug == slug)).first()
    if row is None:
        raise NotFound(_l("We could not find this forum."))
    return ForumView(row[0], is_member=bool(row[1]), is_following=bool(row[2]))


def _thread_key(thread: Any) -> tuple[bool, datetime, int]:
    return (bool(thread.is_pinned), thread.last_post_at, thread.id)


THREAD_CURSOR = (bool, datetime, int)


def list_threads(
    viewer: User | None, forum: Forum, action: str = "", page: int = 1, *, after: str | None = None, before: str | None = None,
) -> Page[Any]:
    """Pinned first, then by last activity; hidden threads only for moderators. Items are rows
    (id, title, action, is_pinned, is_locked, is_hidden, posts_count, last_post_at, author_id,
    author_name, author_status, organization_name), not Thread entities.

    Pages go by keyset (``after`` / ``before`` a cursor from the previous page), so page fifty
    costs what page one costs. ``page`` numbers (old links) still work by offset."""
    errors: dict = {}
    if action and action not in ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    cursors = {name: decode_cursor(raw, THREAD_CURSOR) for name, raw in (("after", after), ("before", before)) if raw is not None}
    if None in cursors.values() or len(cursors) > 1 or (cursors and page != 1):
        errors["page"] = _l("Something in the address or in the form was not valid.")
    if errors:
        raise ValidationFailed(errors)
    # Light rows with only what the list shows (no bodies, no forum/territory/last poster joined
    # per row): building ~6 ORM entities per thread cost more than the rest of the query.
    stmt = (
        select(Thread.id, Thread.title, Thread.action, Thread.is_pinned, Thread.is_locked, Thread.is_hidden,
               Thread.posts_count, Thread.last_post_at, Thread.author_id, User.display_name.label("author_name"),
               User.status.label("author_status"), Organization.name.label("organization_name"))
        .outerjoin(User, User.id == Thread.author_id).outerjoin(Organization, Organization.id == Thread.organization_id)
        .where(Thread.forum_id == forum.id)
    )
    if not can(viewer, Permission.FORUM_MODERATE, forum):
        stmt = stmt.where(Thread.is_hidden.is_(False))
    if action:
        stmt = stmt.where(Thread.action == action)
    keys = [Thread.is_pinned, Thread.last_post_at, Thread.id]
    if page > 1:
        offset = paginate(stmt.order_by(*(key.desc() for key in keys)), page, THREADS_PER_PAGE, as_rows=True)
        return KeysetPage(items=offset.items, page=page, per_page=THREADS_PER_PAGE, has_next=offset.has_next,
                          next_cursor=encode_cursor(_thread_key(offset.items[-1])) if offset.has_next else None,
                          prev_cursor=encode_cursor(_thread_key(offset.items[0])) if offset.items else None)
    return keyset_page(stmt, keys, _thread_key, THREADS_PER_PAGE, after=cursors.get("after"), before=cursors.get("before"),
                       as_rows=True)


# ---------------------------------------------------------------- threads and posts


_THREAD_ONLY = (lazyload(Thread.author), lazyload(Thread.last_poster), lazyload(Thread.organization))


def get_thread(viewer: User | None, thread_id: int) -> Thread:
    """The thread, or NotFound (also when it is hidden from this viewer)."""
    # The thread page shows neither its author nor its last poster: join in only the forum.
    thread = db.session.get(Thread, thread_id, options=_THREAD_ONLY)
    if thread is None or not can(viewer, Permission.THREAD_VIEW, thread):
        raise NotFound(_l("We could not find this discussion."))
    return thread


@dataclass(frozen=True)
class Speaker:
    """Who a post is shown as written by: the names only, not User and Organization entities."""

    author_id: int | None
    author_name: str | None
    author_deleted: bool
    organization_name: str | None


@dataclass(frozen=True)
class PostsPage(Page[Post]):
    """A page of posts with, by post id, the names of whoever wrote them."""

    speakers: dict[int, Speaker] = field(default_factory=dict)


def list_posts(thread: Thread, page: int = 1) -> PostsPage:
    """Posts by position: one query. Author and organisation names come in as plain columns of
    the same query (building User and Organization entities for every post cost twice the rest)."""
    start = (page - 1) * POSTS_PER_PAGE
    rows = db.session.execute(
        select(Post, User.display_name, User.status, Organization.name)
        .outerjoin(User, User.id == Post.author_id).outerjoin(Organization, Organization.id == Post.organization_id)
        .where(Post.thread_id == thread.id, Post.position > start)
        .options(lazyload(Post.author), lazyload(Post.organization))
        .order_by(Post.position).limit(POSTS_PER_PAGE + 1)
    ).all()
    speakers = {
        post.id: Speaker(post.author_id, name, status == UserStatus.DELETED, org_name) for post, name, status, org_name in rows
    }
    return PostsPage(items=[row[0] for row in rows[:POSTS_PER_PAGE]], page=page, per_page=POSTS_PER_PAGE,
                     has_next=len(rows) > POSTS_PER_PAGE, speakers=speakers)


def page_of(position: int) -> int:
    """The page of a thread that shows the post at ``position`` (anchors survive pagination)."""
    return max(1, (position - 1) // POSTS_PER_PAGE + 1)


def get_post(thread: Thread, position: int) -> Post:
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == position))
    if post is None:
        raise NotFound(_l("We could not find this message."))
    return post


def _speaker(actor: User, organization_id: int | None) -> tuple[Organization | None, bool]:
    """The organisation the actor speaks for (checked) and whether the post is official."""
    if not organization_id:
        return None, False
    org = db.session.get(Organization, organization_id)
    if org is None or not can(actor, Permission.ORGANIZATION_ACT_FOR, org):
        raise ValidationFailed({"organization_id": _l("You can only write on behalf of an organisation you belong to.")})
    official = org.kind == OrgKind.LOCAL_AUTHORITY and org.is_verified
    return org, official


def _is_new(actor: User) -> bool:
    return actor.created_at > utcnow() - timedelta(days=settings.new_member_days)


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not 2 <= len(text) <= 20_000:
        raise ValidationFailed({"body": _l("Write between 2 and 20,000 characters.")})
    return text


def _add_post(actor: User, thread: Thread, body: str, org: Organization | None, official: bool, *, reply_to: int | None = None) -> Post:
    # One atomic statement hands out the next position, so two replies never share one.
    position = db.session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(posts_count=Thread.posts_count + 1, last_post_at=utcnow(), last_poster_id=actor.id)
        .returning(Thread.posts_count)
    ).scalar_one()
    db.session.expire(thread, ["posts_count", "last_post_at", "last_poster_id", "last_poster"])
    post = Post(
        thread_id=thread.id, position=position, author_id=actor.id, organization_id=org.id if org else None,
        body=body, body_html=rich_text(body), is_official=official, author_is_new=_is_new(actor),
        reply_to_position=reply_to if reply_to and 0 < reply_to < position else None,
    )
    db.session.add(post)
    db.session.execute(update(Forum).where(Forum.id == thread.forum_id).values(last_activity_at=utcnow()))
    db.session.flush()
    return post


def create_thread(actor: User, forum: Forum, draft: ThreadDraft) -> Thread:
    """Open a discussion; its first message is post 1. The author follows it."""
    ensure(actor, Permission.FORUM_POST, forum)
    errors: dict = {}
    title = " ".join((draft.title or "").split())
    if not 5 <= len(title) <= 160:
        errors["title"] = _l("Write a title of 5 to 160 characters.")
    if draft.action and draft.action not in ACTIONS:
        errors["action"] = _l("Choose one option from the list.")
    try:
        body = _clean_body(draft.body)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    org, official = _speaker(actor, draft.organization_id)
    thread = Thread(forum_id=forum.id, author_id=actor.id, organization_id=org.id if org else None, title=title,
                    action=draft.action or forum.action, posts_count=0, last_poster_id=actor.id)
    db.session.add(thread)
    db.session.flush()
    _add_post(actor, thread, body, org, official)
    db.session.execute(update(Forum).where(Forum.id == forum.id).values(threads_count=Forum.threads_count + 1))
    follows.add(actor.id, FollowTarget.THREAD, thread.id)
    db.session.flush()
    search_index.refresh(thread)
    notifications.notify_followers(FollowTarget.FORUM, forum.id, "forum.thread", "thread", thread.id, exclude=[actor.id],
                                   title=thread.title, actor=actor.display_name)
    return thread


def reply(actor: User, thread: Thread, draft: PostDraft) -> Post:
    """Add a message at the end of the thread. The thread's followers are told, and so are the
    people named with "@Display Name" (once: a mention instead of a reply). Replying follows the thread."""
    ensure(actor, Permission.THREAD_REPLY, thread)
    body = _clean_body(draft.body)
    org, official = _speaker(actor, draft.organization_id)
    post = _add_post(actor, thread, body, org, official, reply_to=draft.reply_to)
    search_index.refresh(post)
    mentioned = mentioned_people(thread, body) - {actor.id}
    about = {"title": thread.title, "actor": actor.display_name, "position": post.position}
    notifications.notify(mentioned, "thread.mention", "thread", thread.id, dedupe_key=f"post-{post.id}", **about)
    notifications.notify_followers(FollowTarget.THREAD, thread.id, "thread.reply", "thread", thread.id,
                                   dedupe_key=f"post-{post.id}", exclude=[actor.id, *mentioned], **about)
    follows.add(actor.id, FollowTarget.THREAD, thread.id)
    return post


MENTION = re.compile(r"(?:^|(?<=[\s(\[]))@(\w[^@\n]{0,79})")
MAX_MENTIONS = 10


def mentioned_people(thread: Thread, body: str) -> set[int]:
    """The people a message names with "@Display Name": anyone who wrote in the thread, follows
    it, or belongs to its forum, whose display name follows an "@" exactly. One query."""
    candidates: set[str] = set()
    for match in list(MENTION.finditer(body))[:MAX_MENTIONS]:
        words = match.group(1).split()
        # "@Amina Diallo, grazie" names "Amina Diallo": try every run of words after the "@".
        for n in range(1, min(len(words), 6) + 1):
            candidates.add(" ".join(words[:n]).rstrip(".,;:!?)»”\"'"))
    candidates.discard("")
    if not candidates:
        return set()
    involved = union(
        select(Post.author_id).where(Post.thread_id == thread.id),
        follows.followers(FollowTarget.THREAD, thread.id),
        select(ForumMember.user_id).where(ForumMember.forum_id == thread.forum_id),
    ).subquery()
    return set(db.session.scalars(
        select(User.id).where(User.display_name.in_(candidates), User.id.in_(select(involved.c[0])))
    ))


def edit_post(actor: User, post: Post, body: str, seen_version: int) -> Post:
    """Change one's own message; the old text is kept for moderators, the page says "edited"."""
    ensure(actor, Permission.POST_EDIT, post)
    text = _clean_body(body)
    if seen_version != post.version:
        raise Conflict(_l("This message was changed while you were editing it. Check the text below and save again."))
    if text == post.body:
        return post
    db.session.add(PostRevision(post_id=post.id, body=post.body))
    post.body, post.body_html, post.edited_at = text, rich_text(text), utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_l("This message was changed while you were editing it. Check the text below and save again.")) from None
    search_index.refresh(post)
    return post


def delete_post(actor: User, post: Post) -> Post:
    """Delete one's own message softly: the page shows "deleted by the author"; counts stay."""
    ensure(actor, Permission.POST_DELETE, post)
    db.session.add(PostRevision(post_id=post.id, body=post.body))
    post.deleted_at = utcnow()
    search_index.refresh(post)
    return post


def revisions(actor: User, post: Post) -> list[PostRevision]:
    ensure(actor, Permission.POST_HISTORY, post)
    return list(db.session.scalars(select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.created_at.desc())))


def set_follow(actor: User, thread: Thread, follow: bool) -> None:
    """Follow a discussion or stop following it (see app.services.follows)."""
    ensure(actor, Permission.THREAD_FOLLOW, thread)
    if follow:
        follows.follow(actor, FollowTarget.THREAD, thread.id)
    else:
        follows.unfollow(actor, FollowTarget.THREAD, thread.id)


def is_following(user: User | None, thread: Thread) -> bool:
    return follows.is_following(user, FollowTarget.THREAD, thread.id)


# ---------------------------------------------------------------- moderation


def set_post_hidden(actor: User, post: Post, hidden: bool, reason: str = "") -> Post:
    """Hide a message (a placeholder stays) or show it again. Kept for appeal; audited."""
    ensure(actor, Permission.FORUM_MODERATE, post)
    changed = post.is_hidden != hidden
    post.is_hidden = hidden
    post.hidden_reason = audit.public_reason(reason) if hidden else ""
    search_index.refresh(post)
    audit.record(actor, "post.hide" if hidden else "post.restore", "post", post.id, post.thread.title, reason=post.hidden_reason)
    if changed:
        notifications.tell_author(actor, post.author_id, hidden, "thread", post.thread_id, key=f"post-{post.id}",
                                  title=post.thread.title, reason=post.hidden_reason, position=post.position)
    return post



def set_thread_flag(actor: User, thread: Thread, flag: str, value: bool, reason: str = "") -> Thread:
    """Hide, lock or pin a thread (or undo it)."""
    ensure(actor, Permission.FORUM_MODERATE, thread)
    if flag not in ("hidden", "locked", "pinned"):
        raise ValidationFailed({"flag": _l("Choose one option from the list.")})
    if flag == "hidden":
        thread.hidden_reason = audit.public_reason(reason) if value else ""
        if thread.is_hidden != value:
            # A hidden thread is out of its author's sight: the notification leads to the forum.
            notifications.tell_author(actor, thread.author_id, value, "forum", thread.forum_id, key=f"thread-{thread.id}",
                                      title=thread.title, reason=thread.hidden_reason)
    setattr(thread, f"is_{flag}", value)
    if flag == "hidden":
        search_index.refresh(thread)
    audit.record(actor, f"thread.{flag}" if value else f"thread.un{flag}", "thread", thread.id, thread.title, reason=reason)
    return thread


def move_thread(actor: User, thread: Thread, target_slug: str) -> Thread:
    """Move a thread to another forum the actor also moderates."""
    ensure(actor, Permission.FORUM_MODERATE, thread)
    try:
        target = get_forum(target_slug)
    except NotFound:
        raise ValidationFailed({"forum": _l("Choose a forum from the list.")}) from None
    ensure(actor, Permission.FORUM_MODERATE, target)
    if target.id != thread.forum_id:
        source = thread.forum
        db.session.execute(update(Forum).where(Forum.id == source.id).values(threads_count=Forum.threads_count - 1))
        db.session.execute(update(Forum).where(Forum.id == target.id).values(threads_count=Forum.threads_count + 1))
        thread.forum = target
        thread.forum_id = target.id
        db.session.flush()
        search_index.refresh(thread)
        audit.record(actor, "thread.move", "thread", thread.id, thread.title, source=source.slug, target=target.slug)
    return thread


def move_targets(actor: User, thread: Thread) -> list[Forum]:
    """Where a moderator may move a thread: its own forum first, then the regional forums they moderate."""
    others = [f for f in regional_forums() if f.id != thread.forum_id and can(actor, Permission.FORUM_MODERATE, f)]
    return [thread.forum, *others]


def forums_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Forum)) or 0


def preview(body: str) -> str:
    """The sanitized HTML a message would have, for the preview before posting."""
    return rich_text((body or "")[:20_000])
