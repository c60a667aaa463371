"""Organisations, founding paths, moderation and administration over HTTP: route × role.

One world per test: one person per role, the association they are (or are not) part of, and what
the route under test needs besides (a logo, a pending join request, a spare member, an invitation,
a report in the moderation queue, a hidden profile, informal groups with and without a founding
path…), built only for the routes that use it so that the matrix stays fast. Every GET answers the
expected status; every POST is sent with a valid CSRF token and the form its page would send, and
the database changes only where the person may act (no table gains or loses a row, and the rows of
the tables these routes update stay the same, whenever the answer is a refusal)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.db import db
from app.security import tokens
from app.services import founding, moderation, territories, uploads
from models import (
    FoundingPath,
    Invitation,
    LegalForm,
    MemberRole,
    MembershipStatus,
    Organization,
    OrgKind,
    StepStatus,
    Territory,
    User,
)
from models.base import Base, utcnow
from tests import factories
from tests.conftest import Client, login

# Every route of these four blueprints (checked against the URL map below).
COVERED_ROUTES = {
    "/admin/",
    "/admin/users/<int:user_id>/<any(suspend, unsuspend):choice>",
    "/moderation/",
    "/moderation/reports/<int:report_id>",
    "/founding/",
    "/founding/<slug>",
    "/founding/<slug>/answers",
    "/founding/<slug>/complete",
    "/founding/<slug>/documents/<int:document_id>",
    "/founding/<slug>/documents/<int:document_id>/delete",
    "/founding/<slug>/mentor",
    "/founding/<slug>/mentor/<any(accept, decline):answer>",
    "/founding/<slug>/statute",
    "/founding/<slug>/steps/<key>",
    "/founding/start/<slug>",
    "/invitations/<token>",
    "/organizations/",
    "/organizations/<slug>",
    "/organizations/<slug>/<any(verify, revoke):decision>",
    "/organizations/<slug>/cancel-request",
    "/organizations/<slug>/edit",
    "/organizations/<slug>/invite",
    "/organizations/<slug>/join",
    "/organizations/<slug>/leave",
    "/organizations/<slug>/logo",
    "/organizations/<slug>/logo/remove",
    "/organizations/<slug>/members",
    "/organizations/<slug>/members/<int:membership_id>/<any(approve, decline):decision>",
    "/organizations/<slug>/members/<int:membership_id>/remove",
    "/organizations/<slug>/members/<int:membership_id>/role",
    "/organizations/<slug>/members/<int:membership_id>/transfer",
    "/organizations/<slug>/report",
    "/organizations/new",
}
BLUEPRINTS = ("admin.", "moderation.", "founding.", "organizations.")

ROLES = (
    "anonymous",
    "citizen",  # confirmed account, no membership
    "member",  # member of the association (and of the informal groups)
    "org_admin",  # admin of the association (and of the hidden profile and the informal groups)
    "official",  # official of a verified local authority of the same comune
    "school_staff",  # staff of a school of the same comune
    "mentor_admin",  # admin of a verified association, the one the group invited as its mentor
    "moderator_elsewhere",  # moderator of another region
    "moderator",  # moderator of the region the association is in
    "platform_admin",
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENTITY_CODE = "80012345676"  # a valid 11-digit codice fiscale of an entity
# The tables these routes update in place (a refusal must leave their rows as they are); every
# table is also checked for rows added or removed.
UPDATED_IN_PLACE = ("users", "organizations", "memberships", "invitations", "reports", "founding_paths", "founding_steps",
                    "founding_documents", "stored_files", "role_assignments")


@dataclass
class World:
    comune: Territory
    association: Organization  # unverified: a moderator may verify it
    mentor: Organization
    people: dict[str, User | None]
    ids: dict[str, Any] = field(default_factory=dict)  # what fills the route templates
    groups: dict[str, Organization] = field(default_factory=dict)

    @property
    def admin(self) -> User:
        return self.people["org_admin"]  # type: ignore[return-value]

    @property
    def member(self) -> User:
        return self.people["member"]  # type: ignore[return-value]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 24), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def _logo(w: World) -> None:
    w.association.logo = uploads.store_image(w.admin, uploads.Upload(filename="logo.png", data=_png()), field="logo")


def _hidden(w: World) -> None:
    w.ids["hidden"] = factories.organization("Rete riservata", home=w.comune, admin=w.admin, is_hidden=True).slug


def _pending(w: World) -> None:
    w.ids["pending"] = factories.member(w.association, factories.user(), status=MembershipStatus.PENDING).id


def _spare(w: World) -> None:
    w.ids["spare"] = factories.member(w.association).id


def _report(w: World) -> None:
    w.ids["report"] = moderation.report_organization(factories.user(), w.association, moderation.ReportDraft(reason="spam")).id


def _user(w: World) -> None:
    w.ids["user"] = factories.user().id


def _token(w: World) -> None:
    """An invitation to join the association, sent to the citizen's address."""
    secret, token_hash = tokens.new_token()
    invitation = Invitation(organization_id=w.association.id, email=w.people["citizen"].email, role=MemberRole.MEMBER,  # type: ignore[union-attr]
                            invited_by_id=w.admin.id, token_hash=token_hash, expires_at=utcnow() + timedelta(days=14))
    db.session.add(invitation)
    w.ids["token"] = secret


