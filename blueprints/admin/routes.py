"""The administration area: the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import accounts, audit
from blueprints.admin.forms import SuspendForm
from blueprints.common import page_arg, require_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.ADMIN_ACCESS)
    return render_template("admin/index.html", entries=audit.list_entries(actor, page=page_arg()))


@bp.post("/users/<int:user_id>/<any(suspend, unsuspend):choice>")
@login_required
def suspend(user_id: int, choice: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.USER_SUSPEND)  # before the lookup: others learn nothing about which accounts exist
    if SuspendForm().validate_on_submit():
        accounts.suspend(actor, accounts.get_user(user_id), choice == "suspend", request.form.get("reason", ""))
        flash(_l("The account is suspended and logged out everywhere.") if choice == "suspend" else _l("The account is active again."), "success")
    return redirect(url_for("moderation.index"))
