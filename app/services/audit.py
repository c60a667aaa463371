"""The audit log: a durable record of who verified, revoked, hid or changed what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import db
from app.exceptions import ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import Page, paginate
from models import AuditEntry, User


def public_reason(reason: str) -> str:
    """The reason a moderator gives for hiding something (shown to readers and the author)."""
    text = " ".join((reason or "").split())[:300]
    if len(text) < 3:
        raise ValidationFailed({"reason": _l("Write the reason in a few words. The author can read it.")})
    return text


def record(actor: User | None, action: str, target_type: str, target_id: int, label: str = "", **detail: Any) -> AuditEntry:
    """Append one entry (in the caller's transaction: it commits or rolls back with the action)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None, action=action, target_type=target_type,
        target_id=target_id, target_label=label[:200], detail={k: str(v) for k, v in detail.items()},
    )
    db.session.add(entry)
    return entry


def list_entries(actor: User, page: int = 1, per_page: int = 50) -> Page[AuditEntry]:
    """Newest first, for administrators."""
    ensure(actor, Permission.AUDIT_VIEW)
    return paginate(select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), page, per_page)