def _group(w: World) -> None:
    """An informal group on its founding path, with a signed statute uploaded and the mentor invited."""
    group = factories.organization("Donne del Sahel", kind=OrgKind.INFORMAL_GROUP, home=w.comune, admin=w.admin)
    factories.member(group, w.member)
    path = founding.start_path(w.admin, group)
    step = founding.update_step(w.admin, path, "statute", "in_progress", "", uploads.Upload(filename="statuto.pdf", data=PDF))
    founding.invite_mentor(w.admin, path, w.mentor.slug)
    w.groups["group"], w.ids["group"], w.ids["doc"] = group, group.slug, step.documents[0].id


def _fresh(w: World) -> None:
    """An informal group whose path has every step done (ready to complete) and no mentor yet."""
    group = factories.organization("Giovani in Rete", kind=OrgKind.INFORMAL_GROUP, home=w.comune, admin=w.admin)
    factories.member(group, w.member)
    path = founding.start_path(w.admin, group)
    path.legal_form, path.purpose = LegalForm.APS, "Doposcuola e sport per ragazze e ragazzi."
    path.founding_members = ["Amina Diallo", "Oleksandr Koval", "Fatima Rahman"]
    for step in path.steps:
        step.status = StepStatus.DONE
    w.groups["fresh"], w.ids["fresh"] = group, group.slug


def _new_group(w: World) -> None:
    w.ids["new_group"] = factories.organization("Cucine del Mondo", kind=OrgKind.INFORMAL_GROUP, home=w.comune, admin=w.admin).slug


# What a route needs besides the people and the association: by placeholder (and the logo by name).
EXTRAS: dict[str, Callable[[World], None]] = {
    "hidden": _hidden, "pending": _pending, "spare": _spare, "report": _report, "user": _user, "token": _token,
    "group": _group, "doc": _group, "fresh": _fresh, "new_group": _new_group,
}


@pytest.fixture
def world(request, session, tmp_path):  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _, comune = factories.chain()
    people: dict[str, User | None] = {
        "anonymous": None, "citizen": factories.user(), "member": factories.user(), "org_admin": factories.user(),
        "official": factories.user(), "school_staff": factories.user(), "mentor_admin": factories.user(),
        "moderator_elsewhere": factories.moderator(factories.territory()), "moderator": factories.moderator(region),
        "platform_admin": factories.admin(),
    }
    association = factories.organization("Teranga", home=comune, admin=people["org_admin"])
    factories.member(association, people["member"])
    authority = factories.organization("Comune amico", kind=OrgKind.LOCAL_AUTHORITY, home=comune, verified=True)
    factories.member(authority, people["official"], MemberRole.OFFICIAL)
    school = factories.organization("Scuola Gramsci", kind=OrgKind.SCHOOL, home=comune)
    factories.member(school, people["school_staff"], MemberRole.STAFF)
    mentor = factories.organization("Casa dei Popoli", home=comune, admin=people["mentor_admin"], verified=True)
    built = World(comune, association, mentor, people, {"slug": association.slug})
    route = request.node.callspec.params["route"]
    if "/logo" in route:
        _logo(built)
    for name in re.findall(r"\{(\w+)\}", route):
        if name not in built.ids:
            EXTRAS[name](built)
    session.flush()
    yield built
    uploads.configure(previous)


