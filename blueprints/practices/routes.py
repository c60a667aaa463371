"""Good practice pages: the catalogue, the card, designating and editing a card (moderators of
the territory and administrators), publishing, and "replicate this"."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.exceptions import Conflict, ValidationFailed
from app.i18n import ACTION_NAMES, INITIATIVE_KIND_NAMES, PARTNER_ROLE_NAMES, TARGET_GROUP_NAMES, _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import initiatives, outputs, practices, territories
from blueprints.common import apply_errors, current_actor, flash_outcome, page_arg, require_actor, save_checked
from blueprints.practices.forms import MARKDOWN_HELP, CardForm, PracticeFilterForm, PublishForm, ReplicateForm
from models import GoodPractice, Initiative, User

bp = Blueprint("practices", __name__)

NAMES = SimpleNamespace(kind=INITIATIVE_KIND_NAMES, target=TARGET_GROUP_NAMES, role=PARTNER_ROLE_NAMES, action=ACTION_NAMES)


@bp.context_processor
def _names() -> dict[str, Any]:
    return {"names": NAMES, "endpoint_exists": _endpoint_exists}


def _endpoint_exists(name: str) -> bool:
    """Pages of other features that may not exist yet (the initiative's page and materials)."""
    return name in current_app.view_functions


def _show(practice: GoodPractice) -> Any:
    return redirect(url_for("practices.show", practice_id=practice.id))


@bp.get("/good-practices/")
def index():  # type: ignore[no-untyped-def]
    form = PracticeFilterForm(request.args)
    page = page_arg()
    results = None
    if form.validate():
        try:
            results = practices.list_practices(form.to_filters(), page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    return render_template("practices/index.html", form=form, results=results), 200 if results is not None else 400


@bp.get("/good-practices/<int:practice_id>")
def show(practice_id: int):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    practice = practices.get_practice(practice_id, viewer)
    initiative = practice.initiative
    return render_template(
        "practices/show.html", practice=practice, initiative=initiative, partners=initiatives.partners_of(initiative),
        figures=outputs.totals(initiative), materials=initiatives.materials_of(initiative),
        designer=can(viewer, Permission.GOOD_PRACTICE_DESIGNATE, initiative), publish_form=PublishForm(formdata=None),
    )


# ---------------------------------------------------------------- designating and editing the card


@bp.route("/initiatives/<int:initiative_id>/good-practice", methods=["GET", "POST"])
@login_required
def card(initiative_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    ensure(actor, Permission.GOOD_PRACTICE_DESIGNATE, initiative)
    practice = practices.find_for_initiative(initiative)
    form = CardForm()
    if request.method == "GET":
        if practice is None:
            form.fill_defaults(initiative.title, initiative.language)
        else:
            form.fill_from(practice)
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        saved, status = _save_card(actor, form, initiative, practice)
        if saved is not None:
            return _show(saved)
    return render_template("practices/edit.html", form=form, initiative=initiative, practice=practice,
                           markdown_help=MARKDOWN_HELP), status


def _save_card(actor: User, form: CardForm, initiative: Initiative, practice: GoodPractice | None) -> tuple[GoodPractice | None, int]:
    """Designate (first save) or update the card: the saved practice, or None and the status of the page with the errors."""
    if practice is not None:
        status = save_checked(form, lambda: practices.update_card(actor, practice, form.to_card(), form.seen_version),
                              lambda: practice.version)
        if status is not None:
            return None, status
        flash(_l("The card is saved."), "success")
        return practice, 200
    try:
        practice = practices.designate(actor, initiative, form.to_card())
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return None, 400
    except Conflict as exc:
        form.form_errors.append(str(exc))
        return None, 409
    flash(_l("The initiative is now a good practice. Its lead organisation is told."), "success")
    return practice, 200


@bp.post("/good-practices/<int:practice_id>/publish")
@login_required
def publish(practice_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    practice = practices.get_practice(practice_id, actor)
    ensure(actor, Permission.GOOD_PRACTICE_DESIGNATE, practice.initiative)
    form = PublishForm()
    if form.validate_on_submit():
        published = form.published.data == "1"
        flash_outcome(lambda: practices.set_published(actor, practice, published),
                      _l("The good practice is in the catalogue.") if published else _l("The good practice is out of the catalogue."))
    return _show(practice)


# ---------------------------------------------------------------- replicate this


@bp.route("/good-practices/<int:practice_id>/replicate", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def replicate(practice_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    practice = practices.get_practice(practice_id, actor)
    leads = initiatives.leading_choices(actor)
    form = ReplicateForm()
    form.set_leads(leads)
    if request.method == "GET" and len(leads) == 1:
        form.territory.data = territories.label(leads[0].home_territory)
    if form.validate_on_submit():
        try:
            initiative = practices.replicate(actor, practice, form.chosen_lead(leads), form.territory.data or "",  # type: ignore[arg-type]
                                             form.starts_on.data, form.ends_on.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The draft of your initiative is ready. Check it, invite the partners, then plan it."), "success")
            return redirect(_initiative_url(initiative))
    status = 400 if request.method == "POST" else 200
    return render_template("practices/replicate.html", form=form, practice=practice, leads=leads), status


def _initiative_url(initiative: Initiative) -> str:
    for endpoint in ("initiatives.edit", "initiatives.show"):
        if _endpoint_exists(endpoint):
            return url_for(endpoint, initiative_id=initiative.id)
    return url_for("practices.index")
