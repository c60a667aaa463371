"""Dashboards: figures for officials (their territory and what is inside it) and administrators,
each table also as CSV, the FAMI export, and a public summary of public figures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import format_decimal, get_locale, gettext
from flask_login import login_required

from app.exceptions import PermissionDenied, ValidationFailed
from app.i18n import text_direction
from app.security.ratelimit import per_ip_all
from app.services import dashboard, dashboard_figures
from app.services.dashboard import Scope
from blueprints.common import apply_errors, require_actor
from blueprints.dashboard.forms import DashboardFilterForm, PeriodForm, SummaryFilterForm

bp = Blueprint("dashboard", __name__)


def _forbidden(message: str | None = None) -> tuple[str, int]:
    text = message or gettext("The dashboard is for officials of public bodies and for administrators. "
                              "The summary of public figures is open to everyone.")
    return render_template("errors/403.html", message=text), 403


def _elsewhere() -> tuple[str, int]:
    return _forbidden(gettext("You can see the figures of the territory of your public body and of the places inside it, not of other places."))


def _bad_request(form: Any) -> tuple[str, int]:
    messages = [str(m) for name, errors in form.errors.items() if name != "csrf_token" for m in errors] + list(form.form_errors)
    return render_template("errors/400.html", message=" ".join(messages) or None), 400


def _scope(form: DashboardFilterForm | SummaryFilterForm, make: Any) -> Scope | None:
    """The scope from valid filters, or None with the errors put on the form."""
    if not form.validate():
        return None
    try:
        return make(form.to_filters())  # type: ignore[no-any-return]
    except ValidationFailed as exc:
        apply_errors(form, exc)
        return None


def _sections(scope: Scope) -> list[tuple[Any, Any]]:
    rtl = text_direction(str(get_locale() or "it")) == "rtl"
    tables = dashboard_figures.tables(dashboard.figures(scope))
    return [(t, dashboard_figures.bar_chart(t, rtl=rtl, number=format_decimal)) for t in tables]


def _args(scope: Scope) -> dict[str, str]:
    """The filters of the scope as query arguments (for the CSV links)."""
    args = {"period_from": scope.period_from.isoformat(), "period_to": scope.period_to.isoformat()}
    if scope.territory is not None:
        args["territory"] = scope.territory.istat_code
    if scope.action:
        args["action"] = scope.action
    return args


def _csv(body: str, scope: Scope, name: str) -> Response:
    place = scope.territory.istat_code if scope.territory is not None else "italia"
    filename = f"{name}-{place}-{scope.period_from.isoformat()}-{scope.period_to.isoformat()}.csv"
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/dashboard/")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not dashboard.may_view(actor):
        return _forbidden()
    form = DashboardFilterForm(request.args)
    try:
        scope = _scope(form, lambda filters: dashboard.scope_for(actor, filters))
    except PermissionDenied:
        return _elsewhere()
    own = dashboard.own_territories(actor)
    if scope is None:
        return render_template("dashboard/index.html", form=form, scope=None, sections=[], own=own, args={}), 400
    form.territory.data = scope.territory.istat_code if scope.territory is not None else ""
    return render_template("dashboard/index.html", form=form, scope=scope, sections=_sections(scope), own=own, args=_args(scope))


@bp.get("/dashboard/<name>.csv")
@login_required
def table_csv(name: str):  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not dashboard.may_view(actor):
        return _forbidden()
    if name not in dashboard_figures.TABLES:
        abort(404)
    form = DashboardFilterForm(request.args)
    try:
        scope = _scope(form, lambda filters: dashboard.scope_for(actor, filters))
    except PermissionDenied:
        return _elsewhere()
    if scope is None:
        return _bad_request(form)
    return _csv(dashboard_figures.table_csv(dashboard_figures.table_for(scope, name)), scope, name)


@bp.get("/dashboard/fami.csv")
@login_required
def fami():  # type: ignore[no-untyped-def]
    actor = require_actor()
    if not dashboard.may_view(actor):
        return _forbidden()
    form = PeriodForm(request.args)
    if form.validate():
        try:
            body = dashboard_figures.fami_csv(actor, form.period_from.data, form.period_to.data)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            response = Response(body, mimetype="text/csv")
            response.headers["Content-Type"] = "text/csv; charset=utf-8"
            response.headers["Content-Disposition"] = 'attachment; filename="fami-indicators.csv"'
            return response
    return _bad_request(form)


def _summary_form() -> SummaryFilterForm:
    form = SummaryFilterForm(request.args)
    form.set_regions(dashboard.regions())
    return form


@bp.get("/dashboard/summary")
@per_ip_all("RATELIMIT_FIGURES")
def summary():  # type: ignore[no-untyped-def]
    form = _summary_form()
    scope = _scope(form, dashboard.public_scope)
    if scope is None:
        return render_template("dashboard/summary.html", form=form, scope=None, sections=[], args={}), 400
    return render_template("dashboard/summary.html", form=form, scope=scope, sections=_sections(scope), args=_args(scope))


@bp.get("/dashboard/summary/<name>.csv")
@per_ip_all("RATELIMIT_FIGURES")
def summary_csv(name: str):  # type: ignore[no-untyped-def]
    if name not in dashboard_figures.TABLES:
        abort(404)
    form = _summary_form()
    scope = _scope(form, dashboard.public_scope)
    if scope is None:
        return _bad_request(form)
    return _csv(dashboard_figures.table_csv(dashboard_figures.table_for(scope, name)), scope, f"summary-{name}")
