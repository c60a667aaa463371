"""Digests: grouped by type, newest first, never a repeat across runs, only when due for the
person's chosen frequency, respecting their opt-outs, nothing when there is nothing new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.db import db
from app.services import digests, notifications
from models import Delivery, MailStatus, Notification, OutboxMail
from models.base import utcnow
from tests import factories

# A Wednesday, 10:00 in Rome (09:00 UTC in winter): today's 07:00 digest moment has passed.
WEDNESDAY = datetime(2031, 1, 15, 9, 0, tzinfo=UTC)


def at(moment: datetime, **delta: float) -> datetime:
    return moment + timedelta(**delta)


def note(user: Any, kind: str, title: str, created_at: datetime, target_id: int = 1, **data: Any) -> Notification:
    notifications.notify([user.id], kind, "proposal", target_id, dedupe_key=f"{kind}-{title}"[:64], title=title, **data)
    row = db.session.scalar(select(Notification).where(Notification.user_id == user.id, Notification.data["title"].as_string() == title))
    row.created_at = created_at
    db.session.flush()
    return row


def prefer(user: Any, delivery: Delivery, *opted_out: str) -> None:
    notifications.save_preferences(user, notifications.PreferenceDraft(delivery.value, tuple(t for t in notifications.TYPES if t not in opted_out)))


def run(now: datetime) -> int:
    made = digests.run(now)[0]
    db.commit()
    return made


def test_digest_moments_follow_the_chosen_frequency_in_rome() -> None:
    assert digests.last_slot(Delivery.DAILY, WEDNESDAY) == datetime(2031, 1, 15, 6, 0, tzinfo=UTC)
    assert digests.last_slot(Delivery.DAILY, datetime(2031, 1, 15, 5, 30, tzinfo=UTC)) == datetime(2031, 1, 14, 6, 0, tzinfo=UTC)
    assert digests.last_slot(Delivery.WEEKLY, WEDNESDAY) == datetime(2031, 1, 13, 6, 0, tzinfo=UTC)  # Monday
    summer = datetime(2031, 7, 16, 9, 0, tzinfo=UTC)  # Rome is UTC+2: 07:00 is 05:00 UTC
    assert digests.last_slot(Delivery.DAILY, summer) == datetime(2031, 7, 16, 5, 0, tzinfo=UTC)
    assert digests.last_slot(Delivery.IMMEDIATELY, WEDNESDAY) == WEDNESDAY


def test_a_daily_digest_groups_by_type_newest_first_and_never_repeats(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale="en")
    note(person, "proposal.comment", "Old comment", at(WEDNESDAY, hours=-20))
    note(person, "proposal.response", "The answer", at(WEDNESDAY, hours=-10))
    note(person, "proposal.comment", "New comment", at(WEDNESDAY, hours=-5))
    note(person, "lab.proposal", "Later than the moment", at(WEDNESDAY, minutes=-30))  # after 07:00: next digest
    assert run(WEDNESDAY) == 1
    [mail] = outbox
    assert mail.to == person.email and "3 new notifications" in mail.subject
    text = mail.text
    order = [text.index(s) for s in ("Replies and mentions", "New comment", "Old comment", "Official responses", "The answer")]
    assert order == sorted(order), text  # types in the settings' order, newest first inside each
    assert "Later than the moment" not in text
    assert "/unsubscribe/" in text and dict(mail.headers)["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Running again the same morning, or the next morning, never repeats what was sent.
    assert run(at(WEDNESDAY, minutes=5)) == 0
    assert run(at(WEDNESDAY, days=1)) == 1
    assert "Later than the moment" in outbox[1].text and "New comment" not in outbox[1].text
    assert run(at(WEDNESDAY, days=2)) == 0 and len(outbox) == 2


def test_a_weekly_digest_waits_for_monday(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    prefer(person, Delivery.WEEKLY)
    note(person, "proposal.comment", "Tuesday news", at(WEDNESDAY, days=-1))
    assert run(WEDNESDAY) == 0  # the last Monday moment came before it
    assert run(at(WEDNESDAY, days=4)) == 0  # Sunday
    assert run(at(WEDNESDAY, days=5)) == 1  # Monday after 07:00
    assert "Tuesday news" in outbox[0].text


def test_opted_out_types_are_left_out_and_an_all_out_digest_is_not_sent(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person, quiet = factories.user(), factories.user()
    prefer(person, Delivery.DAILY, "replies")
    prefer(quiet, Delivery.DAILY, "replies")
    note(person, "proposal.comment", "Muted comment", at(WEDNESDAY, hours=-3))
    note(person, "proposal.response", "Wanted answer", at(WEDNESDAY, hours=-4))
    note(quiet, "proposal.comment", "Only muted", at(WEDNESDAY, hours=-3))
    assert run(WEDNESDAY) == 1
    [mail] = outbox
    assert mail.to == person.email and "Wanted answer" in mail.text and "Muted comment" not in mail.text
    # Everything was dealt with: turning the type back on later does not bring old news back.
    prefer(person, Delivery.DAILY)
    assert run(at(WEDNESDAY, days=1)) == 0
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.mailed_at.is_(None))) == 0


def test_never_and_kinds_with_their_own_mail_send_no_digest(session, outbox) -> None:  # type: ignore[no-untyped-def]
    silent, reminded = factories.user(), factories.user()
    prefer(silent, Delivery.NEVER)
    note(silent, "proposal.comment", "Not mailed", at(WEDNESDAY, hours=-3))
    note(reminded, "event.reminder", "Reminder already mailed", at(WEDNESDAY, hours=-3))
    assert run(WEDNESDAY) == 0 and outbox == []


def test_nothing_new_sends_nothing_and_unconfirmed_people_wait(session, outbox) -> None:  # type: ignore[no-untyped-def]
    factories.user()
    waiting = factories.user(confirmed=False)
    note(waiting, "proposal.comment", "For later", at(WEDNESDAY, hours=-3))
    assert run(WEDNESDAY) == 0 and outbox == []
    waiting.email_confirmed_at = utcnow()
    db.commit()
    assert run(WEDNESDAY) == 1 and "For later" in outbox[0].text


def test_switching_to_immediate_sends_the_backlog_at_once_in_one_mail(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    note(person, "proposal.comment", "First", at(WEDNESDAY, minutes=-20))
    note(person, "proposal.response", "Second", at(WEDNESDAY, minutes=-10))
    prefer(person, Delivery.IMMEDIATELY)
    assert run(WEDNESDAY) == 1
    assert "First" in outbox[0].text and "Second" in outbox[0].text


def test_a_person_who_opts_out_before_the_digest_leaves_gets_nothing(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    note(person, "proposal.comment", "Late opt-out", at(WEDNESDAY, hours=-3))
    digests.run(WEDNESDAY)  # queued, not committed: not sent yet
    prefer(person, Delivery.NEVER)
    db.commit()
    assert outbox == []
    assert session.scalar(select(OutboxMail.status).where(OutboxMail.user_id == person.id)) == MailStatus.CANCELLED


def test_two_runs_in_one_transaction_queue_one_digest(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    note(person, "proposal.comment", "Once", at(WEDNESDAY, hours=-3))
    assert digests.run(WEDNESDAY)[0] == 1
    assert digests.run(WEDNESDAY)[0] == 0
    db.commit()
    assert len(outbox) == 1


def test_a_run_that_lost_the_race_for_some_notifications_queues_nothing(session, outbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    first = note(person, "proposal.comment", "Taken", at(WEDNESDAY, hours=-3))
    note(person, "proposal.comment", "Free", at(WEDNESDAY, hours=-2))
    original = digests.outbox.queue

    def meanwhile(mail):  # type: ignore[no-untyped-def]
        raise AssertionError("no digest may be queued")

    # Another run marks one of them right after our run read the list (before it marks them).
    real_execute = db.session.execute
    selects = {"n": 0}

    def execute(stmt, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = real_execute(stmt, *args, **kwargs)
        if getattr(stmt, "is_select", False):
            selects["n"] += 1
            if selects["n"] == 2:  # the first reads the people, the second their notifications
                rows = result.all()
                real_execute(update(Notification).where(Notification.id == first.id).values(mailed_at=utcnow()))
                return _Rows(rows)
        return result

    monkeypatch.setattr(db.session, "execute", execute)
    monkeypatch.setattr(digests.outbox, "queue", meanwhile)
    assert digests.run(WEDNESDAY)[0] == 0
    monkeypatch.setattr(digests.outbox, "queue", original)
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.mailed_at.is_(None))) == 1


class _Rows(list):  # type: ignore[type-arg]
    """A result already read, handed back as a list of rows."""

    def all(self) -> list:  # type: ignore[type-arg]
        return list(self)


def test_digest_html_escapes_what_people_wrote(session, outbox) -> None:  # type: ignore[no-untyped-def]
    person = factories.user()
    note(person, "proposal.comment", '<script>alert("x")</script><img src=x onerror=alert(1)>', at(WEDNESDAY, hours=-3))
    assert run(WEDNESDAY) == 1
    html = outbox[0].html
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("locale,greeting", [("it", "Ciao"), ("en", "Hello"), ("fr", "Bonjour")])
def test_the_digest_is_in_the_persons_language(session, outbox, locale: str, greeting: str) -> None:  # type: ignore[no-untyped-def]
    person = factories.user(locale=locale)
    note(person, "proposal.comment", "Lingua", at(WEDNESDAY, hours=-3))
    assert run(WEDNESDAY) == 1
    assert outbox[0].text.startswith(greeting)
