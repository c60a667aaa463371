"""Notifications: stored in the same transaction as the event that causes them, shown in the
personal area, and mailed according to each person's settings.

A repeated event with the same ``dedupe_key`` never creates a second row for the same person.
Each kind has an entry in ``KINDS``: its type (the ~8 groups people choose from in their
settings), the sentence that tells it (lazily translated, with ``%(title)s``-style
placeholders filled from the notification's data) and where it links to. People who want
e-mails *immediately* get one queued in the outbox in the same transaction; digests are
built later by app.services.digests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.services import Page, outbox, paginate
from app.services.follows import followers
from models import (
    Delivery,
    FollowTarget,
    Forum,
    Lab,
    Notification,
    NotificationPreference,
    Organization,
    OutboxMail,
    User,
    UserStatus,
)
from models.base import utcnow

log = logging.getLogger(__name__)

PER_PAGE = 30

# ---------------------------------------------------------------- types and kinds

# The groups people see in their settings, in the order digests list them.
TYPES: dict[str, Any] = {
    "replies": _l("Replies and mentions"),
    "following": _l("News from what you follow"),
    "proposals": _l("Proposals: supports and changes"),
    "responses": _l("Official responses and progress"),
    "memberships": _l("Organisations: requests and invitations"),
    "events": _l("Events: changes, waiting lists and reminders"),
    "initiatives": _l("Initiatives, partnerships and volunteering"),
    "moderation": _l("Moderation decisions about your content"),
}
TYPE_HELP: dict[str, Any] = {
    "replies": _l("Someone replies in a discussion you follow, mentions you, or comments on your proposal."),
    "following": _l("New discussions, proposals, events and labs in the places and organisations you follow."),
    "proposals": _l("A proposal reaches its support threshold, is withdrawn, or your organisation is asked to co-sponsor it."),
    "responses": _l("An authority answers a proposal you wrote, support or follow, or reports progress on it."),
    "memberships": _l("Requests to join your organisation, answers to your requests, invitations."),
    "events": _l("Events you registered for change or are cancelled, you get a place, reminders."),
    "initiatives": _l("Partnership requests and confirmations, answers to your volunteering applications, good practices."),
    "moderation": _l("Moderators hide or restore something you wrote."),
}


@dataclass(frozen=True)
class Kind:
    type: str
    message: Any  # a lazy string with %(name)s placeholders filled from the notification's data
    # The kind already has its own e-mail (a reminder, an invitation): never mailed again as a notification.
    own_mail: bool = False
    # Where the notification links to, when not to its target: an endpoint taking the target's slug.
    page: str = ""


KINDS: dict[str, Kind] = {
    # discussions
    "thread.reply": Kind("replies", _l("%(actor)s replied in the discussion “%(title)s”.")),
    "thread.mention": Kind("replies", _l("%(actor)s mentioned you in the discussion “%(title)s”.")),
    "forum.thread": Kind("following", _l("New discussion in a forum you follow: “%(title)s”.")),
    # labs and proposals
    "proposal.comment": Kind("replies", _l("New comment on the proposal “%(title)s”.")),
    "lab.proposal": Kind("following", _l("New proposal in a lab you follow: “%(title)s”.")),
    "organization.lab": Kind("following", _l("%(organization)s opened a new community lab: “%(title)s”.")),
    "organization.event": Kind("following", _l("%(organization)s published a new event: “%(title)s”.")),
    "proposal.sponsor_invited": Kind("proposals", _l("%(organization)s is asked to co-sponsor the proposal “%(title)s”.")),
    "proposal.threshold_reached": Kind("proposals", _l("The proposal “%(title)s” reached its support threshold: your authority is asked to answer.")),
    "proposal.threshold_reached_author": Kind("proposals", _l("Your proposal “%(title)s” reached its support threshold: the authority will answer.")),
    "proposal.supported": Kind("proposals", _l("The proposal “%(title)s” reached its support threshold: the authority will answer.")),
    "proposal.withdrawn": Kind("proposals", _l("The proposal “%(title)s” was withdrawn by its author.")),
    "proposal.response": Kind("responses", _l("The authority answered the proposal “%(title)s”.")),
    "proposal.progress": Kind("responses", _l("New progress report on the proposal “%(title)s”: %(percent)s%%.")),
    # organisations
    "membership.requested": Kind("memberships", _l("%(person)s asks to join %(organization)s."), page="organizations.members"),
    "membership.approved": Kind("memberships", _l("%(organization)s accepted your request: you are now a member."), own_mail=True),
    "membership.declined": Kind("memberships", _l("%(organization)s did not accept your request to join."), own_mail=True),
    "membership.invited": Kind("memberships", _l("%(organization)s invited you to join. The link is in the e-mail we sent you."), own_mail=True),
    # events
    "event.changed": Kind("events", _l("The event “%(title)s” changed: check the date and place.")),
    "event.cancelled": Kind("events", _l("The event “%(title)s” is cancelled.")),
    "event.session_changed": Kind("events", _l("A date of the event “%(title)s” changed.")),
    "event.session_cancelled": Kind("events", _l("A date of the event “%(title)s” is cancelled.")),
    "event.promoted": Kind("events", _l("A place freed up: your place at “%(title)s” is confirmed.")),
    "event.registration_decided": Kind("events", _l("The organisers answered your request to attend “%(title)s”.")),
    "event.reminder": Kind("events", _l("Reminder: “%(title)s” starts soon."), own_mail=True),
    "event.organizer_invited": Kind("events", _l("%(organization)s is invited to co-organise the event “%(title)s”.")),
    # initiatives, volunteering, good practices
    "initiative.partner_invited": Kind("initiatives", _l("%(organization)s is invited to take part in the initiative “%(title)s”. Confirm or decline in your personal area.")),
    "initiative.partner_confirmed": Kind("initiatives", _l("%(organization)s confirmed its partnership in the initiative “%(title)s”.")),
    "initiative.partner_declined": Kind("initiatives", _l("%(organization)s declined or left the initiative “%(title)s”.")),
    "initiative.partner_removed": Kind("initiatives", _l("%(organization)s is no longer a partner of the initiative “%(title)s”.")),
    "volunteer.application_decided": Kind("initiatives", _l("The organisers answered your application to volunteer: “%(title)s”.")),
    "good_practice.designated": Kind("initiatives", _l("“%(title)s” was chosen as a good practice.")),
    # moderation
    "moderation.hidden": Kind("moderation", _l("The moderators hid something you wrote in “%(title)s”. Reason: %(reason)s")),
    "moderation.restored": Kind("moderation", _l("The moderators restored something you wrote in “%(title)s”.")),
    "moderation.organization_hidden": Kind("moderation", _l("The moderators hid the profile of %(title)s. Reason: %(reason)s")),
    "moderation.organization_restored": Kind("moderation", _l("The moderators made the profile of %(title)s public again.")),
}
GENERIC = _l("Something new about “%(title)s”.")
GENERIC_UNTITLED = _l("Something new for you on Ponte.")


def kind_of(kind: str) -> Kind:
    """The kind's entry; unknown kinds (for example from a newer feature) fall into a type by prefix."""
    found = KINDS.get(kind)
    if found is not None:
        return found
    prefix = kind.split(".", 1)[0]
    family = {"initiative": "initiatives", "partner": "initiatives", "partnership": "initiatives", "volunteer": "initiatives",
              "good_practice": "initiatives", "case_history": "initiatives", "event": "events",
              "proposal": "proposals", "membership": "memberships", "moderation": "moderation", "thread": "replies"}
    return Kind(family.get(prefix, "following"), GENERIC)


