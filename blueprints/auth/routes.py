"""Register, confirm, log in and out, reset a forgotten password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from app.exceptions import ValidationFailed
from app.i18n import SESSION_KEY, _l
from app.security.ratelimit import per_account, per_ip
from app.services import accounts
from blueprints.auth.forms import ConfirmForm, EmailForm, LoginForm, NewPasswordForm, RegisterForm
from blueprints.common import apply_errors, current_actor, safe_next
from models import TokenPurpose

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/register", methods=["GET", "POST"])
@per_ip("RATELIMIT_REGISTER")
def register():  # type: ignore[no-untyped-def]
    if current_actor():
        return redirect(url_for("me.index"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = str(request.args.get("lang") or session.get(SESSION_KEY) or form.locale.default)
    if form.validate_on_submit():
        try:
            accounts.register(form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("auth.check_email"))
    return render_template("auth/register.html", form=form)


@bp.get("/check-email")
def check_email():  # type: ignore[no-untyped-def]
    return render_template("auth/check_email.html", form=EmailForm())


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):  # type: ignore[no-untyped-def]
    # GET only shows a button: mail scanners that follow links must not use the token up.
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email(token)
        except ValidationFailed:
            return render_template("auth/link_invalid.html", resend=True), 400
        flash(_l("Your e-mail address is confirmed. Welcome to Ponte!"), "success")
        return redirect(url_for("me.index") if current_actor() else url_for("auth.login"))
    if not accounts.peek_token(token, TokenPurpose.CONFIRM):
        return render_template("auth/link_invalid.html", resend=True), 400
    return render_template("auth/confirm.html", form=form)


@bp.route("/resend", methods=["GET", "POST"])
@per_ip("RATELIMIT_RESET")
@per_account("RATELIMIT_RESET")
def resend():  # type: ignore[no-untyped-def]
    form = EmailForm()
    if form.validate_on_submit():
        accounts.resend_confirmation(form.email.data or "")
        return redirect(url_for("auth.check_email"))
    return render_template("auth/resend.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@per_ip("RATELIMIT_LOGIN")
@per_account("RATELIMIT_LOGIN")
def login():  # type: ignore[no-untyped-def]
    target = safe_next(request.values.get("next"), url_for("me.index"))
    if current_actor():
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data or "", form.password.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            chosen_language = session.get(SESSION_KEY)
            session.clear()  # nothing from before the login survives: no fixation
            if chosen_language:
                session[SESSION_KEY] = chosen_language
            accounts.start_session(user, request.user_agent.string)
            login_user(user, remember=bool(form.remember.data))
            return redirect(target)
    return render_template("auth/login.html", form=form, next=target)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    form = ConfirmForm()
    if form.validate_on_submit():
        actor = current_actor()
        if actor is not None:
            accounts.end_session(actor.current_session_id)
        logout_user()
        session.clear()
        flash(_l("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/reset", methods=["GET", "POST"])
@per_ip("RATELIMIT_RESET")
@per_account("RATELIMIT_RESET")
def reset():  # type: ignore[no-untyped-def]
    form = EmailForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data or "")
        return render_template("auth/reset_sent.html")
    return render_template("auth/reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@per_ip("RATELIMIT_RESET")
def reset_password(token: str):  # type: ignore[no-untyped-def]
    if not accounts.peek_token(token, TokenPurpose.RESET):
        return render_template("auth/link_invalid.html", resend=False), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data or "")
        except ValidationFailed as exc:
            if "token" in exc.errors:
                return render_template("auth/link_invalid.html", resend=False), 400
            apply_errors(form, exc)
        else:
            logout_user()
            session.clear()
            flash(_l("Your password is changed. Log in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
