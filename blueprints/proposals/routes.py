"""Proposals: write, publish, support, vote, comment, co-sponsor, attach, answer, follow up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import labs, memberships, moderation, organizations, proposals, responses, uploads
from blueprints.common import (
    apply_errors,
    current_actor,
    flash_outcome,
    page_arg,
    require_actor,
    safe_next,
    save_checked,
    send_private_file,
)
from blueprints.proposals.forms import (
    AttachmentForm,
    ButtonForm,
    CommentForm,
    ModerateForm,
    ProgressForm,
    ProposalForm,
    ReportForm,
    ResponseForm,
    SponsorForm,
    TemplateForm,
    WithdrawForm,
)
from models import Lab, Proposal, ProposalState, User

bp = Blueprint("proposals", __name__)

MESSAGES = {
    ("support", True): (_l("Thank you! You support this proposal."), "success"),
    ("support", False): (_l("You already support this proposal."), "info"),
    ("unsupport", True): (_l("You no longer support this proposal."), "info"),
    ("unsupport", False): (_l("You did not support this proposal."), "info"),
    ("vote", True): (_l("Your vote is counted."), "success"),
    ("vote", False): (_l("You already voted for this proposal."), "info"),
    ("unvote", True): (_l("You took back your vote. You can give it to another proposal."), "info"),
    ("unvote", False): (_l("You had not voted for this proposal."), "info"),
}


def _show(proposal: Proposal, anchor: str | None = None, page: int | None = None) -> Any:
    return redirect(url_for("proposals.show", proposal_id=proposal.id, page=page, _anchor=anchor))


# ---------------------------------------------------------------- writing


def _proposal_form(actor: User, lab: Lab) -> ProposalForm:
    form = ProposalForm()
    speakers = memberships.acting_organizations(actor) if lab.allow_organization_proposals else []
    form.set_choices(lab.actions or list(labs.ACTIONS), speakers, proposals.authority_choices(lab))
    return form


@bp.route("/labs/<slug>/proposals/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    lab = labs.get_lab(slug)
    ensure(actor, Permission.PROPOSAL_CREATE, lab)
    form = _proposal_form(actor, lab)
    if request.method == "GET":
        form.authority_id.data = str(lab.convener_id)
    preview = proposals.preview(form.body.data or "") if "preview" in request.form else None
    status = 200
    if preview is None and form.validate_on_submit():
        try:
            proposal = proposals.create_proposal(actor, lab, form.to_draft(), publish="publish" in request.form)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            status = 409
        else:
            flash(_l("Your proposal is published.") if "publish" in request.form else _l("Your draft is saved. Only you can see it."), "success")
            return _show(proposal)
    status = 400 if status == 200 and form.errors else status
    return render_template("proposals/new.html", lab=lab, form=form, preview=preview, open=labs.proposals_open(lab)), status


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def edit(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    form = _proposal_form(actor, proposal.lab)
    if request.method == "GET":
        form.fill_from(proposal)
    preview = proposals.preview(form.body.data or "") if "preview" in request.form else None
    status = 200
    if preview is None and form.validate_on_submit():
        status = save_checked(form, lambda: proposals.update_proposal(actor, proposal, form.to_draft(), form.seen_version),
                              lambda: proposal.version)
        if status is None:
            flash(_l("Your changes are saved."), "success")
            return _show(proposal)
    status = 400 if status == 200 and form.errors else status
    return render_template("proposals/edit.html", proposal=proposal, lab=proposal.lab, form=form, preview=preview), status


@bp.post("/proposals/<int:proposal_id>/publish")
@login_required
def publish(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: proposals.publish_proposal(actor, proposal), _l("Your proposal is published."))
    return _show(proposal)


@bp.post("/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_WITHDRAW, proposal)
    form = WithdrawForm()
    if form.validate_on_submit():
        flash_outcome(lambda: proposals.withdraw(actor, proposal), _l("Your proposal is withdrawn."))
    else:
        flash(_l("Tick the box to confirm."), "warning")
    return _show(proposal, "author-actions")


# ---------------------------------------------------------------- the proposal page


def _participation(viewer: User | None, proposal: Proposal, supported: bool) -> dict[str, Any]:
    """The support and vote boxes: what this person may do now, or why not."""
    lab = proposal.lab
    voting = labs.voting_open(lab)
    return {
        "support_problem": proposals.support_problem(viewer, proposal), "supported": supported,
        "login_to_take_part": viewer is None and proposal.state in proposals.OPEN_STATES and labs.supports_open(lab),
        "voting": voting, "vote_problem": proposals.vote_problem(viewer, proposal) if voting else None,
        "voted": voting and proposal.id in proposals.my_votes(viewer, lab),
        "votes_left": proposals.votes_left(viewer, lab) if voting else 0, "results": labs.results_published(lab),
    }


def _author_tools(viewer: User | None, proposal: Proposal, failed: dict[str, Any]) -> dict[str, Any]:
    """Edit, publish, withdraw, co-sponsors and attachments, for the author."""
    can_invite = can(viewer, Permission.PROPOSAL_EDIT, proposal) or can(viewer, Permission.PROPOSAL_WITHDRAW, proposal)
    sponsor_form = SponsorForm(formdata=None)
    sponsor_form.set_candidates(proposals.sponsor_candidates(viewer, proposal) if viewer and can_invite else [])
    return {
        "author_view": viewer is not None and proposal.author_id == viewer.id, "can_invite": can_invite, "sponsor_form": sponsor_form,
        "withdraw_form": WithdrawForm(formdata=None), "max_attachments": proposals.MAX_ATTACHMENTS,
        "attachment_form": failed.get("attachment_form") or AttachmentForm(formdata=None),
    }


def _comment_forms(viewer: User | None, failed: dict[str, Any]) -> dict[str, Any]:
    """The new-comment form, and the reply that failed (shown open under its comment)."""
    parent = failed.get("failed_parent")
    sent = failed.get("comment_form")
    comment_form = (None if parent else sent) or CommentForm(formdata=None)
    comment_form.set_speakers(memberships.acting_organizations(viewer) if viewer else [])
    return {"comment_form": comment_form, "reply_form": sent if parent else None, "failed_parent": parent}


def _show_page(proposal: Proposal, status: int = 200, view: proposals.ProposalView | None = None, **failed: Any):  # type: ignore[no-untyped-def]
    """The proposal page; a form that failed (passed by name) replaces its fresh twin. ``view``
    (from ``open_proposal``) already holds the response and the viewer's flags."""
    viewer = current_actor()
    comments, replies = proposals.list_comments(proposal, page_arg(5000))
    answered = proposal.answered_at is not None or proposal.state not in _UNANSWERED
    response = (view.response if view else responses.response_of(proposal)) if answered else None
    supported = view.supported if view else proposals.has_supported(viewer, proposal)
    return render_template(
        "proposals/show.html", proposal=proposal, lab=proposal.lab, response=response,
        following=view.following if view else None,
        sponsors=proposals.sponsors(proposal, include_pending=viewer is not None and proposal.author_id == viewer.id),
        attachments=proposals.attachments(proposal), due_in=labs.due_in_days(proposal), comments=comments, replies=replies,
        progress=responses.progress_of(proposal) if proposal.state in responses.FOLLOW_UP_STATES else [],
        **_participation(viewer, proposal, supported), **_author_tools(viewer, proposal, failed), **_comment_forms(viewer, failed),
    ), status


