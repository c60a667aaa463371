"""Outputs of an initiative: the public page of figures (only aggregate counts are ever stored),
the form partners record them with, corrections, deletion and the CSV."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import login_required

from app import i18n
from app.exceptions import ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import outputs
from blueprints.common import current_actor, flash_outcome, require_actor
from blueprints.outputs.forms import ButtonForm, OutputForm
from models import Initiative, OutputReport, User

bp = Blueprint("outputs", __name__)

# Translated names of stored codes, for these templates and the partial the initiative page includes.
LABELS = SimpleNamespace(target=i18n.TARGET_GROUP_NAMES, gender=i18n.GENDER_NAMES, age=i18n.AGE_BAND_NAMES)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"output_labels": LABELS}


def _index(initiative: Initiative) -> Any:
    return redirect(url_for("outputs.index", initiative_id=initiative.id))


def _managed(report_id: int) -> tuple[User, Initiative, OutputReport]:
    """The actor and a report they may change (404 when they cannot see it, 403 when it is not theirs)."""
    actor = require_actor()
    initiative, report = outputs.get_report(actor, report_id)
    ensure(actor, Permission.OUTPUT_REPORT_MANAGE, report)
    return actor, initiative, report


def _form_page(form: OutputForm, initiative: Initiative, report: OutputReport | None, choose: bool):  # type: ignore[no-untyped-def]
    status = 400 if form.errors or form.form_errors else 200
    return render_template("outputs/edit.html", form=form, initiative=initiative, report=report, choose_organization=choose), status


@bp.get("/initiatives/<int:initiative_id>/outputs")
def index(initiative_id: int):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    initiative = outputs.get_initiative(viewer, initiative_id)
    reports = outputs.list_reports(initiative)
    return render_template(
        "outputs/index.html", initiative=initiative, reports=reports, output_totals=outputs.totals(initiative),
        manageable=outputs.manageable_report_ids(viewer, initiative, reports),
        can_record=can(viewer, Permission.INITIATIVE_RECORD_OUTPUTS, initiative), button_form=ButtonForm(formdata=None),
    )


@bp.route("/initiatives/<int:initiative_id>/outputs/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new(initiative_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = outputs.get_initiative(actor, initiative_id)
    ensure(actor, Permission.INITIATIVE_RECORD_OUTPUTS, initiative)
    organizations = outputs.recording_organizations(actor, initiative)
    form = OutputForm()
    form.setup(initiative, organizations)
    if form.validate_on_submit():
        try:
            outputs.record_outputs(actor, initiative, form.to_draft())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            flash(_l("The outputs are recorded. Thank you."), "success")
            return _index(initiative)
    return _form_page(form, initiative, None, len(organizations) > 1)


@bp.route("/outputs/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit(report_id: int):  # type: ignore[no-untyped-def]
    actor, initiative, report = _managed(report_id)
    form = OutputForm()
    if not form.is_submitted():
        form.fill_from(report)
    form.setup(initiative, [report.organization])
    if form.validate_on_submit():
        try:
            outputs.update_outputs(actor, report, form.to_draft())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            flash(_l("Your changes are saved."), "success")
            return _index(initiative)
    return _form_page(form, initiative, report, False)


@bp.post("/outputs/<int:report_id>/delete")
@login_required
def delete(report_id: int):  # type: ignore[no-untyped-def]
    actor, initiative, report = _managed(report_id)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: outputs.delete_outputs(actor, report), _l("The report is deleted."))
    return _index(initiative)


@bp.get("/initiatives/<int:initiative_id>/outputs.csv")
def export(initiative_id: int):  # type: ignore[no-untyped-def]
    initiative = outputs.get_initiative(current_actor(), initiative_id)
    response = Response(outputs.export_csv(initiative), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="initiative-{initiative.id}-outputs.csv"'
    response.headers["Cache-Control"] = "private, no-store" if not initiative.is_public else "no-cache"
    return response
