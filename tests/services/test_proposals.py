"""Proposals: drafts and publishing, edits, withdrawal, supports and the threshold, capped
votes, comments, co-sponsors, moderation and reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import labs, moderation, proposals
from app.services.proposals import ProposalDraft, ProposalFilters
from models import (
    LabBallot,
    LabPhase,
    MemberRole,
    Notification,
    OrgKind,
    ProposalState,
    ProposalSupport,
    ProposalVote,
    SponsorStatus,
)
from tests import factories
from tests.services.test_labs import World, make_lab, publish, set_phase, world
from tests.web.test_query_budget import count_queries


@pytest.fixture
def w(session) -> World:  # type: ignore[no-untyped-def]
    return world()


def _count(session, model, **where) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return session.scalar(stmt)


def _draft(**kw) -> ProposalDraft:  # type: ignore[no-untyped-def]
    data = {"title": "Sportello di mediazione", "summary": "Uno sportello di mediazione nel municipio.",
            "body": "Proponiamo uno sportello aperto il sabato con mediatori culturali."}
    data.update(kw)
    return ProposalDraft(**data)


def _notified(session, kind: str, proposal_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(session.scalars(select(Notification.user_id).where(
        Notification.kind == kind, Notification.target_id == proposal_id)))


# ---------------------------------------------------------------- drafts, publishing, edits


def test_a_draft_is_seen_only_by_its_author(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    draft = proposals.create_proposal(w.resident, lab, _draft())
    assert draft.state == ProposalState.DRAFT and draft.published_at is None
    assert proposals.get_proposal(w.resident, draft.id) is draft
    for viewer in (None, factories.user(), w.official, factories.moderator(of=w.region), factories.admin()):
        with pytest.raises(NotFound):
            proposals.get_proposal(viewer, draft.id)
    assert proposals.list_proposals(lab, ProposalFilters()).items == []
    assert proposals.my_drafts(w.resident, lab) == [draft]
    assert proposals.my_drafts(factories.user(), lab) == []
    with pytest.raises(NotFound):
        proposals.get_proposal(w.resident, 999_999)


def test_publishing_makes_it_public_and_counts_it(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    draft = proposals.create_proposal(w.resident, lab, _draft(action="action_01"))
    proposals.publish_proposal(w.resident, draft)
    assert draft.state == ProposalState.PUBLISHED and draft.published_at is not None
    assert draft.authority_id == w.authority.id  # the convener by default
    assert proposals.get_proposal(None, draft.id) is draft
    assert proposals.publish_proposal(w.resident, draft) is draft  # publishing twice changes nothing
    session.refresh(lab)
    assert lab.proposals_count == 1
    second = proposals.create_proposal(w.resident, lab, _draft(title="Biblioteca aperta la sera"), publish=True)
    assert second.state == ProposalState.PUBLISHED
    listed = proposals.list_proposals(lab, ProposalFilters(sort="newest")).items
    assert {p.id for p in listed} == {draft.id, second.id}
    assert [p.id for p in proposals.list_proposals(lab, ProposalFilters(action="action_01")).items] == [draft.id]
    assert {p.id for p in proposals.list_proposals(None, ProposalFilters(territory=w.region.istat_code)).items} == {
        draft.id, second.id}
    with pytest.raises(PermissionDenied):
        proposals.publish_proposal(factories.user(home=w.comune), proposals.create_proposal(w.admin, lab, _draft()))


@pytest.mark.parametrize("bad", [{"state": "draft"}, {"action": "x"}, {"sort": "votes"}])
def test_list_filters_are_validated(session, w, bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed):
        proposals.list_proposals(None, ProposalFilters(**bad))


def test_random_order_is_stable_for_one_seed(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    for n in range(6):
        publish(lab, w.resident, title=f"Proposta casuale {n}")
    first = [p.id for p in proposals.list_proposals(lab, ProposalFilters(sort="random", seed=7)).items]
    assert first == [p.id for p in proposals.list_proposals(lab, ProposalFilters(sort="random", seed=7)).items]
    assert len(first) == 6


def test_random_order_shuffles_for_every_seed(session, w) -> None:  # type: ignore[no-untyped-def]
    """Consecutive ids come out scattered, not oldest- or newest-first, whatever the visitor's seed."""
    lab = make_lab(w)
    for n in range(12):
        publish(lab, w.resident, title=f"Proposta in ordine casuale {n}")
    orders = [
        tuple(p.id for p in proposals.list_proposals(lab, ProposalFilters(sort="random", seed=seed)).items)
        for seed in range(30)
    ]
    assert all(len(order) == 12 for order in orders)
    assert not [order for order in orders if list(order) in (sorted(order), sorted(order, reverse=True))]
    assert len(set(orders)) == 30