_UNANSWERED = (ProposalState.DRAFT, ProposalState.PUBLISHED, ProposalState.AWAITING_RESPONSE)


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int):  # type: ignore[no-untyped-def]
    view = proposals.open_proposal(current_actor(), proposal_id)
    return _show_page(view.proposal, view=view)


@bp.post("/proposals/<int:proposal_id>/<any(support, unsupport, vote, unvote):choice>")
@login_required
@per_user("RATELIMIT_PARTICIPATE")
def participate(proposal_id: int, choice: str):  # type: ignore[no-untyped-def]
    """Support or vote (or take it back): a repeated click is a friendly message, never an error."""
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    command = {"support": proposals.support, "unsupport": proposals.unsupport, "vote": proposals.vote, "unvote": proposals.unvote}[choice]
    if ButtonForm().validate_on_submit():
        try:
            changed = command(actor, proposal)
        except Conflict as exc:
            flash(str(exc), "warning")
        else:
            flash(*MESSAGES[(choice, changed)])
    return _show(proposal, "vote" if choice in ("vote", "unvote") else "support")


# ---------------------------------------------------------------- comments


@bp.post("/proposals/<int:proposal_id>/comments")
@login_required
@per_user("RATELIMIT_POST")
def comment(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            added = proposals.add_comment(actor, proposal, form.body.data or "", form.parent, form.organization)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return _show(proposal, f"comment-{added.id}", proposals.comment_page(added))
    return _show_page(proposal, 400, comment_form=form, failed_parent=form.parent)


@bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/delete")
@login_required
def delete_comment(proposal_id: int, comment_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    found = proposals.get_comment(proposal, comment_id)
    if ButtonForm().validate_on_submit():
        proposals.delete_comment(actor, found)
        flash(_l("Your comment was deleted."), "info")
    return _show(proposal, f"comment-{found.id}", proposals.comment_page(found))


# ---------------------------------------------------------------- reports and moderation


@bp.route("/proposals/<int:proposal_id>/report", methods=["GET", "POST"], defaults={"comment_id": None})
@bp.route("/proposals/<int:proposal_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def report(proposal_id: int, comment_id: int | None):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    target = proposals.get_comment(proposal, comment_id) if comment_id else proposal
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_proposal(actor, target, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "info")
            return _show(proposal)
        else:
            flash(_l("Thank you. The moderators will look at your report."), "success")
            return _show(proposal)
    return render_template("proposals/report.html", proposal=proposal, comment=target if comment_id else None, form=form)


@bp.post("/proposals/<int:proposal_id>/<any(hide, restore):action>")
@login_required
def moderate(proposal_id: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_MODERATE, proposal)
    form = ModerateForm()
    if form.validate_on_submit():
        flash_outcome(lambda: proposals.set_proposal_hidden(actor, proposal, action == "hide", form.reason.data or ""), _l("Done."))
    return _show(proposal)


@bp.post("/proposals/<int:proposal_id>/comments/<int:comment_id>/<any(hide, restore):action>")
@login_required
def moderate_comment(proposal_id: int, comment_id: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    found = proposals.get_comment(proposal, comment_id)
    ensure(actor, Permission.PROPOSAL_MODERATE, found)
    form = ModerateForm()
    if form.validate_on_submit():
        flash_outcome(lambda: proposals.set_comment_hidden(actor, found, action == "hide", form.reason.data or ""), _l("Done."))
    return _show(proposal, f"comment-{found.id}", proposals.comment_page(found))


# ---------------------------------------------------------------- co-sponsors


@bp.post("/proposals/<int:proposal_id>/sponsors")
@login_required
@per_user("RATELIMIT_POST")
def invite_sponsor(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    form = SponsorForm()
    if form.validate_on_submit():
        flash_outcome(lambda: proposals.invite_sponsor(actor, proposal, form.organization),
                      _l("The invitation was sent. The association's admins will answer."))
    return _show(proposal, "sponsors")


@bp.post("/proposals/<int:proposal_id>/sponsors/<int:organization_id>/<any(accept, decline):answer>")
@login_required
def decide_sponsor(proposal_id: int, organization_id: int, answer: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    sponsor = proposals.get_sponsorship(proposal, organization_id)
    if ButtonForm().validate_on_submit():
        proposals.decide_sponsorship(actor, sponsor, answer == "accept")
        flash(_l("Thank you! Your association now co-sponsors this proposal.") if answer == "accept"
              else _l("You declined the invitation."), "success" if answer == "accept" else "info")
    return redirect(safe_next(request.form.get("next"), url_for("proposals.show", proposal_id=proposal.id)))


# ---------------------------------------------------------------- attachments


@bp.post("/proposals/<int:proposal_id>/attachments")
@login_required
@per_user("RATELIMIT_POST")
def add_attachment(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_EDIT, proposal)
    form = AttachmentForm()
    if form.validate_on_submit():
        file = form.file.data
        upload = uploads.Upload(filename=file.filename or "", data=file.stream.read(uploads.settings.max_document_bytes + 1))
        try:
            proposals.add_attachment(actor, proposal, upload, form.title.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The file is attached."), "success")
            return _show(proposal, "attachments")
    return _show_page(proposal, 400, attachment_form=form)


@bp.get("/proposals/<int:proposal_id>/attachments/<int:attachment_id>")
def attachment(proposal_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    proposal = proposals.get_proposal(current_actor(), proposal_id)
    stored = proposals.get_attachment(proposal, attachment_id).file
    return send_private_file(stored)


@bp.post("/proposals/<int:proposal_id>/attachments/<int:attachment_id>/delete")
@login_required
def remove_attachment(proposal_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    found = proposals.get_attachment(proposal, attachment_id)
    if ButtonForm().validate_on_submit():
        proposals.remove_attachment(actor, proposal, found)
        flash(_l("The file was removed."), "info")
    return _show(proposal, "attachments")


# ---------------------------------------------------------------- the official answer


def _respond_page(actor: User, proposal: Proposal, form: ResponseForm, progress_form: ProgressForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "proposals/respond.html", proposal=proposal, lab=proposal.lab, form=form, progress_form=progress_form,
        templates=responses.templates_of(actor, proposal.authority), current=responses.response_of(proposal),
        follow_up=proposal.state in responses.FOLLOW_UP_STATES, due_in=labs.due_in_days(proposal),
        chosen=request.args.get("template", ""),
    ), status


def _response_form(proposal: Proposal) -> ResponseForm:
    """On GET: the current answer, or a template's decision and text when one is chosen."""
    if request.method != "GET":
        return ResponseForm()
    form = ResponseForm(formdata=None)
    current = responses.response_of(proposal)
    if current is not None:
        form.fill_from(current)
    raw = request.args.get("template", "")
    if raw:
        if not raw.isdigit() or len(raw) > 9:
            abort(400)
        form.fill_from_template(responses.get_template(proposal.authority, int(raw)))
    return form


@bp.route("/proposals/<int:proposal_id>/respond", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def respond(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_RESPOND, proposal)
    form = _response_form(proposal)
    status = 200
    if form.validate_on_submit():
        current = responses.response_of(proposal)
        try:
            responses.respond(actor, proposal, form.to_draft(), form.seen_version if current is not None else None)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            form.version.data = str(current.version if current else "")
            status = 409
        else:
            flash(_l("The answer is published. The author and the supporters are notified."), "success")
            return _show(proposal, "response")
    status = 400 if status == 200 and form.errors else status
    return _respond_page(actor, proposal, form, ProgressForm(formdata=None), status)


@bp.post("/proposals/<int:proposal_id>/progress")
@login_required
@per_user("RATELIMIT_POST")
def progress(proposal_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    proposal = proposals.get_proposal(actor, proposal_id)
    ensure(actor, Permission.PROPOSAL_RESPOND, proposal)
    form = ProgressForm()
    if form.validate_on_submit():
        try:
            responses.add_progress(actor, proposal, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "warning")
            return redirect(url_for("proposals.respond", proposal_id=proposal.id))
        else:
            flash(_l("The progress update is published."), "success")
            return _show(proposal, "follow-up")
    answer_form = ResponseForm(formdata=None)
    current = responses.response_of(proposal)
    if current is not None:
        answer_form.fill_from(current)
    return _respond_page(actor, proposal, answer_form, form, 400)


@bp.get("/proposals/<int:proposal_id>/response/history")
def response_history(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = proposals.get_proposal(current_actor(), proposal_id)
    return render_template("proposals/history.html", proposal=proposal, current=responses.response_of(proposal),
                           revisions=responses.history(proposal))


# ---------------------------------------------------------------- answer templates


@bp.route("/organizations/<slug>/answer-templates", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def templates(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    ensure(actor, Permission.RESPONSE_TEMPLATES_MANAGE, org)
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            responses.add_template(actor, org, form.name.data or "", form.decision.data or "", form.text.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The template is saved."), "success")
            return redirect(url_for("proposals.templates", slug=org.slug))
    return render_template("proposals/templates.html", org=org, items=responses.templates_of(actor, org), form=form,
                           button=ButtonForm()), 400 if form.errors else 200


@bp.post("/organizations/<slug>/answer-templates/<int:template_id>/delete")
@login_required
def delete_template(slug: str, template_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    ensure(actor, Permission.RESPONSE_TEMPLATES_MANAGE, org)
    found = responses.get_template(org, template_id)
    if ButtonForm().validate_on_submit():
        responses.delete_template(actor, org, found)
        flash(_l("The template was deleted."), "info")
    return redirect(url_for("proposals.templates", slug=org.slug))
