"""Privacy: accepting a changed privacy notice, downloading one's data, deleting one's account.

Also the check, before every request, that a logged-in person has accepted the notice in force:
if not, they are sent to /privacy/accept first (pages needed to decide stay reachable).
"""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_login import login_required, logout_user

from app.exceptions import ValidationFailed
from app.i18n import _l
from app.security.ratelimit import per_user
from app.services import privacy, privacy_export
from blueprints.common import apply_errors, current_actor, require_actor, safe_next
from blueprints.privacy.forms import AcceptForm, DeleteForm, ExportForm

bp = Blueprint("privacy", __name__)

# Reachable without accepting a changed notice: reading it, the alternatives to accepting
# (download the data, delete the account, log out), telling us about a problem (the feedback form,
# the accessibility statement), and machine endpoints with no person behind.
OPEN_PATHS = ("/static/", "/privacy", "/auth/logout", "/me/delete", "/me/export", "/lang/", "/accessibility", "/feedback", "/healthz",
              "/readyz", "/api/", "/feeds/", "/catalog.ttl", "/opendata/")


@bp.before_app_request
def ask_to_accept_the_notice():  # type: ignore[no-untyped-def]
    if request.endpoint is None or request.path.startswith(OPEN_PATHS):
        return None
    actor = current_actor()
    if actor is None or not privacy.needs_acceptance(actor):
        return None
    here = None
    if request.method in ("GET", "HEAD"):
        here = request.full_path if request.query_string else request.path
    return redirect(url_for("privacy.accept", next=here))


@bp.app_template_global()
def privacy_notice() -> SimpleNamespace:
    """The notice in force, for templates: ``privacy_notice().version`` and ``.date``."""
    config = current_app.config
    return SimpleNamespace(version=config["PRIVACY_NOTICE_VERSION"], date=date.fromisoformat(config["PRIVACY_NOTICE_DATE"]))


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def accept():  # type: ignore[no-untyped-def]
    actor = require_actor()
    target = safe_next(request.values.get("next"), url_for("me.index"))
    form = AcceptForm()
    if form.validate_on_submit():
        if privacy.accept_notice(actor) is not None:
            flash(_l("Thank you. You accepted the new privacy notice."), "success")
        return redirect(target)
    if not privacy.needs_acceptance(actor):
        return redirect(target)
    form.next.data = target
    return render_template("privacy/accept.html", form=form)


@bp.route("/me/export", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_EXPORT")
def export():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = ExportForm()
    if form.validate_on_submit():
        archive = privacy_export.export_account(actor)
        return send_file(io.BytesIO(archive.data), mimetype="application/zip", as_attachment=True,
                         download_name=archive.filename, max_age=0)
    return render_template("privacy/export.html", form=form)


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_LOGIN")
def delete():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            privacy.erase_account(actor, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            logout_user()
            session.clear()
            flash(_l("Your account is deleted. Thank you for taking part in Ponte."), "success")
            return redirect(url_for("main.home"))
    status: Any = 400 if request.method == "POST" else 200
    return render_template("privacy/delete.html", form=form, alone=privacy.sole_admin_of(actor)), status
