"""Official answers to proposals, their public edit history, answer templates, and the
follow-up timeline of accepted proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.db import db
from app.exceptions import Conflict, NotFound, ValidationFailed
from app.i18n import _l
from app.sanitize import rich_text
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import audit, follows, labs, memberships, notifications, proposals
from models import (
    FINAL_DECISIONS,
    FollowTarget,
    Organization,
    ProgressStatus,
    ProgressUpdate,
    Proposal,
    ProposalResponse,
    ProposalState,
    ProposalSupport,
    ResponseDecision,
    ResponseRevision,
    ResponseTemplate,
    User,
)
from models.base import utcnow

_STATE_OF = {
    ResponseDecision.EVALUATING: ProposalState.EVALUATING,
    ResponseDecision.ACCEPTED: ProposalState.ACCEPTED,
    ResponseDecision.PARTIALLY_ACCEPTED: ProposalState.PARTIALLY_ACCEPTED,
    ResponseDecision.REJECTED: ProposalState.REJECTED,
}
FOLLOW_UP_STATES = (ProposalState.ACCEPTED, ProposalState.PARTIALLY_ACCEPTED, ProposalState.IN_PROGRESS, ProposalState.IMPLEMENTED)


@dataclass(frozen=True)
class ResponseDraft:
    decision: str
    text: str
    office: str = ""
    next_step: str = ""
    contact: str = ""
    cost_estimate: str = ""  # euros as typed: "12500", "12.500,50", "12500.50"
    expected_on: date | None = None


def _euros(raw: str) -> int | None:
    """Cents from an amount in euros written the Italian or the international way."""
    text = (raw or "").strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text:  # Italian: 12.500,50
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed({"cost_estimate": _l("Write an amount in euros, for example 12500 or 12.500,50.")}) from None
    if value < 0 or value > Decimal("1000000000"):
        raise ValidationFailed({"cost_estimate": _l("Write an amount in euros, for example 12500 or 12.500,50.")})
    return int((value * 100).to_integral_value())


def _clean(draft: ResponseDraft) -> dict:
    errors: dict = {}
    try:
        decision = ResponseDecision(draft.decision)
    except ValueError:
        errors["decision"] = _l("Choose one option from the list.")
        decision = None
    text = (draft.text or "").strip()
    if not 20 <= len(text) <= 10_000:
        errors["text"] = _l("Write the answer in 20 to 10,000 characters: what you decided and why.")
    office = " ".join((draft.office or "").split())
    if len(office) > 200:
        errors["office"] = _l("Write at most %(max)d characters.", max=200)
    next_step = " ".join((draft.next_step or "").split())
    if len(next_step) > 500:
        errors["next_step"] = _l("Write at most %(max)d characters.", max=500)
    if decision in (ResponseDecision.ACCEPTED, ResponseDecision.PARTIALLY_ACCEPTED, ResponseDecision.EVALUATING) and not next_step:
        errors["next_step"] = _l("Say what happens next, so people know what to expect.")
    contact = " ".join((draft.contact or "").split())
    if len(contact) > 200:
        errors["contact"] = _l("Write at most %(max)d characters.", max=200)
    cents = None
    try:
        cents = _euros(draft.cost_estimate)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if draft.expected_on is not None and not date(2000, 1, 1) <= draft.expected_on <= date(2100, 12, 31):
        errors["expected_on"] = _l("Choose a date between 2000 and 2100.")
    if errors:
        raise ValidationFailed(errors)
    return {"decision": decision, "text": text, "office": office, "next_step": next_step, "contact": contact,
            "cost_estimate_cents": cents, "expected_on": draft.expected_on}


def response_of(proposal: Proposal) -> ProposalResponse | None:
    return db.session.scalar(select(ProposalResponse).where(ProposalResponse.proposal_id == proposal.id))


def respond(actor: User, proposal: Proposal, draft: ResponseDraft, seen_version: int | None = None) -> ProposalResponse:
    """Publish or change the authority's answer. The earlier text is kept in the public history;
    the proposal takes the decision's state; author, co-sponsors and supporters are notified.

    An answer stops the clock only when it decides (accepted, partly accepted, not accepted):
    "we are evaluating it" is shown, but the proposal stays due."""
    ensure(actor, Permission.PROPOSAL_RESPOND, proposal)
    values = _clean(draft)
    response = response_of(proposal)
    now = utcnow()
    if response is None:
        response = ProposalResponse(proposal_id=proposal.id, organization_id=proposal.authority_id, author_id=actor.id, **values,
                                    text_html=rich_text(values["text"]), created_at=now, updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:  # another official published the first answer at the same moment
            raise Conflict(_l("Someone else changed this answer while you were editing it. Check the text below and save again.")) from None
    else:
        if seen_version is not None and seen_version != response.version:
            raise Conflict(_l("Someone else changed this answer while you were editing it. Check the text below and save again."))
        db.session.add(ResponseRevision(
            response_id=response.id, author_id=response.author_id, decision=response.decision, text=response.text,
            office=response.office, next_step=response.next_step, contact=response.contact,
            cost_estimate_cents=response.cost_estimate_cents, expected_on=response.expected_on, created_at=response.updated_at,
        ))
        for key, value in values.items():
            setattr(response, key, value)
        response.text_html = rich_text(values["text"])
        response.author_id = actor.id
        response.updated_at = now
    decision = values["decision"]
    in_follow_up = proposal.state in (ProposalState.IN_PROGRESS, ProposalState.IMPLEMENTED)
    if not (in_follow_up and decision in (ResponseDecision.ACCEPTED, ResponseDecision.PARTIALLY_ACCEPTED)):
        proposal.state = _STATE_OF[decision]
    if decision in FINAL_DECISIONS and proposal.answered_at is None:
        proposal.answered_at = now
    proposal.updated_at = now
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(_l("Someone else changed this answer while you were editing it. Check the text below and save again.")) from None
    audit.record(actor, "proposal.respond", "proposal", proposal.id, proposal.title, decision=decision.value)
    _tell_everyone(proposal, "proposal.response", f"response-{response.id}-{response.version}", decision=decision.value)
    return response


def _tell_everyone(proposal: Proposal, kind: str, dedupe_key: str, **data: object) -> None:
    """Notify the author, the co-sponsors' admins, every supporter and follower, once each."""
    direct: set[int | None] = {proposal.author_id}
    for sponsor in proposals.sponsors(proposal):
        direct.update(memberships.admin_ids(sponsor.organization))
    notifications.notify(direct, kind, "proposal", proposal.id, dedupe_key=dedupe_key, title=proposal.title, **data)
    notifications.notify_selected(
        select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == proposal.id)
        .union(follows.followers(FollowTarget.PROPOSAL, proposal.id)),
        kind, "proposal", proposal.id, dedupe_key=dedupe_key, exclude=direct, title=proposal.title, **data,
    )


