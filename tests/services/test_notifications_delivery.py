"""Notifications: each trigger tells the right people once (never the actor), e-mails for people
who want them at once, and the outbox: sealed account mails, one claim per mail, retries with
backoff, a mail server that is down and comes back, two senders at once, the RQ worker."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import smtplib
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from app.db import db
from app.services import (
    events,
    follows,
    forums,
    memberships,
    moderation,
    notifications,
    organizations,
    proposals,
    responses,
)
from app.services import outbox as sender
from app.services.mail import mailer
from models import (
    Delivery,
    MailStatus,
    Notification,
    OutboxMail,
    ReportStatus,
)
from models.base import utcnow
from tests import factories
from tests.conftest import login
from tests.services.test_events import make_event, setup
from tests.services.test_labs import make_lab, publish, world

REAL_SMTP = smtplib.SMTP  # taken before tests/conftest.py's guard replaces it for each test


def told(session: Any, kind: str, target_id: int | None = None) -> list[int]:
    stmt = select(Notification.user_id).where(Notification.kind == kind)
    if target_id is not None:
        stmt = stmt.where(Notification.target_id == target_id)
    return sorted(session.scalars(stmt))


def immediate(user: Any, *opted_out: str) -> None:
    notifications.save_preferences(user, notifications.PreferenceDraft(Delivery.IMMEDIATELY.value, tuple(t for t in notifications.TYPES if t not in opted_out)))


def veteran(**kw: Any) -> Any:
    """Someone registered long enough ago to post without the new-member limits."""
    return factories.user(created_at=utcnow() - timedelta(days=30), **kw)


def thread_in(forum: Any, author: Any = None, title: str = "Orari dello sportello") -> Any:
    return forums.create_thread(author or veteran(), forum, forums.ThreadDraft(title=title, body="Qualcuno sa gli orari?"))


@pytest.fixture
def forum(session):  # type: ignore[no-untyped-def]
    return forums.forum_for(factories.chain()[2])


# ---------------------------------------------------------------- triggers: discussions


def test_a_reply_tells_the_followers_once_but_not_the_person_replying(session, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    follower, replier = veteran(), veteran()
    follows.follow(follower, "thread", thread.id)
    post = forums.reply(replier, thread, forums.PostDraft(body="Il sabato è chiuso."))
    assert told(session, "thread.reply") == sorted([thread.author_id, follower.id])
    note = session.scalar(select(Notification).where(Notification.user_id == follower.id))
    assert note.data["actor"] == replier.display_name and note.data["position"] == post.position
    forums.reply(thread.author, thread, forums.PostDraft(body="Grazie!"))  # the replier now follows, the author does not hear of himself
    assert told(session, "thread.reply") == sorted([thread.author_id, follower.id, follower.id, replier.id])


def test_a_mention_tells_the_person_named_instead_of_a_reply(session, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    amina, stranger = veteran(name="Amina Diallo"), veteran(name="Marco Bianchi")
    forums.join(amina, forum)  # a member of the forum can be mentioned; a stranger cannot be summoned
    follows.follow(amina, "thread", thread.id)
    replier = veteran()
    forums.reply(replier, thread, forums.PostDraft(body="Chiedo a @Amina Diallo, e anche a @Marco Bianchi: voi sapete?"))
    assert told(session, "thread.mention") == [amina.id]
    assert amina.id not in told(session, "thread.reply") and stranger.id not in told(session, "thread.reply")
    assert told(session, "thread.reply") == [thread.author_id]


def test_a_new_discussion_tells_the_forum_followers_not_its_author(session, forum) -> None:  # type: ignore[no-untyped-def]
    member, author = veteran(), veteran()
    forums.join(member, forum)
    forums.join(author, forum)
    thread = thread_in(forum, author=author)
    assert told(session, "forum.thread", thread.id) == [member.id]


# ---------------------------------------------------------------- triggers: organisations


def test_a_join_request_tells_the_admins_and_the_answer_tells_the_person(session, outbox) -> None:  # type: ignore[no-untyped-def]
    boss, person = factories.user(), factories.user()
    org = factories.organization(admin=boss)
    membership = memberships.request_join(person, org, "Ciao")
    assert told(session, "membership.requested", org.id) == [boss.id]
    memberships.decide_request(boss, membership, True)
    assert told(session, "membership.approved", org.id) == [person.id]
    other = factories.user()
    memberships.decide_request(boss, memberships.request_join(other, org), False)
    assert told(session, "membership.declined", org.id) == [other.id]
    assert told(session, "membership.requested", org.id) == [boss.id, boss.id]


def test_an_invitation_tells_an_existing_account_and_no_one_else(session) -> None:  # type: ignore[no-untyped-def]
    boss, invited = factories.user(), factories.user()
    org = factories.organization(admin=boss)
    memberships.invite(boss, org, invited.email, "member")
    memberships.invite(boss, org, "nobody-yet@example.org", "member")
    assert told(session, "membership.invited", org.id) == [invited.id]


# ---------------------------------------------------------------- triggers: moderation


def test_hiding_a_message_after_a_report_tells_its_author_and_restoring_tells_again(session, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    writer = veteran()
    post = forums.reply(writer, thread, forums.PostDraft(body="Un messaggio segnalato."))
    mod = factories.moderator(forum.territory)
    report = moderation.report_content(factories.user(), post, moderation.ReportDraft(reason="spam"))
    moderation.decide(mod, report, hide=True, note="Pubblicità")
    assert report.status == ReportStatus.RESOLVED
    [hidden] = session.scalars(select(Notification).where(Notification.kind == "moderation.hidden")).all()
    assert hidden.user_id == writer.id and hidden.data["reason"] and hidden.target_type == "thread"
    forums.set_post_hidden(mod, post, False)
    assert told(session, "moderation.restored") == [writer.id]
    forums.set_post_hidden(mod, post, False)  # nothing changes: nobody is told again
    assert told(session, "moderation.restored") == [writer.id]


def test_moderators_hiding_their_own_content_are_not_told(session, forum) -> None:  # type: ignore[no-untyped-def]
    mod = factories.moderator(forum.territory, created_at=utcnow() - timedelta(days=30))
    thread = thread_in(forum, author=mod)
    forums.set_thread_flag(mod, thread, "hidden", True, "prova")
    assert told(session, "moderation.hidden") == []


def test_a_hidden_discussion_tells_its_author_and_links_to_the_forum(session, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    forums.set_thread_flag(factories.moderator(forum.territory), thread, "hidden", True, "fuori tema")
    note = session.scalar(select(Notification).where(Notification.kind == "moderation.hidden"))
    assert (note.user_id, note.target_type, note.target_id) == (thread.author_id, "forum", forum.id)


def test_hiding_a_proposal_or_a_comment_tells_its_author(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    proposal = publish(make_lab(w), w.resident)
    commenter = factories.user(home=w.comune)
    comment = proposals.add_comment(commenter, proposal, "Un commento da nascondere.")
    mod = factories.moderator(w.region)
    proposals.set_comment_hidden(mod, comment, True, "offensivo")
    proposals.set_proposal_hidden(mod, proposal, True, "duplicato")
    assert sorted(told(session, "moderation.hidden")) == sorted([commenter.id, w.resident.id])


def test_hiding_an_organisation_tells_its_admins(session) -> None:  # type: ignore[no-untyped-def]
    boss = factories.user()
    org = factories.organization(admin=boss)
    factories.member(org)
    organizations.set_hidden(factories.admin(), org, True, "profilo falso")
    assert told(session, "moderation.organization_hidden", org.id) == [boss.id]


# ---------------------------------------------------------------- triggers: what people follow


def test_a_new_proposal_tells_the_lab_followers_not_its_author(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)
    fan = factories.user()
    follows.follow(fan, "lab", lab.id)
    follows.follow(w.resident, "lab", lab.id)
    proposal = publish(lab, w.resident)
    assert told(session, "lab.proposal", proposal.id) == [fan.id]


def test_a_new_lab_and_a_new_event_tell_the_organisation_followers(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    fan = factories.user()
    follows.follow(fan, "organization", w.authority.id)
    lab = make_lab(w)
    assert told(session, "organization.lab", lab.id) == [fan.id]
    o = setup()
    follows.follow(fan, "organization", o.org.id)
    event = make_event(o)
    assert told(session, "organization.event", event.id) == [fan.id]


def test_an_official_answer_tells_followers_and_supporters_once_each(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    proposal = publish(make_lab(w, territory=w.comune, support_threshold=1), w.resident)
    supporter, fan = factories.user(home=w.comune), factories.user()
    proposals.support(supporter, proposal)
    follows.follow(supporter, "proposal", proposal.id)  # supports and follows: told once
    follows.follow(fan, "proposal", proposal.id)
    responses.respond(w.official, proposal, responses.ResponseDraft(
        decision="accepted", text="Apriremo lo sportello dal mese prossimo.", next_step="Delibera entro marzo."))
    assert told(session, "proposal.response", proposal.id) == sorted([w.resident.id, supporter.id, fan.id])


def test_reaching_the_threshold_tells_supporters_and_followers(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    proposal = publish(make_lab(w, territory=w.comune, support_threshold=2), w.resident)
    fan, first, second = factories.user(), factories.user(home=w.comune), factories.user(home=w.comune)
    follows.follow(fan, "proposal", proposal.id)
    proposals.support(first, proposal)
    assert told(session, "proposal.supported") == []
    proposals.support(second, proposal)
    assert told(session, "proposal.supported", proposal.id) == sorted([fan.id, first.id, second.id])
    assert told(session, "proposal.threshold_reached_author", proposal.id) == [w.resident.id]


def test_withdrawing_tells_followers_not_the_author(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    proposal = publish(make_lab(w), w.resident)
    fan = factories.user()
    follows.follow(fan, "proposal", proposal.id)
    follows.follow(w.resident, "proposal", proposal.id)
    proposals.withdraw(w.resident, proposal)
    assert told(session, "proposal.withdrawn", proposal.id) == [fan.id]


def test_a_comment_tells_the_proposal_followers_too(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    proposal = publish(make_lab(w), w.resident)
    fan, commenter = factories.user(), factories.user(home=w.comune)
    follows.follow(fan, "proposal", proposal.id)
    follows.follow(commenter, "proposal", proposal.id)
    proposals.add_comment(commenter, proposal, "Sono d'accordo.")
    assert told(session, "proposal.comment", proposal.id) == sorted([w.resident.id, fan.id])


def test_a_cancelled_event_tells_followers_and_registrants_once_each(session) -> None:  # type: ignore[no-untyped-def]
    from app.services import registrations

    o = setup()
    event = make_event(o)
    fan, attendee = factories.user(), factories.user(home=o.comune)
    registrations.register(attendee, events.list_sessions(event)[0])
    follows.follow(fan, "event", event.id)
    follows.follow(attendee, "event", event.id)
    events.cancel_event(o.boss, event, "Maltempo")
    assert told(session, "event.cancelled", event.id) == sorted([fan.id, attendee.id])


# ---------------------------------------------------------------- e-mail at once


def test_immediate_delivery_mails_each_notification_once_in_the_persons_language(session, outbox, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum, title="Corsi <b>serali</b>")
    english, italian = veteran(locale="en"), veteran(locale="it")
    for person in (english, italian):
        follows.follow(person, "thread", thread.id)
        immediate(person)
    post = forums.reply(veteran(name="Giulia"), thread, forums.PostDraft(body="Ci sono posti."))
    db.commit()
    by_person = {m.to: m for m in outbox}
    assert set(by_person) == {english.email, italian.email}
    en, it = by_person[english.email], by_person[italian.email]
    assert "Giulia replied in the discussion" in en.subject and "Corsi <b>serali</b>" in en.subject
    assert en.text.startswith("Hello") and it.text.startswith("Ciao")  # each in the person's language
    assert f"https://ponte.test/threads/{thread.id}#post-{post.position}" in en.text
    assert "&lt;b&gt;serali&lt;/b&gt;" in en.html and "<b>serali" not in en.html  # the title is text, escaped in HTML
    headers = dict(en.headers)
    assert headers["List-Unsubscribe"].startswith("<https://ponte.test/unsubscribe/")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].strip("<>") in en.text
    rows = session.scalars(select(OutboxMail).where(OutboxMail.template == "notification")).all()
    assert len(rows) == 2 and {r.status for r in rows} == {MailStatus.SENT}
    db.commit()
    assert len(outbox) == 2  # nothing goes twice
    assert session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id.in_([english.id, italian.id]), Notification.mailed_at.is_(None))) == 0


def test_opted_out_types_and_kinds_with_their_own_mail_are_not_mailed_again(session, outbox, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    muted = veteran()
    follows.follow(muted, "thread", thread.id)
    immediate(muted, "replies")
    forums.reply(veteran(), thread, forums.PostDraft(body="Ci sono posti."))
    boss, person = factories.user(), factories.user()
    immediate(person)
    org = factories.organization(admin=boss)
    memberships.decide_request(boss, memberships.request_join(person, org), True)
    db.commit()
    assert [m.to for m in outbox] == [person.email]  # only the decision mail, not a second one about it
    assert told(session, "thread.reply") == sorted([thread.author_id, muted.id])


def test_the_daily_default_sends_nothing_at_once(session, outbox, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    forums.reply(veteran(), thread, forums.PostDraft(body="Ci sono posti."))
    db.commit()
    assert outbox == [] and notifications.preferences(thread.author).delivery == Delivery.DAILY


def test_unconfirmed_or_suspended_people_get_no_notification_mail(session, outbox, forum) -> None:  # type: ignore[no-untyped-def]
    from models import UserStatus

    thread = thread_in(forum)
    unconfirmed, suspended = veteran(confirmed=False), veteran()
    for person in (unconfirmed, suspended):
        follows.follow(person, "thread", thread.id)
        immediate(person)
    suspended.status = UserStatus.SUSPENDED
    forums.reply(veteran(), thread, forums.PostDraft(body="Ci sono posti."))
    db.commit()
    assert outbox == []


# ---------------------------------------------------------------- the outbox


def _columns_text(row: OutboxMail) -> str:
    return " ".join(str(getattr(row, c.key)) for c in OutboxMail.__table__.columns)


def test_account_mails_are_sealed_in_the_outbox_and_emptied_once_sent(session, outbox) -> None:  # type: ignore[no-untyped-def]
    from app.services import accounts

    person = factories.user()
    accounts.request_password_reset(person.email)
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == person.email))
    stored = _columns_text(row)
    assert row.status == MailStatus.PENDING and row.sealed
    db.commit()
    [mail] = outbox
    link = next(word for word in mail.text.split() if "/auth/reset/" in word)
    token = link.rsplit("/", 1)[1]
    assert token not in stored and "/auth/reset/" not in stored  # nobody reading the table can use the link
    session.refresh(row)
    assert row.status == MailStatus.SENT and row.sealed is None and row.attempts == 1 and row.sent_at is not None


def test_a_mail_is_claimed_once_and_sent_once(session, outbox) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    mail.send_after_commit("a@example.org", "account_exists", "it", name="A")
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "a@example.org"))
    assert outbox_deliver(row.id) is True
    assert outbox_deliver(row.id) is False
    db.commit()  # the after-commit attempt finds it sent
    assert len(outbox) == 1


def outbox_deliver(mail_id: int, now: Any = None) -> bool:
    return sender.deliver(mail_id, now)


def test_an_abandoned_claim_is_taken_over_after_the_lease(session, outbox) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    mail.send_after_commit("b@example.org", "account_exists", "it", name="B")
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "b@example.org"))
    row.status, row.claimed_at, row.claim_token = MailStatus.SENDING, utcnow(), "dead-sender"
    session.flush()
    assert outbox_deliver(row.id) is False  # somebody holds it
    assert outbox_deliver(row.id, utcnow() + sender.LEASE + timedelta(seconds=1)) is True
    assert [m.to for m in outbox] == ["b@example.org"]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed when the block ends: nothing listens there


@pytest.fixture
def real_smtp(monkeypatch: pytest.MonkeyPatch, closed_port: int) -> dict[str, Any]:
    """The SMTP backend against 127.0.0.1 (first a port where nothing listens)."""
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP)
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": closed_port, "MAIL_TIMEOUT": 3,
                       "MAIL_USE_TLS": False, "MAIL_USE_SSL": False, "MAIL_USERNAME": ""}.items():
        monkeypatch.setitem(mailer.settings, key, value)
    return mailer.settings


def test_failures_back_off_and_give_up_after_the_last_attempt(session, real_smtp) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    mail.send_after_commit("c@example.org", "account_exists", "it", name="Segreto")
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "c@example.org"))
    moment, waits = utcnow(), []
    for attempt in range(1, sender.MAX_ATTEMPTS + 1):
        assert outbox_deliver(row.id, moment) is False
        session.refresh(row)
        assert row.attempts == attempt
        waits.append(round((row.next_attempt_at - moment).total_seconds() / 60))
        assert outbox_deliver(row.id, moment) is False  # not due yet: untouched
        moment = row.next_attempt_at
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    assert row.status == MailStatus.FAILED and row.sealed is None
    assert row.last_error.startswith("ConnectionRefusedError") and "c@example.org" not in row.last_error
    assert outbox_deliver(row.id, moment + timedelta(days=1)) is False


def test_finished_mails_are_deleted_after_a_while_pending_ones_never(session, outbox, real_smtp) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    for address in ("old-sent@example.org", "old-pending@example.org"):
        mail.send_after_commit(address, "account_exists", "it", name="X")
    rows = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    rows[0].status = MailStatus.SENT
    for row in rows:
        row.created_at = utcnow() - sender.KEEP - timedelta(days=1)
    session.flush()
    assert sender.purge() == 1
    assert session.scalars(select(OutboxMail.to_address)).all() == ["old-pending@example.org"]


class SmtpSink:
    """A tiny SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                self.reply("220 sink ESMTP")
                data: list[bytes] | None = None
                for raw in self.rfile:
                    if data is not None:
                        if raw.rstrip(b"\r\n") == b".":
                            message = email.message_from_bytes(b"".join(data), policy=email.policy.default)
                            with sink.lock:
                                sink.messages.append(message)  # type: ignore[arg-type]
                            data = None
                            self.reply("250 OK")
                        else:
                            data.append(raw[1:] if raw.startswith(b"..") else raw)
                        continue
                    verb = raw.strip().split(b" ", 1)[0].upper()
                    if verb == b"EHLO":
                        self.reply("250-sink")
                        self.reply("250 8BITMIME")
                    elif verb == b"DATA":
                        data = []
                        self.reply("354 go ahead")
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        self.reply("250 OK")
                    else:
                        self.reply("502 not here")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(str(m["To"]) for m in self.messages)


