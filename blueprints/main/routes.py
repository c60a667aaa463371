"""Home, language switch, health checks, privacy and accessibility pages, feedback."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale

from app.exceptions import ValidationFailed
from app.i18n import COOKIE, SESSION_KEY, _l, normalize
from app.services import feedback, health, territories
from blueprints.common import apply_errors, current_actor, safe_next
from blueprints.main.forms import FeedbackForm

bp = Blueprint("main", __name__)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    actor = current_actor()
    home_territory = actor.home_territory if actor else None
    return render_template(
        "main/home.html",
        home_territory=home_territory,
        home_chain=territories.ancestors(home_territory) if home_territory else [],
        regions=territories.list_regions(),
    )


@bp.get("/lang/<code>")
def switch_language(code: str):  # type: ignore[no-untyped-def]
    chosen = normalize(code)
    if chosen is None:
        return render_template("errors/404.html"), 404
    target = safe_next(request.args.get("next"), url_for("main.home"))
    session[SESSION_KEY] = chosen
    response = redirect(target)
    response.set_cookie(
        COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    checks = health.readiness(current_app.config.get("REDIS_URL") or "")
    body = {"status": "ready" if all(checks.values()) else "unavailable",
            "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()}}
    if all(checks.values()):
        return body
    return body, 503, {"Retry-After": "30"}


@bp.get("/privacy")
def privacy():  # type: ignore[no-untyped-def]
    return render_template("main/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"])


@bp.get("/accessibility")
def accessibility():  # type: ignore[no-untyped-def]
    external = current_app.config["ACCESSIBILITY_STATEMENT_URL"]
    if external:
        return redirect(external)
    return render_template("main/accessibility.html")


@bp.route("/feedback", methods=["GET", "POST"])
def send_feedback():  # type: ignore[no-untyped-def]
    form = FeedbackForm()
    if request.method == "GET":
        form.page.data = safe_next(request.args.get("page"), "")
    if form.validate_on_submit():
        try:
            feedback.submit_feedback(current_actor(), form.to_draft(str(get_locale())), current_app.config["CONTACT_EMAIL"])
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("Thank you. We read every message."), "success")
            return redirect(safe_next(form.page.data, url_for("main.home")))
    return render_template("main/feedback.html", form=form)
