"""Case history pages: the list with filters, writing and editing a story, its pictures,
publishing (its organisation) and hiding (moderators of its territory)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from app.exceptions import ValidationFailed
from app.i18n import CASE_STATUS_NAMES, _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import case_histories, memberships, organizations, territories, uploads
from blueprints.case_histories.forms import ButtonForm, CaseFilterForm, CaseForm, ImageForm, ModerateForm, PublishForm
from blueprints.common import apply_errors, current_actor, flash_outcome, page_arg, require_actor, save_checked
from models import CaseHistory, Organization, User

bp = Blueprint("case_histories", __name__)


@bp.context_processor
def _names() -> dict[str, Any]:
    return {"case_status_names": CASE_STATUS_NAMES, "endpoint_exists": lambda name: name in current_app.view_functions}


def _show(case: CaseHistory, anchor: str | None = None) -> Any:
    return redirect(url_for("case_histories.show", case_id=case.id, _anchor=anchor))


def _managed(case_id: int) -> tuple[User, CaseHistory]:
    """The actor and the story their organisation tells (404 when they cannot see it, 403 when they cannot manage it)."""
    actor = require_actor()
    case = case_histories.get_case_history(case_id, actor)
    ensure(actor, Permission.CASE_HISTORY_MANAGE, case)
    return actor, case


@bp.get("/case-histories/")
def index():  # type: ignore[no-untyped-def]
    form = CaseFilterForm(request.args)
    page = page_arg()
    results = None
    filters = form.to_filters() if form.validate() else None
    if filters is not None:
        try:
            results = case_histories.list_case_histories(filters, page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    viewer = current_actor()
    drafts = case_histories.drafts_of(viewer) if viewer is not None else []
    return render_template("case_histories/index.html", form=form, results=results, drafts=drafts), 200 if results is not None else 400


# ---------------------------------------------------------------- writing and editing


def _case_form(org: Organization) -> CaseForm:
    form = CaseForm()
    form.set_initiatives(case_histories.initiative_choices(org))
    return form


@bp.route("/case-histories/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not request.args.get("org"):
        choices = [o for o in memberships.acting_organizations(actor) if can(actor, Permission.CASE_HISTORY_CREATE, o)]
        return render_template("case_histories/choose.html", choices=choices)
    org = organizations.get_by_slug(request.args["org"], actor)
    ensure(actor, Permission.CASE_HISTORY_CREATE, org)
    form = _case_form(org)
    if request.method == "GET":
        form.fill_defaults(actor.locale)
    if form.validate_on_submit():
        try:
            case = case_histories.create_case_history(actor, org, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The story is saved as a draft. Add pictures if you like, then publish it."), "success")
            return redirect(url_for("case_histories.edit", case_id=case.id, _anchor="images"))
    return render_template("case_histories/edit.html", form=form, org=org, case=None), 400 if form.errors else 200


@bp.route("/case-histories/<int:case_id>/edit", methods=["GET", "POST"])
@login_required
def edit(case_id: int):  # type: ignore[no-untyped-def]
    actor, case = _managed(case_id)
    form = _case_form(case.organization)
    if request.method == "GET":
        form.fill_from(case, territories.label(case.territory), case_histories.linked_organizations(case))
    status = 200
    if form.validate_on_submit():
        status = save_checked(form, lambda: case_histories.update_case_history(actor, case, form.to_draft(), form.seen_version),
                              lambda: case.version)
        if status is None:
            flash(_l("Your changes are saved."), "success")
            return _show(case)
    status = 400 if status == 200 and form.errors else status
    return _edit_page(case, status, form=form)


def _edit_page(case: CaseHistory, status: int, form: CaseForm | None = None, image_form: ImageForm | None = None):  # type: ignore[no-untyped-def]
    if form is None:
        form = _case_form(case.organization)
        form.fill_from(case, territories.label(case.territory), case_histories.linked_organizations(case))
    return render_template("case_histories/edit.html", form=form, org=case.organization, case=case,
                           image_form=image_form or ImageForm(formdata=None), button_form=ButtonForm(formdata=None)), status


@bp.post("/case-histories/<int:case_id>/publish")
@login_required
def publish(case_id: int):  # type: ignore[no-untyped-def]
    actor, case = _managed(case_id)
    form = PublishForm()
    if form.validate_on_submit():
        published = form.published.data == "1"
        flash_outcome(lambda: case_histories.set_published(actor, case, published),
                      _l("The story is published.") if published else _l("The story is a draft again: readers no longer see it."))
    return _show(case)


# ---------------------------------------------------------------- pictures


@bp.post("/case-histories/<int:case_id>/images")
@login_required
@per_user("RATELIMIT_POST")
def add_image(case_id: int):  # type: ignore[no-untyped-def]
    actor, case = _managed(case_id)
    form = ImageForm()
    if form.validate_on_submit():
        file = form.file.data
        upload = uploads.Upload(filename=file.filename or "", data=file.stream.read(uploads.settings.max_image_bytes + 1))
        try:
            case_histories.add_image(actor, case, upload, form.alt_text.data or "", form.caption.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The picture is added."), "success")
            return redirect(url_for("case_histories.edit", case_id=case.id, _anchor="images"))
    return _edit_page(case, 400, image_form=form)


@bp.get("/case-histories/<int:case_id>/images/<int:image_id>")
def image(case_id: int, image_id: int):  # type: ignore[no-untyped-def]
    case = case_histories.get_case_history(case_id, current_actor())
    found = case_histories.get_image(case, image_id)
    response = send_file(uploads.path_of(found.file), mimetype=found.file.content_type, max_age=3600, conditional=True)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if case.status != "published" or case.is_hidden:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/case-histories/<int:case_id>/images/<int:image_id>/delete")
@login_required
def remove_image(case_id: int, image_id: int):  # type: ignore[no-untyped-def]
    actor, case = _managed(case_id)
    found = case_histories.get_image(case, image_id)
    if ButtonForm().validate_on_submit():
        case_histories.remove_image(actor, case, found)
        flash(_l("The picture is removed."), "info")
    return redirect(url_for("case_histories.edit", case_id=case.id, _anchor="images"))


# ---------------------------------------------------------------- reading and moderating


@bp.get("/case-histories/<int:case_id>")
def show(case_id: int):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    case = case_histories.get_case_history(case_id, viewer)
    return render_template("case_histories/show.html", case=case, linked=case_histories.linked_organizations(case),
                           manager=can(viewer, Permission.CASE_HISTORY_MANAGE, case),
                           moderator=can(viewer, Permission.CASE_HISTORY_MODERATE, case),
                           initiative=case_histories.visible_initiative(case, viewer),
                           publish_form=PublishForm(formdata=None), moderate_form=ModerateForm(formdata=None))


@bp.post("/case-histories/<int:case_id>/<any(hide, restore):action>")
@login_required
def moderate(case_id: int, action: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    case = case_histories.get_case_history(case_id, actor)
    ensure(actor, Permission.CASE_HISTORY_MODERATE, case)
    form = ModerateForm()
    if form.validate_on_submit():
        flash_outcome(lambda: case_histories.set_hidden(actor, case, action == "hide", form.reason.data or ""),
                      _l("The story is hidden from readers.") if action == "hide" else _l("Readers can see the story again."))
    return _show(case)