def test_smtp_down_keeps_the_action_and_a_later_run_sends_each_mail_once(client, session, real_smtp, monkeypatch, forum) -> None:  # type: ignore[no-untyped-def]
    thread = thread_in(forum)
    fan, replier = veteran(), veteran()
    follows.follow(fan, "thread", thread.id)
    immediate(fan)
    db.commit()
    login(client, replier.email, factories.PASSWORD)
    answer = client.post_form(f"/threads/{thread.id}/reply", {"body": "Il sabato è chiuso.", "organization_id": ""})
    assert answer.status_code == 302  # the reply is saved although the mail server is down
    assert client.post_form("/auth/reset", {"email": fan.email}).status_code == 200
    assert session.scalar(select(func.count()).select_from(Notification).where(Notification.kind == "thread.reply")) == 2
    rows = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(r.status, r.attempts) for r in rows] == [(MailStatus.PENDING, 1), (MailStatus.PENDING, 1)]
    assert all(r.next_attempt_at > utcnow() for r in rows) and all("Il sabato" not in r.last_error for r in rows)
    with SmtpSink() as sink:
        monkeypatch.setitem(mailer.settings, "MAIL_PORT", sink.port)
        later = utcnow() + timedelta(minutes=2)
        assert sender.send_due(later) == (2, 2)
        assert sink.recipients() == [fan.email, fan.email]
        assert sender.send_due(later + timedelta(hours=1)) == (0, 0)
        assert len(sink.messages) == 2
    subjects = sorted(str(m["Subject"]) for m in sink.messages)
    assert any("replied" in s or "risposto" in s for s in subjects)
    for row in rows:
        session.refresh(row)
        assert row.status == MailStatus.SENT and row.attempts == 2 and row.sealed is None


