"""Notifications in the personal area (the list, mark read, e-mail settings, what I follow),
follow and unfollow buttons, and the one-click unsubscribe link of notification e-mails."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time, get_timezone, gettext
from flask_login import login_required, user_logged_in
from werkzeug.routing import BuildError

from app.exceptions import ValidationFailed
from app.i18n import _l
from app.services import follows, notifications
from app.services.mail import mailer
from blueprints.common import apply_errors, current_actor, page_arg, require_actor, safe_next
from blueprints.notifications.forms import ButtonForm, SettingsForm
from models import Notification
from models.base import utcnow

bp = Blueprint("notifications", __name__)


@bp.record_once
def _mail_links(state: Any) -> None:
    """Links in notification e-mails are absolute and built from SERVER_NAME, never from a request."""
    app = state.app

    def build(endpoint: str, values: dict[str, Any]) -> str:
        values = dict(values)
        anchor = values.pop("_anchor", None)
        scheme = app.config.get("PREFERRED_URL_SCHEME", "https")
        host = app.config.get("SERVER_NAME") or "127.0.0.1:5000"
        try:
            url = app.url_map.bind(host, url_scheme=scheme).build(endpoint, values, force_external=True)
        except BuildError:  # a page that does not exist (yet) in this deployment: the home page
            return f"{scheme}://{host}/"
        return f"{url}#{anchor}" if anchor else url

    mailer.link_builder = build


@bp.record_once
def _count_at_login(state: Any) -> None:
    """Count unread notifications while logging in, so the pages after it need no query for the header."""

    def prime(_sender: Any, user: Any = None, **_extra: Any) -> None:
        if user is not None:
            notifications.unread_count_cached(user, user.current_session_id or "")

    user_logged_in.connect(prime, state.app, weak=False)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"unread_notifications": _unread, "follow_state": _follow_state}


def _unread() -> int:
    actor = current_actor()
    if actor is None:
        return 0
    return notifications.unread_count_cached(actor, actor.current_session_id or "")


def _follow_state(target_type: str, target_id: int) -> bool:
    return follows.is_following(current_actor(), target_type, target_id)


def _link(note: Notification, links: dict[int, Any]) -> str | None:
    target = links.get(note.id)
    if target is None:
        return None
    endpoint, values = target
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _day_label(day: date) -> str:
    today = utcnow().astimezone(get_timezone()).date()
    if day == today:
        return gettext("Today")
    if day == today - timedelta(days=1):
        return gettext("Yesterday")
    return format_date(day, "full", rebase=False)


@bp.get("/me/notifications")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    page = notifications.page_for(actor, page_arg())
    links = notifications.links_for(page.items)
    zone = get_timezone()
    items = [(note, notifications.describe(note), _link(note, links), notifications.TYPES.get(notifications.kind_of(note.kind).type, ""),
              format_time(note.created_at, "short")) for note in page.items]
    days = [(_day_label(day), list(group)) for day, group in groupby(items, key=lambda i: i[0].created_at.astimezone(zone).date())]
    unread = notifications.unread_count(actor)
    notifications.remember_count(actor, actor.current_session_id or "", unread)  # the header agrees with the page
    return render_template("notifications/index.html", page=page, days=days, unread=unread, button=ButtonForm())


@bp.post("/me/notifications/read")
@login_required
def read_all():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not ButtonForm().validate_on_submit():
        abort(400)
    notifications.mark_all_read(actor)
    flash(_l("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/me/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not ButtonForm().validate_on_submit():
        abort(400)
    notifications.mark_read(actor, notification_id)
    return redirect(safe_next(request.form.get("next"), url_for("notifications.index")))


@bp.route("/me/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():  # type: ignore[no-untyped-def]
    actor = require_actor()
    form = SettingsForm()
    if request.method == "GET":
        pref = notifications.preferences(actor)
        form.delivery.data = pref.delivery.value
        form.types.data = [t for t in notifications.TYPES if t not in (pref.opted_out or [])]
    elif form.validate_on_submit():
        try:
            notifications.save_preferences(actor, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("Your e-mail settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template("notifications/settings.html", form=form, help=notifications.TYPE_HELP), status


@bp.get("/me/following")
@login_required
def following():  # type: ignore[no-untyped-def]
    actor = require_actor()
    page = follows.list_following(actor, page_arg())
    return render_template("notifications/following.html", page=page, button=ButtonForm(), names=follows.TARGET_NAMES)


def _back() -> Any:
    return redirect(safe_next(request.form.get("next"), url_for("notifications.following")))


@bp.post("/follow/<target_type>/<int:target_id>")
@login_required
def follow(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not ButtonForm().validate_on_submit():
        abort(400)
    follows.follow(actor, target_type, target_id)
    flash(_l("You follow this now. You will find news about it in your notifications."), "success")
    return _back()


@bp.post("/unfollow/<target_type>/<int:target_id>")
@login_required
def unfollow(target_type: str, target_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not ButtonForm().validate_on_submit():
        abort(400)
    follows.unfollow(actor, target_type, target_id)
    flash(_l("You no longer follow this."), "success")
    return _back()


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    """GET asks for confirmation (mail scanners open links); POST applies it, also as the
    RFC 8058 one-click POST a mail client sends by itself. No login: the signed token is the
    credential, which is also why this POST needs no CSRF token (exempted at registration)."""
    try:
        what = notifications.apply_unsubscribe(token) if request.method == "POST" else notifications.read_unsubscribe(token)
    except ValidationFailed:
        return render_template("notifications/unsubscribe_invalid.html"), 404
    done = request.method == "POST" or notifications.is_unsubscribed(what)
    return render_template("notifications/unsubscribe.html", what=what, token=token, done=done, all_scope=notifications.ALL)


@bp.record_once
def _one_click_without_csrf(state: Any) -> None:
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(unsubscribe)

