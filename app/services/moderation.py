"""Reports and the moderation queue (shared by every feature that can be reported)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure, moderation_scope
from app.services import Page, audit, forums, organizations, paginate, proposals
from models import (
    Organization,
    Post,
    Proposal,
    ProposalComment,
    Report,
    ReportReason,
    ReportStatus,
    Territory,
    Thread,
    User,
)
from models.base import utcnow


@dataclass(frozen=True)
class ReportDraft:
    reason: str
    message: str = ""


def report_organization(actor: User, org: Organization, draft: ReportDraft) -> Report:
    """Send a profile to the moderators of its territory."""
    ensure(actor, Permission.ORGANIZATION_REPORT, org)
    return _file(actor, "organization", org.id, org.home_territory_id, draft)


def report_content(actor: User, target: Thread | Post, draft: ReportDraft) -> Report:
    """Report a thread or a message to the moderators of its forum's territory."""
    ensure(actor, Permission.POST_REPORT, target)
    kind = "thread" if isinstance(target, Thread) else "post"
    forum = target.forum if isinstance(target, Thread) else target.thread.forum
    return _file(actor, kind, target.id, forum.territory_id, draft)


def report_proposal(actor: User, target: Proposal | ProposalComment, draft: ReportDraft) -> Report:
    """Report a proposal or a comment on it to the moderators of the lab's territory."""
    ensure(actor, Permission.PROPOSAL_REPORT, target)
    kind = "proposal" if isinstance(target, Proposal) else "comment"
    lab = target.lab if isinstance(target, Proposal) else target.proposal.lab
    return _file(actor, kind, target.id, lab.territory_id, draft)


def _file(actor: User, kind: str, target_id: int, territory_id: int | None, draft: ReportDraft) -> Report:
    try:
        reason = ReportReason(draft.reason)
    except ValueError:
        raise ValidationFailed({"reason": _l("Choose one option from the list.")}) from None
    message = (draft.message or "").strip()
    if len(message) > 1000:
        raise ValidationFailed({"message": _l("Write at most %(max)d characters.", max=1000)})
    duplicate = db.session.scalar(
        select(Report.id).where(
            Report.reporter_id == actor.id, Report.target_type == kind, Report.target_id == target_id, Report.status == ReportStatus.OPEN
        )
    )
    if duplicate:
        raise Conflict(_l("You have already reported this. The moderators will look at it."))
    report = Report(reporter_id=actor.id, target_type=kind, target_id=target_id, territory_id=territory_id, reason=reason, message=message)
    db.session.add(report)
    db.session.flush()
    return report


def open_reports(actor: User, page: int = 1, per_page: int = 30) -> Page[Report]:
    """Open reports the actor may decide: all for admins, their territories for moderators."""
    ensure(actor, Permission.MODERATION_ACCESS)
    stmt = select(Report).where(Report.status == ReportStatus.OPEN)
    scope = moderation_scope(actor)
    if scope is not None:
        paths = [t.path for t in scope]
        inside = select(Territory.id).where(or_(*[Territory.path.like(f"{p}%") for p in paths]) if paths else false())
        stmt = stmt.where(Report.territory_id.in_(inside))
    return paginate(stmt.order_by(Report.created_at, Report.id), page, per_page)


Reportable = Organization | Thread | Post | Proposal | ProposalComment
REPORTABLE: tuple[tuple[str, type[Reportable]], ...] = (
    ("organization", Organization), ("thread", Thread), ("post", Post), ("proposal", Proposal), ("comment", ProposalComment),
)


def targets_of(reports: list[Report]) -> dict[tuple[str, int], Reportable]:
    """The reported objects, one query per kind: {(kind, id): object}."""
    found: dict[tuple[str, int], Reportable] = {}
    for kind, model in REPORTABLE:
        ids = {r.target_id for r in reports if r.target_type == kind}
        if ids:
            for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
                found[(kind, obj.id)] = obj
    return found


def _hide_target(actor: User, report: Report, note: str) -> None:
    if report.target_type == "organization":
        org = db.session.get(Organization, report.target_id)
        if org is not None:
            organizations.set_hidden(actor, org, True, note)
    elif report.target_type == "thread":
        thread = db.session.get(Thread, report.target_id)
        if thread is not None:
            forums.set_thread_flag(actor, thread, "hidden", True, note)
    elif report.target_type == "post":
        post = db.session.get(Post, report.target_id)
        if post is not None:
            forums.set_post_hidden(actor, post, True, note)
    elif report.target_type == "proposal":
        proposal = db.session.get(Proposal, report.target_id)
        if proposal is not None:
            proposals.set_proposal_hidden(actor, proposal, True, note)
    elif report.target_type == "comment":
        comment = db.session.get(ProposalComment, report.target_id)
        if comment is not None:
            proposals.set_comment_hidden(actor, comment, True, note)


def get_report(report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None:
        raise NotFound(_l("This report does not exist."))
    return report


def decide(actor: User, report: Report, hide: bool, note: str = "") -> Report:
    """Close a report: hide the reported profile, or dismiss the report. Logged in the audit log."""
    ensure(actor, Permission.REPORT_HANDLE, report)
    if report.status != ReportStatus.OPEN:
        raise Conflict(_l("This report was already decided."))
    note = " ".join((note or "").split())[:500]
    if hide:
        _hide_target(actor, report, note or str(_l("Reported and checked by the moderators.")))
    report.status = ReportStatus.RESOLVED if hide else ReportStatus.DISMISSED
    report.handled_by_id = actor.id
    report.handled_at = utcnow()
    report.decision_note = note
    audit.record(actor, "report.resolve" if hide else "report.dismiss", report.target_type, report.target_id, note=note)
    return report