def history(proposal: Proposal) -> list[ResponseRevision]:
    """Earlier versions of the answer, newest first. Public: answers are accountable."""
    response = response_of(proposal)
    if response is None:
        return []
    return list(db.session.scalars(
        select(ResponseRevision).where(ResponseRevision.response_id == response.id).order_by(ResponseRevision.created_at.desc(), ResponseRevision.id.desc())
    ))


# ---------------------------------------------------------------- templates


def templates_of(actor: User, org: Organization) -> list[ResponseTemplate]:
    ensure(actor, Permission.RESPONSE_TEMPLATES_MANAGE, org)
    return list(db.session.scalars(select(ResponseTemplate).where(ResponseTemplate.organization_id == org.id).order_by(ResponseTemplate.name)))


def add_template(actor: User, org: Organization, name: str, decision: str, text: str) -> ResponseTemplate:
    ensure(actor, Permission.RESPONSE_TEMPLATES_MANAGE, org)
    errors: dict = {}
    clean_name = " ".join((name or "").split())
    if not 3 <= len(clean_name) <= 120:
        errors["name"] = _l("Write a name of 3 to 120 characters.")
    try:
        clean_decision = ResponseDecision(decision)
    except ValueError:
        errors["decision"] = _l("Choose one option from the list.")
    body = (text or "").strip()
    if not 20 <= len(body) <= 10_000:
        errors["text"] = _l("Write between 20 and 10,000 characters.")
    if errors:
        raise ValidationFailed(errors)
    template = ResponseTemplate(organization_id=org.id, name=clean_name, decision=clean_decision, text=body)
    db.session.add(template)
    db.session.flush()
    return template