# ---------------------------------------------------------------- the matrix

LOGIN = "login"  # 302 to the login page
DONE = "done"  # 302 back to a page, and the database changed
KEPT = "kept"  # 302 back to a page with a message saying why not (already asked, last admin…): nothing changed

R = {role: n for n, role in enumerate(ROLES)}
ALL = lambda value: (value,) * len(ROLES)  # noqa: E731 — a row with one answer for everybody
GROUP_PAGE = (LOGIN, 404, 200, 200, 404, 404, 200, 404, 200, 200)  # members, the invited mentor and staff see the path
ORG_ADMINS = (LOGIN, 403, 403, DONE, 403, 403, 403, 403, 403, DONE)  # the association's admins and platform admins
MANAGE_PATH = (LOGIN, 404, 403, DONE, 404, 404, 403, 404, 403, 403)  # only the group's admins; others who see it: 403

MATRIX: dict[str, tuple[int | str, ...]] = {
    # organisations
    "GET /organizations/": ALL(200),
    "GET /organizations/{slug}": ALL(200),
    "GET /organizations/{hidden}": (404, 404, 404, 200, 404, 404, 404, 404, 200, 200),  # its members and staff only
    "GET /organizations/new": (LOGIN, *ALL(200)[1:]),
    "POST /organizations/new": (LOGIN, *ALL(DONE)[1:]),
    "GET /organizations/{slug}/edit": (LOGIN, 403, 403, 200, 403, 403, 403, 403, 403, 200),
    "POST /organizations/{slug}/edit": ORG_ADMINS,
    "GET /organizations/{slug}/logo": ALL(200),
    "POST /organizations/{slug}/logo/remove": ORG_ADMINS,
    "POST /organizations/{slug}/join": (LOGIN, DONE, KEPT, KEPT, DONE, DONE, DONE, DONE, DONE, DONE),
    "POST /organizations/{slug}/cancel-request": (LOGIN, *ALL(KEPT)[1:]),  # nobody withdraws someone else's request
    "POST /organizations/{slug}/leave": (LOGIN, KEPT, DONE, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT, KEPT),  # the last admin stays
    "GET /organizations/{slug}/members": (LOGIN, 403, 200, 200, 403, 403, 403, 403, 200, 200),
    "POST /organizations/{slug}/invite": ORG_ADMINS,
    "POST /organizations/{slug}/members/{pending}/approve": ORG_ADMINS,
    "POST /organizations/{slug}/members/{spare}/role": ORG_ADMINS,
    "POST /organizations/{slug}/members/{spare}/remove": ORG_ADMINS,
    # a platform admin is not a member: nothing to hand over
    "POST /organizations/{slug}/members/{spare}/transfer": (LOGIN, 403, 403, DONE, 403, 403, 403, 403, 403, KEPT),
    # only those who manage the members learn that a membership id is not there
    "POST /organizations/{slug}/members/999999/remove": (LOGIN, 403, 403, 404, 403, 403, 403, 403, 403, 404),
    "POST /organizations/{slug}/verify": (LOGIN, 403, 403, 403, 403, 403, 403, 403, DONE, DONE),
    "GET /organizations/{slug}/report": (LOGIN, *ALL(200)[1:]),
    "POST /organizations/{slug}/report": (LOGIN, *ALL(DONE)[1:]),
    "GET /invitations/{token}": ALL(200),
    "GET /invitations/not-a-valid-token": ALL(400),
    # only the invited address accepts; a visitor sees the page that asks them to log in
    "POST /invitations/{token}": (200, DONE, 400, 400, 400, 400, 400, 400, 400, 400),
    # founding paths
    "GET /founding/": ALL(200),
    "POST /founding/start/{new_group}": (LOGIN, 403, 403, DONE, 403, 403, 403, 403, 403, 403),
    "POST /founding/start/{slug}": (LOGIN, *ALL(403)[1:]),  # an association is not an informal group
    "GET /founding/{group}": GROUP_PAGE,
    "GET /founding/{hidden}": (LOGIN, *ALL(404)[1:]),  # no path
    "GET /founding/{group}/statute": GROUP_PAGE,
    "GET /founding/{group}/documents/{doc}": GROUP_PAGE,
    "POST /founding/{group}/answers": MANAGE_PATH,
    "POST /founding/{group}/steps/statute": MANAGE_PATH,
    "POST /founding/{group}/documents/{doc}/delete": MANAGE_PATH,
    "POST /founding/{fresh}/mentor": (LOGIN, 404, 403, DONE, 404, 404, 404, 404, 403, 403),
    "POST /founding/{group}/mentor/accept": (LOGIN, 404, 403, 403, 404, 404, DONE, 404, 403, 403),
    "POST /founding/{fresh}/complete": (LOGIN, 404, 403, DONE, 404, 404, 404, 404, 403, 403),
    # moderation and administration
    "GET /moderation/": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 200),
    "POST /moderation/reports/{report}": (LOGIN, 403, 403, 403, 403, 403, 403, 403, DONE, DONE),
    "POST /moderation/reports/999999": (LOGIN, 403, 403, 403, 403, 403, 403, 404, 404, 404),  # only moderators learn it is not there
    "GET /admin/": (LOGIN, *ALL(403)[1:-1], 200),
    "POST /admin/users/{user}/suspend": (LOGIN, *ALL(403)[1:-1], DONE),
    "POST /admin/users/999999/suspend": (LOGIN, *ALL(403)[1:-1], 404),  # only administrators learn who has an account
}