class _Params(dict):
    """Placeholders missing from a notification's data become empty instead of failing."""

    def __missing__(self, key: str) -> str:
        return ""


class Sentence:
    """A notification told in words: translated when it is turned into text (so in the reader's
    language, also when a mail is rendered later); autoescaped like any plain text."""

    def __init__(self, message: Any, data: Mapping[str, Any]) -> None:
        self.message = message
        self.params = _Params({k: "" if v is None else v for k, v in data.items()})

    def __str__(self) -> str:
        if self.message is GENERIC and not self.params.get("title"):
            return str(GENERIC_UNTITLED)
        try:
            return str(self.message) % self.params
        except (TypeError, ValueError):  # a broken translation must not break the page
            return str(GENERIC) % self.params


def describe(note: Notification) -> Sentence:
    return Sentence(kind_of(note.kind).message, note.data or {})


# ---------------------------------------------------------------- storing


def notify(user_ids: Iterable[int | None], kind: str, target_type: str, target_id: int, *, dedupe_key: str = "",
           **data: Any) -> int:
    """Store one notification for each person (duplicates skipped). Returns how many were stored."""
    stored: list[Notification] = []
    dedupe_key = dedupe_key[:64]
    for user_id in sorted({u for u in user_ids if u}):
        note = Notification(user_id=user_id, kind=kind, target_type=target_type, target_id=target_id,
                            dedupe_key=dedupe_key, data=data)
        try:
            with db.session.begin_nested():
                db.session.add(note)
        except IntegrityError:
            continue
        stored.append(note)
    if stored:
        _mail_now([(n.id, n.user_id) for n in stored], kind)
    return len(stored)


