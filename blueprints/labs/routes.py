"""Community labs: list, convene, edit, timeline with proposals, results, export, transparency."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_required

from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.security.permissions import Permission
from app.security.policy import can, ensure
from app.security.ratelimit import per_user
from app.services import labs, memberships, organizations, proposals, territories
from blueprints.common import apply_errors, current_actor, page_arg, require_actor, save_checked
from blueprints.labs.forms import AllProposalsFilterForm, LabFilterForm, LabForm, ProposalFilterForm, TransparencyForm
from models import LabPhase, Territory

bp = Blueprint("labs", __name__)


@bp.get("/labs/")
def index():  # type: ignore[no-untyped-def]
    form = LabFilterForm(request.args)
    page = page_arg()
    results = None
    if form.validate():
        try:
            results = labs.list_labs(form.to_filters(), page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    return render_template("labs/index.html", form=form, results=results), 200 if results is not None else 400


@bp.route("/labs/new", methods=["GET", "POST"])
@login_required
@per_user("RATELIMIT_POST")
def new():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not request.args.get("org"):
        conveners = [o for o in memberships.acting_organizations(actor) if can(actor, Permission.LAB_CREATE, o)]
        return render_template("labs/choose.html", conveners=conveners)
    org = organizations.get_by_slug(request.args["org"], actor)
    ensure(actor, Permission.LAB_CREATE, org)
    form = LabForm()
    if request.method == "GET":
        form.fill_defaults(territories.label(org.home_territory))
    if form.validate_on_submit():
        try:
            lab = labs.create_lab(actor, org, form.to_draft())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash(_l("The lab is online. People can read it and, when its proposals phase opens, write proposals."), "success")
            return redirect(url_for("labs.show", slug=lab.slug))
    return render_template("labs/edit.html", form=form, org=org, lab=None)


@bp.route("/labs/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    lab = labs.get_lab(slug)
    ensure(actor, Permission.LAB_MANAGE, lab)
    form = LabForm()
    if request.method == "GET":
        form.fill_from(lab, territories.label(lab.territory))
    status = 200
    if form.validate_on_submit():
        status = save_checked(form, lambda: labs.update_lab(actor, lab, form.to_draft(), form.seen_version), lambda: lab.version)
        if status is None:
            flash(_l("Your changes are saved."), "success")
            return redirect(url_for("labs.show", slug=lab.slug))
    return render_template("labs/edit.html", form=form, org=lab.convener, lab=lab), status


@bp.get("/labs/<slug>")
def show(slug: str):  # type: ignore[no-untyped-def]
    viewer = current_actor()
    view = labs.open_lab(viewer, slug)
    lab = view.lab
    form = ProposalFilterForm(request.args)
    page = page_arg()
    try:
        listed = proposals.list_proposals(lab, form.to_filters(_seed(form)), page, viewer=viewer)
    except ValidationFailed:
        return render_template("errors/400.html"), 400
    return render_template(
        "labs/show.html", lab=lab, form=form, proposals=listed, timeline=labs.timeline(lab), **_list_extras(listed),
        following=view.is_following, drafts=proposals.my_drafts(viewer, lab) if view.has_drafts else [],
        problem=labs.eligibility_problem(viewer, lab),
        proposals_open=labs.proposals_open(lab), results_published=labs.results_published(lab),
    )


def _seed(form: ProposalFilterForm) -> int:
    """The random order is stable for one visitor across pages: its seed lives in their session."""
    return session.setdefault("proposal_seed", secrets.randbelow(2**31)) if form.sort.data == "random" else 0


def _list_extras(listed) -> dict:  # type: ignore[no-untyped-def]
    """What a proposal list shows besides the rows: co-sponsors (one query); the viewer's supports come with the rows."""
    return {"sponsors": proposals.with_sponsors(list(listed.items)), "supported": listed.supported,
            "due_in_days": labs.due_in_days}


@bp.get("/proposals/")
def all_proposals():  # type: ignore[no-untyped-def]
    """Proposals of every lab, filtered by place, state and action."""
    form = AllProposalsFilterForm(request.args)
    try:
        listed = proposals.list_proposals(None, form.to_filters(_seed(form)), page_arg(), viewer=current_actor())
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return render_template("labs/proposals.html", form=form, proposals=None), 400
    return render_template("labs/proposals.html", form=form, proposals=listed, **_list_extras(listed))


@bp.get("/labs/<slug>/results")
def results(slug: str):  # type: ignore[no-untyped-def]
    lab = labs.get_lab(slug)
    try:
        outcome = labs.results(lab)
    except NotFound:  # not closed yet: say when the results come
        return render_template("labs/results.html", lab=lab, outcome=None, publish_at=labs.phase_window(lab, LabPhase.RESULTS)[0])
    return render_template("labs/results.html", lab=lab, outcome=outcome, publish_at=None)


@bp.get("/labs/<slug>/export.csv")
@login_required
def export(slug: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    lab = labs.get_lab(slug)
    return _csv(labs.export_csv(actor, lab, base_url=_site_root()), f"{lab.slug}-proposals.csv")


@bp.get("/transparency/")
def transparency():  # type: ignore[no-untyped-def]
    form = TransparencyForm(request.args)
    place, valid = _place(form)
    figures = labs.transparency(place) if valid else []
    return render_template("labs/transparency.html", form=form, figures=figures, place=place), 200 if valid else 400


@bp.get("/transparency.csv")
def transparency_csv():  # type: ignore[no-untyped-def]
    place, valid = _place(TransparencyForm(request.args))
    if not valid:
        return render_template("errors/400.html"), 400
    name = f"transparency-{place.istat_code}.csv" if place else "transparency.csv"
    return _csv(labs.transparency_csv(labs.transparency(place)), name)


def _place(form: TransparencyForm) -> tuple[Territory | None, bool]:
    """The territory filter of the transparency page: (None, True) for all of them."""
    if not form.validate():
        return None, False
    text = (form.territory.data or "").strip()
    if not text:
        return None, True
    try:
        return territories.from_text(text, "territory"), True
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return None, False


def _site_root() -> str:
    """The public address of the site, from configuration (never the Host header) when it is set."""
    server = current_app.config.get("SERVER_NAME")
    if server:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME', 'https')}://{server}"
    return request.url_root.rstrip("/")


def _csv(body: str, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
