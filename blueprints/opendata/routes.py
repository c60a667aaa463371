"""Open data: Atom feeds of public content, the public data sets as CSV files, the DCAT-AP_IT
catalogue that describes them, and the page that lists all of them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_locale

from app.security.ratelimit import per_ip_all
from app.services import catalog, feeds, opendata

bp = Blueprint("opendata", __name__)

ATOM_TYPE = "application/atom+xml; charset=utf-8"
CACHE = "public, max-age=300"


def _external(endpoint: str, values: dict[str, Any]) -> str:
    return url_for(endpoint, **values, _external=True, _scheme=current_app.config.get("PREFERRED_URL_SCHEME") or "https")


def _base_url() -> str:
    return _external("main.home", {}).rstrip("/")


def _cached(response: Response) -> Response:
    """Public for five minutes; a reader that sends back the ETag gets 304 while nothing changed."""
    response.headers["Cache-Control"] = CACHE
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/opendata/")
def index():  # type: ignore[no-untyped-def]
    return render_template("opendata/index.html", datasets=opendata.DATASETS.values(), feeds=feeds.FEEDS.values())


@bp.get("/feeds/<name>.atom")
def feed(name: str):  # type: ignore[no-untyped-def]
    feeds.get_feed(name)
    filters = {key: request.args.get(key, "")[:100] for key in ("territory", "organization")}
    scope = feeds.scope(filters["territory"], filters["organization"])
    args = {key: value for key, value in {**filters, "lang": request.args.get("lang", "")[:20]}.items() if value}
    body = feeds.atom(name, scope, locale=str(get_locale() or "it"), host=current_app.config.get("SERVER_NAME") or request.host,
                      self_url=_external("opendata.feed", {"name": name, **args}), link=_external)
    return _cached(Response(body, content_type=ATOM_TYPE))


@bp.get("/opendata/<name>.csv")
@per_ip_all("RATELIMIT_FIGURES")
def dataset(name: str):  # type: ignore[no-untyped-def]
    body = opendata.csv_for(name, _base_url())
    response = Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="ponte-{name}.csv"'  # the name is one of ours: csv_for checked it
    return _cached(response)


@bp.get("/catalog.ttl")
@per_ip_all("RATELIMIT_FIGURES")
def catalogue():  # type: ignore[no-untyped-def]
    cfg = current_app.config
    publisher = catalog.Publisher(cfg["CATALOG_PUBLISHER_IPA"], cfg["CATALOG_PUBLISHER_NAME"], cfg["CONTACT_EMAIL"])
    return _cached(Response(catalog.turtle(_base_url(), publisher), content_type="text/turtle; charset=utf-8"))