# ---------------------------------------------------------------- the command line


def test_the_send_command_sends_what_is_due_and_a_second_run_nothing(app, session, outbox, real_smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    mail.send_after_commit("d@example.org", "account_exists", "it", name="D")
    db.commit()  # the attempt right after the commit fails: nothing listens
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "d@example.org"))
    assert (row.status, row.attempts) == (MailStatus.PENDING, 1)
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.commit()
    monkeypatch.setitem(mailer.settings, "MAIL_BACKEND", "memory")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notifications", "send"])
    assert first.exit_code == 0, first.output
    assert first.output.strip().endswith("1 e-mails sent, 0 waiting.") and [m.to for m in outbox] == ["d@example.org"]
    again = runner.invoke(args=["notifications", "send"])
    assert again.output.strip() == "0 digests prepared, 0 e-mails sent, 0 waiting." and len(outbox) == 1


def test_the_worker_without_redis_says_what_to_run_instead(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1 and "flask notifications send" in result.output


# ---------------------------------------------------------------- two senders at once (real processes)

SEED = r"""
import json
import sys
from datetime import timedelta

from flask import g
from sqlalchemy import update

from app import create_app
from app.db import db
from app.services import follows, forums, notifications
from models import Delivery, Notification, OutboxMail
from models.base import utcnow
from tests import factories

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    g.forced_locale = "it"
    with db.unit_of_work():
        forum = forums.forum_for(factories.chain()[2])
        author = factories.user(email="author@send.example.org", created_at=utcnow() - timedelta(days=30))
        thread = forums.create_thread(author, forum, forums.ThreadDraft(title="Orari", body="Qualcuno sa gli orari?"))
        people = []
        for n in range(count):
            person = factories.user(email=f"now{n:03d}@send.example.org")
            follows.add(person.id, "thread", thread.id)
            notifications.save_preferences(person, notifications.PreferenceDraft("immediately"))
            people.append(person.email)
        daily = [factories.user(email=f"daily{n:03d}@send.example.org") for n in range(count // 2)]
        for person in daily:
            follows.add(person.id, "thread", thread.id)
        replier = factories.user(email="replier@send.example.org", created_at=utcnow() - timedelta(days=30))
        forums.reply(replier, thread, forums.PostDraft(body="Il sabato è chiuso."))
        people.append(author.email)  # the author follows the thread: daily by default
    with db.unit_of_work():  # the immediate attempts failed (nothing listens): make everything due now
        db.session.execute(update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.execute(update(Notification).values(created_at=utcnow() - timedelta(days=2)))
print(json.dumps({"immediate": [p for p in people if p.startswith("now")], "daily": [p.email for p in daily] + [author.email]}))
"""


def test_two_sender_processes_at_once_send_each_mail_once(tmp_path_factory, closed_port) -> None:  # type: ignore[no-untyped-def]
    import os
    import secrets

    from app.config import ROOT
    from tests.conftest import migrate
    from tests.web.live_server import VENV_BIN, fresh_database

    with fresh_database(tmp_path_factory, "senders") as url, SmtpSink() as sink:
        migrate(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PONTE_", "FLASK_"))}
        env.update({"PONTE_TESTING": "1", "PONTE_SECRET_KEY": secrets.token_urlsafe(48), "PONTE_DATABASE_URL": url,
                    "PONTE_MAIL_BACKEND": "smtp", "PONTE_MAIL_HOST": "127.0.0.1", "PONTE_MAIL_PORT": str(closed_port),
                    "PONTE_SERVER_NAME": "ponte.test", "PONTE_RATELIMIT_ENABLED": "0", "PYTHONUNBUFFERED": "1"})
        seeded = subprocess.run([sys.executable, "-c", SEED, "24"], cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=180, check=False)
        assert seeded.returncode == 0, seeded.stderr
        people = json.loads(seeded.stdout.strip().splitlines()[-1])
        env["PONTE_MAIL_PORT"] = str(sink.port)
        command = [str(VENV_BIN / "flask"), "--app", "wsgi", "notifications", "send"]
        runs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        outputs = [run.communicate(timeout=180) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        expected = sorted(people["immediate"] + people["daily"])
        assert sink.recipients() == expected  # every immediate mail and every digest exactly once
        third = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
        assert third.stdout.strip() == "0 digests prepared, 0 e-mails sent, 0 waiting.", third
        assert len(sink.messages) == len(expected)
        engine = create_engine(url, poolclass=NullPool)
        with engine.connect() as conn:
            statuses = conn.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all()
        engine.dispose()
        assert dict(statuses) == {MailStatus.SENT: len(expected)}


# ---------------------------------------------------------------- the RQ worker


@pytest.fixture
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from redis import Redis

        deadline = time.monotonic() + 10
        while True:
            try:
                Redis(port=port).ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_the_worker_sends_each_queued_mail_once(session, outbox, redis_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from redis import Redis
    from rq import Queue
    from rq.worker import SimpleWorker

    from app.services import mail

    monkeypatch.setitem(mailer.settings, "REDIS_URL", redis_url)
    mail.send_after_commit("e@example.org", "account_exists", "it", name="E")
    db.commit()
    assert outbox == []  # handed to the worker, not sent by the web process
    connection = Redis.from_url(redis_url)
    queue = Queue(sender.QUEUE, connection=connection)
    assert queue.count == 1
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert [m.to for m in outbox] == ["e@example.org"]
    row = session.scalar(select(OutboxMail).where(OutboxMail.to_address == "e@example.org"))
    session.refresh(row)
    assert row.status == MailStatus.SENT
    queue.enqueue(sender.deliver_job, row.id)  # a job repeated by mistake finds nothing to send
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert len(outbox) == 1
    connection.close()


def test_with_redis_down_the_mail_is_sent_at_once(session, outbox, monkeypatch, closed_port) -> None:  # type: ignore[no-untyped-def]
    from app.services import mail

    monkeypatch.setitem(mailer.settings, "REDIS_URL", f"redis://127.0.0.1:{closed_port}/0")
    mail.send_after_commit("f@example.org", "account_exists", "it", name="F")
    db.commit()
    assert [m.to for m in outbox] == ["f@example.org"]

