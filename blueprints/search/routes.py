"""Search everything: ``/search?q=…&type=…&territory=…&action=…&page=…``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from app.exceptions import ValidationFailed
from app.services import search
from blueprints.common import apply_errors, page_arg
from blueprints.search.forms import KIND_NAMES, SearchForm

bp = Blueprint("search", __name__)

# The page each kind of result links to.
ENDPOINTS = {
    "organization": "organizations.show",
    "thread": "forums.thread",
    "post": "forums.thread",
    "lab": "labs.show",
    "proposal": "proposals.show",
    "event": "events.show",
    "initiative": "initiatives.show",
    "practice": "practices.show",
}


@bp.context_processor
def _names() -> dict[str, Any]:
    return {"kind_names": KIND_NAMES, "endpoints": ENDPOINTS}


@bp.get("/search")
def index():  # type: ignore[no-untyped-def]
    form = SearchForm(request.args)
    page = page_arg(search.MAX_PAGE)
    results = None
    if form.validate():
        try:
            results = search.search(form.to_query(), page)
        except ValidationFailed as exc:
            apply_errors(form, exc)
    return render_template("search/index.html", form=form, results=results), 200 if results is not None else 400
