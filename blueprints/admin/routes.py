"""The administration area: the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.security.permissions import Permission
from app.security.policy import ensure
from app.services import audit
from blueprints.common import page_arg, require_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    ensure(actor, Permission.ADMIN_ACCESS)
    return render_template("admin/index.html", entries=audit.list_entries(actor, page=page_arg()))
