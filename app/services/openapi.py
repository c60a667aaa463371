"""The OpenAPI 3.1 document of the open data API (``/api/v1/openapi.json``), built from the
same enums as the models so that it cannot drift from what the API answers.

Objects are closed (``additionalProperties: false``) and every property is always present
(``null`` when empty), so a schema-driven fuzzer can check every answer exactly.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any

from app.i18n import ACTION_NAMES
from models import (
    PUBLIC_STATUSES,
    Area,
    AuthorityType,
    Eligibility,
    EventKind,
    EventMode,
    ForumKind,
    InitiativeKind,
    LabPhase,
    LegalForm,
    OrgKind,
    PartnerRole,
    ProgressStatus,
    ProposalState,
    Recurrence,
    RegistrationMode,
    ResponseDecision,
    SchoolLevel,
    TargetGroup,
    TerritoryLevel,
    ThirdSectorType,
)

API_VERSION = "1.0.0"
ERROR_CODES = ("bad_request", "not_found", "method_not_allowed", "rate_limited", "internal", "unavailable")
CODE_PATTERN = "^[A-Za-z0-9-]{1,16}$"
SLUG_PATTERN = "^[a-z0-9-]{1,80}$"
CURSOR_PATTERN = "^[A-Za-z0-9_-]{1,200}$"
MAX_ID = 2**31 - 1

# ---------------------------------------------------------------- schema helpers

STR = {"type": "string"}
INT = {"type": "integer"}
COUNT = {"type": "integer", "minimum": 0}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
BOOL = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
ACTIONS = list(ACTION_NAMES)


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, or ``null``."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    out = {**schema, "type": [schema["type"], "null"]}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


def enum(values: type[StrEnum] | list[str] | tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": [getattr(v, "value", v) for v in values]}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object whose properties are all required (but ``optional``)."""
    return {"type": "object", "additionalProperties": False,
            "required": [k for k in properties if k not in optional], "properties": properties}


def _n(schema: dict[str, Any]) -> dict[str, Any]:
    return nullable(schema)


# ---------------------------------------------------------------- resources

TERRITORY_REF = {"istat_code": STR, "name": STR, "level": enum(TerritoryLevel)}
ORG_REF = {"slug": STR, "name": STR, "kind": enum(OrgKind)}
TRANSLATIONS = {"type": "object", "additionalProperties": ref("Translation"),
                "description": "Title and description in other languages, by language code."}

TERRITORY = {"istat_code": STR, "name": STR, "name_other": _n(STR), "level": enum(TerritoryLevel),
             "parent": _n(ref("TerritoryRef")), "car_code": _n(STR), "is_capital": BOOL}
ORGANIZATION = {"id": ID, "slug": STR, "name": STR, "kind": enum(OrgKind), "is_verified": BOOL, "verified_at": _n(DATETIME),
                "home_territory": ref("TerritoryRef"), "areas": array(enum(Area)), "members_count": COUNT,
                "website": _n(STR), "created_at": DATETIME}
ORGANIZATION_DETAIL = {
    **ORGANIZATION, "address": _n(STR), "email": _n(STR), "phone": _n(STR), "communities_served": _n(STR),
    "runts_number": _n(STR), "founding_year": _n(INT), "school_code": _n(STR), "authority_type": _n(enum(AuthorityType)),
    "school_level": _n(enum(SchoolLevel)), "third_sector_type": _n(enum(ThirdSectorType)), "legal_form": _n(enum(LegalForm)),
    "social_links": array(STR), "languages": array(STR), "served_territories": array(ref("TerritoryRef")),
    "descriptions": array(obj({"language": STR, "is_original": BOOL, "body": STR, "body_html": STR})),
}
FORUM = {"id": ID, "slug": STR, "kind": enum(ForumKind), "action": _n(enum(ACTIONS)), "territory": ref("TerritoryRef"),
         "threads_count": COUNT, "members_count": COUNT, "last_activity_at": _n(DATETIME), "created_at": DATETIME}
THREAD = {"id": ID, "forum": STR, "title": STR, "action": _n(enum(ACTIONS)), "is_pinned": BOOL, "is_locked": BOOL,
          "posts_count": COUNT, "organization": _n(ref("OrganizationRef")), "created_at": DATETIME, "last_post_at": DATETIME}
POST = {"position": ID, "organization": _n(ref("OrganizationRef")), "is_official": BOOL, "reply_to_position": _n(INT),
        "body": STR, "body_html": STR, "created_at": DATETIME, "edited_at": _n(DATETIME)}
