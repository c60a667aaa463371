"""The moderation queue: open reports of the moderator's territories."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from app.exceptions import Conflict
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import moderation
from blueprints.common import page_arg, require_actor
from blueprints.moderation.forms import DecideForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.MODERATION_ACCESS)
    reports = moderation.open_reports(actor, page=page_arg())
    return render_template(
        "moderation/index.html", reports=reports, targets=moderation.targets_of(list(reports.items)), form=DecideForm()
    )


@bp.post("/reports/<int:report_id>")
@login_required
def decide(report_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.MODERATION_ACCESS)  # before the lookup: others learn nothing about which reports exist
    report = moderation.get_report(report_id)
    form = DecideForm()
    if form.validate_on_submit():
        try:
            moderation.decide(actor, report, form.decision.data == "hide", form.note.data or "")
        except Conflict as exc:
            flash(str(exc), "info")
        else:
            flash(_l("The report is closed."), "success")
    return redirect(url_for("moderation.index"))
