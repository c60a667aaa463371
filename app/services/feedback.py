"""Feedback from the footer form: stored first, so nothing a person wrote is lost."""

from __future__ import annotations

from dataclasses import dataclass

from app.db import db
from app.exceptions import ValidationFailed
from app.i18n import _l
from app.services import mail
from app.services.accounts import normalize_email
from models import Feedback, User

TOPICS = ("accessibility", "error", "translation", "idea", "other")


@dataclass(frozen=True)
class FeedbackDraft:
    topic: str
    message: str
    page: str = ""
    reply_to: str = ""
    locale: str = "it"


def submit_feedback(actor: User | None, draft: FeedbackDraft, notify: str | None = None) -> Feedback:
    """Store a feedback message (anyone may send one) and tell the platform's contact address."""
    message = (draft.message or "").strip()
    errors = {}
    if draft.topic not in TOPICS:
        errors["topic"] = _l("Choose a topic from the list.")
    if not 5 <= len(message) <= 5000:
        errors["message"] = _l("Write between 5 and 5000 characters.")
    if errors:
        raise ValidationFailed(errors)
    reply_to = (draft.reply_to or "").strip()
    if reply_to:
        try:
            reply_to = normalize_email(reply_to)
        except ValidationFailed:
            raise ValidationFailed({"reply_to": _l("Enter a valid e-mail address, or leave it empty.")}) from None
    item = Feedback(
        user_id=actor.id if actor else None, topic=draft.topic, message=message,
        page=(draft.page or "")[:500], reply_to=reply_to, locale=draft.locale[:16],
    )
    db.session.add(item)
    db.session.flush()
    if notify:
        mail.send_after_commit(notify, "feedback", "it", item=item)
    return item