CSRF = object()  # replaced by the browser's token (founding forms carry it under their prefix too)


def _prefixed(prefix: str, **fields: Any) -> dict[str, Any]:
    return {f"{prefix}-{name}": value for name, value in {**fields, "csrf_token": CSRF}.items()}


def _version(session: Any, org: Organization) -> str:
    return str(session.scalar(select(FoundingPath.version).where(FoundingPath.organization_id == org.id)))


def _profile(w: World, session: Any) -> dict[str, Any]:
    org_version = session.scalar(select(Organization.version).where(Organization.id == w.association.id))
    return {"name": "Teranga Lecce", "kind": "migrant_association", "home_territory": territories.label(w.comune),
            "original_language": "it", "version": str(org_version)}


# The form each POST sends (what the page's own form would send), from the world and the test's session.
FORMS: dict[str, Callable[[World, Any], dict[str, Any]]] = {
    "/organizations/new": lambda w, s: {**_profile(w, s), "name": "Nuova Associazione"},
    "/organizations/{slug}/edit": _profile,
    "/organizations/{slug}/join": lambda w, s: {"message": "Vorrei dare una mano."},
    "/organizations/{slug}/invite": lambda w, s: {"email": "nuova.persona@example.org", "role": "member"},
    "/organizations/{slug}/members/{pending}/approve": lambda w, s: {"message": "Benvenuta!"},
    "/organizations/{slug}/members/{spare}/role": lambda w, s: {"role": "admin"},
    "/organizations/{slug}/verify": lambda w, s: {"note": "Iscrizione RUNTS vista."},
    "/organizations/{slug}/report": lambda w, s: {"reason": "spam", "message": "Sembra un profilo falso."},
    "/founding/{group}/answers": lambda w, s: _prefixed(
        "answers", legal_form="odv", association_name="Donne del Sahel ODV", purpose="Lezioni di italiano.",
        seat_address="Via Roma 1, 70121 Bari", founding_members="Amina Diallo\nAwa Ndiaye\nFatou Sow", version=_version(s, w.groups["group"])),
    "/founding/{group}/steps/statute": lambda w, s: _prefixed(
        "statute", status="in_progress", notes="Appuntamento dal notaio giovedì.", version=_version(s, w.groups["group"])),
    "/founding/{fresh}/mentor": lambda w, s: _prefixed("mentor", mentor=w.mentor.slug),
    "/founding/{fresh}/complete": lambda w, s: _prefixed(
        "complete", tax_code=ENTITY_CODE, runts_number="123456", kind="migrant_association", version=_version(s, w.groups["fresh"])),
    "/moderation/reports/{report}": lambda w, s: {"decision": "dismiss", "note": "Nessun problema."},
    "/admin/users/{user}/suspend": lambda w, s: {"reason": "Messaggi offensivi ripetuti."},
}

