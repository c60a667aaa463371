"""Proposal pages over HTTP: route × role, the whole path from draft to follow-up through the
forms, supports and capped votes, comments and replies, reports, attachments, XSS in every sink."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.services import labs, proposals, responses, uploads
from app.services.labs import LabDraft
from app.services.proposals import ProposalDraft
from models import (
    Lab,
    MemberRole,
    Notification,
    Organization,
    OrgKind,
    Proposal,
    ProposalComment,
    ProposalResponse,
    ProposalSponsor,
    ProposalState,
    ProposalSupport,
    ProposalVote,
    SponsorStatus,
    User,
)
from tests import factories
from tests.conftest import login
from tests.web.test_forums import _assert_inert
from tests.web.test_query_budget import count_queries

# Every route this blueprint adds (the lead checks them against the URL map in test_pages.py).
COVERED_ROUTES = {
    "/labs/<slug>/proposals/new",
    "/proposals/<int:proposal_id>",
    "/proposals/<int:proposal_id>/edit",
    "/proposals/<int:proposal_id>/publish",
    "/proposals/<int:proposal_id>/withdraw",
    "/proposals/<int:proposal_id>/<any(support, unsupport, vote, unvote):choice>",
    "/proposals/<int:proposal_id>/comments",
    "/proposals/<int:proposal_id>/comments/<int:comment_id>/delete",
    "/proposals/<int:proposal_id>/report",
    "/proposals/<int:proposal_id>/comments/<int:comment_id>/report",
    "/proposals/<int:proposal_id>/<any(hide, restore):action>",
    "/proposals/<int:proposal_id>/comments/<int:comment_id>/<any(hide, restore):action>",
    "/proposals/<int:proposal_id>/sponsors",
    "/proposals/<int:proposal_id>/sponsors/<int:organization_id>/<any(accept, decline):answer>",
    "/proposals/<int:proposal_id>/attachments",
    "/proposals/<int:proposal_id>/attachments/<int:attachment_id>",
    "/proposals/<int:proposal_id>/attachments/<int:attachment_id>/delete",
    "/proposals/<int:proposal_id>/respond",
    "/proposals/<int:proposal_id>/progress",
    "/proposals/<int:proposal_id>/response/history",
    "/organizations/<slug>/answer-templates",
    "/organizations/<slug>/answer-templates/<int:template_id>/delete",
}

ROLES = ("anonymous", "resident", "outsider", "author", "official", "other_official", "moderator", "other_moderator", "admin")
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", '"><svg onload=alert(1)>']
TEXT = {"title": "Panchine nel parco", "summary": "Mettere dieci panchine nel parco centrale.",
        "body": "Il parco non ha panchine: chi è anziano non può fermarsi a riposare."}
ANSWER = {"decision": "accepted", "text": "Accogliamo la proposta: le panchine saranno installate in primavera.",
          "office": "Ufficio Verde pubblico", "next_step": "Gara per la fornitura entro marzo.", "contact": "verde@comune.example",
          "cost_estimate": "12.500,50", "expected_on": "2031-04-15"}


def today() -> date:
    """Today in Rome, where the lab phases change at midnight."""
    return datetime.now(labs.ROME).date()


def utc_today() -> date:
    """Today as the progress rules see it (no date after this one)."""
    return datetime.now(UTC).date()


def png(size: int = 8) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def person(**kw: Any) -> User:
    return factories.user(locale="en", **kw)


@dataclass
class World:
    lab: Lab
    authority: Organization
    association: Organization
    association_admin: User
    proposal: Proposal
    draft: Proposal
    hidden: Proposal
    comment: ProposalComment
    attachment_id: int
    people: dict[str, User | None]

    def ids(self) -> dict[str, Any]:
        return {"slug": self.lab.slug, "pid": self.proposal.id, "draft": self.draft.id, "hidden": self.hidden.id,
                "cid": self.comment.id, "att": self.attachment_id, "auth_slug": self.authority.slug}


def _lab(official: User, authority: Organization, place: str, **kw: Any) -> Lab:
    data: dict[str, Any] = {"title": "Laboratorio del quartiere", "description": "Proposte dei residenti al Comune per il quartiere.",
                            "territory": place, "proposals_on": today() - timedelta(days=2), "support_threshold": 2,
                            "votes_per_participant": 2, "response_days": 30}
    data.update(kw)
    return labs.create_lab(official, authority, LabDraft(**data))


@pytest.fixture
def world(session, tmp_path):  # type: ignore[no-untyped-def]
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    region, _province, comune = factories.chain()
    other_region, _, other_comune = factories.chain()
    authority_admin = person(home=comune)
    authority = factories.organization("Comune di Prova", kind=OrgKind.LOCAL_AUTHORITY, home=comune, admin=authority_admin, verified=True)
    official = person(home=comune)
    factories.member(authority, official, MemberRole.OFFICIAL)
    other_official = person(home=other_comune)
    factories.organization("Comune Altrove", kind=OrgKind.LOCAL_AUTHORITY, home=other_comune, admin=other_official, verified=True)
    lab = _lab(authority_admin, authority, comune.istat_code)
    author, resident = person(home=comune), person(home=comune)
    association_admin = person(home=comune)
    association = factories.organization("Casa dei Popoli", home=comune, admin=association_admin, verified=True)
    proposal = proposals.create_proposal(author, lab, ProposalDraft(**TEXT), publish=True)
    draft = proposals.create_proposal(author, lab, ProposalDraft(**{**TEXT, "title": "Bozza segreta"}))
    hidden = proposals.create_proposal(author, lab, ProposalDraft(**{**TEXT, "title": "Proposta nascosta"}), publish=True)
    hidden.is_hidden, hidden.hidden_reason = True, "pubblicità"
    comment = proposals.add_comment(resident, proposal, "Ottima idea, servono davvero.")
    attachment = proposals.add_attachment(author, proposal, uploads.Upload("mappa.png", png()), "Mappa del parco")
    session.flush()
    people: dict[str, User | None] = {
        "anonymous": None, "resident": resident, "outsider": person(home=other_comune), "author": author, "official": official,
        "other_official": other_official, "moderator": factories.moderator(region, locale="en"),
        "other_moderator": factories.moderator(other_region, locale="en"), "admin": factories.admin(locale="en"),
    }
    yield World(lab, authority, association, association_admin, proposal, draft, hidden, comment, attachment.id, people)
    uploads.configure(previous)


def _as(client, who: User | None) -> None:  # type: ignore[no-untyped-def]
    client.post_form("/auth/logout")
    if who is not None:
        login(client, who.email, factories.PASSWORD)


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def _count(session, model, **where: Any) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return session.scalar(stmt)


def _fresh(session, proposal_id: int) -> Proposal:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.get(Proposal, proposal_id)


def _version(html: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d*)"', html) or re.search(r'id="version" name="version" type="hidden" value="(\d*)"', html)
    assert match, "no version field"
    return match.group(1)


# ---------------------------------------------------------------- route × role

GET_MATRIX = {
    #                                              anon resid outs  auth  offi  o_off mod   o_mod admin
    "/labs/{slug}/proposals/new":                 (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{pid}":                           (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{draft}":                         (404, 404, 404, 200, 404, 404, 404, 404, 404),
    "/proposals/{hidden}":                        (404, 404, 404, 200, 404, 404, 200, 404, 200),
    "/proposals/999999":                          (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "/proposals/{pid}/edit":                      (302, 403, 403, 200, 403, 403, 403, 403, 403),
    "/proposals/{draft}/edit":                    (302, 404, 404, 200, 404, 404, 404, 404, 404),
    "/proposals/{pid}/report":                    (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{draft}/report":                  (302, 404, 404, 200, 404, 404, 404, 404, 404),
    "/proposals/{pid}/comments/{cid}/report":     (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{pid}/respond":                   (302, 403, 403, 403, 200, 403, 403, 403, 403),
    "/proposals/{hidden}/respond":                (302, 404, 404, 403, 404, 404, 403, 404, 403),
    "/proposals/{pid}/response/history":          (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{hidden}/response/history":       (404, 404, 404, 200, 404, 404, 200, 404, 200),
    "/proposals/{pid}/attachments/{att}":         (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/proposals/{hidden}/attachments/{att}":      (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "/organizations/{auth_slug}/answer-templates": (302, 403, 403, 403, 200, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_pages_by_role(client, world, role_index: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people[ROLES[role_index]])
    for path, expected in GET_MATRIX.items():
        response = client.get(path.format(**world.ids()))
        response.close()  # file downloads hold the file open until closed
        assert response.status_code == expected[role_index], (path, ROLES[role_index], response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/auth/login")


POST_MATRIX: dict[str, tuple[dict[str, str], tuple[int, ...]]] = {
    #                                                              anon resid outs  auth  offi  o_off mod   o_mod admin
    "/proposals/{pid}/hide": ({"reason": "Pubblicità"},            (302, 403, 403, 403, 403, 403, 302, 403, 302)),
    "/proposals/{pid}/respond": (ANSWER,                           (302, 403, 403, 403, 302, 403, 403, 403, 403)),
    "/proposals/{pid}/edit": ({**TEXT, "version": "1"},            (302, 403, 403, 302, 403, 403, 403, 403, 403)),
    "/proposals/{pid}/withdraw": ({"confirm": "y"},                (302, 403, 403, 302, 403, 403, 403, 403, 403)),
    "/proposals/{pid}/comments/{cid}/delete": ({},                 (302, 302, 403, 403, 403, 403, 403, 403, 403)),
    "/proposals/{pid}/comments/{cid}/hide": ({"reason": "Offesa"}, (302, 403, 403, 403, 403, 403, 302, 403, 302)),
    "/proposals/{pid}/attachments/{att}/delete": ({},              (302, 403, 403, 302, 403, 403, 403, 403, 403)),
    "/proposals/{draft}/publish": ({},                             (302, 404, 404, 302, 404, 404, 404, 404, 404)),
}


@pytest.mark.parametrize("path", list(POST_MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_actions_by_role(client, world, path: str, role_index: int) -> None:  # type: ignore[no-untyped-def]
    data, expected = POST_MATRIX[path]
    if path.endswith("/edit"):
        data = {**data, "version": str(world.proposal.version), "authority_id": str(world.authority.id)}
    _as(client, world.people[ROLES[role_index]])
    response = client.post_form(path.format(**world.ids()), data)
    assert response.status_code == expected[role_index], (path, ROLES[role_index], response.status_code)
    if ROLES[role_index] == "anonymous":
        assert response.headers["Location"].startswith("/auth/login")


POSTS = [
    "/labs/{slug}/proposals/new", "/proposals/{pid}/edit", "/proposals/{draft}/publish", "/proposals/{pid}/withdraw",
    "/proposals/{pid}/support", "/proposals/{pid}/vote", "/proposals/{pid}/comments", "/proposals/{pid}/comments/{cid}/delete",
    "/proposals/{pid}/report", "/proposals/{pid}/hide", "/proposals/{pid}/comments/{cid}/hide", "/proposals/{pid}/sponsors",
    "/proposals/{pid}/attachments", "/proposals/{pid}/attachments/{att}/delete", "/proposals/{pid}/respond",
    "/proposals/{pid}/progress", "/organizations/{auth_slug}/answer-templates",
]


@pytest.mark.parametrize("path", POSTS)
def test_posts_without_csrf_are_refused_and_change_nothing(client, world, session, path: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["author"])
    before = (_count(session, Proposal), _count(session, ProposalComment), _count(session, ProposalSupport))
    response = client.post(path.format(**world.ids()), data={**TEXT, **ANSWER, "body": "Un commento qualsiasi", "reason": "spam x"})
    assert response.status_code == 400
    session.expire_all()
    assert (_count(session, Proposal), _count(session, ProposalComment), _count(session, ProposalSupport)) == before
    proposal = session.get(Proposal, world.proposal.id)
    assert proposal.state == ProposalState.PUBLISHED and not proposal.is_hidden and proposal.title == TEXT["title"]


def test_covered_routes_are_exactly_this_blueprints_rules(app) -> None:  # type: ignore[no-untyped-def]
    assert {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("proposals.")} == COVERED_ROUTES


# ---------------------------------------------------------------- writing


def test_new_form_has_draft_and_publish_buttons_and_authority_defaults_to_convener(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["author"])
    page = _page(client, f"/labs/{world.lab.slug}/proposals/new")
    assert 'name="save"' in page and 'name="publish"' in page and 'name="preview"' in page
    assert re.search(rf'<option selected value="{world.authority.id}">|<option value="{world.authority.id}" selected', page)
    preview = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {**TEXT, "body": "**grassetto**", "preview": "1"})
    assert preview.status_code == 200 and "<strong>grassetto</strong>" in preview.get_data(as_text=True)


def test_writing_as_an_organisation_is_offered_only_when_the_lab_allows_it(client, world, session) -> None:  # type: ignore[no-untyped-def]
    author = world.people["author"]
    factories.member(world.association, author)
    _as(client, author)
    assert 'id="organization_id"' in _page(client, f"/labs/{world.lab.slug}/proposals/new")
    world.lab.allow_organization_proposals = False
    session.flush()
    assert 'id="organization_id"' not in _page(client, f"/labs/{world.lab.slug}/proposals/new")


def test_someone_living_elsewhere_sees_why_and_keeps_the_text(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["outsider"])
    response = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {**TEXT, "title": "Una proposta da fuori", "publish": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This lab is for people who live in" in page and "Una proposta da fuori" in page and 'role="alert"' in page


def test_a_closed_lab_refuses_new_proposals_with_a_form_error(client, world, session) -> None:  # type: ignore[no-untyped-def]
    world.lab.proposals_at = labs.start_of_day(today() - timedelta(days=10))
    world.lab.deliberation_at = labs.start_of_day(today() - timedelta(days=1))
    session.flush()
    _as(client, world.people["resident"])
    page = _page(client, f"/labs/{world.lab.slug}/proposals/new")
    assert "This lab is not taking proposals now." in page
    response = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {**TEXT, "title": "Troppo tardi davvero", "save": "1"})
    assert response.status_code == 409 and "Troppo tardi davvero" in response.get_data(as_text=True)


def test_invalid_fields_come_back_on_the_form(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["resident"])
    response = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {"title": "Ciao", "summary": "corto", "body": "breve", "save": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in page and "Write a title of 5 to 160 characters." in page


def test_an_edit_from_an_old_version_is_refused_and_keeps_the_input(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["author"])
    url = f"/proposals/{world.draft.id}/edit"
    version = _version(_page(client, url))
    ok = client.post_form(url, {**TEXT, "title": "Bozza ritoccata", "version": version, "authority_id": str(world.authority.id)})
    assert ok.status_code == 302
    stale = client.post_form(url, {**TEXT, "title": "Bozza vecchia versione", "version": version, "authority_id": str(world.authority.id)})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Bozza vecchia versione" in page and "changed while you were editing" in page
    assert _fresh(session, world.draft.id).title == "Bozza ritoccata"


def test_withdrawing_needs_the_confirmation_box(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["author"])
    page = _page(client, f"/proposals/{world.proposal.id}")
    assert "<details" in page and 'name="confirm"' in page
    client.post_form(f"/proposals/{world.proposal.id}/withdraw", {})
    assert _fresh(session, world.proposal.id).state == ProposalState.PUBLISHED
    client.post_form(f"/proposals/{world.proposal.id}/withdraw", {"confirm": "y"})
    assert _fresh(session, world.proposal.id).state == ProposalState.WITHDRAWN


# ---------------------------------------------------------------- the whole path


def test_draft_to_publish_to_threshold_to_answer_history_and_progress(client, world, session) -> None:  # type: ignore[no-untyped-def]
    people = world.people
    second_resident = person(home=world.lab.territory)
    _as(client, people["author"])
    response = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {**TEXT, "title": "Fontanella nel parco", "save": "1"})
    assert response.status_code == 302
    pid = int(response.headers["Location"].rsplit("/", 1)[1])
    assert _fresh(session, pid).state == ProposalState.DRAFT
    assert "only you can see it" in _page(client, f"/proposals/{pid}")
    me = _page(client, "/me")
    assert "My proposals" in me and "Fontanella nel parco" in me
    client.post_form(f"/proposals/{pid}/publish")
    assert _fresh(session, pid).state == ProposalState.PUBLISHED

    _as(client, people["resident"])
    client.post_form(f"/proposals/{pid}/support")
    again = client.post_form(f"/proposals/{pid}/support", follow_redirects=True)
    assert again.status_code == 200 and "You already support this proposal." in again.get_data(as_text=True)
    assert _count(session, ProposalSupport, proposal_id=pid) == 1
    assert "Withdraw my support" in _page(client, f"/proposals/{pid}")

    _as(client, second_resident)
    client.post_form(f"/proposals/{pid}/support")
    proposal = _fresh(session, pid)
    assert proposal.state == ProposalState.AWAITING_RESPONSE and proposal.supports_count == 2 and proposal.due_at is not None
    notified = set(session.scalars(select(Notification.user_id).where(Notification.kind == "proposal.threshold_reached",
                                                                      Notification.target_id == pid)))
    assert notified == set(proposals.officials_of(world.authority)) and people["official"].id in notified
    page = _page(client, f"/proposals/{pid}")
    assert "Answer due in 30 days" in page or "Answer due in 29 days" in page

    _as(client, people["official"])
    page = _page(client, f"/proposals/{pid}/respond")
    assert 'type="date"' in page and 'type="radio"' in page
    assert client.post_form(f"/proposals/{pid}/respond", {**ANSWER, "version": ""}).status_code == 302
    assert _fresh(session, pid).state == ProposalState.ACCEPTED
    page = _page(client, f"/proposals/{pid}")
    assert "Accogliamo la proposta" in page and "12,500.50 euros" in page and "Ufficio Verde pubblico" in page
    assert "response/history" not in page

    version = _version(_page(client, f"/proposals/{pid}/respond"))
    edited = {**ANSWER, "text": "Accogliamo la proposta con una modifica: otto panchine.", "version": version}
    assert client.post_form(f"/proposals/{pid}/respond", edited).status_code == 302
    stale = client.post_form(f"/proposals/{pid}/respond", {**edited, "text": "Una terza versione che arriva tardi."})
    assert stale.status_code == 409 and "Una terza versione" in stale.get_data(as_text=True)
    page = _page(client, f"/proposals/{pid}")
    assert "otto panchine" in page and f"/proposals/{pid}/response/history" in page

    progress = {"happened_on": utc_today().isoformat(), "text": "Ordinate le prime panchine.", "percent": "40", "status": "in_progress"}
    assert client.post_form(f"/proposals/{pid}/progress", progress).status_code == 302
    bad = client.post_form(f"/proposals/{pid}/progress", {**progress, "percent": "140"})
    assert bad.status_code == 400 and "Ordinate le prime panchine." in bad.get_data(as_text=True)
    assert _fresh(session, pid).state == ProposalState.IN_PROGRESS

    _as(client, None)
    history = _page(client, f"/proposals/{pid}/response/history?lang=en")
    assert "Accogliamo la proposta: le panchine saranno installate in primavera." in history and "otto panchine" in history
    page = _page(client, f"/proposals/{pid}?lang=en")
    assert re.search(r'<progress[^>]*max="100"[^>]*value="40"', page) and "40% done" in page and "Ordinate le prime panchine." in page


def test_an_answer_template_prefills_the_form_without_javascript(client, world, session) -> None:  # type: ignore[no-untyped-def]
    official = world.people["official"]
    _as(client, official)
    url = f"/organizations/{world.authority.slug}/answer-templates"
    assert client.post_form(url, {"name": "Già previsto", "decision": "evaluating",
                                  "text": "La proposta è già nel piano triennale: la valutiamo con gli uffici."}).status_code == 302
    template = responses.templates_of(official, world.authority)[0]
    page = _page(client, f"/proposals/{world.proposal.id}/respond?template={template.id}")
    assert "già nel piano triennale" in page and re.search(r'checked[^>]*value="evaluating"|value="evaluating"[^>]*checked', page)
    assert client.get(f"/proposals/{world.proposal.id}/respond?template=abc").status_code == 400
    assert client.get(f"/proposals/{world.proposal.id}/respond?template=99999").status_code == 404
    assert client.post_form(f"{url}/{template.id}/delete").status_code == 302
    assert responses.templates_of(official, world.authority) == []


def test_sponsor_invitation_is_accepted_from_the_personal_area(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["author"])
    page = _page(client, f"/proposals/{world.proposal.id}")
    assert "Casa dei Popoli" in page and 'name="sponsor"' in page
    client.post_form(f"/proposals/{world.proposal.id}/sponsors", {"sponsor": str(world.association.id)})
    again = client.post_form(f"/proposals/{world.proposal.id}/sponsors", {"sponsor": str(world.association.id)}, follow_redirects=True)
    assert "already invited" in again.get_data(as_text=True)
    _as(client, world.association_admin)
    me = _page(client, "/me")
    assert "Invitations to co-sponsor" in me and TEXT["title"] in me
    response = client.post_form(f"/proposals/{world.proposal.id}/sponsors/{world.association.id}/accept", {"next": "/me"})
    assert response.status_code == 302 and response.headers["Location"] == "/me"
    session.expire_all()
    assert session.get(ProposalSponsor, (world.proposal.id, world.association.id)).status == SponsorStatus.ACCEPTED
    assert "Invitations to co-sponsor" not in _page(client, "/me")
    assert "Co-sponsored by" in _page(client, f"/proposals/{world.proposal.id}")
    _as(client, world.people["resident"])
    assert client.post_form(f"/proposals/{world.proposal.id}/sponsors/{world.association.id}/decline").status_code == 403


def test_invitations_to_a_draft_wait_until_it_is_published(client, world, session) -> None:  # type: ignore[no-untyped-def]
    proposals.invite_sponsor(world.people["author"], world.draft, world.association.id)
    session.flush()
    admin = world.association_admin
    assert proposals.pending_sponsorships(admin) == []
    proposals.publish_proposal(world.people["author"], world.draft)
    session.flush()
    assert [p.id for _, p in proposals.pending_sponsorships(admin)] == [world.draft.id]


# ---------------------------------------------------------------- votes


@pytest.fixture
def voting(world, session):  # type: ignore[no-untyped-def]
    """The lab moved into its voting phase with three proposals; each person has K = 2 votes."""
    extra = [proposals.create_proposal(world.people["author"], world.lab, ProposalDraft(**{**TEXT, "title": f"Proposta numero {i}"}),
                                       publish=True) for i in (2, 3)]
    lab = world.lab
    lab.proposals_at = labs.start_of_day(today() - timedelta(days=10))
    lab.voting_at = labs.start_of_day(today() - timedelta(days=1))
    lab.results_at = labs.start_of_day(today() + timedelta(days=5))
    session.flush()
    return [world.proposal.id, *(p.id for p in extra)]


def test_votes_are_capped_at_k_and_counts_stay_hidden_while_voting(client, world, session, voting) -> None:  # type: ignore[no-untyped-def]
    first, second, third = voting
    _as(client, world.people["resident"])
    page = _page(client, f"/proposals/{first}")
    assert "You have 2 votes left in this lab." in page and "Vote for this proposal" in page
    client.post_form(f"/proposals/{first}/vote")
    again = client.post_form(f"/proposals/{first}/vote", follow_redirects=True).get_data(as_text=True)
    assert "You already voted for this proposal." in again
    client.post_form(f"/proposals/{second}/vote")
    capped = client.post_form(f"/proposals/{third}/vote", follow_redirects=True).get_data(as_text=True)
    assert "You have used all your 2 votes" in capped
    assert _count(session, ProposalVote, user_id=world.people["resident"].id) == 2
    page = _page(client, f"/proposals/{first}")
    assert "Take back my vote" in page and "You have 0 votes left in this lab." in page
    client.post_form(f"/proposals/{first}/unvote")
    client.post_form(f"/proposals/{third}/vote")
    session.expire_all()
    assert {v.proposal_id for v in session.scalars(select(ProposalVote))} == {second, third}
    _as(client, world.people["outsider"])
    page = _page(client, f"/proposals/{second}")
    assert "This lab is for people who live in" in page and "1 vote" not in page
    _as(client, None)
    anonymous = _page(client, f"/proposals/{second}?lang=en")
    assert "1 vote" not in anonymous and "Log in to take part" in anonymous


# ---------------------------------------------------------------- supports and login


def test_visitors_are_asked_to_log_in_with_a_way_back(client, world) -> None:  # type: ignore[no-untyped-def]
    page = _page(client, f"/proposals/{world.proposal.id}?lang=en")
    assert f"/auth/login?next=/proposals/{world.proposal.id}" in page or f"/auth/login?next=%2Fproposals%2F{world.proposal.id}" in page
    assert "Log in to take part" in page and 'action="/proposals/' not in page.split('id="support"')[1].split("</section>")[0]


def test_supports_count_is_public_and_people_elsewhere_see_the_reason(client, world) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["outsider"])
    page = _page(client, f"/proposals/{world.proposal.id}")
    box = page.split('id="support"')[1].split("</section>")[0]
    assert "0 supports" in box and "This lab is for people who live in" in box and "<form" not in box
    warned = client.post_form(f"/proposals/{world.proposal.id}/support", follow_redirects=True)
    assert warned.status_code == 200 and "This lab is for people who live in" in warned.get_data(as_text=True)


# ---------------------------------------------------------------- comments, reports, moderation


def test_comment_reply_and_reply_to_reply_stay_one_level_deep(client, world, session) -> None:  # type: ignore[no-untyped-def]
    pid = world.proposal.id
    _as(client, world.people["author"])
    response = client.post_form(f"/proposals/{pid}/comments", {"body": "Grazie a tutti per il sostegno!"})
    assert response.status_code == 302
    top_id = int(response.headers["Location"].rsplit("#comment-", 1)[1])
    reply = client.post_form(f"/proposals/{pid}/comments", {"body": "Una risposta al commento.", "parent_id": str(top_id)})
    reply_id = int(reply.headers["Location"].rsplit("#comment-", 1)[1])
    deeper = client.post_form(f"/proposals/{pid}/comments", {"body": "Una risposta alla risposta.", "parent_id": str(reply_id)})
    deeper_id = int(deeper.headers["Location"].rsplit("#comment-", 1)[1])
    session.expire_all()
    assert session.get(ProposalComment, reply_id).parent_id == top_id
    assert session.get(ProposalComment, deeper_id).parent_id == top_id
    page = _page(client, f"/proposals/{pid}")
    for cid in (top_id, reply_id, deeper_id):
        assert f'id="comment-{cid}"' in page
    assert page.count("<details") >= 2 and f'name="parent_id" value="{top_id}"' in page
    assert f'name="parent_id" value="{reply_id}"' not in page  # replies are answered in their thread

    client.post_form(f"/proposals/{pid}/comments/{reply_id}/delete")
    assert "Deleted by the author." in _page(client, f"/proposals/{pid}")


def test_a_bad_comment_comes_back_with_its_text_and_error(client, world) -> None:  # type: ignore[no-untyped-def]
    pid = world.proposal.id
    _as(client, world.people["resident"])
    long_text = "b" * 5001
    response = client.post_form(f"/proposals/{pid}/comments", {"body": long_text})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and long_text in page and 'aria-invalid="true"' in page
    reply = client.post_form(f"/proposals/{pid}/comments", {"body": "z", "parent_id": str(world.comment.id)})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "<details class=\"ms-4 mb-3\" open>" in page
    assert "Write between 2 and 5,000 characters." in page


def test_comment_redirect_lands_on_the_page_that_holds_it(client, world, session) -> None:  # type: ignore[no-untyped-def]
    for i in range(proposals.COMMENTS_PER_PAGE + 2):
        proposals.add_comment(world.people["resident"], world.proposal, f"Commento numero {i}")
    session.flush()
    _as(client, world.people["author"])
    response = client.post_form(f"/proposals/{world.proposal.id}/comments", {"body": "L'ultimo commento."})
    location = response.headers["Location"]
    assert "page=2" in location
    assert f'id="comment-{location.rsplit("-", 1)[1]}"' in _page(client, location.split("#")[0])


def test_a_reported_comment_reaches_the_territory_moderator_only(client, world) -> None:  # type: ignore[no-untyped-def]
    url = f"/proposals/{world.proposal.id}/comments/{world.comment.id}/report"
    _as(client, world.people["outsider"])
    assert client.post_form(url, {"reason": "offensive", "message": "Non è gentile."}).status_code == 302
    again = client.post_form(url, {"reason": "offensive"}, follow_redirects=True)
    assert "already reported" in again.get_data(as_text=True)
    _as(client, world.people["moderator"])
    queue = _page(client, "/moderation/")
    assert "Ottima idea, servono davvero." in queue and f"#comment-{world.comment.id}" in queue
    _as(client, world.people["other_moderator"])
    assert "Ottima idea, servono davvero." not in _page(client, "/moderation/")


def test_moderators_hide_and_restore_with_a_reason_the_author_reads(client, world, session) -> None:  # type: ignore[no-untyped-def]
    pid = world.proposal.id
    _as(client, world.people["moderator"])
    client.post_form(f"/proposals/{pid}/hide", {"reason": "Dati personali di altre persone"})
    assert _fresh(session, pid).is_hidden
    client.post_form(f"/proposals/{pid}/comments/{world.comment.id}/hide", {"reason": "Fuori tema"})
    _as(client, world.people["author"])
    page = _page(client, f"/proposals/{pid}")
    assert "Dati personali di altre persone" in page and "Fuori tema" in page and "Ottima idea" not in page
    _as(client, world.people["resident"])
    assert client.get(f"/proposals/{pid}").status_code == 404
    _as(client, world.people["moderator"])
    client.post_form(f"/proposals/{pid}/restore")
    assert not _fresh(session, pid).is_hidden


# ---------------------------------------------------------------- attachments


def test_attachments_accept_a_png_and_refuse_an_exe_named_pdf(client, world, session) -> None:  # type: ignore[no-untyped-def]
    pid = world.draft.id
    _as(client, world.people["author"])
    page = _page(client, f"/proposals/{pid}")
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    ok = client.post_form(f"/proposals/{pid}/attachments", {"title": "Foto del parco", "file": (io.BytesIO(png()), "parco.png")},
                          content_type="multipart/form-data")
    assert ok.status_code == 302
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
    refused = client.post_form(f"/proposals/{pid}/attachments", {"title": "Documento", "file": (io.BytesIO(exe), "documento.pdf")},
                               content_type="multipart/form-data")
    assert refused.status_code == 400 and "This file type is not accepted" in refused.get_data(as_text=True)
    files = proposals.attachments(_fresh(session, pid))
    assert [a.title for a in files] == ["Foto del parco"]
    file_id = files[0].id
    download = client.get(f"/proposals/{pid}/attachments/{file_id}")
    body = download.get_data()
    download.close()
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in download.headers["Content-Security-Policy"]
    assert body.startswith(b"RIFF")  # re-encoded as WebP
    assert client.post_form(f"/proposals/{pid}/attachments/{file_id}/delete").status_code == 302
    assert proposals.attachments(_fresh(session, pid)) == []
    _as(client, world.people["resident"])
    missing = client.get(f"/proposals/{pid}/attachments/{file_id}")
    missing.close()
    assert missing.status_code == 404


# ---------------------------------------------------------------- XSS


@pytest.mark.parametrize("payload", XSS)
def test_xss_never_executes_in_any_sink(client, world, session, payload: str) -> None:  # type: ignore[no-untyped-def]
    people = world.people
    _as(client, people["author"])
    response = client.post_form(f"/labs/{world.lab.slug}/proposals/new", {
        "title": f"Titolo {payload}", "summary": f"Sintesi della proposta {payload}", "body": f"Testo della proposta {payload}",
        "publish": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    pid = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post_form(f"/proposals/{pid}/attachments", {"title": f"Allegato {payload}", "file": (io.BytesIO(png()), f"{payload}.png")},
                     content_type="multipart/form-data")
    _check(_page(client, f"/proposals/{pid}/edit"))
    _check(client.post_form(f"/proposals/{pid}/edit", {"title": "x", "summary": "y", "body": payload, "preview": "1"}).get_data(as_text=True))

    _as(client, people["resident"])
    response = client.post_form(f"/proposals/{pid}/comments", {"body": f"Commento {payload}"})
    cid = int(response.headers["Location"].rsplit("#comment-", 1)[1])
    client.post_form(f"/proposals/{pid}/comments/{cid}/report", {"reason": "spam", "message": payload})
    client.post_form(f"/proposals/{pid}/report", {"reason": "spam", "message": payload})
    _check(client.post_form(f"/proposals/{pid}/comments", {"body": payload * 800}).get_data(as_text=True))
    _check(client.post_form(f"/proposals/{pid}/comments", {"body": payload[:1], "parent_id": str(cid)}).get_data(as_text=True))

    _as(client, people["official"])
    answer = {"decision": "accepted", "text": f"Risposta ufficiale {payload}", "office": f"Ufficio {payload}",
              "next_step": f"Passo {payload}", "contact": f"Contatto {payload}", "cost_estimate": "100", "expected_on": ""}
    assert client.post_form(f"/proposals/{pid}/respond", answer).status_code == 302
    version = _version(_page(client, f"/proposals/{pid}/respond"))
    second = {**answer, "text": f"Seconda risposta {payload}", "version": version}
    assert client.post_form(f"/proposals/{pid}/respond", second).status_code == 302
    _check(client.post_form(f"/proposals/{pid}/respond", {**second, "text": payload}).get_data(as_text=True))  # stale: re-rendered
    progress = {"happened_on": utc_today().isoformat(), "text": f"Avanzamento {payload}", "percent": "10", "status": "in_progress"}
    assert client.post_form(f"/proposals/{pid}/progress", progress).status_code == 302
    export = client.get(f"/labs/{world.lab.slug}/export.csv")  # the convener's CSV: the payload stays inert text
    assert export.status_code == 200 and export.mimetype == "text/csv" and "attachment" in export.headers["Content-Disposition"]
    assert export.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows[1:] if r[0] == str(pid))
    assert row[1] == f"Titolo {payload}" and f"Seconda risposta {payload}" in row
    templates_url = f"/organizations/{world.authority.slug}/answer-templates"
    client.post_form(templates_url, {"name": f"Modello {payload}", "decision": "rejected", "text": f"Testo del modello {payload}"})
    template = responses.templates_of(people["official"], world.authority)[0]
    for url in (f"/proposals/{pid}", f"/labs/{world.lab.slug}", f"/proposals/{pid}/respond", f"/proposals/{pid}/respond?template={template.id}",
                f"/proposals/{pid}/response/history", templates_url):
        _check(_page(client, url))

    _as(client, people["author"])
    for url in (f"/proposals/{pid}", f"/labs/{world.lab.slug}", "/me"):
        _check(_page(client, url))
    _as(client, people["moderator"])
    queue = _page(client, "/moderation/")
    assert "Titolo" in queue and "Commento" in queue
    _check(queue)
    _check(_page(client, f"/proposals/{pid}"))


def _check(html: str) -> None:
    _assert_inert(html)
    for raw in ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:', "onerror=alert(1)>"):
        assert raw not in html, raw


# ---------------------------------------------------------------- budgets


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_proposal_page_query_count_does_not_grow_with_comments(client, world, session, engine, who: str) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people[who])
    counts = []
    for n in (3, 12):
        while _count(session, ProposalComment, proposal_id=world.proposal.id, parent_id=None) < n:
            top = proposals.add_comment(person(), world.proposal, "Sono d'accordo con la proposta.")
            proposals.add_comment(person(), world.proposal, "Anche io.", parent_id=top.id)
        session.flush()
        with count_queries(engine) as statements:
            assert client.get(f"/proposals/{world.proposal.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    if who == "anonymous":
        assert counts[0] <= 6, counts  # the detail-page budget; a logged-in person adds their own rows


def test_bad_page_numbers_are_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    for page in ("0", "abc", "-1"):
        assert client.get(f"/proposals/{world.proposal.id}?page={page}").status_code == 400


def test_response_row_is_one_per_proposal(client, world, session) -> None:  # type: ignore[no-untyped-def]
    _as(client, world.people["official"])
    client.post_form(f"/proposals/{world.proposal.id}/respond", ANSWER)
    assert _count(session, ProposalResponse, proposal_id=world.proposal.id) == 1
    page = _page(client, f"/proposals/{world.proposal.id}")
    assert "Answered by" in page and "April 15, 2031" in page


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_every_page_renders_in_other_languages(client, world, session, lang: str) -> None:  # type: ignore[no-untyped-def]
    responses.respond(world.people["official"], world.proposal, responses.ResponseDraft(**{**ANSWER, "expected_on": date(2031, 4, 15)}))
    responses.add_progress(world.people["official"], world.proposal, responses.ProgressDraft(utc_today(), "Lavori iniziati.", 20, "in_progress"))
    session.flush()
    _as(client, world.people["official"])
    pid = world.proposal.id
    for url in (f"/proposals/{pid}", f"/proposals/{pid}/respond", f"/proposals/{pid}/response/history", f"/proposals/{pid}/report",
                f"/labs/{world.lab.slug}/proposals/new", f"/organizations/{world.authority.slug}/answer-templates", "/me"):
        page = _page(client, f"{url}?lang={lang}")
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page, url


def test_supports_and_votes_are_rate_limited_per_person(client, world, app) -> None:  # type: ignore[no-untyped-def]
    from app.security.ratelimit import limiter

    _as(client, world.people["resident"])
    url = f"/proposals/{world.proposal.id}/"
    previous = app.config["RATELIMIT_PARTICIPATE"]
    app.config["RATELIMIT_PARTICIPATE"] = "3 per minute"
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [client.post_form(url + ("support" if i % 2 == 0 else "unsupport")).status_code for i in range(5)]
    finally:
        limiter.enabled = False
        limiter.reset()
        app.config["RATELIMIT_PARTICIPATE"] = previous
    assert statuses[:3] == [302, 302, 302] and statuses[-1] == 429
