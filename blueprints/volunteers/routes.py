"""Calls for volunteers: the lead opens, changes and closes a call and answers applications;
people read the call and apply with a short message (or withdraw). Applications are seen only by
the applicant and by those who manage the initiative."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app import i18n
from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import volunteering
from blueprints.common import apply_errors, current_actor, flash_outcome, require_actor
from blueprints.volunteers.forms import ApplyForm, ButtonForm, CallForm, DecideForm
from models import Initiative, User, VolunteerCall

bp = Blueprint("volunteers", __name__)

# Translated names of stored codes, for these templates and the partials other pages include.
LABELS = SimpleNamespace(application=i18n.APPLICATION_STATUS_NAMES)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"volunteer_labels": LABELS}


def _show(call: VolunteerCall, anchor: str | None = None) -> Any:
    return redirect(url_for("volunteers.show", call_id=call.id, _anchor=anchor))


def _managed(call_id: int) -> tuple[User, VolunteerCall]:
    """The actor and a call they manage (404 when they cannot see it, 403 when they do not manage it)."""
    actor = require_actor()
    call = volunteering.get_call(actor, call_id)
    ensure(actor, Permission.INITIATIVE_MANAGE, call.initiative)
    return actor, call


def _edit_page(form: CallForm, initiative: Initiative, call: VolunteerCall | None, status: int = 200):  # type: ignore[no-untyped-def]
    if status == 200 and (form.errors or form.form_errors):
        status = 400
    return render_template("volunteers/edit.html", form=form, initiative=initiative, call=call), status


@bp.route("/initiatives/<int:initiative_id>/calls/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new(initiative_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = volunteering.get_initiative(actor, initiative_id)
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    form = CallForm()
    status = 200
    if form.validate_on_submit():
        try:
            call = volunteering.open_call(actor, initiative, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            status = 409
        else:
            flash(_l("The call is open. People can apply from the page of the initiative."), "success")
            return _show(call)
    return _edit_page(form, initiative, None, status)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id: int):  # type: ignore[no-untyped-def]
    actor, call = _managed(call_id)
    form = CallForm()
    if not form.is_submitted():
        form.fill_from(call)
    status = 200
    if form.validate_on_submit():
        try:
            volunteering.update_call(actor, call, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.form_errors.append(str(exc))
            status = 409
        else:
            flash(_l("Your changes are saved."), "success")
            return _show(call)
    return _edit_page(form, call.initiative, call, status)


@bp.post("/calls/<int:call_id>/close")
@login_required
def close(call_id: int):  # type: ignore[no-untyped-def]
    actor, call = _managed(call_id)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: volunteering.close_call(actor, call), _l("The call is closed. Nobody can apply any more."))
    return _show(call)


# ---------------------------------------------------------------- the call page and applying


def _show_page(call: VolunteerCall, status: int = 200, apply_form: ApplyForm | None = None):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    return render_template(
        "volunteers/show.html", call=call, initiative=call.initiative, mine=volunteering.application_of(viewer, call),
        closed=volunteering.closed_reason(call), problem=volunteering.application_problem(viewer, call), places_left=volunteering.places_left(call),
        manager=can(viewer, Permission.INITIATIVE_MANAGE, call.initiative),
        apply_form=apply_form or ApplyForm(formdata=None), button_form=ButtonForm(formdata=None),
    ), status


@bp.get("/calls/<int:call_id>")
def show(call_id: int):  # type: ignore[no-untyped-def]
    return _show_page(volunteering.get_call(current_actor(), call_id))


@bp.post("/calls/<int:call_id>/apply")
@login_required
@per_user("RATELIMIT_PARTICIPATE")
def apply(call_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    call = volunteering.get_call(actor, call_id)
    form = ApplyForm()
    if form.validate_on_submit():
        problem = volunteering.application_problem(actor, call)
        if problem:
            flash(problem, "warning")
            return _show(call, "apply")
        try:
            volunteering.apply(actor, call, form.message.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            flash(str(exc), "info")
            return _show(call, "apply")
        else:
            flash(_l("Your application is sent. The organisers will answer; you will find their answer in your personal area."), "success")
            return _show(call, "apply")
    return _show_page(call, 400, apply_form=form)


@bp.post("/calls/<int:call_id>/withdraw")
@login_required
@per_user("RATELIMIT_PARTICIPATE")
def withdraw(call_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    call = volunteering.get_call(actor, call_id)
    if ButtonForm().validate_on_submit():
        mine = volunteering.application_of(actor, call)
        if mine is None:
            flash(_l("You have not applied to this call."), "info")
        else:
            flash_outcome(lambda: volunteering.withdraw(actor, mine), _l("Your application is withdrawn."))
    return _show(call, "apply")


# ---------------------------------------------------------------- applications (those who manage the initiative)


@bp.get("/calls/<int:call_id>/applications")
@login_required
def applications(call_id: int):  # type: ignore[no-untyped-def]
    actor, call = _managed(call_id)
    return render_template("volunteers/applications.html", call=call, initiative=call.initiative,
                           rows=volunteering.list_applications(actor, call), places_left=volunteering.places_left(call),
                           decide_form=DecideForm(formdata=None))


@bp.post("/calls/<int:call_id>/applications/<int:application_id>/decide")
@login_required
def decide(call_id: int, application_id: int):  # type: ignore[no-untyped-def]
    actor, call = _managed(call_id)
    application = volunteering.get_application(call, application_id)
    form = DecideForm()
    if form.validate_on_submit():
        if form.answer.data not in ("accept", "decline"):
            abort(400)
        accept = form.answer.data == "accept"
        flash_outcome(lambda: volunteering.decide(actor, application, accept),
                      _l("The application is accepted. The person is told.") if accept else _l("The application is declined. The person is told."))
    return redirect(url_for("volunteers.applications", call_id=call.id, _anchor=f"a{application.id}"))

