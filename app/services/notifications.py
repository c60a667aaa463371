"""Notifications: stored in the same transaction as the event that causes them.

Delivery (in-app list, e-mail, digests) belongs to the notifications feature; this module
only records who should hear about what, once: a repeated event with the same
``dedupe_key`` never creates a second row for the same person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from app.db import db
from models import Notification, User
from models.base import utcnow


def notify(user_ids: Iterable[int | None], kind: str, target_type: str, target_id: int, *, dedupe_key: str = "",
           **data: Any) -> int:
    """Store one notification for each person (duplicates skipped). Returns how many were stored."""
    stored = 0
    for user_id in sorted({u for u in user_ids if u}):
        try:
            with db.session.begin_nested():
                db.session.add(Notification(user_id=user_id, kind=kind, target_type=target_type, target_id=target_id,
                                            dedupe_key=dedupe_key, data=data))
        except IntegrityError:
            continue
        stored += 1
    return stored


def notify_selected(user_ids: Select[Any], kind: str, target_type: str, target_id: int, *, dedupe_key: str,
                    exclude: Iterable[int | None] = (), **data: Any) -> None:
    """Store notifications for every user id a query selects, in one INSERT … SELECT
    (for example all supporters of a proposal). ``exclude`` skips people already notified."""
    skip = [u for u in exclude if u]
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


def list_for(user: User, limit: int = 50) -> list[Notification]:
    """The person's newest notifications."""
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    )


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0