def notify_selected(user_ids: Select[Any], kind: str, target_type: str, target_id: int, *, dedupe_key: str,
                    exclude: Iterable[int | None] = (), **data: Any) -> None:
    """Store notifications for every user id a query selects, in one INSERT … SELECT
    (for example all supporters of a proposal). ``exclude`` skips people already notified."""
    skip = [u for u in exclude if u]
    dedupe_key = dedupe_key[:64]
    ids = user_ids.subquery()
    source = select(
        ids.c[0], literal(kind), literal(target_type), literal(target_id), literal(dedupe_key), literal(data, Notification.data.type),
        literal(utcnow(), Notification.created_at.type),
    ).select_from(ids)
    if skip:
        source = source.where(ids.c[0].not_in(skip))
    already = select(Notification.user_id).where(
        Notification.kind == kind, Notification.target_type == target_type, Notification.target_id == target_id,
        Notification.dedupe_key == dedupe_key,
    )
    source = source.where(ids.c[0].not_in(already))
    db.session.execute(
        insert(Notification).from_select(
            ["user_id", "kind", "target_type", "target_id", "dedupe_key", "data", "created_at"], source
        )
    )
    # The rows just stored for people who want every notification at once.
    fresh = db.session.execute(
        select(Notification.id, Notification.user_id)
        .join(NotificationPreference, NotificationPreference.user_id == Notification.user_id)
        .where(Notification.kind == kind, Notification.target_type == target_type, Notification.target_id == target_id,
               Notification.dedupe_key == dedupe_key, Notification.mailed_at.is_(None),
               NotificationPreference.delivery == Delivery.IMMEDIATELY)
    ).all()
    if fresh:
        _mail_now([(r.id, r.user_id) for r in fresh], kind)


def notify_followers(target_type: FollowTarget, target_id: int, kind: str, about_type: str, about_id: int, *,
                     dedupe_key: str = "", exclude: Iterable[int | None] = (), **data: Any) -> None:
    """Tell the followers of one thing (``target_*``) about another (``about_*``: a new proposal
    in a followed lab) or the same one. People already told under the same key are skipped."""
    notify_selected(followers(target_type, target_id), kind, about_type, about_id, dedupe_key=dedupe_key,
                    exclude=exclude, **data)


def tell_author(actor: User, author_id: int | None, hidden: bool, target_type: str, target_id: int, *, key: str,
                title: str, reason: str = "", **data: Any) -> None:
    """Tell an author that moderators hid (or restored) something they wrote; never the
    moderator acting on their own content. ``key`` names the content ("post-12")."""
    if author_id is None or author_id == actor.id:
        return
    notify([author_id], "moderation.hidden" if hidden else "moderation.restored", target_type, target_id,
           dedupe_key=f"{key}-{utcnow().isoformat()}"[:64], title=title, reason=reason, **data)


def _mail_now(notes: list[tuple[int, int]], kind: str) -> None:
    """Queue one mail per notification for the people who chose "immediately" (same transaction)."""
    entry = kind_of(kind)
    if entry.own_mail:
        return
    wanted = {
        row.user_id: row for row in db.session.execute(
            select(User.id.label("user_id"), User.locale, NotificationPreference.opted_out)
            .join(NotificationPreference, NotificationPreference.user_id == User.id)
            .where(User.id.in_({u for _, u in notes}), NotificationPreference.delivery == Delivery.IMMEDIATELY,
                   User.status == UserStatus.ACTIVE, User.email_confirmed_at.is_not(None))
        )
    }
    handled = [note_id for note_id, user_id in notes if user_id in wanted]
    if not handled:
        return
    # Dealt with now, mailed or not (a type the person opted out of is not mailed later either).
    db.session.execute(update(Notification).where(Notification.id.in_(handled))
                       .values(mailed_at=utcnow()).execution_options(synchronize_session=False))
    for note_id, user_id in notes:
        row = wanted.get(user_id)
        if row is not None and entry.type not in (row.opted_out or []):
            outbox.queue(OutboxMail(
                dedupe_key=f"notification-{note_id}", user_id=user_id, template="notification", locale=row.locale or "it",
                context={"notification_ids": [note_id]},
            ))


