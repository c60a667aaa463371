"""Official answers: who may answer, decisions and states, the answered clock, the public
history, notifications, templates and the follow-up timeline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import labs, proposals, responses
from app.services.responses import ProgressDraft, ResponseDraft
from models import MemberRole, Notification, OrgKind, ProposalResponse, ProposalState, ResponseDecision
from tests import factories
from tests.services.test_labs import World, make_lab, publish, rome_today, world


@pytest.fixture
def w(session) -> World:  # type: ignore[no-untyped-def]
    return world()


@pytest.fixture
def proposal(w):  # type: ignore[no-untyped-def]
    """A proposal addressed to the authority that reached its threshold (one support)."""
    made = publish(make_lab(w, territory=w.comune, support_threshold=1, response_days=30), w.resident)
    proposals.support(factories.user(home=w.comune), made)
    assert made.state == ProposalState.AWAITING_RESPONSE
    return made


def _answer(decision: str = "accepted", **kw) -> ResponseDraft:  # type: ignore[no-untyped-def]
    data = {"decision": decision, "text": "Abbiamo deciso di aprire lo sportello dal mese prossimo.",
            "next_step": "Delibera di giunta entro marzo.", "office": "Ufficio Politiche Sociali"}
    data.update(kw)
    return ResponseDraft(**data)


def _told(session, kind: str, target_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(session.scalars(select(Notification.user_id).where(
        Notification.kind == kind, Notification.target_id == target_id)))


# ---------------------------------------------------------------- who answers


def test_officials_and_admins_of_the_addressed_authority_answer(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    responses.respond(w.official, proposal, _answer("evaluating"))
    responses.respond(w.admin, proposal, _answer("accepted"), responses.response_of(proposal).version)  # type: ignore[union-attr]
    assert responses.response_of(proposal).author_id == w.admin.id  # type: ignore[union-attr]


def test_nobody_else_answers(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    other_official = factories.user()
    other = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.comune, verified=True)
    factories.member(other, other_official, MemberRole.OFFICIAL)
    member = factories.user()
    factories.member(w.authority, member, MemberRole.MEMBER)
    for outsider in (other_official, member, w.resident, factories.moderator(of=w.comune), factories.admin(), None):
        with pytest.raises(PermissionDenied):
            responses.respond(outsider, proposal, _answer())  # type: ignore[arg-type]
    # An authority that is no longer verified (or is hidden) does not answer either.
    w.authority.is_verified = False
    session.flush()
    with pytest.raises(PermissionDenied):
        responses.respond(w.official, proposal, _answer())
    w.authority.is_verified = True
    w.authority.is_hidden = True
    session.flush()
    with pytest.raises(PermissionDenied):
        responses.respond(w.admin, proposal, _answer())
    assert responses.response_of(proposal) is None and proposal.state == ProposalState.AWAITING_RESPONSE


def test_withdrawn_and_hidden_proposals_are_not_answered(session, w) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(w)
    withdrawn = publish(lab, w.resident)
    proposals.withdraw(w.resident, withdrawn)
    hidden = publish(lab, w.resident, title="Proposta nascosta")
    proposals.set_proposal_hidden(factories.moderator(of=w.region), hidden, True, "Spam")
    for target in (withdrawn, hidden):
        with pytest.raises(PermissionDenied):
            responses.respond(w.official, target, _answer())


# ---------------------------------------------------------------- decisions and the clock


def test_evaluating_sets_the_state_but_does_not_stop_the_clock(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    responses.respond(w.official, proposal, _answer("evaluating"))
    assert proposal.state == ProposalState.EVALUATING and proposal.answered_at is None
    assert labs.due_in_days(proposal) is not None


@pytest.mark.parametrize(
    ("decision", "state"),
    [("accepted", ProposalState.ACCEPTED), ("partially_accepted", ProposalState.PARTIALLY_ACCEPTED),
     ("rejected", ProposalState.REJECTED)],
)
def test_a_final_decision_sets_the_state_and_answered_at(session, w, proposal, decision, state) -> None:  # type: ignore[no-untyped-def]
    response = responses.respond(w.official, proposal, _answer(decision, cost_estimate="12.500,50",
                                                               expected_on=date(2027, 6, 1)))
    assert proposal.state == state and proposal.answered_at is not None
    assert response.decision == ResponseDecision(decision) and response.cost_estimate_cents == 1_250_050
    assert response.organization_id == w.authority.id and "<p dir=\"auto\">" in response.text_html
    assert labs.due_in_days(proposal) is None


def test_editing_keeps_the_earlier_answer_in_the_history(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    first = responses.respond(w.official, proposal, _answer("evaluating", text="Stiamo valutando la proposta in giunta."))
    assert responses.history(proposal) == []
    responses.respond(w.admin, proposal, _answer("accepted"), first.version)
    answered = proposal.answered_at
    assert answered is not None
    responses.respond(w.official, proposal, _answer("accepted", text="Accolta: lo sportello apre il primo aprile."),
                      first.version)
    history = responses.history(proposal)
    assert [r.decision for r in history] == [ResponseDecision.ACCEPTED, ResponseDecision.EVALUATING]
    assert history[-1].text == "Stiamo valutando la proposta in giunta." and history[-1].author_id == w.official.id
    assert history[0].author_id == w.admin.id
    assert proposal.answered_at == answered  # the first final answer stopped the clock
    assert session.scalar(select(func.count()).select_from(ProposalResponse).where(
        ProposalResponse.proposal_id == proposal.id)) == 1


def test_an_answer_from_a_stale_form_is_refused(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    first = responses.respond(w.official, proposal, _answer("evaluating"))
    seen = first.version
    responses.respond(w.admin, proposal, _answer("accepted"), seen)
    with pytest.raises(Conflict):
        responses.respond(w.official, proposal, _answer("rejected"), seen)
    assert proposal.state == ProposalState.ACCEPTED and len(responses.history(proposal)) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"decision": "maybe"}, "decision"), ({"text": "Troppo breve."}, "text"), ({"next_step": ""}, "next_step"),
     ({"cost_estimate": "tanti soldi"}, "cost_estimate"), ({"cost_estimate": "-5"}, "cost_estimate"),
     ({"office": "x" * 201}, "office"), ({"contact": "x" * 201}, "contact"),
     ({"expected_on": date(1999, 12, 31)}, "expected_on")],
)
def test_bad_answers_are_refused(session, w, proposal, changes, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        responses.respond(w.official, proposal, _answer(**changes))
    assert field in err.value.errors
    assert responses.response_of(proposal) is None


@pytest.mark.parametrize(("typed", "cents"), [("12500", 1_250_000), ("12500.50", 1_250_050), ("€ 1.000,00", 100_000), ("", None)])
def test_cost_estimates_are_read_the_italian_and_the_international_way(session, w, proposal, typed, cents) -> None:  # type: ignore[no-untyped-def]
    assert responses.respond(w.official, proposal, _answer("rejected", next_step="", cost_estimate=typed)).cost_estimate_cents == cents


# ---------------------------------------------------------------- notifications


def test_answers_notify_author_accepted_co_sponsors_and_supporters_once(session, w) -> None:  # type: ignore[no-untyped-def]
    made = publish(make_lab(w, territory=w.comune, support_threshold=100), w.resident)
    sponsor_admin, declined_admin, pending_admin = factories.user(home=w.comune), factories.user(), factories.user()
    accepted = factories.organization(home=w.comune, admin=sponsor_admin)
    declined = factories.organization(home=w.comune, admin=declined_admin)
    pending = factories.organization(home=w.comune, admin=pending_admin)
    for org, admin_user, accept in ((accepted, sponsor_admin, True), (declined, declined_admin, False)):
        proposals.decide_sponsorship(admin_user, proposals.invite_sponsor(w.resident, made, org.id), accept)
    proposals.invite_sponsor(w.resident, made, pending.id)
    supporters = [factories.user(home=w.comune) for _ in range(3)]
    for person in [*supporters, sponsor_admin]:  # the co-sponsor's admin also supports it
        proposals.support(person, made)
    proposals.add_comment(w.resident, made, "Grazie a tutti per il sostegno.")  # the author does not support
    response = responses.respond(w.official, made, _answer("evaluating"))
    expected = sorted([w.resident.id, sponsor_admin.id, *[p.id for p in supporters]])
    assert _told(session, "proposal.response", made.id) == expected
    # Editing the answer tells everyone again, once each.
    responses.respond(w.official, made, _answer("accepted"), response.version)
    assert _told(session, "proposal.response", made.id) == sorted(expected * 2)
    keys = session.scalars(select(Notification.dedupe_key).where(
        Notification.kind == "proposal.response", Notification.user_id == sponsor_admin.id)).all()
    assert len(set(keys)) == 2
    for outsider in (declined_admin, pending_admin, w.official):
        assert outsider.id not in expected


def test_notification_data_is_stored_for_author_and_supporters_alike(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    responses.respond(w.official, proposal, _answer("rejected", next_step=""))
    stored = session.scalars(select(Notification).where(Notification.kind == "proposal.response")).all()
    assert len(stored) == 2  # the author (directly) and the supporter (INSERT … SELECT)
    for row in stored:
        assert row.data == {"title": proposal.title, "decision": "rejected"}
        assert row.target_type == "proposal" and row.target_id == proposal.id and row.created_at is not None
        assert row.dedupe_key.startswith("response-") and row.read_at is None


# ---------------------------------------------------------------- follow-up


def _step(percent: int = 40, status: str = "in_progress", **kw) -> ProgressDraft:  # type: ignore[no-untyped-def]
    data = {"happened_on": rome_today(), "text": "Individuati i locali per lo sportello.", "percent": percent, "status": status}
    data.update(kw)
    return ProgressDraft(**data)


def test_progress_is_reported_only_after_acceptance(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict):
        responses.add_progress(w.official, proposal, _step())
    responses.respond(w.official, proposal, _answer("evaluating"))
    with pytest.raises(Conflict):
        responses.add_progress(w.official, proposal, _step())
    responses.respond(w.official, proposal, _answer("rejected", next_step=""))
    with pytest.raises(Conflict):
        responses.add_progress(w.official, proposal, _step())
    assert responses.progress_of(proposal) == []


def test_progress_moves_the_proposal_and_implemented_needs_100(session, w, proposal) -> None:  # type: ignore[no-untyped-def]
    responses.respond(w.official, proposal, _answer("partially_accepted"))
    with pytest.raises(PermissionDenied):
        responses.add_progress(w.resident, proposal, _step())
    first = responses.add_progress(w.official, proposal, _step(30, happened_on=rome_today() - timedelta(days=3)))
    assert proposal.state == ProposalState.IN_PROGRESS and proposal.progress_percent == 30
    with pytest.raises(ValidationFailed) as err:
        responses.add_progress(w.official, proposal, _step(90, "implemented"))
    assert "percent" in err.value.errors
    for bad, field in ((_step(101), "percent"), (_step(None), "percent"), (_step(status="done"), "status"),
                       (_step(text="Breve"), "text"), (_step(happened_on=rome_today() + timedelta(days=1)), "happened_on"),
                       (_step(happened_on=None), "happened_on")):
        with pytest.raises(ValidationFailed) as err:
            responses.add_progress(w.official, proposal, bad)
        assert field in err.value.errors
    done = responses.add_progress(w.admin, proposal, _step(100, "implemented"))
    assert proposal.state == ProposalState.IMPLEMENTED and proposal.progress_percent == 100
    assert responses.progress_of(proposal) == [first, done]
    assert w.resident.id in _told(session, "proposal.progress", proposal.id)
    # Confirming the acceptance later does not undo the follow-up state.
    responses.respond(w.official, proposal, _answer("accepted"))
    assert proposal.state == ProposalState.IMPLEMENTED


def test_progress_of_today_in_rome_is_accepted_just_after_midnight(session, w, proposal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from app.services import responses as module

    # 00:30 in Rome on 1 July is still 30 June in UTC: "today" is the day in Rome.
    monkeypatch.setattr(module, "utcnow", lambda: datetime(2026, 6, 30, 22, 30, tzinfo=UTC))
    responses.respond(w.official, proposal, _answer("accepted"))
    step = responses.add_progress(w.official, proposal, _step(10, happened_on=date(2026, 7, 1)))
    assert step.happened_on == date(2026, 7, 1)


# ---------------------------------------------------------------- templates


def test_each_authority_keeps_its_own_answer_templates(session, w) -> None:  # type: ignore[no-untyped-def]
    template = responses.add_template(w.official, w.authority, "Non di competenza", "rejected",
                                      "La proposta riguarda un altro ente: la inoltriamo alla Regione.")
    assert responses.templates_of(w.admin, w.authority) == [template]
    other_official = factories.user()
    other = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.comune, verified=True)
    factories.member(other, other_official, MemberRole.OFFICIAL)
    assert responses.templates_of(other_official, other) == []
    for outsider, org in ((other_official, w.authority), (w.resident, w.authority), (factories.admin(), w.authority)):
        with pytest.raises(PermissionDenied):
            responses.templates_of(outsider, org)
        with pytest.raises(PermissionDenied):
            responses.add_template(outsider, org, "Un modello", "accepted", "Un testo abbastanza lungo per un modello.")
    with pytest.raises(NotFound):
        responses.get_template(other, template.id)
    with pytest.raises(PermissionDenied):
        responses.delete_template(other_official, w.authority, template)
    with pytest.raises(ValidationFailed) as err:
        responses.add_template(w.official, w.authority, "x", "maybe", "corto")
    assert set(err.value.errors) == {"name", "decision", "text"}
    assert responses.get_template(w.authority, template.id) is template
    responses.delete_template(w.admin, w.authority, template)
    assert responses.templates_of(w.admin, w.authority) == []
