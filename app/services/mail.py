"""Outgoing e-mail: composed in the recipient's language, queued in the outbox (a table,
written in the same transaction as the action: see app.services.outbox) and sent after the commit.

Backends: ``smtp`` (production), ``file`` (local development: ``instance/mail/*.eml`` and a
log line), ``memory`` (tests: an in-process list). A failing SMTP server never undoes the
user's action: the mail stays in the outbox and is retried with a growing delay.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # extra headers, e.g. List-Unsubscribe (RFC 8058)


# (template name, locale, context) -> Mail fields (subject, text, html); set by create_app.
Renderer = Callable[[str, str, dict[str, Any]], tuple[str, str, str | None]]
# (endpoint, values) -> an absolute URL built from the configured SERVER_NAME, never a Host header.
LinkBuilder = Callable[[str, dict[str, Any]], str]


@dataclass
class Mailer:
    settings: dict[str, Any] = field(default_factory=dict)
    renderer: Renderer | None = None
    outbox: list[Mail] = field(default_factory=list)
    link_builder: LinkBuilder | None = None

    def configure(self, settings: dict[str, Any], renderer: Renderer) -> None:
        self.settings = settings
        self.renderer = renderer
        self.outbox.clear()

    def url(self, endpoint: str, values: dict[str, Any]) -> str:
        """An absolute link for a mail (set up with the app: see blueprints.notifications)."""
        if self.link_builder is None:
            raise RuntimeError("mail links not configured")
        return self.link_builder(endpoint, values)

    def compose(self, to: str, template: str, locale: str, context: dict[str, Any]) -> Mail:
        """Render a mail in ``locale``. It is rendered in a thread of its own, so as outside any
        request (as mails sent after the response are): nothing of the current request (its Host
        header, its logged-in user, its database session) can reach or touch the mail."""
        renderer = self.renderer
        if renderer is None:
            raise RuntimeError("mailer not configured")
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ponte-mail") as pool:
            subject, text, html = pool.submit(renderer, template, locale, context).result()
        return Mail(to=to, subject=subject, text=text, html=html)

    def deliver(self, mail: Mail) -> None:
        """Send now with the configured backend."""
        backend = self.settings.get("MAIL_BACKEND", "file")
        message = self._message(mail)
        if backend == "memory":
            self.outbox.append(mail)
        elif backend == "file":
            folder = Path(self.settings["MAIL_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
            path = folder / f"{stamp}.eml"
            path.write_bytes(bytes(message))
            log.warning("mail to %s written to %s: %s", mail.to, path, mail.subject)
        else:
            self._smtp(message)

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.get("MAIL_FROM", "noreply@localhost")
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="ponte")
        for name, value in mail.headers:
            message[name] = value
        message.set_content(mail.text)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        return message

    def _smtp(self, message: EmailMessage) -> None:
        s = self.settings
        context = ssl.create_default_context()
        smtp_class = smtplib.SMTP_SSL if s.get("MAIL_USE_SSL") else smtplib.SMTP
        kwargs: dict[str, Any] = {"timeout": s.get("MAIL_TIMEOUT", 10)}
        if s.get("MAIL_USE_SSL"):
            kwargs["context"] = context
        with smtp_class(s["MAIL_HOST"], int(s["MAIL_PORT"]), **kwargs) as smtp:
            if s.get("MAIL_USE_TLS") and not s.get("MAIL_USE_SSL"):
                smtp.starttls(context=context)
            if s.get("MAIL_USERNAME"):
                smtp.login(s["MAIL_USERNAME"], s["MAIL_PASSWORD"])
            smtp.send_message(message)


mailer = Mailer()


def send_after_commit(to: str, template: str, locale: str, **context: Any) -> None:
    """Queue a mail in the outbox (in the current transaction); it leaves once the transaction
    has committed, and is retried later if the mail server is unavailable."""
    from app.services import outbox  # the outbox builds on this module; keep this edge lazy

    outbox.queue_message(to, template, locale, context)