LAB = {"id": ID, "slug": STR, "title": STR, "convener": _n(ref("OrganizationRef")), "territory": ref("TerritoryRef"),
       "actions": array(enum(ACTIONS)), "phase": enum(LabPhase), "is_standing": BOOL, "proposals_at": DATETIME,
       "deliberation_at": _n(DATETIME), "voting_at": _n(DATETIME), "results_at": _n(DATETIME), "follow_up_at": _n(DATETIME),
       "support_threshold": COUNT, "votes_per_participant": COUNT, "eligibility": enum(Eligibility), "response_days": COUNT,
       "proposals_count": COUNT, "created_at": DATETIME}
RESPONSE = {"decision": enum(ResponseDecision), "organization": _n(ref("OrganizationRef")), "text": STR, "text_html": STR,
            "office": _n(STR), "next_step": _n(STR), "contact": _n(STR), "cost_estimate_cents": _n(INT),
            "expected_on": _n(DAY), "created_at": DATETIME, "updated_at": DATETIME}
PROPOSAL = {"id": ID, "lab": obj({"slug": STR, "title": STR}), "title": STR, "summary": STR, "action": _n(enum(ACTIONS)),
            "status": enum([s for s in ProposalState if s != ProposalState.DRAFT]), "organization": _n(ref("OrganizationRef")),
            "authority": _n(ref("OrganizationRef")), "supports_count": COUNT, "comments_count": COUNT,
            "votes_count": {**_n(COUNT), "description": "Shown once the lab has published its results."},
            "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100}, "published_at": _n(DATETIME),
            "threshold_reached_at": _n(DATETIME), "due_at": _n(DATETIME), "answered_at": _n(DATETIME),
            "withdrawn_at": _n(DATETIME), "response": _n(ref("ProposalResponse"))}
PROGRESS = {"happened_on": DAY, "percent": {"type": "integer", "minimum": 0, "maximum": 100}, "status": enum(ProgressStatus),
            "text": STR, "text_html": STR}
EVENT = {"id": ID, "title": STR, "language": STR, "kind": enum(EventKind), "action": _n(enum(ACTIONS)),
         "organization": _n(ref("OrganizationRef")), "territory": ref("TerritoryRef"), "mode": enum(EventMode),
         "venue": _n(STR), "address": _n(STR), "online_url": _n(STR), "step_free": _n(BOOL), "childcare": BOOL,
         "languages": array(STR), "interpretation_languages": array(STR), "accessibility_notes": _n(STR), "all_day": BOOL,
         "starts_at": DATETIME, "ends_at": DATETIME, "recurrence": enum(Recurrence), "registration_mode": enum(RegistrationMode),
         "capacity": _n(COUNT), "cancelled_at": _n(DATETIME), "created_at": DATETIME, "updated_at": DATETIME}
SESSION = {"id": ID, "starts_at": DATETIME, "ends_at": DATETIME, "is_cancelled": BOOL, "note": _n(STR), "places_left": _n(COUNT)}
INITIATIVE = {"id": ID, "title": STR, "language": STR, "kind": enum(InitiativeKind), "status": enum(PUBLIC_STATUSES),
              "lead": _n(ref("OrganizationRef")), "territory": ref("TerritoryRef"), "starts_on": DAY, "ends_on": DAY,
              "actions": array(enum(ACTIONS)), "target_groups": array(enum(TargetGroup)), "created_at": DATETIME,
              "updated_at": DATETIME}
PRACTICE = {"id": ID, "title": STR, "language": STR, "initiative": obj({"id": ID, "title": STR, "kind": enum(InitiativeKind)}),
            "lead": _n(ref("OrganizationRef")), "territory": ref("TerritoryRef"), "designated_at": DATETIME, "updated_at": DATETIME}
CARD = {name: STR for field in ("problem", "method", "results", "replication") for name in (field, f"{field}_html")}

RESOURCES: dict[str, dict[str, Any]] = {
    "TerritoryRef": obj(TERRITORY_REF),
    "OrganizationRef": obj(ORG_REF),
    "Translation": obj({"title": STR, "description": STR, "description_html": STR}),
    "Territory": obj(TERRITORY),
    "TerritoryDetail": obj({**TERRITORY, "ancestors": array(ref("TerritoryRef"))}),
    "Organization": obj(ORGANIZATION),
    "OrganizationDetail": obj(ORGANIZATION_DETAIL),
    "Forum": obj(FORUM),
    "Thread": obj(THREAD),
    "Post": obj(POST),
    "ThreadDetail": obj({**THREAD, "posts": array(ref("Post"))}),
    "Lab": obj(LAB),
    "LabDetail": obj({**LAB, "description": STR, "description_html": STR}),
    "ProposalResponse": obj(RESPONSE),
    "Proposal": obj(PROPOSAL),
    "ProposalDetail": obj({**PROPOSAL, "body": STR, "body_html": STR, "sponsors": array(ref("OrganizationRef")),
                           "progress": array(obj(PROGRESS))}),
    "Event": obj(EVENT),
    "EventSession": obj(SESSION),
    "EventDetail": obj({**EVENT, "description": STR, "description_html": STR, "cancel_reason": _n(STR),
                        "sessions": array(ref("EventSession")), "co_organizers": array(ref("OrganizationRef")),
                        "translations": TRANSLATIONS}),
    "Initiative": obj(INITIATIVE),
    "InitiativeDetail": obj({**INITIATIVE, "objectives": array(STR), "description": STR, "description_html": STR,
                             "partners": array(obj({"organization": _n(ref("OrganizationRef")), "role": enum(PartnerRole)})),
                             "translations": TRANSLATIONS, "good_practice_id": _n(ID)}),
    "GoodPractice": obj(PRACTICE),
    "GoodPracticeDetail": obj({**PRACTICE, **CARD, "contact": _n(STR)}),
    "Error": obj({"error": obj({"code": enum(ERROR_CODES), "message": STR,
                                "fields": {"type": "object", "additionalProperties": STR,
                                           "description": "What was wrong with each parameter."}}, optional=("fields",))}),
}