# Cells where the application answers something other than what the product should do (reported;
# strict: the mark fails once the application is fixed). Both views look the object up before any
# permission check, so anyone logged in learns which ids exist (404) instead of being refused (403).
def _cases() -> list[Any]:
    cases = []
    for route, row in MATRIX.items():
        assert len(row) == len(ROLES), route
        for role in ROLES:
            cases.append(pytest.param(route, role, id=f"{route}-{role}"))
    return cases


def _snapshot(session: Any) -> dict[str, Any]:
    """How many rows every table holds, and the rows of the tables these routes update in place."""
    session.expire_all()
    tables = Base.metadata.tables
    counts = session.execute(select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables.values())))
    rows = {name: sorted((tuple(row) for row in session.execute(select(tables[name]))), key=repr) for name in UPDATED_IN_PLACE}
    return {"rows per table": dict(counts.one()._mapping), **rows}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def test_covered_routes_match_the_url_map(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith(BLUEPRINTS)} == COVERED_ROUTES


def test_the_matrix_walks_every_covered_route(app) -> None:  # type: ignore[no-untyped-def]
    walked = set()
    adapter = app.url_map.bind("ponte.test")
    for route in MATRIX:
        method, path = route.split(" ")
        sample = path.format(slug="s", hidden="s", group="s", fresh="s", new_group="s", doc=1, pending=1, spare=1, report=1, user=1,
                             token="t")
        rule, _ = adapter.match(sample, method=method, return_rule=True)
        walked.add(rule.rule)
    assert walked == COVERED_ROUTES


@pytest.mark.parametrize(("route", "role"), _cases())
def test_route_by_role(app, world, session, route: str, role: str) -> None:  # type: ignore[no-untyped-def]
    expected = MATRIX[route][R[role]]
    method, template = route.split(" ")
    url = template.format(**world.ids)
    app.test_client_class = Client
    browser = app.test_client()
    person = world.people[role]
    if person is not None:
        assert login(browser, person.email, factories.PASSWORD).status_code == 302

    if method == "GET":
        response = browser.get(url)
        response.close()  # a served file is streamed: close it
    else:
        data = FORMS.get(template, lambda w, s: {})(world, session)
        token = browser.csrf_token()
        payload = {name: (token if value is CSRF else value) for name, value in data.items()}
        payload.setdefault("csrf_token", token)
        before = _snapshot(session)
        response = browser.post(url, data=payload)
        changed = _changed(before, _snapshot(session))
        if expected == DONE:
            assert changed, (route, role, "nothing was saved")
        else:
            assert not changed, (route, role, f"refused with {response.status_code}, yet these tables changed: {changed}")

    status = {LOGIN: 302, DONE: 302, KEPT: 302}.get(expected, expected)  # type: ignore[call-overload]
    assert response.status_code == status, (route, role, response.status_code)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login") == (expected == LOGIN), response.headers["Location"]
