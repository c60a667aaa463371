"""The read-only open data API (``/api/v1``): JSON for everyone, the same for everyone.

Every answer is readable from any origin (CORS without credentials), carries an ETag (a
matching ``If-None-Match`` gets ``304``) and may be cached for a minute; the whole API shares
one per-address rate limit. Errors are ``{"error": {"code", "message"}}`` (``app.errors``).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from app.errors import api_error
from app.exceptions import ValidationFailed
from app.security.ratelimit import limiter
from app.services import openapi, public_api, public_api_activities, public_api_labs
from app.services.public_api import ApiItem, ApiPage

bp = Blueprint("api", __name__, url_prefix="/api/v1")
limiter.shared_limit(lambda: current_app.config["RATELIMIT_API"], scope="api")(bp)

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
EXPOSED_HEADERS = "ETag, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"


def _params() -> dict[str, str]:
    """The query string, first value of each name (filters are validated by the services)."""
    return request.args.to_dict()


def _send(result: ApiPage | ApiItem) -> Response:
    if isinstance(result, ApiPage):
        return jsonify({"data": result.data, "next_cursor": result.next_cursor})
    body = {"data": result.data, "next_cursor": result.next_cursor} if result.paginated else {"data": result.data}
    return jsonify(body)


@bp.errorhandler(ValidationFailed)
def _bad_request(exc: ValidationFailed) -> Response:
    return api_error(400, None, exc.errors)  # type: ignore[no-any-return]


@bp.after_request
def _public_json(response: Response) -> Response:
    """CORS for everyone (no credentials), preflights answered with 204, ETag and a short
    public cache on every 200."""
    headers = response.headers
    headers["Access-Control-Allow-Origin"] = "*"
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and response.status_code == 200:
        response.status_code = 204
        response.set_data(b"")
        headers.pop("Content-Type", None)
        headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        headers["Access-Control-Allow-Headers"] = "If-None-Match"
        headers["Access-Control-Max-Age"] = "86400"
        headers["Allow"] = ALLOWED_METHODS
        return response
    if response.status_code == 200:
        headers["Cache-Control"] = "public, max-age=60"
        response.add_etag()
        response.make_conditional(request)
    return response


@bp.get("/openapi.json")
def document() -> Response:
    return jsonify(openapi.document())


@bp.get("/territories")
def territories() -> Response:
    return _send(public_api.list_territories(_params()))


@bp.get("/territories/<istat_code>")
def territory(istat_code: str) -> Response:
    return _send(public_api.get_territory(istat_code))


@bp.get("/organizations")
def organizations() -> Response:
    return _send(public_api.list_organizations(_params()))


@bp.get("/organizations/<slug>")
def organization(slug: str) -> Response:
    return _send(public_api.get_organization(slug))


@bp.get("/forums")
def forums() -> Response:
    return _send(public_api.list_forums(_params()))


@bp.get("/forums/<slug>/threads")
def threads(slug: str) -> Response:
    return _send(public_api.list_threads(slug, _params()))


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> Response:
    return _send(public_api.get_thread(thread_id, _params()))


@bp.get("/labs")
def labs() -> Response:
    return _send(public_api_labs.list_labs(_params()))


@bp.get("/labs/<slug>")
def lab(slug: str) -> Response:
    return _send(public_api_labs.get_lab(slug))


@bp.get("/proposals")
def proposals() -> Response:
    return _send(public_api_labs.list_proposals(_params()))


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> Response:
    return _send(public_api_labs.get_proposal(proposal_id))


@bp.get("/events")
def events() -> Response:
    return _send(public_api_activities.list_events(_params()))


@bp.get("/events/<int:event_id>")
def event(event_id: int) -> Response:
    return _send(public_api_activities.get_event(event_id))


@bp.get("/initiatives")
def initiatives() -> Response:
    return _send(public_api_activities.list_initiatives(_params()))


@bp.get("/initiatives/<int:initiative_id>")
def initiative(initiative_id: int) -> Response:
    return _send(public_api_activities.get_initiative(initiative_id))


@bp.get("/good-practices")
def good_practices() -> Response:
    return _send(public_api_activities.list_good_practices(_params()))


@bp.get("/good-practices/<int:practice_id>")
def good_practice(practice_id: int) -> Response:
    return _send(public_api_activities.get_good_practice(practice_id))
