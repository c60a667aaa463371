"""Reminders before an event: one e-mail (in the person's language) and one notification for
each confirmed registration whose date starts within the next 24 hours.

Never twice: each reminder is claimed first (an UPDATE that only one run can win), and the mail
leaves only once the claim is committed. Runs overlapping (two cron jobs, a job queue and a
cron job) share the work instead of repeating it. Run by ``flask events send-reminders``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.services import events, mail, notifications, registrations
from models import EventMode, Registration
from models.base import utcnow

BATCH = 200


def send_due(now: datetime | None = None, limit: int = BATCH) -> tuple[int, int]:
    """Claim up to ``limit`` reminders due at ``now`` and queue their mails for after the commit
    (the caller commits). Returns (claimed, looked at): fewer looked at than ``limit`` means
    nothing more is due."""
    moment = now or utcnow()
    due = registrations.due_reminders(moment, limit=limit)
    titles: dict[tuple[int, str], str] = {}
    sent = 0
    for registration in due:
        if not registrations.claim_reminder(registration, moment):
            continue  # another run claimed it first
        _remind(registration, titles)
        sent += 1
    return sent, len(due)


def _remind(registration: Registration, titles: dict[tuple[int, str], str]) -> None:
    session, person = registration.session, registration.user
    event = session.event
    key = (event.id, person.locale)
    if key not in titles:
        titles[key] = events.text_for(event, person.locale)[0]
    notifications.notify([person.id], "event.reminder", "event", event.id,
                         dedupe_key=f"reminder-{registration.id}-{int(session.starts_at.timestamp())}",
                         title=event.title, starts_at=session.starts_at.isoformat())
    place = ""
    if event.mode != EventMode.ONLINE:
        place = ", ".join(part for part in (event.venue, event.address, event.territory.name) if part)
    mail.send_after_commit(
        person.email, "event_reminder", person.locale, name=person.display_name, title=titles[key],
        event_id=event.id, all_day=event.all_day, starts_at=session.starts_at, ends_at=session.ends_at,
        first_day=events.local(session.starts_at).date(), last_day=events.local(session.ends_at - timedelta(seconds=1)).date(),
        place=place, online_url=event.online_url, note=session.note,
    )