# ---------------------------------------------------------------- the in-app list


def list_for(user: User, limit: int = 50) -> list[Notification]:
    """The person's newest notifications."""
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    )


def page_for(user: User, page: int = 1) -> Page[Notification]:
    """One page of the person's notifications, newest first."""
    stmt = select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc())
    return paginate(stmt, page, PER_PAGE)


def links_for(notes: Iterable[Notification], session: Any = None) -> dict[int, tuple[str, dict[str, Any]] | None]:
    """Where each notification leads, as (endpoint, values): one query per kind of target that
    needs a slug (organisations, forums, labs), none for the others."""
    slugged = {"organization": (Organization, "organizations.show"), "forum": (Forum, "forums.show"), "lab": (Lab, "labs.show")}
    by_id = {"thread": ("forums.thread", "thread_id"), "proposal": ("proposals.show", "proposal_id"),
             "event": ("events.show", "event_id"), "initiative": ("initiatives.show", "initiative_id"),
             "volunteer_call": ("volunteers.show", "call_id"), "good_practice": ("practices.show", "practice_id"),
             "case_history": ("case_histories.show", "case_id")}
    notes = list(notes)
    slugs: dict[tuple[str, int], str] = {}
    for target_type, (model, _) in slugged.items():
        ids = {n.target_id for n in notes if n.target_type == target_type}
        if ids:
            found = (session or db.session).execute(select(model.id, model.slug).where(model.id.in_(ids)))
            slugs.update({(target_type, i): s for i, s in found})
    links: dict[int, tuple[str, dict[str, Any]] | None] = {}
    for n in notes:
        page = kind_of(n.kind).page
        if n.target_type in slugged:
            slug = slugs.get((n.target_type, n.target_id))
            links[n.id] = (page or slugged[n.target_type][1], {"slug": slug}) if slug else None
        elif n.target_type in by_id:
            endpoint, arg = by_id[n.target_type]
            values: dict[str, Any] = {arg: n.target_id}
            if n.target_type == "thread" and n.data.get("position"):
                values["_anchor"] = f"post-{int(n.data['position'])}"
            links[n.id] = (endpoint, values)
        else:
            links[n.id] = None
    return links


def get_own(user: User, notification_id: int) -> Notification:
    """One of the person's own notifications, or NotFound (also for somebody else's)."""
    note = db.session.get(Notification, notification_id) if 0 < notification_id < 2**63 else None
    if note is None or note.user_id != user.id:
        raise NotFound(_l("We could not find this notification."))
    return note


