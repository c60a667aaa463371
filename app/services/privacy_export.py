"""The self-service data export: a ZIP with everything a person owns or wrote.

Every foreign key to ``users.id`` in the schema is either a ``Section`` here (which rows belong
to the person: the ones whose key is theirs; which columns go out) or a ``NOT_EXPORTED`` entry
saying why not. tests/services/test_privacy.py fails when a new one is neither, so a new
feature cannot forget the export.

The ZIP holds ``ponte-export.json`` (every section), one CSV per section (cells made safe for
spreadsheets) and a ``README.txt`` in the person's language. It is built in memory, with at
most MAX_ROWS rows per section (a section cut there says ``"truncated": true``).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.db import db
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import audit
from app.services.exports import to_csv
from models import (
    AccountToken,
    AuditEntry,
    CalendarToken,
    CaseHistory,
    Consent,
    Event,
    Feedback,
    Follow,
    ForumMember,
    GoodPractice,
    Initiative,
    InitiativeMaterial,
    InitiativePartner,
    Invitation,
    Lab,
    LabBallot,
    Membership,
    Notification,
    NotificationPreference,
    Organization,
    OutboxMail,
    OutputReport,
    Post,
    ProgressUpdate,
    Proposal,
    ProposalComment,
    ProposalResponse,
    ProposalSponsor,
    ProposalSupport,
    ProposalVote,
    Registration,
    Report,
    ResponseRevision,
    RoleAssignment,
    StoredFile,
    Thread,
    User,
    UserSession,
    VolunteerApplication,
    VolunteerCall,
)
from models.base import utcnow

MAX_ROWS = 50_000
JSON_NAME = "ponte-export.json"


@dataclass(frozen=True)
class Section:
    name: str  # the JSON key and the CSV file name
    owner: InstrumentedAttribute  # the column that holds the person's id
    fields: tuple[str, ...]  # the columns that go out
    about: Any  # what it is, for README.txt (lazy)

    @property
    def key(self) -> tuple[str, str]:
        return self.owner.class_.__tablename__, self.owner.key


_ACCOUNT_FIELDS = ("id", "email", "display_name", "locale", "timezone", "languages_spoken", "home_territory_id", "status",
                   "email_confirmed_at", "privacy_version", "privacy_accepted_at", "created_at", "last_login_at")

SECTIONS: tuple[Section, ...] = (
    # Account and consents
    Section("consents", Consent.user_id, ("notice_version", "method", "accepted_at"), _l("Each time you accepted the privacy notice.")),
    Section("platform_roles", RoleAssignment.user_id, ("role", "territory_id", "created_at"), _l("Roles you have on the whole platform.")),
    # Organisations
    Section("memberships", Membership.user_id, ("organization_id", "role", "status", "request_message", "created_at", "decided_at"),
            _l("Organisations you belong to or asked to join.")),
    Section("invitations_sent", Invitation.invited_by_id, ("organization_id", "email", "role", "created_at", "expires_at"),
            _l("Invitations to join an organisation that you sent.")),
    Section("organizations_verified", Organization.verified_by_id, ("id", "name", "verified_at", "verification_note"),
            _l("Organisations you verified.")),
    # Forums
    Section("forum_memberships", ForumMember.user_id, ("forum_id", "created_at"), _l("Forums you joined.")),
    Section("threads", Thread.author_id, ("id", "forum_id", "title", "created_at"), _l("Discussions you started.")),
    Section("posts", Post.author_id, ("id", "thread_id", "position", "body", "created_at", "edited_at", "deleted_at"),
            _l("Messages you wrote in the forums.")),
    # Labs and proposals
    Section("labs_created", Lab.created_by_id, ("id", "slug", "title", "created_at"), _l("Community labs you created.")),
    Section("proposals", Proposal.author_id, ("id", "lab_id", "title", "summary", "body", "state", "created_at", "published_at"),
            _l("Proposals you wrote.")),
    Section("sponsor_invitations_sent", ProposalSponsor.invited_by_id, ("proposal_id", "organization_id", "status", "created_at"),
            _l("Organisations you invited to sponsor a proposal.")),
    Section("supports", ProposalSupport.user_id, ("proposal_id", "created_at"), _l("Proposals you support.")),
    Section("votes", ProposalVote.user_id, ("proposal_id", "lab_id", "created_at"),
            _l("Your votes. Only you see this list: votes are secret.")),
    Section("ballots", LabBallot.user_id, ("lab_id", "votes_used"), _l("How many votes you used in each lab.")),
    Section("comments", ProposalComment.author_id, ("id", "proposal_id", "body", "created_at", "deleted_at"),
            _l("Comments you wrote on proposals.")),
    Section("responses", ProposalResponse.author_id, ("id", "proposal_id", "decision", "text", "created_at", "updated_at"),
            _l("Official answers you wrote for an authority.")),
    Section("response_revisions", ResponseRevision.author_id, ("id", "response_id", "decision", "text", "created_at"),
            _l("Earlier versions of answers you wrote.")),
    Section("progress_updates", ProgressUpdate.author_id, ("id", "proposal_id", "happened_on", "text", "percent", "created_at"),
            _l("Progress updates you wrote.")),
    # Events
    Section("events_created", Event.created_by_id, ("id", "title", "starts_at", "created_at"), _l("Events you created.")),
    Section("registrations", Registration.user_id, ("session_id", "status", "position", "created_at", "decided_at", "attended_at"),
            _l("Events you registered for.")),
    # Initiatives
    Section("initiatives_created", Initiative.created_by_id, ("id", "title", "created_at"), _l("Initiatives you created.")),
    Section("partner_decisions", InitiativePartner.decided_by_id, ("initiative_id", "organization_id", "status", "decided_at"),
            _l("Partnership invitations you answered.")),
    Section("materials_added", InitiativeMaterial.added_by_id, ("id", "initiative_id", "title", "url", "created_at"),
            _l("Materials you added to initiatives.")),
    Section("volunteer_calls_created", VolunteerCall.created_by_id, ("id", "initiative_id", "title", "created_at"),
            _l("Calls for volunteers you opened.")),
    Section("volunteer_applications", VolunteerApplication.user_id, ("call_id", "message", "status", "created_at", "decided_at"),
            _l("Your applications to calls for volunteers.")),
    Section("output_reports", OutputReport.created_by_id, ("id", "initiative_id", "period_start", "period_end", "outcomes", "created_at"),
            _l("Results of initiatives you recorded.")),
    Section("good_practices_designated", GoodPractice.designated_by_id, ("id", "title", "designated_at"),
            _l("Good practices you chose.")),
    Section("case_histories_created", CaseHistory.created_by_id, ("id", "title", "status", "created_at"), _l("Stories you wrote.")),
    # Notifications, files, reports, feedback
    Section("notifications", Notification.user_id, ("kind", "target_type", "target_id", "data", "created_at", "read_at"),
            _l("Your notifications.")),
    Section("follows", Follow.user_id, ("target_type", "target_id", "created_at"), _l("What you follow.")),
    Section("notification_settings", NotificationPreference.user_id, ("delivery", "opted_out", "updated_at"),
            _l("How you want to receive e-mails.")),
    Section("emails", OutboxMail.user_id, ("template", "status", "created_at", "sent_at"), _l("E-mails we sent you or will send you.")),
    Section("files", StoredFile.owner_id, ("id", "original_name", "content_type", "size", "created_at"),
            _l("Files you uploaded (names and sizes; the files are on the pages where you put them).")),
    Section("reports_sent", Report.reporter_id, ("target_type", "target_id", "reason", "message", "status", "created_at"),
            _l("Content you reported to the moderators.")),
    Section("reports_handled", Report.handled_by_id, ("id", "target_type", "target_id", "status", "handled_at", "decision_note"),
            _l("Reports you handled as a moderator.")),
    Section("feedback", Feedback.user_id, ("topic", "message", "page", "reply_to", "created_at"), _l("Messages you sent us with the feedback form.")),
)

# Foreign keys to users.id whose rows never leave in an export, and why.
NOT_EXPORTED: dict[tuple[str, str], str] = {
    (UserSession.__tablename__, "user_id"): "session ids are login secrets: a copy would let anyone holding the file in",
    (AccountToken.__tablename__, "user_id"): "only hashes of single-use e-mail links; nothing a person can read",
    (CalendarToken.__tablename__, "user_id"): "only the hash of the calendar feed secret",
    (AuditEntry.__tablename__, "actor_id"): "the audit log is the administrators' security record, not the person's content",
    (Thread.__tablename__, "last_poster_id"): "a copy of who wrote a thread's last message: those messages are in 'posts'",
}


def covered_keys() -> set[tuple[str, str]]:
    """(table, column) of every foreign key to users the export deals with (section or reason)."""
    return {s.key for s in SECTIONS} | set(NOT_EXPORTED)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes


def export_account(actor: User) -> ExportFile:
    """The actor's data as a ZIP (see the module docstring). Audited."""
    ensure(actor, Permission.ACCOUNT_MANAGE, actor)
    now = utcnow()
    sections = {"account": ([_account(actor)], False)}
    sections.update({s.name: _rows(s, actor.id) for s in SECTIONS})
    document = {
        "generated_at": now.isoformat(),
        "user_id": actor.id,
        "sections": {name: {"rows": rows, "truncated": cut} for name, (rows, cut) in sections.items()},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=1, default=str))
        for name, (rows, _cut) in sections.items():
            archive.writestr(f"{name}.csv", _csv(name, rows))
        archive.writestr("README.txt", _readme(now))
    audit.record(actor, "account.export", "user", actor.id, "")
    return ExportFile(filename=f"ponte-export-{now:%Y-%m-%d}.zip", data=buffer.getvalue())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _account(user: User) -> dict[str, Any]:
    row = {name: _plain(getattr(user, name)) for name in _ACCOUNT_FIELDS}
    row["home_territory"] = user.home_territory.name if user.home_territory else ""
    return row


