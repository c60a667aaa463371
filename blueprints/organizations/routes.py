"""Organisation directory, profiles, editing, members, invitations, verification, reports."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import login_required

from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.services import calendars, labs, memberships, moderation, organizations, territories, uploads
from blueprints.common import apply_errors, current_actor, flash_outcome, page_arg, require_actor
from blueprints.organizations.forms import (
    ButtonForm,
    DecisionForm,
    DirectoryForm,
    InviteForm,
    JoinForm,
    OrganizationForm,
    ReportForm,
    RoleForm,
    VerifyForm,
)

bp = Blueprint("organizations", __name__)


def _upload(form: OrganizationForm) -> uploads.Upload | None:
    """The logo from the request, read up to the size limit plus one byte (the service refuses more)."""
    file = form.logo.data
    if not file or not getattr(file, "filename", ""):
        return None
    return uploads.Upload(filename=file.filename, data=file.stream.read(uploads.settings.max_image_bytes + 1))


@bp.get("/organizations/")
def index():  # type: ignore[no-untyped-def]
    form = DirectoryForm(request.args)
    page = page_arg()
    results = None
    if form.validate():
        try:
            results = organizations.list_organizations(form.to_filters(), page=page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    return render_template("organizations/index.html", form=form, results=results)


@bp.route("/organizations/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.ORGANIZATION_CREATE)
    form = OrganizationForm()
    if request.method == "GET":
        form.home_territory.data = territories.label(actor.home_territory)
        form.original_language.data = str(get_locale())
    if form.validate_on_submit():
        try:
            org = organizations.create_organization(actor, _draft_with_logo(form))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The profile is online. You are its admin."), "success")
            return redirect(url_for("organizations.show", slug=org.slug))
    return render_template("organizations/edit.html", form=form, org=None)


def _draft_with_logo(form: OrganizationForm) -> organizations.OrganizationDraft:
    return replace(form.to_draft(), logo=_upload(form))


@bp.get("/organizations/<slug>")
def show(slug: str):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    org = organizations.get_by_slug(slug, viewer)
    return render_template(
        "organizations/show.html",
        org=org,
        description=organizations.description_for(org, str(get_locale())),
        membership=memberships.viewer_membership(viewer, org),
        join_form=JoinForm(), button=ButtonForm(), verify_form=VerifyForm(), convened=labs.labs_of_convener(org),
        upcoming=calendars.upcoming_for_organization(org),
    )


@bp.route("/organizations/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    ensure(actor, Permission.ORGANIZATION_EDIT, org)
    form = OrganizationForm()
    if request.method == "GET":
        form.fill_from(org)
        form.home_territory.data = territories.label(org.home_territory)
    if form.validate_on_submit():
        try:
            organizations.update_organization(actor, org, _draft_with_logo(form), form.seen_version)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            form.version.data = str(org.version)  # the next save is checked against the version now shown
        else:
            flash(_l("Your changes are saved."), "success")
            return redirect(url_for("organizations.show", slug=org.slug))
    return render_template("organizations/edit.html", form=form, org=org)


@bp.post("/organizations/<slug>/logo/remove")
@login_required
def remove_logo(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    if ButtonForm().validate_on_submit():
        organizations.remove_logo(actor, org)
        flash(_l("The logo was removed."), "info")
    return redirect(url_for("organizations.edit", slug=org.slug))


@bp.get("/organizations/<slug>/logo")
def logo(slug: str):  # type: ignore[no-untyped-def]
    org = organizations.get_by_slug(slug, current_actor())
    if org.logo is None:
        abort(404)
    response = send_file(uploads.path_of(org.logo), mimetype=org.logo.content_type, max_age=86400, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/organizations/<slug>/join")
@login_required
def join(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = JoinForm()
    if form.validate_on_submit():
        try:
            memberships.request_join(actor, org, form.message.data or "")
        except Conflict as exc:
            flash(str(exc), "info")
        else:
            flash(_l("Your request was sent. The organisation's admins will answer."), "success")
    return redirect(url_for("organizations.show", slug=org.slug))


@bp.post("/organizations/<slug>/cancel-request")
@login_required
def cancel_request(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: memberships.cancel_request(actor, org), _l("Your request was withdrawn."))
    return redirect(url_for("organizations.show", slug=org.slug))


@bp.post("/organizations/<slug>/leave")
@login_required
def leave(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: memberships.leave(actor, org), _l("You left the organisation."))
    return redirect(url_for("organizations.show", slug=org.slug))


@bp.get("/organizations/<slug>/members")
@login_required
def members(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    return _members_page(actor, org, InviteForm())


def _members_page(actor, org, invite_form, status: int = 200):  # type: ignore[no-untyped-def]
    manage = can(actor, Permission.ORGANIZATION_MANAGE_MEMBERS, org)
    invite_form.set_roles(org)
    return render_template(
        "organizations/members.html", org=org, manage=manage,
        members=memberships.list_members(actor, org),
        requests=memberships.list_requests(actor, org) if manage else [],
        invitations=memberships.list_invitations(actor, org) if manage else [],
        invite_form=invite_form, decision_form=DecisionForm(), role_form=RoleForm(), button=ButtonForm(),
        roles=memberships.allowed_roles(org),
    ), status


@bp.post("/organizations/<slug>/invite")
@login_required
def invite(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = InviteForm()
    form.set_roles(org)
    if form.validate_on_submit():
        try:
            memberships.invite(actor, org, form.email.data or "", form.role.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The invitation was sent by e-mail."), "success")
            return redirect(url_for("organizations.members", slug=org.slug))
    return _members_page(actor, org, form)


@bp.post("/organizations/<slug>/members/<int:membership_id>/<any(approve, decline):decision>")
@login_required
def decide(slug: str, membership_id: int, decision: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = DecisionForm()
    if form.validate_on_submit():
        membership = memberships.get_membership(actor, membership_id, org)
        approved = decision == "approve"
        flash_outcome(lambda: memberships.decide_request(actor, membership, approved, form.message.data or ""),
                        _l("The person is now a member.") if approved else _l("The request was declined."))
    return redirect(url_for("organizations.members", slug=org.slug))


@bp.post("/organizations/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = RoleForm()
    if form.validate_on_submit():
        membership = memberships.get_membership(actor, membership_id, org)
        flash_outcome(lambda: memberships.change_role(actor, membership, form.role.data or ""), _l("The role was changed."))
    return redirect(url_for("organizations.members", slug=org.slug))


@bp.post("/organizations/<slug>/members/<int:membership_id>/remove")
@login_required
def remove_member(slug: str, membership_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    if ButtonForm().validate_on_submit():
        membership = memberships.get_membership(actor, membership_id, org)
        flash_outcome(lambda: memberships.remove_member(actor, membership), _l("The person was removed from the organisation."))
    return redirect(url_for("organizations.members", slug=org.slug))


@bp.post("/organizations/<slug>/members/<int:membership_id>/transfer")
@login_required
def transfer(slug: str, membership_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    if ButtonForm().validate_on_submit():
        membership = memberships.get_membership(actor, membership_id, org)
        flash_outcome(lambda: memberships.transfer(actor, org, membership), _l("The organisation was handed over. You are now a member."))
    return redirect(url_for("organizations.members", slug=org.slug))


@bp.post("/organizations/<slug>/<any(verify, revoke):decision>")
@login_required
def verify(slug: str, decision: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = VerifyForm()
    if form.validate_on_submit():
        verified = decision == "verify"
        flash_outcome(lambda: organizations.set_verified(actor, org, verified, form.note.data or ""),
                        _l("The organisation is verified.") if verified else _l("The verification was removed."))
    return redirect(url_for("organizations.show", slug=org.slug))


@bp.route("/organizations/<slug>/report", methods=["GET", "POST"])
@login_required
def report(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    org = organizations.get_by_slug(slug, actor)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            moderation.report_organization(actor, org, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "info")
            return redirect(url_for("organizations.show", slug=org.slug))
        else:
            flash(_l("Thank you. The moderators will look at your report."), "success")
            return redirect(url_for("organizations.show", slug=org.slug))
    return render_template("organizations/report.html", org=org, form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):  # type: ignore[no-untyped-def]
    try:
        found = memberships.find_invitation(token)
    except ValidationFailed as exc:
        return render_template("organizations/invitation.html", error=exc.errors["token"], invitation=None, form=None), 400
    actor = current_actor()
    form = ButtonForm()
    if actor is not None and form.validate_on_submit():
        try:
            membership = memberships.accept_invitation(actor, token)
        except ValidationFailed as exc:
            return render_template("organizations/invitation.html", error=exc.errors["token"], invitation=found, form=None), 400
        flash(_l("Welcome! You are now a member."), "success")
        return redirect(url_for("organizations.show", slug=membership.organization.slug))
    return render_template("organizations/invitation.html", invitation=found, form=form, error=None)