@pytest.mark.parametrize("phase", [LabPhase.UPCOMING, LabPhase.DELIBERATION, LabPhase.VOTING, LabPhase.RESULTS])
def test_proposals_are_written_and_published_only_in_the_proposals_phase(session, w, phase) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    draft = proposals.create_proposal(w.resident, lab, _draft())
    set_phase(lab, phase)
    with pytest.raises(Conflict):
        proposals.publish_proposal(w.resident, draft)
    with pytest.raises(Conflict):
        proposals.create_proposal(w.resident, lab, _draft())
    assert draft.state == ProposalState.DRAFT


def test_people_who_may_not_take_part_cannot_propose(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    with pytest.raises(Conflict) as err:
        proposals.create_proposal(factories.user(home=w.elsewhere), lab, _draft())
    assert w.region.name in str(err.value)
    with pytest.raises(PermissionDenied):
        proposals.create_proposal(factories.user(home=w.comune, confirmed=False), lab, _draft())
    # On behalf of an organisation they belong to, people from elsewhere may propose.
    outsider = factories.user(home=w.elsewhere)
    association = factories.organization(home=w.comune, admin=outsider)
    made = proposals.create_proposal(outsider, lab, _draft(organization_id=association.id), publish=True)
    assert made.organization_id == association.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"title": "Poco"}, "title"), ({"summary": "corto"}, "summary"), ({"body": "breve"}, "body"),
     ({"action": "action_99"}, "action"), ({"authority_id": 999_999}, "authority_id")],
)
def test_bad_proposals_are_refused(session, w, changes, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        proposals.create_proposal(w.resident, make_lab(w), _draft(**changes))
    assert field in err.value.errors


def test_organisations_speak_only_through_their_members_and_where_allowed(session, w) -> None:  # type: ignore[no-untyped-def]
    association = factories.organization(home=w.comune, admin=factories.user())
    with pytest.raises(ValidationFailed) as err:
        proposals.create_proposal(w.resident, make_lab(w), _draft(organization_id=association.id))
    assert "organization_id" in err.value.errors
    factories.member(association, w.resident)
    people_only = make_lab(w, title="Laboratorio solo persone", allow_organization_proposals=False)
    with pytest.raises(ValidationFailed) as err:
        proposals.create_proposal(w.resident, people_only, _draft(organization_id=association.id))
    assert "organization_id" in err.value.errors


def test_authority_choices_are_verified_public_bodies_of_the_territory(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w, territory=w.province)
    regional = factories.organization(name="Regione Ente", kind=OrgKind.LOCAL_AUTHORITY, home=w.region, verified=True)
    unverified = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.comune)
    far = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.elsewhere, verified=True)
    association = factories.organization(home=w.comune, verified=True)
    choices = proposals.authority_choices(lab)
    assert choices[0] is w.authority and regional in choices
    assert unverified not in choices and far not in choices and association not in choices
    made = publish(lab, w.resident, authority_id=regional.id)
    assert made.authority_id == regional.id
    with pytest.raises(ValidationFailed):
        publish(lab, w.resident, authority_id=far.id)


