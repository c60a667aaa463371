"""Open data API: community labs and proposals, with support counts and official responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload, lazyload

from app.db import db
from app.exceptions import NotFound, ValidationFailed
from app.i18n import _l
from app.services import labs, proposals, responses
from app.services.public_api import (
    ApiItem,
    ApiPage,
    choice,
    inside,
    iso,
    iso_day,
    keyset,
    org_ref,
    place,
    territory_ref,
    valid_id,
    valid_slug,
)
from models import Lab, Organization, Proposal, ProposalResponse, ProposalState

LISTED_STATES = tuple(s.value for s in ProposalState if s != ProposalState.DRAFT)


def _visible_labs():  # type: ignore[no-untyped-def]
    """Labs whose convener is not hidden (the rule of the lab pages)."""
    return select(Lab).join(Organization, Organization.id == Lab.convener_id).where(Organization.is_hidden.is_(False))


def _lab_ref(lab: Lab) -> dict[str, Any]:
    return {"slug": lab.slug, "title": lab.title}


def _lab(lab: Lab) -> dict[str, Any]:
    return {
        "id": lab.id, "slug": lab.slug, "title": lab.title, "convener": org_ref(lab.convener), "territory": territory_ref(lab.territory),
        "actions": list(lab.actions or []), "phase": lab.phase.value, "is_standing": lab.is_standing,
        "proposals_at": iso(lab.proposals_at), "deliberation_at": iso(lab.deliberation_at), "voting_at": iso(lab.voting_at),
        "results_at": iso(lab.results_at), "follow_up_at": iso(lab.follow_up_at), "support_threshold": lab.support_threshold,
        "votes_per_participant": lab.votes_per_participant, "eligibility": lab.eligibility.value,
        "response_days": lab.response_days, "proposals_count": lab.proposals_count, "created_at": iso(lab.created_at),
    }


def list_labs(params: Mapping[str, str]) -> ApiPage:
    """Labs of visible conveners (on a territory and what is inside it), newest first."""
    where = place(params)
    stmt = _visible_labs()
    if where is not None:
        stmt = stmt.where(Lab.territory_id.in_(inside(where)))
    rows, cursor = keyset(stmt, params, [Lab.id], lambda lab: (lab.id,))
    return ApiPage([_lab(lab) for lab in rows], cursor)


def get_lab(slug: str) -> ApiItem:
    lab = db.session.scalar(_visible_labs().where(Lab.slug == slug)) if valid_slug(slug) else None
    if lab is None:
        raise NotFound(_l("We could not find this lab."))
    return ApiItem({**_lab(lab), "description": lab.description, "description_html": lab.description_html})


# ---------------------------------------------------------------- proposals


def _response(response: ProposalResponse | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return {
        "decision": response.decision.value, "organization": org_ref(response.organization), "text": response.text,
        "text_html": response.text_html, "office": response.office or None, "next_step": response.next_step or None,
        "contact": response.contact or None, "cost_estimate_cents": response.cost_estimate_cents,
        "expected_on": iso_day(response.expected_on), "created_at": iso(response.created_at), "updated_at": iso(response.updated_at),
    }


def _proposal(p: Proposal, response: ProposalResponse | None) -> dict[str, Any]:
    return {
        "id": p.id, "lab": _lab_ref(p.lab), "title": p.title, "summary": p.summary, "action": p.action or None,
        "status": p.state.value, "organization": org_ref(p.organization), "authority": org_ref(p.authority),
        "supports_count": p.supports_count, "comments_count": p.comments_count,
        # Votes are counted in secret until the lab publishes its results.
        "votes_count": p.votes_count if labs.results_published(p.lab) else None,
        "progress_percent": p.progress_percent, "published_at": iso(p.published_at),
        "threshold_reached_at": iso(p.threshold_reached_at), "due_at": iso(p.due_at), "answered_at": iso(p.answered_at),
        "withdrawn_at": iso(p.withdrawn_at), "response": _response(response),
    }


def _public_proposals():  # type: ignore[no-untyped-def]
    """Published (not draft), not hidden, in a lab whose convener is not hidden."""
    # A correlated EXISTS, not "lab_id IN (visible labs)": with IN, SQLite read every proposal of
    # the visible labs through the lab index and sorted them all for one page (85 ms on tier L);
    # with EXISTS it walks proposals in id order and stops at the page's end.
    visible_lab = _visible_labs().with_only_columns(Lab.id).where(Lab.id == Proposal.lab_id).exists()
    return select(Proposal).where(Proposal.state != ProposalState.DRAFT, Proposal.is_hidden.is_(False), visible_lab)


# A list shows each proposal's lab, organisation and authority by name only: joined one level deep.
# The models' default (every organisation with its home territory, its three parents and its logo;
# the author with theirs) built about 16 objects per proposal and was most of the page's CPU.
_LIST_LOADS = (
    defer(Proposal.body), defer(Proposal.body_html),  # the list has no bodies (get_proposal has)
    lazyload("*"),
    joinedload(Proposal.lab).lazyload("*"),
    joinedload(Proposal.organization).lazyload("*"),
    joinedload(Proposal.authority).lazyload("*"),
)
_RESPONSE_LOADS = (lazyload("*"), joinedload(ProposalResponse.organization).lazyload("*"))


def _responses_of(ids: list[int]) -> dict[int, ProposalResponse]:
    if not ids:
        return {}
    stmt = select(ProposalResponse).where(ProposalResponse.proposal_id.in_(ids)).options(*_RESPONSE_LOADS)
    return {r.proposal_id: r for r in db.session.scalars(stmt)}


def list_proposals(params: Mapping[str, str]) -> ApiPage:
    """Public proposals by lab (slug), territory (labs on it and inside it) and status, newest
    first, each with its official response: two queries a page."""
    status = choice(params, "status", LISTED_STATES)
    where = place(params)
    stmt = _public_proposals()
    lab_slug = params.get("lab")
    if lab_slug is not None:
        lab_id = db.session.scalar(_visible_labs().with_only_columns(Lab.id).where(Lab.slug == lab_slug)) if valid_slug(lab_slug) else None
        if lab_id is None:
            raise ValidationFailed({"lab": _l("We could not find this lab.")})
        stmt = stmt.where(Proposal.lab_id == lab_id)
    if where is not None:
        stmt = stmt.where(Proposal.lab_id.in_(select(Lab.id).where(Lab.territory_id.in_(inside(where)))))
    if status:
        stmt = stmt.where(Proposal.state == ProposalState(status))
    rows, cursor = keyset(stmt.options(*_LIST_LOADS), params, [Proposal.id], lambda p: (p.id,))
    answers = _responses_of([p.id for p in rows])
    return ApiPage([_proposal(p, answers.get(p.id)) for p in rows], cursor)


def get_proposal(proposal_id: int) -> ApiItem:
    """A public proposal with its text, co-sponsors, official response and follow-up."""
    proposal = db.session.scalar(_public_proposals().where(Proposal.id == proposal_id)) if valid_id(proposal_id) else None
    if proposal is None:
        raise NotFound(_l("We could not find this proposal."))
    progress = [
        {"happened_on": iso_day(u.happened_on), "percent": u.percent, "status": u.status.value, "text": u.text, "text_html": u.text_html}
        for u in responses.progress_of(proposal)
    ]
    sponsors = [ref for s in proposals.sponsors(proposal) if (ref := org_ref(s.organization)) is not None]
    return ApiItem({
        **_proposal(proposal, responses.response_of(proposal)), "body": proposal.body, "body_html": proposal.body_html,
        "sponsors": sponsors, "progress": progress,
    })
