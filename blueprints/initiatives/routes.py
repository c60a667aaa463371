"""Initiative pages: the catalogue, start and edit, the initiative page with its partners,
contact people, sessions and materials, status changes and translations."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_login import login_required

from app import i18n
from app.exceptions import Conflict, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import events, initiatives, organizations, outputs, practices, territories, uploads, volunteering
from blueprints.common import (
    apply_errors,
    current_actor,
    flash_outcome,
    page_arg,
    require_actor,
    safe_next,
    save_checked,
    send_private_file,
)
from blueprints.initiatives.forms import (
    ButtonForm,
    ContactForm,
    DecideForm,
    EventLinkForm,
    FilterForm,
    InitiativeForm,
    InviteForm,
    MaterialForm,
    RemoveTranslationForm,
    SearchForm,
    StatusForm,
    TranslationForm,
)
from models import Event, Initiative, InitiativePartner, PartnerStatus, User

bp = Blueprint("initiatives", __name__)

# Translated names of the initiatives' codes, for every template: ``initiative_labels.kind[i.kind]``.
LABELS = SimpleNamespace(kind=i18n.INITIATIVE_KIND_NAMES, target=i18n.TARGET_GROUP_NAMES, status=i18n.INITIATIVE_STATUS_NAMES,
                         role=i18n.PARTNER_ROLE_NAMES, partner_status=i18n.PARTNER_STATUS_NAMES)
STATUS_DONE = {
    "draft": _l("The initiative is a draft again: only its partners see it."),
    "planned": _l("The initiative is published as planned."),
    "running": _l("The initiative is running."),
    "completed": _l("The initiative is completed. Partners can still record its outputs."),
}


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"initiative_labels": LABELS}


def _locale() -> str:
    return str(get_locale() or "it")


def _show(initiative: Initiative, anchor: str | None = None) -> Any:
    return redirect(url_for("initiatives.show", initiative_id=initiative.id, _anchor=anchor))


def _managed(initiative_id: int) -> tuple[User, Initiative]:
    """The actor and the initiative they lead (404 when they cannot see it, 403 when they do not lead it)."""
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    ensure(actor, Permission.INITIATIVE_MANAGE, initiative)
    return actor, initiative


def _digits(raw: str | None) -> int:
    """A positive id from a form field, else 400."""
    if not raw or not raw.isdigit() or len(raw) > 12:
        abort(400)
    return int(raw)


# ---------------------------------------------------------------- catalogue, start, edit


@bp.get("/initiatives/")
def index():  # type: ignore[no-untyped-def]
    viewer = current_actor()
    form = FilterForm(request.args)
    page, results = page_arg(), None
    if form.validate():
        try:
            results = initiatives.list_initiatives(form.to_filters(), page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    return render_template(
        "initiatives/index.html", form=form, results=results,
        titles=initiatives.titles_for(list(results.items), _locale()) if results else {},
        mine=initiatives.my_initiatives(viewer) if viewer else [], can_start=bool(initiatives.leading_choices(viewer)),
    ), 200 if results is not None else 400


@bp.route("/initiatives/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not request.args.get("org"):
        return render_template("initiatives/choose.html", choices=initiatives.leading_choices(actor))
    org = organizations.get_by_slug(request.args["org"], actor)
    ensure(actor, Permission.INITIATIVE_CREATE, org)
    form = InitiativeForm()
    if request.method == "GET":
        form.fill_defaults(territories.label(org.home_territory), _locale())
    if form.validate_on_submit():
        try:
            initiative = initiatives.create_initiative(actor, org, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The initiative is saved as a draft. Invite the partners, then publish it."), "success")
            return _show(initiative)
    return render_template("initiatives/edit.html", form=form, org=org, initiative=None), 400 if form.errors else 200


@bp.route("/initiatives/<int:initiative_id>/edit", methods=["GET", "POST"])
@login_required
def edit(initiative_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    form = InitiativeForm()
    if request.method == "GET":
        form.fill_from(initiative, territories.label(initiative.territory))
    status = 200
    if form.validate_on_submit():
        status = save_checked(form, lambda: initiatives.update_initiative(actor, initiative, form.to_draft(), form.seen_version),
                              lambda: initiative.version)
        if status is None:
            flash(_l("Your changes are saved."), "success")
            return _show(initiative)
    status = 400 if status == 200 and form.errors else status
    return render_template("initiatives/edit.html", form=form, org=initiative.lead, initiative=initiative), status


@bp.post("/initiatives/<int:initiative_id>/status")
@login_required
def set_status(initiative_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            initiatives.set_status(actor, initiative, form.status.data or "", confirm=bool(form.confirm.data))
        except ValidationFailed as exc:
            apply_errors(form, exc)
            return _show_page(initiative, 400, status_form=form)
        except Conflict as exc:
            flash(str(exc), "warning")
        else:
            flash(STATUS_DONE[initiative.status.value], "success")
    return _show(initiative, "status")


# ---------------------------------------------------------------- the initiative page


def _event_label(event: Event) -> str:
    return f"{format_date(events.local(event.starts_at).date(), 'medium', rebase=False)} · {event.title}"


def _lead_tools(initiative: Initiative, manager: bool, failed: dict[str, Any]) -> dict[str, Any]:
    """Status buttons and the event picker, for the lead."""
    if not manager:
        return {"link_form": None, "next_statuses": (), "status_form": None, "needs_confirm": False}
    link_form = EventLinkForm(formdata=None)
    link_form.set_events(initiatives.linkable_events(initiative), _event_label)
    return {"link_form": link_form, "next_statuses": initiatives.next_statuses(initiative),
            "status_form": failed.get("status_form") or StatusForm(formdata=None), "needs_confirm": initiative.ends_on > initiatives.today()}


def _materials(viewer: User | None, initiative: Initiative, failed: dict[str, Any]) -> dict[str, Any]:
    found = initiatives.materials_of(initiative)
    return {"materials": found, "deletable": {m.id for m in found if initiatives.can_delete_material(viewer, initiative, m)},
            "material_form": failed.get("material_form") or MaterialForm(formdata=None)}


def _show_page(initiative: Initiative, status: int = 200, **failed: Any):  # type: ignore[no-untyped-def]
    """The initiative page; a form that failed (passed by name) replaces its fresh twin."""
    viewer = current_actor()
    original = request.args.get("original") == "1"
    title, description_html, translated = ((initiative.title, initiative.description_html, False) if original
                                           else initiatives.text_for(initiative, _locale()))
    manager = can(viewer, Permission.INITIATIVE_MANAGE, initiative)
    return render_template(
        "initiatives/show.html", initiative=initiative, title=title, description_html=description_html, translated=translated,
        original=original, manager=manager, private=can(viewer, Permission.INITIATIVE_VIEW_PRIVATE, initiative),
        partners=initiatives.partners_of(initiative, include_pending=manager), mine=initiatives.rows_acting_for(viewer, initiative),
        decide_form=failed.get("decide_form") or DecideForm(formdata=None), sessions=initiatives.events_of(initiative),
        calls_section=volunteering.calls_section(initiative, viewer), output_totals=outputs.totals(initiative),
        practice=practices.find_for_initiative(initiative),
        **_materials(viewer, initiative, failed), **_lead_tools(initiative, manager, failed),
    ), status


@bp.get("/initiatives/<int:initiative_id>")
def show(initiative_id: int):  # type: ignore[no-untyped-def]
    return _show_page(initiatives.get_initiative(initiative_id, current_actor()))


# ---------------------------------------------------------------- partners


def _invite(actor: User, initiative: Initiative, form: InviteForm) -> bool:
    """Send the invitation; False (errors on the form) when refused."""
    org = initiatives.invitable_organization(_digits(form.organization_id.data))
    if org is None:
        form.form_errors.append(str(_l("Choose an organisation from the list.")))
        return False
    try:
        initiatives.invite_partner(actor, initiative, org, form.role.data or "")
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return False
    except Conflict as exc:
        form.form_errors.append(str(exc))
        return False
    flash(_l("The invitation is sent. The organisation's admins, officials or staff will answer."), "success")
    return True


@bp.route("/initiatives/<int:initiative_id>/partners", methods=["GET", "POST"])
@login_required
def partners(initiative_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    search, form, status = SearchForm(request.args), InviteForm(), 200
    if request.method == "POST":
        if form.validate_on_submit() and _invite(actor, initiative, form):
            return redirect(url_for("initiatives.partners", initiative_id=initiative.id))
        search.q.data, status = form.q.data or "", 400
    found = initiatives.search_organizations(search.q.data or "", actor) if search.validate() else []
    return render_template("initiatives/partners.html", initiative=initiative, search=search, found=found, form=form,
                           partners=initiatives.partners_of(initiative, include_pending=True)), status


@bp.post("/initiatives/<int:initiative_id>/partners/<int:org_id>/decide")
@login_required
def decide(initiative_id: int, org_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    row = initiatives.get_partner(initiative, org_id)
    form = DecideForm()
    answer = form.answer.data or request.args.get("answer", "")
    if answer not in ("accept", "decline"):
        abort(400)
    if not form.validate_on_submit():
        return _show_page(initiative, 400, decide_form=form)
    try:
        initiatives.decide_partnership(actor, row, answer == "accept", form.to_contact())
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return _show_page(initiative, 400, decide_form=form)
    except Conflict as exc:
        flash(str(exc), "warning")
    else:
        flash(_l("Your organisation is now a partner of the initiative.") if answer == "accept" else _l("You declined the invitation."), "success")
    return _after_decision(actor, initiative)


def _after_decision(actor: User, initiative: Initiative) -> Any:
    """Back where the person came from; to the personal area when a declined draft is no longer theirs to see."""
    fallback = (url_for("initiatives.show", initiative_id=initiative.id, _anchor="partners")
                if can(actor, Permission.INITIATIVE_VIEW, initiative) else url_for("me.index"))
    return redirect(safe_next(request.form.get("next"), fallback))


@bp.post("/initiatives/<int:initiative_id>/partners/<int:org_id>/remove")
@login_required
def remove_partner(initiative_id: int, org_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    row = initiatives.get_partner(initiative, org_id)
    if ButtonForm().validate_on_submit():
        flash_outcome(lambda: initiatives.remove_partner(actor, row), _l("The organisation is no longer a partner of the initiative."))
    return redirect(safe_next(request.form.get("next"), url_for("initiatives.show", initiative_id=initiative.id, _anchor="partners")))


def _contact_row(rows: list[InitiativePartner], raw: str | None) -> InitiativePartner:
    """The partner row whose contact is edited: the one named in the form, else the only (or first) one."""
    if raw:
        return next((r for r in rows if str(r.organization_id) == raw), None) or abort(404)
    return rows[0]


@bp.route("/initiatives/<int:initiative_id>/contact", methods=["GET", "POST"])
@login_required
def contact(initiative_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    rows = [r for r in initiatives.rows_acting_for(actor, initiative) if r.status == PartnerStatus.CONFIRMED]
    if not rows:
        abort(403)  # only a confirmed partner has a contact person to give
    form = ContactForm()
    row = _contact_row(rows, form.organization_id.data if request.method == "POST" else request.args.get("org"))
    if request.method == "GET":
        form.fill_contact(row)
    if form.validate_on_submit():
        try:
            initiatives.update_partner_contact(actor, row, form.to_contact())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The contact person is saved. Only the lead and the confirmed partners see it."), "success")
            return _show(initiative, "contacts")
    return render_template("initiatives/contact.html", initiative=initiative, form=form, row=row, rows=rows), 400 if form.errors else 200


# ---------------------------------------------------------------- sessions and materials


@bp.post("/initiatives/<int:initiative_id>/events")
@login_required
def link_events(initiative_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    form = EventLinkForm()
    if not form.validate_on_submit():
        abort(400)
    event = events.get_event(actor, _digits(form.event_id.data))
    if form.action.data == "unlink":
        flash_outcome(lambda: initiatives.unlink_event(actor, initiative, event), _l("The event is no longer a session of the initiative."))
    else:
        flash_outcome(lambda: initiatives.link_event(actor, initiative, event), _l("The event is now a session of the initiative."))
    return _show(initiative, "sessions")


def _upload(file: Any) -> uploads.Upload | None:
    if file is None or not getattr(file, "filename", ""):
        return None
    return uploads.Upload(filename=file.filename or "", data=file.stream.read(uploads.settings.max_document_bytes + 1))


@bp.post("/initiatives/<int:initiative_id>/materials")
@login_required
@per_user("RATELIMIT_POST")
def add_material(initiative_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    ensure(actor, Permission.INITIATIVE_VIEW_PRIVATE, initiative)
    form = MaterialForm()
    if form.validate_on_submit():
        try:
            initiatives.add_material(actor, initiative, form.title.data or "", form.url.data or "", _upload(form.file.data),
                                     form.language.data or "")
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The material is added."), "success")
            return _show(initiative, "materials")
    return _show_page(initiative, 400, material_form=form)


@bp.get("/initiatives/<int:initiative_id>/materials/<int:material_id>")
def material(initiative_id: int, material_id: int):  # type: ignore[no-untyped-def]
    initiative = initiatives.get_initiative(initiative_id, current_actor())
    found = initiatives.get_material(initiative, material_id)
    if found.file is None:
        abort(404)  # a link: the page points to it directly, never through a redirect of ours
    return send_private_file(found.file)


@bp.post("/initiatives/<int:initiative_id>/materials/<int:material_id>/delete")
@login_required
def delete_material(initiative_id: int, material_id: int):  # type: ignore[no-untyped-def]
    actor = require_actor()
    initiative = initiatives.get_initiative(initiative_id, actor)
    found = initiatives.get_material(initiative, material_id)
    if ButtonForm().validate_on_submit():
        initiatives.delete_material(actor, initiative, found)
        flash(_l("The material is deleted."), "info")
    return _show(initiative, "materials")


# ---------------------------------------------------------------- translations


@bp.route("/initiatives/<int:initiative_id>/translations", methods=["GET", "POST"])
@login_required
def translations(initiative_id: int):  # type: ignore[no-untyped-def]
    actor, initiative = _managed(initiative_id)
    if request.method == "POST" and "remove" in request.form:
        remove = RemoveTranslationForm()
        if remove.validate_on_submit():
            flash_outcome(lambda: initiatives.set_translation(actor, initiative, remove.language.data or "", "", ""),
                          _l("The translation is removed."))
        return redirect(url_for("initiatives.translations", initiative_id=initiative.id))
    form = TranslationForm()
    form.set_languages(initiative.language)
    existing = initiatives.translations(initiative)
    chosen = next((t for t in existing if t.language == request.args.get("language")), None)
    if request.method == "GET" and chosen is not None:
        form.language.data, form.title.data, form.description.data = chosen.language, chosen.title, chosen.description
    if form.validate_on_submit() and _save_translation(actor, initiative, form):
        return redirect(url_for("initiatives.translations", initiative_id=initiative.id))
    return render_template("initiatives/translations.html", initiative=initiative, existing=existing, form=form), 400 if form.errors else 200


def _save_translation(actor: User, initiative: Initiative, form: TranslationForm) -> bool:
    try:
        initiatives.set_translation(actor, initiative, form.language.data or "", form.title.data or "", form.description.data or "")
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return False
    flash(_l("The translation is saved."), "success")
    return True
