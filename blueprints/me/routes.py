"""The personal area: overview and settings."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import login_required

from app.exceptions import ValidationFailed
from app.i18n import COOKIE, SESSION_KEY, _l
from app.services import (
    accounts,
    calendars,
    events,
    forums,
    initiatives,
    organizations,
    proposals,
    registrations,
    territories,
    volunteering,
)
from blueprints.common import apply_errors, require_actor
from blueprints.me.forms import PasswordForm, SettingsForm
from models import User
from models.base import utcnow

bp = Blueprint("me", __name__, url_prefix="/me")


@bp.get("")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    memberships = organizations.my_organizations(actor)
    return render_template(
        "me/index.html", actor=actor, memberships=memberships, forums=forums.my_forums(actor),
        proposals=proposals.my_proposals(actor), invitations=proposals.pending_sponsorships(actor),
        partnership_invitations=initiatives.pending_partner_invitations(actor), applications=volunteering.my_applications(actor),
        **_my_events(actor),
    )


def _my_events(actor: User) -> dict:
    """Upcoming dates I registered for (with my status), and invitations to co-organise."""
    now = utcnow()
    dates = [s for s in calendars.registered_sessions(actor) if s.ends_at >= now]
    statuses = registrations.registration_statuses(actor, [s.id for s in dates])
    titles = calendars.titles_for(list({s.event_id: s.event for s in dates}.values()), str(get_locale() or "it")) if dates else {}
    return {"event_registrations": [(s, statuses[s.id]) for s in dates if s.id in statuses], "event_titles": titles,
            "organizer_invitations": events.pending_organizer_invitations(actor)}


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = SettingsForm(obj=actor if request.method == "GET" else None)
    if request.method == "GET":
        form.home_territory.data = territories.label(actor.home_territory)
    if form.validate_on_submit():
        try:
            accounts.update_settings(actor, actor, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            session.pop(SESSION_KEY, None)  # the saved setting now decides the language
            flash(_l("Your settings are saved."), "success")
            response = redirect(url_for("me.settings"))
            response.set_cookie(COOKIE, actor.locale, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                                secure=current_app.config["SESSION_COOKIE_SECURE"])
            return response
    return render_template("me/settings.html", form=form, password_form=PasswordForm(prefix="pw"))


@bp.post("/password")
@login_required
def change_password():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            accounts.change_password(actor, form.current_password.data or "", form.new_password.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("me.settings"))
    settings_form = SettingsForm(obj=actor)
    settings_form.home_territory.data = territories.label(actor.home_territory)
    return render_template("me/settings.html", form=settings_form, password_form=form), 200