def mark_read(actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications as read."""
    note = get_own(actor, notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
    _forget_count(actor.id)
    return note


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of the actor as read. Returns how many changed."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    _forget_count(actor.id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# The header shows the unread count on every page. It is read at most once every COUNT_TTL
# seconds per person and login session, and forgotten at once when the person reads notifications,
# so the header costs no query on most pages. With several processes (gunicorn workers, several
# instances behind nginx) the remembered counts live in Redis when PONTE_REDIS_URL is set: reading
# notifications through one instance clears the count for all of them. Without Redis (one local
# process) they live in this process's memory. Either way a *new* notification may take up to
# COUNT_TTL seconds to show in the header; the notifications page itself always counts afresh.
COUNT_TTL = 30.0
COUNT_CAP = 99
_counts: dict[int, tuple[str, float, int]] = {}
_shared: dict[str, Any] = {"redis": None}


def configure_count_cache(redis_url: str) -> None:
    """Keep the header counts in Redis at ``redis_url`` (shared by every process), or in memory when empty."""
    _counts.clear()
    if not redis_url:
        _shared["redis"] = None
        return
    from redis import Redis

    _shared["redis"] = Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _count_key(user_id: int) -> str:
    return f"ponte:unread:{user_id}"


def _forget_count(user_id: int) -> None:
    _counts.pop(user_id, None)
    redis = _shared["redis"]
    if redis is None:
        return

    def forget() -> None:
        try:
            redis.delete(_count_key(user_id))
        except Exception:  # Redis down: the count expires by itself after COUNT_TTL
            log.debug("could not forget an unread count in Redis", exc_info=True)

    forget()
    # Again after the commit: another process may have counted (the old state) in between.
    db.after_commit(forget)


def unread_count(user: User) -> int:
    """Unread notifications of the person, counted up to COUNT_CAP + 1 (the header says "99+")."""
    capped = select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None)).limit(COUNT_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(capped.subquery())) or 0


def unread_count_cached(user: User, session_key: str = "") -> int:
    """``unread_count`` remembered for a few seconds (see COUNT_TTL)."""
    redis = _shared["redis"]
    if redis is not None:
        try:
            raw = redis.get(_count_key(user.id))
        except Exception:  # Redis down: count in the database, the page still renders
            return unread_count(user)
        if raw is not None:
            key, _, count = raw.decode().rpartition("|")
            if key == session_key and count.isdigit():
                return int(count)
        return remember_count(user, session_key, unread_count(user))
    now = time.monotonic()
    cached = _counts.get(user.id)
    if cached is not None and cached[0] == session_key and cached[1] > now:
        return cached[2]
    return remember_count(user, session_key, unread_count(user))


def remember_count(user: User, session_key: str, count: int) -> int:
    redis = _shared["redis"]
    if redis is not None:
        try:
            redis.set(_count_key(user.id), f"{session_key}|{count}", ex=int(COUNT_TTL))
        except Exception:
            log.debug("could not remember an unread count in Redis", exc_info=True)
        return count
    if len(_counts) > 10_000:
        _counts.clear()
    _counts[user.id] = (session_key, time.monotonic() + COUNT_TTL, count)
    return count


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class PreferenceDraft:
    delivery: str
    wanted: tuple[str, ...] = tuple(TYPES)  # the types to get e-mails about; the others are opted out


def preferences(user: User) -> NotificationPreference:
    """The person's settings (defaults when never saved; not added to the session)."""
    found = db.session.get(NotificationPreference, user.id)
    return found if found is not None else NotificationPreference(user_id=user.id, delivery=Delivery.DAILY, opted_out=[])


def save_preferences(actor: User, draft: PreferenceDraft) -> NotificationPreference:
    """Save how the actor wants notifications by e-mail."""
    try:
        delivery = Delivery(draft.delivery)
    except ValueError:
        raise ValidationFailed({"delivery": _l("Choose one option from the list.")}) from None
    if any(t not in TYPES for t in draft.wanted):
        raise ValidationFailed({"types": _l("Choose one option from the list.")})
    return _store(actor.id, delivery=delivery, opted_out=[t for t in TYPES if t not in draft.wanted])


def _store(user_id: int, *, delivery: Delivery | None = None, opted_out: list[str] | None = None) -> NotificationPreference:
    pref = db.session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id, delivery=Delivery.DAILY, opted_out=[])
        try:
            with db.session.begin_nested():
                db.session.add(pref)
        except IntegrityError:  # saved by a concurrent request
            pref = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id)).one()
    if delivery is not None:
        pref.delivery = delivery
    if opted_out is not None:
        pref.opted_out = opted_out
    pref.updated_at = utcnow()
    db.session.flush()
    return pref


# ---------------------------------------------------------------- one-click unsubscribe

ALL = "all"
_SALT = "ponte.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(outbox.secret_key(), salt=_SALT)


def unsubscribe_token(user_id: int, scope: str = ALL) -> str:
    """A signed token that stops e-mails for one person: all of them, or one type (no login needed)."""
    return _serializer().dumps([user_id, scope])


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    scope: str  # ALL or a key of TYPES

    @property
    def label(self) -> Any:
        return TYPES.get(self.scope)


def read_unsubscribe(token: str) -> Unsubscribe:
    """What a token unsubscribes from, or ValidationFailed for a tampered or unknown one."""
    invalid = ValidationFailed({"token": _l("This link is not valid. Change your e-mail settings after logging in.")})
    if not token or len(token) > 300:
        raise invalid
    try:
        user_id, scope = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise invalid from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or (scope != ALL and scope not in TYPES):
        raise invalid
    return Unsubscribe(user=user, scope=scope)


def apply_unsubscribe(token: str) -> Unsubscribe:
    """Stop the e-mails a token names: all notification e-mails, or one type."""
    what = read_unsubscribe(token)
    if what.scope == ALL:
        _store(what.user.id, delivery=Delivery.NEVER)
    else:
        current = preferences(what.user)
        _store(what.user.id, opted_out=sorted({*(current.opted_out or []), what.scope}))
    return what


def is_unsubscribed(what: Unsubscribe) -> bool:
    pref = preferences(what.user)
    if what.scope == ALL:
        return pref.delivery == Delivery.NEVER
    return what.scope in (pref.opted_out or [])