def test_author_edits_until_the_first_support_then_it_is_refused(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    proposal = publish(lab, w.resident)
    proposals.update_proposal(w.resident, proposal, _draft(title="Sportello il sabato"), proposal.version)
    assert proposal.title == "Sportello il sabato"
    with pytest.raises(PermissionDenied):
        proposals.update_proposal(factories.user(home=w.comune), proposal, _draft(), proposal.version)
    seen = proposal.version
    proposals.support(factories.user(home=w.comune), proposal)
    with pytest.raises(PermissionDenied):
        proposals.update_proposal(w.resident, proposal, _draft(title="Cambiata dopo il sostegno"), seen)
    assert proposal.title == "Sportello il sabato"


def test_an_edit_from_a_stale_form_is_refused(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    seen = proposal.version
    proposals.update_proposal(w.resident, proposal, _draft(title="Prima modifica"), seen)
    with pytest.raises(Conflict):
        proposals.update_proposal(w.resident, proposal, _draft(title="Seconda modifica"), seen)
    assert proposal.title == "Prima modifica"


def test_author_withdraws_and_supports_and_votes_stop(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    proposal = publish(lab, w.resident)
    with pytest.raises(PermissionDenied):
        proposals.withdraw(factories.user(home=w.comune), proposal)
    proposals.withdraw(w.resident, proposal)
    assert proposal.state == ProposalState.WITHDRAWN and proposal.withdrawn_at is not None
    assert proposals.get_proposal(None, proposal.id) is proposal  # it stays visible
    with pytest.raises(Conflict):
        proposals.support(factories.user(home=w.comune), proposal)
    with pytest.raises(PermissionDenied):
        proposals.withdraw(w.resident, proposal)
    set_phase(lab, LabPhase.VOTING)
    with pytest.raises(Conflict):
        proposals.vote(factories.user(home=w.comune), proposal)
    assert _count(session, ProposalVote, proposal_id=proposal.id) == 0


# ---------------------------------------------------------------- supports and the threshold


def test_support_counts_once(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    fan = factories.user(home=w.comune)
    assert proposals.support(fan, proposal) is True
    assert proposals.support(fan, proposal) is False
    assert _count(session, ProposalSupport, proposal_id=proposal.id) == 1
    assert proposal.supports_count == 1
    assert proposals.has_supported(fan, proposal) and not proposals.has_supported(None, proposal)
    assert proposals.supported_ids(fan, [proposal.id, 999_999]) == {proposal.id}
    assert proposals.supported_ids(None, [proposal.id]) == set()
    # A support row loaded earlier in the same unit of work does not confuse a second attempt.
    loaded = session.get(ProposalSupport, (proposal.id, fan.id))
    assert loaded is not None
    assert proposals.support(fan, proposal) is False
    assert proposal.supports_count == 1


def test_unsupport_takes_the_support_back(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    fan = factories.user(home=w.comune)
    assert proposals.unsupport(fan, proposal) is False
    proposals.support(fan, proposal)
    assert proposals.unsupport(fan, proposal) is True
    assert proposal.supports_count == 0 and _count(session, ProposalSupport, proposal_id=proposal.id) == 0
    assert proposals.unsupport(fan, proposal) is False
    assert proposals.support(fan, proposal) is True and proposal.supports_count == 1


def test_supports_continue_during_the_discussion(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    proposal = publish(lab, w.resident)
    set_phase(lab, LabPhase.DELIBERATION)
    assert proposals.support(factories.user(home=w.comune), proposal) is True


@pytest.mark.parametrize("phase", [LabPhase.VOTING, LabPhase.RESULTS, LabPhase.FOLLOW_UP])
def test_supports_are_closed_outside_proposals_and_discussion(session, w, phase) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    proposal = publish(lab, w.resident)
    fan = factories.user(home=w.comune)
    proposals.support(fan, proposal)
    set_phase(lab, phase)
    assert proposals.support_problem(factories.user(home=w.comune), proposal) is not None
    with pytest.raises(Conflict):
        proposals.support(factories.user(home=w.comune), proposal)
    with pytest.raises(Conflict):
        proposals.unsupport(fan, proposal)
    assert proposal.supports_count == 1


def test_supporters_must_be_eligible_and_confirmed(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    with pytest.raises(Conflict) as err:
        proposals.support(factories.user(home=w.elsewhere), proposal)
    assert w.region.name in str(err.value)
    with pytest.raises(PermissionDenied):
        proposals.support(factories.user(home=w.comune, confirmed=False), proposal)
    assert proposal.supports_count == 0


def test_reaching_the_threshold_makes_an_answer_due_and_notifies_once(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w, support_threshold=2, response_days=20)
    member = factories.user()
    factories.member(w.authority, member, MemberRole.MEMBER)  # a plain member does not answer for the authority
    proposal = publish(lab, w.resident)
    fans = [factories.user(home=w.comune) for _ in range(3)]
    proposals.support(fans[0], proposal)
    assert proposal.state == ProposalState.PUBLISHED and proposal.threshold_reached_at is None
    assert _notified(session, "proposal.threshold_reached", proposal.id) == []
    proposals.support(fans[1], proposal)
    assert proposal.state == ProposalState.AWAITING_RESPONSE
    reached = proposal.threshold_reached_at
    assert reached is not None and proposal.due_at == reached + timedelta(days=20)
    assert _notified(session, "proposal.threshold_reached", proposal.id) == sorted([w.admin.id, w.official.id])
    assert _notified(session, "proposal.threshold_reached_author", proposal.id) == [w.resident.id]
    # Supports go down and up again: the answer stays owed, nobody is told twice.
    proposals.unsupport(fans[0], proposal)
    proposals.unsupport(fans[1], proposal)
    assert proposal.supports_count == 0 and proposal.state == ProposalState.AWAITING_RESPONSE
    for fan in fans:
        proposals.support(fan, proposal)
    assert proposal.threshold_reached_at == reached and proposal.due_at == reached + timedelta(days=20)
    assert _notified(session, "proposal.threshold_reached", proposal.id) == sorted([w.admin.id, w.official.id])
    assert _notified(session, "proposal.threshold_reached_author", proposal.id) == [w.resident.id]


# ---------------------------------------------------------------- votes


@pytest.fixture
def ballot(session, w):  # type: ignore[no-untyped-def]
    """A lab in its voting phase with K = 2 and four proposals."""
    lab = make_lab(w, votes_per_participant=2)
    items = [publish(lab, w.resident, title=f"Proposta da votare {n}") for n in range(4)]
    set_phase(lab, LabPhase.VOTING)
    return lab, items


def test_votes_are_capped_at_k_and_unvote_frees_one(session, w, ballot) -> None:  # type: ignore[no-untyped-def]
    lab, items = ballot
    voter = factories.user(home=w.comune)
    assert proposals.votes_left(voter, lab) == 2 and proposals.votes_left(None, lab) == 2
    assert proposals.vote(voter, items[0]) is True
    loaded = session.get(ProposalVote, (items[0].id, voter.id))  # rows in the identity map do not clash
    assert loaded is not None and session.get(LabBallot, (lab.id, voter.id)) is not None
    assert proposals.vote(voter, items[0]) is False  # one vote per proposal
    assert proposals.vote(voter, items[1]) is True
    with pytest.raises(Conflict):
        proposals.vote(voter, items[2])  # the K+1th vote
    assert _count(session, ProposalVote, user_id=voter.id) == 2
    assert _count(session, ProposalVote, proposal_id=items[2].id) == 0
    assert items[2].votes_count == 0
    assert session.scalar(select(LabBallot.votes_used).where(LabBallot.user_id == voter.id)) == 2
    assert proposals.my_votes(voter, lab) == {items[0].id, items[1].id} and proposals.my_votes(None, lab) == set()
    assert proposals.unvote(voter, items[0]) is True
    assert proposals.unvote(voter, items[0]) is False
    assert proposals.votes_left(voter, lab) == 1 and items[0].votes_count == 0
    assert proposals.vote(voter, items[2]) is True
    assert proposals.my_votes(voter, lab) == {items[1].id, items[2].id} and items[2].votes_count == 1
    assert proposals.votes_left(voter, lab) == 0


def test_each_person_has_their_own_k_votes(session, w, ballot) -> None:  # type: ignore[no-untyped-def]
    _, items = ballot
    people = [factories.user(home=w.comune) for _ in range(3)]
    for person in people:
        assert proposals.vote(person, items[0]) and proposals.vote(person, items[1])
    assert items[0].votes_count == 3 and _count(session, ProposalVote, proposal_id=items[0].id) == 3


@pytest.mark.parametrize("phase", [LabPhase.PROPOSALS, LabPhase.DELIBERATION, LabPhase.RESULTS])
def test_votes_only_in_the_voting_window(session, w, phase) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    proposal = publish(lab, w.resident)
    voter = factories.user(home=w.comune)
    if phase != LabPhase.PROPOSALS:
        set_phase(lab, phase)
    assert proposals.vote_problem(voter, proposal) is not None
    with pytest.raises(Conflict):
        proposals.vote(voter, proposal)
    with pytest.raises(Conflict):
        proposals.unvote(voter, proposal)
    assert _count(session, ProposalVote, proposal_id=proposal.id) == 0
    assert _count(session, LabBallot, user_id=voter.id) == 0


def test_votes_need_eligibility_and_a_visible_proposal(session, w, ballot) -> None:  # type: ignore[no-untyped-def]
    _, items = ballot
    with pytest.raises(Conflict):
        proposals.vote(factories.user(home=w.elsewhere), items[0])
    with pytest.raises(PermissionDenied):
        proposals.vote(factories.user(home=w.comune, confirmed=False), items[0])
    items[3].is_hidden = True
    session.flush()
    with pytest.raises(PermissionDenied):
        proposals.vote(factories.user(home=w.comune), items[3])
    assert _count(session, ProposalVote) == 0


# ---------------------------------------------------------------- comments


def test_comments_have_one_level_of_replies(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    talker, other = factories.user(), factories.user()
    top = proposals.add_comment(talker, proposal, "Ottima idea, **serve**!")
    reply = proposals.add_comment(other, proposal, "Concordo.", parent_id=top.id)
    deeper = proposals.add_comment(w.resident, proposal, "Grazie a entrambi.", parent_id=reply.id)
    assert reply.parent_id == top.id and deeper.parent_id == top.id  # a reply to a reply joins the same thread
    assert "<strong>serve</strong>" in top.body_html
    page, replies = proposals.list_comments(proposal)
    assert [c.id for c in page.items] == [top.id]
    assert [c.id for c in replies[top.id]] == [reply.id, deeper.id]
    assert proposal.comments_count == 3
    # The author hears of comments by others; the thread's first commenter of every reply in it;
    # the person answered of the reply to them.
    notified = _notified(session, "proposal.comment", proposal.id)
    assert (notified.count(w.resident.id), notified.count(talker.id), notified.count(other.id)) == (2, 2, 1)
    with pytest.raises(ValidationFailed):
        proposals.add_comment(talker, proposal, " ")
    foreign = proposals.add_comment(talker, publish(make_lab(w, title="Altro laboratorio"), w.resident), "Altrove.")
    with pytest.raises(NotFound):
        proposals.add_comment(talker, proposal, "Risposta sbagliata.", parent_id=foreign.id)
    with pytest.raises(NotFound):
        proposals.get_comment(proposal, foreign.id)


def test_comment_permissions_and_official_comments(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    with pytest.raises(PermissionDenied):
        proposals.add_comment(factories.user(confirmed=False), proposal, "Ciao a tutti.")
    official = proposals.add_comment(w.official, proposal, "Lo valutiamo in giunta.", organization_id=w.authority.id)
    assert official.is_official and official.organization_id == w.authority.id
    with pytest.raises(ValidationFailed):
        proposals.add_comment(factories.user(), proposal, "A nome di altri.", organization_id=w.authority.id)
    mine = proposals.add_comment(w.resident, proposal, "Da cancellare.")
    with pytest.raises(PermissionDenied):
        proposals.delete_comment(w.official, mine)
    proposals.delete_comment(w.resident, mine)
    assert mine.deleted_at is not None
    with pytest.raises(PermissionDenied):
        proposals.delete_comment(w.resident, mine)
    proposals.withdraw(w.resident, proposal)
    with pytest.raises(PermissionDenied):
        proposals.add_comment(w.official, proposal, "Troppo tardi.")


# ---------------------------------------------------------------- co-sponsors


def test_co_sponsors_are_invited_by_the_author_and_decided_by_their_admins(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    boss, helper = factories.user(), factories.user()
    association = factories.organization(home=w.comune, admin=boss)
    factories.member(association, helper)
    other_boss = factories.user()
    second = factories.organization(home=w.comune, admin=other_boss)
    assert {association.id, second.id} <= {o.id for o in proposals.sponsor_candidates(w.resident, proposal)}
    with pytest.raises(PermissionDenied):
        proposals.invite_sponsor(factories.user(), proposal, association.id)
    for bad in (w.authority.id, 999_999, 0):
        with pytest.raises(ValidationFailed):
            proposals.invite_sponsor(w.resident, proposal, bad)
    invitation = proposals.invite_sponsor(w.resident, proposal, association.id)
    assert invitation.status == SponsorStatus.INVITED
    assert _notified(session, "proposal.sponsor_invited", proposal.id) == [boss.id]
    with pytest.raises(Conflict):
        proposals.invite_sponsor(w.resident, proposal, association.id)
    assert association.id not in {o.id for o in proposals.sponsor_candidates(w.resident, proposal)}
    assert proposals.pending_sponsorships(boss) == [(invitation, proposal)]
    assert proposals.pending_sponsorships(helper) == []
    assert proposals.sponsors(proposal) == [] and proposals.sponsors(proposal, include_pending=True) == [invitation]
    for outsider in (helper, w.resident, other_boss):
        with pytest.raises(PermissionDenied):
            proposals.decide_sponsorship(outsider, invitation, True)
    proposals.decide_sponsorship(boss, proposals.get_sponsorship(proposal, association.id), True)
    assert invitation.status == SponsorStatus.ACCEPTED and invitation.decided_at is not None
    assert proposals.sponsors(proposal) == [invitation]
    assert proposals.with_sponsors([proposal]) == {proposal.id: [association]}
    declined = proposals.invite_sponsor(w.resident, proposal, second.id)
    proposals.decide_sponsorship(other_boss, declined, False)
    assert declined.status == SponsorStatus.DECLINED and proposals.sponsors(proposal) == [invitation]
    with pytest.raises(NotFound):
        proposals.get_sponsorship(proposal, 999_999)
    assert proposals.with_sponsors([]) == {}


# ---------------------------------------------------------------- moderation and reports


def test_moderators_of_the_lab_territory_hide_and_restore(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)  # a regional lab
    comment = proposals.add_comment(factories.user(), proposal, "Un commento offensivo.")
    for outsider in (factories.moderator(of=w.elsewhere), factories.moderator(of=w.comune), w.official, w.resident):
        with pytest.raises(PermissionDenied):
            proposals.set_proposal_hidden(outsider, proposal, True, "Fuori tema")
        with pytest.raises(PermissionDenied):
            proposals.set_comment_hidden(outsider, comment, True, "Fuori tema")
    mod = factories.moderator(of=w.region)
    with pytest.raises(ValidationFailed):
        proposals.set_proposal_hidden(mod, proposal, True, "")
    proposals.set_proposal_hidden(mod, proposal, True, "Dati personali nel testo")
    assert proposal.is_hidden and proposal.hidden_reason == "Dati personali nel testo"
    with pytest.raises(NotFound):
        proposals.get_proposal(factories.user(), proposal.id)
    assert proposals.get_proposal(w.resident, proposal.id) is proposal  # the author still sees why
    assert proposals.get_proposal(mod, proposal.id) is proposal
    assert proposals.list_proposals(None, ProposalFilters(territory=w.region.istat_code)).items == []
    proposals.set_proposal_hidden(mod, proposal, False)
    assert not proposal.is_hidden and proposal.hidden_reason == ""
    proposals.set_comment_hidden(factories.admin(), comment, True, "Offensivo")
    assert comment.is_hidden
    proposals.set_comment_hidden(mod, comment, False)
    assert not comment.is_hidden


def test_reports_reach_the_moderators_of_the_lab_territory(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w, territory=w.comune), w.resident)
    comment = proposals.add_comment(w.resident, proposal, "Commento segnalato.")
    reporter = factories.user()
    report = moderation.report_proposal(reporter, proposal, moderation.ReportDraft(reason="spam", message="Pubblicità"))
    on_comment = moderation.report_proposal(reporter, comment, moderation.ReportDraft(reason="offensive"))
    assert (report.target_type, report.target_id, report.territory_id) == ("proposal", proposal.id, w.comune.id)
    assert on_comment.target_type == "comment"
    with pytest.raises(Conflict):
        moderation.report_proposal(reporter, proposal, moderation.ReportDraft(reason="spam"))
    with pytest.raises(PermissionDenied):
        moderation.report_proposal(None, proposal, moderation.ReportDraft(reason="spam"))  # type: ignore[arg-type]
    for mod in (factories.moderator(of=w.comune), factories.moderator(of=w.region)):
        assert {r.id for r in moderation.open_reports(mod).items} >= {report.id, on_comment.id}
    assert moderation.open_reports(factories.moderator(of=w.elsewhere)).items == []
    found = moderation.targets_of([report, on_comment])
    assert found[("proposal", proposal.id)] is proposal and found[("comment", comment.id)] is comment
    mod = factories.moderator(of=w.region)
    moderation.decide(mod, report, hide=True, note="Spam")
    assert proposal.is_hidden


def test_preview_sanitizes(session) -> None:  # type: ignore[no-untyped-def]
    html = proposals.preview("**ok** <script>alert(1)</script>")
    assert "<strong>ok</strong>" in html and "<script" not in html
    assert labs.ACTIONS  # the actions list used by the filters is there


def test_an_answered_invitation_cannot_be_accepted_again_but_can_be_withdrawn(session, w) -> None:  # type: ignore[no-untyped-def]
    proposal = publish(make_lab(w), w.resident)
    boss = factories.user()
    association = factories.organization(home=w.comune, admin=boss)
    invitation = proposals.invite_sponsor(w.resident, proposal, association.id)
    proposals.decide_sponsorship(boss, invitation, False)
    with pytest.raises(Conflict):
        proposals.decide_sponsorship(boss, invitation, True)
    assert invitation.status == SponsorStatus.DECLINED
    other = factories.organization(home=w.comune, admin=boss)
    accepted = proposals.invite_sponsor(w.resident, proposal, other.id)
    proposals.decide_sponsorship(boss, accepted, True)
    proposals.decide_sponsorship(boss, accepted, False)  # the association takes its name back
    assert accepted.status == SponsorStatus.DECLINED and proposals.sponsors(proposal) == []


def test_withdrawing_during_the_vote_gives_the_votes_back_and_leaves_the_ranking(session, w, ballot) -> None:  # type: ignore[no-untyped-def]
    lab, items = ballot
    voters = [factories.user(home=w.comune) for _ in range(2)]
    for voter in voters:
        proposals.vote(voter, items[0])
        proposals.vote(voter, items[1])
    assert proposals.votes_left(voters[0], lab) == 0
    proposals.withdraw(w.resident, items[0])
    assert items[0].state == ProposalState.WITHDRAWN and items[0].votes_count == 0
    assert _count(session, ProposalVote, proposal_id=items[0].id) == 0
    for voter in voters:
        assert proposals.votes_left(voter, lab) == 1
        assert proposals.my_votes(voter, lab) == {items[1].id}
    assert proposals.vote(voters[0], items[2]) is True
    set_phase(lab, LabPhase.RESULTS)
    ranking = labs.results(lab).ranking
    assert items[0].id not in {p.id for p in ranking}
    assert [p.id for p in ranking][:2] == [items[1].id, items[2].id]


@pytest.mark.parametrize("sort", ["supported", "newest"])
def test_lists_across_labs_read_proposals_in_their_order_without_sorting_them(session, w, sort) -> None:  # type: ignore[no-untyped-def]
    """All proposals by supports or by date, as /proposals/ shows them: the database walks an index
    in the list's order and stops at the page's end instead of sorting every proposal (SQLite's
    plan; PostgreSQL chooses by its statistics, which a test database does not have)."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan")
    with count_queries(session.get_bind().engine) as statements:
        proposals.list_proposals(None, ProposalFilters(sort=sort), viewer=w.admin)
    seen = [(sql, params) for sql, params in zip(statements, statements.parameters, strict=True)
            if sql.lstrip().startswith("SELECT proposals.id")]
    assert len(seen) == 1
    plan = " / ".join(row[-1] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + seen[0][0], seen[0][1]))
    assert "SCAN proposals USING INDEX" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