def _rows(section: Section, user_id: int) -> tuple[list[dict[str, Any]], bool]:
    table = section.owner.class_.__table__
    columns = [table.c[name] for name in section.fields]
    result = db.session.execute(
        select(*columns).where(section.owner == user_id).order_by(*table.primary_key.columns).limit(MAX_ROWS + 1)
    ).all()
    rows = [{name: _plain(value) for name, value in zip(section.fields, row, strict=True)} for row in result[:MAX_ROWS]]
    return rows, len(result) > MAX_ROWS


def _csv(name: str, rows: list[dict[str, Any]]) -> str:
    header = list(rows[0]) if rows else list(_ACCOUNT_FIELDS if name == "account" else _fields(name))
    cells = ([json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v for v in row.values()] for row in rows)
    return to_csv(header, cells)


def _fields(name: str) -> tuple[str, ...]:
    return next(s.fields for s in SECTIONS if s.name == name)


def _readme(now: datetime) -> str:
    lines = [
        str(_l("Your data on Ponte")),
        "",
        str(_l("This file was made on %(date)s (UTC).", date=now.strftime("%Y-%m-%d %H:%M"))),
        str(_l("%(file)s has all your data in one file, in JSON format, for programs.", file=JSON_NAME)),
        str(_l("Each .csv file has one part of your data as a table: you can open it with a spreadsheet program.")),
        str(_l("Numbers such as 12 in columns ending in _id point to things on Ponte (an organisation, a proposal, an event).")),
        "",
        "account.csv: " + str(_l("Your account: name, e-mail address, language and dates.")),
    ]
    lines += [f"{s.name}.csv: {s.about}" for s in SECTIONS]
    lines += [
        "",
        str(_l("Not in this file: your password, the secret keys of your sessions, of your e-mail links and of your "
               "calendar feed, and the security log of the administrators. We keep them only to protect your account.")),
    ]
    return "\r\n".join(lines) + "\r\n"