# ---------------------------------------------------------------- parameters


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


PARAMETERS: dict[str, dict[str, Any]] = {
    "limit": _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Rows per page."),
    "cursor": _query("cursor", {"type": "string", "pattern": CURSOR_PATTERN},
                     "The `next_cursor` of the previous page; anything else is a 400."),
    "territory": _query("territory", {"type": "string", "pattern": CODE_PATTERN},
                        "ISTAT code of a territory: the territory and everything inside it."),
    "action": _query("action", enum(ACTIONS), "One of the four actions of the regional plans."),
    "initiative_kind": _query("kind", enum(InitiativeKind), "Kind of initiative."),
    "istat_code": _path("istat_code", {"type": "string", "pattern": CODE_PATTERN}),
    "slug": _path("slug", {"type": "string", "pattern": SLUG_PATTERN}),
    "id": _path("id", ID),
}


def _p(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/parameters/{name}"}


def _location(param: dict[str, Any]) -> str:
    if "$ref" in param:
        return str(PARAMETERS[param["$ref"].rsplit("/", 1)[-1]]["in"])
    return str(param["in"])


# ---------------------------------------------------------------- responses

_HEADERS_200 = {
    "ETag": {"required": True, "description": "Hash of the body; send it back in If-None-Match.", "schema": STR},
    "Cache-Control": {"required": True, "schema": STR},
    "Access-Control-Allow-Origin": {"required": True, "schema": {"type": "string", "enum": ["*"]}},
}


def _error(description: str, retry: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": ref("Error")}}}
    if retry:
        out["headers"] = {"Retry-After": {"required": True, "description": "Seconds to wait.", "schema": STR}}
    return out


RESPONSES: dict[str, dict[str, Any]] = {
    "NotModified": {"description": "Not modified: the ETag sent in If-None-Match still matches (no body).",
                    "headers": {"ETag": {"required": True, "schema": STR}}},
    "BadRequest": _error("A parameter is not valid (unknown value, bad cursor, limit out of range)."),
    "NotFound": _error("No such public object."),
    "MethodNotAllowed": _error("The API is read-only: GET, HEAD and OPTIONS only."),
    "RateLimited": _error("Too many requests from this address.", retry=True),
    "Internal": _error("Unexpected error."),
    "Unavailable": _error("The database cannot be reached.", retry=True),
}


def _operation(op_id: str, summary: str, schema: str, params: list[dict[str, Any]], *, not_found: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {"description": "OK", "headers": _HEADERS_200, "content": {"application/json": {"schema": ref(schema)}}},
        "304": {"$ref": "#/components/responses/NotModified"},
    }
    if any(_location(p) == "query" for p in params):
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    responses["429"] = {"$ref": "#/components/responses/RateLimited"}
    responses["500"] = {"$ref": "#/components/responses/Internal"}
    responses["503"] = {"$ref": "#/components/responses/Unavailable"}
    return {"get": {"operationId": op_id, "summary": summary, "parameters": params, "responses": responses}}


def _page_schema(item: str) -> dict[str, Any]:
    return obj({"data": array(ref(item)), "next_cursor": nullable(STR)})


def _item_schema(item: str, paginated: bool = False) -> dict[str, Any]:
    return obj({"data": ref(item), "next_cursor": nullable(STR)} if paginated else {"data": ref(item)})


PAGING = [_p("limit"), _p("cursor")]


def _paths() -> dict[str, Any]:
    level = _query("level", enum(TerritoryLevel), "Level of the territories.")
    parent = _query("parent", {"type": "string", "pattern": CODE_PATTERN}, "ISTAT code of the parent: its direct children.")
    org_kind = _query("kind", enum(OrgKind), "Kind of organisation.")
    verified = _query("verified", BOOL, "Only verified (true) or not yet verified (false) organisations.")
    lab = _query("lab", {"type": "string", "pattern": SLUG_PATTERN}, "Slug of a lab.")
    status = _query("status", enum([s for s in ProposalState if s != ProposalState.DRAFT]), "Status of the proposals.")
    organization = _query("organization", {"type": "string", "pattern": SLUG_PATTERN}, "Slug of an organiser or co-organiser.")
    day_from = _query("from", DAY, "Events with a date on or after this day (Europe/Rome).")
    day_to = _query("to", DAY, "Events with a date on or before this day (Europe/Rome).")
    initiative_status = _query("status", enum(PUBLIC_STATUSES), "Status of the initiatives.")
    return {
        "/territories": _operation("listTerritories", "Territories", "TerritoryPage", [level, parent, *PAGING], not_found=False),
        "/territories/{istat_code}": _operation("getTerritory", "One territory", "TerritoryItem", [_p("istat_code")], not_found=True),
        "/organizations": _operation("listOrganizations", "Organisations", "OrganizationPage",
                                     [_p("territory"), org_kind, verified, *PAGING], not_found=False),
        "/organizations/{slug}": _operation("getOrganization", "One organisation", "OrganizationItem", [_p("slug")], not_found=True),
        "/forums": _operation("listForums", "Forums", "ForumPage", [_p("territory"), *PAGING], not_found=False),
        "/forums/{slug}/threads": _operation("listThreads", "Public threads of a forum", "ThreadPage", [_p("slug"), *PAGING], not_found=True),
        "/threads/{id}": _operation("getThread", "One thread with a page of its visible posts", "ThreadItem",
                                    [_p("id"), *PAGING], not_found=True),
        "/labs": _operation("listLabs", "Community labs", "LabPage", [_p("territory"), *PAGING], not_found=False),
        "/labs/{slug}": _operation("getLab", "One lab", "LabItem", [_p("slug")], not_found=True),
        "/proposals": _operation("listProposals", "Proposals", "ProposalPage", [lab, _p("territory"), status, *PAGING], not_found=False),
        "/proposals/{id}": _operation("getProposal", "One proposal with its official response", "ProposalItem", [_p("id")], not_found=True),
        "/events": _operation("listEvents", "Events, by first date", "EventPage",
                              [_p("territory"), organization, day_from, day_to, *PAGING], not_found=False),
        "/events/{id}": _operation("getEvent", "One event with its dates", "EventItem", [_p("id")], not_found=True),
        "/initiatives": _operation("listInitiatives", "Joint initiatives", "InitiativePage",
                                   [_p("initiative_kind"), _p("action"), initiative_status, _p("territory"), *PAGING], not_found=False),
        "/initiatives/{id}": _operation("getInitiative", "One initiative", "InitiativeItem", [_p("id")], not_found=True),
        "/good-practices": _operation("listGoodPractices", "Good practices", "GoodPracticePage",
                                      [_p("initiative_kind"), _p("action"), _p("territory"), *PAGING], not_found=False),
        "/good-practices/{id}": _operation("getGoodPractice", "One good practice", "GoodPracticeItem", [_p("id")], not_found=True),
        "/openapi.json": {"get": {"operationId": "getOpenAPI", "summary": "This document", "responses": {
            "200": {"description": "The OpenAPI document", "headers": _HEADERS_200,
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "304": {"$ref": "#/components/responses/NotModified"},
            "429": {"$ref": "#/components/responses/RateLimited"},
        }}},
    }


LISTS = ("Territory", "Organization", "Forum", "Thread", "Lab", "Proposal", "Event", "Initiative", "GoodPractice")
ITEMS = ("TerritoryDetail", "OrganizationDetail", "LabDetail", "ProposalDetail", "EventDetail", "InitiativeDetail",
         "GoodPracticeDetail")


@cache
def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (built once; callers must not change it)."""
    schemas = dict(RESOURCES)
    schemas.update({f"{name}Page": _page_schema(name) for name in LISTS})
    schemas.update({f"{name.removesuffix('Detail')}Item": _item_schema(name) for name in ITEMS})
    schemas["ThreadItem"] = _item_schema("ThreadDetail", paginated=True)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Ponte open data API",
            "version": API_VERSION,
            "description": (
                "Read-only public data of Ponte: territories, organisations, forums, labs and proposals, events, "
                "initiatives and good practices. Lists are pages of `limit` rows; pass `next_cursor` back as `cursor` "
                "for the next one. Texts are in the language they were written in. Answers carry an ETag: send it "
                "in If-None-Match to get 304. Errors are `{\"error\": {\"code\", \"message\"}}`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _paths(),
        "components": {"schemas": schemas, "parameters": PARAMETERS, "responses": RESPONSES},
    }