def get_template(org: Organization, template_id: int) -> ResponseTemplate:
    template = db.session.get(ResponseTemplate, template_id)
    if template is None or template.organization_id != org.id:
        raise NotFound(_l("We could not find this template."))
    return template


def delete_template(actor: User, org: Organization, template: ResponseTemplate) -> None:
    ensure(actor, Permission.RESPONSE_TEMPLATES_MANAGE, org)
    db.session.delete(template)
    db.session.flush()


# ---------------------------------------------------------------- follow-up


@dataclass(frozen=True)
class ProgressDraft:
    happened_on: date | None
    text: str
    percent: int | None
    status: str


def progress_of(proposal: Proposal) -> list[ProgressUpdate]:
    """The follow-up timeline, oldest first."""
    return list(db.session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.proposal_id == proposal.id).order_by(ProgressUpdate.happened_on, ProgressUpdate.id)
    ))


def add_progress(actor: User, proposal: Proposal, draft: ProgressDraft) -> ProgressUpdate:
    """Report a step in carrying out an accepted proposal; the proposal shows the latest state."""
    ensure(actor, Permission.PROPOSAL_RESPOND, proposal)
    if proposal.state not in FOLLOW_UP_STATES:
        raise Conflict(_l("Progress can be reported once the proposal is accepted."))
    errors: dict = {}
    today = utcnow().astimezone(labs.ROME).date()  # the day in Rome: just after midnight it is still yesterday in UTC
    if draft.happened_on is None or not date(2000, 1, 1) <= draft.happened_on <= today:
        errors["happened_on"] = _l("Choose the day it happened (today or earlier).")
    text = (draft.text or "").strip()
    if not 10 <= len(text) <= 5000:
        errors["text"] = _l("Write between 10 and 5,000 characters.")
    if draft.percent is None or not 0 <= draft.percent <= 100:
        errors["percent"] = _l("Write a whole number from %(low)d to %(high)d.", low=0, high=100)
    try:
        status = ProgressStatus(draft.status)
    except ValueError:
        errors["status"] = _l("Choose one option from the list.")
    if not errors and status == ProgressStatus.IMPLEMENTED and draft.percent != 100:
        errors["percent"] = _l("A proposal that is done is at 100%.")
    if errors:
        raise ValidationFailed(errors)
    update_row = ProgressUpdate(proposal_id=proposal.id, author_id=actor.id, happened_on=draft.happened_on, text=text,
                                text_html=rich_text(text), percent=draft.percent, status=status)
    db.session.add(update_row)
    proposal.state = ProposalState.IMPLEMENTED if status == ProgressStatus.IMPLEMENTED else ProposalState.IN_PROGRESS
    proposal.progress_percent = draft.percent or 0
    proposal.updated_at = utcnow()
    db.session.flush()
    audit.record(actor, "proposal.progress", "proposal", proposal.id, proposal.title, percent=draft.percent, status=status.value)
    _tell_everyone(proposal, "proposal.progress", f"progress-{update_row.id}", percent=draft.percent, status=status.value)
    return update_row
