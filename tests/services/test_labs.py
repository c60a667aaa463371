"""Community labs: convening and validation, phases across the DST change, eligibility by
territory, results, the convener's CSV export and the transparency figures.

The helpers at the top (``world``, ``make_lab``, ``set_phase``, ``proposal_row``, ``publish``)
are shared with ``test_proposals.py`` and ``test_responses.py``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import labs, proposals
from app.services.exports import safe_cell, to_csv
from app.services.labs import LabDraft
from models import (
    Eligibility,
    Lab,
    LabPhase,
    MemberRole,
    Organization,
    OrgKind,
    Proposal,
    ProposalState,
    Territory,
    User,
)
from models.base import utcnow
from tests import factories

PHASES = [LabPhase.PROPOSALS, LabPhase.DELIBERATION, LabPhase.VOTING, LabPhase.RESULTS, LabPhase.FOLLOW_UP]
DATE_KEYS = ["proposals_at", "deliberation_at", "voting_at", "results_at", "follow_up_at"]


# ---------------------------------------------------------------- shared helpers


def rome_today() -> date:
    day = labs.local_day(utcnow())
    assert day is not None
    return day


@dataclass
class World:
    region: Territory
    province: Territory
    comune: Territory
    elsewhere: Territory  # a comune in another region
    authority: Organization  # verified local authority of the comune
    admin: User  # admin of the authority
    official: User  # official of the authority
    resident: User  # lives in the comune


def world() -> World:
    region, province, comune = factories.chain()
    elsewhere = factories.chain()[2]
    admin = factories.user(home=comune)
    authority = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=comune, admin=admin, verified=True)
    official = factories.user(home=comune)
    factories.member(authority, official, MemberRole.OFFICIAL)
    return World(region, province, comune, elsewhere, authority, admin, official, factories.user(home=comune))


def lab_draft(place: Territory, **kw: Any) -> LabDraft:
    today = rome_today()
    data: dict[str, Any] = {
        "title": "Laboratorio di quartiere",
        "description": "Proposte per la scuola, la casa e il lavoro nel nostro territorio.",
        "territory": place.istat_code,
        "actions": ["action_01"],
        "proposals_on": today - timedelta(days=1),
        "deliberation_on": today + timedelta(days=5),
        "voting_on": today + timedelta(days=10),
        "results_on": today + timedelta(days=15),
        "follow_up_on": today + timedelta(days=20),
    }
    data.update(kw)
    return LabDraft(**data)


def make_lab(w: World, territory: Territory | None = None, phase: LabPhase = LabPhase.PROPOSALS, **kw: Any) -> Lab:
    """A lab convened by the authority (in the region by default), in ``phase``."""
    lab = labs.create_lab(w.official, w.authority, lab_draft(territory or w.region, **kw))
    if phase != LabPhase.PROPOSALS:
        set_phase(lab, phase)
    return lab


def set_phase(lab: Lab, phase: LabPhase) -> Lab:
    """Move every phase date so that ``phase`` is the current one (two days per phase)."""
    today = rome_today()
    current = -1 if phase == LabPhase.UPCOMING else PHASES.index(phase)
    for j, key in enumerate(DATE_KEYS):
        if key == "proposals_at" or getattr(lab, key) is not None:
            setattr(lab, key, labs.start_of_day(today - timedelta(days=1) + timedelta(days=2 * (j - current))))
    factories.db.session.flush()
    assert lab.phase == phase
    return lab


def publish(lab: Lab, author: User, title: str = "Più corsi di italiano serali", **kw: Any) -> Proposal:
    draft = proposals.ProposalDraft(
        title=title, summary=kw.pop("summary", "Corsi di italiano di sera per chi lavora."),
        body=kw.pop("body", "Proponiamo corsi serali gratuiti nelle scuole del quartiere."), **kw,
    )
    return proposals.create_proposal(author, lab, draft, publish=True)


def proposal_row(lab: Lab, authority: Organization, **kw: Any) -> Proposal:
    """A proposal row written directly (for crafted figures)."""
    data: dict[str, Any] = {
        "lab_id": lab.id, "title": "Una proposta", "summary": "Una proposta di prova.", "body": "Testo della proposta.",
        "body_html": "<p>Testo della proposta.</p>", "authority_id": authority.id, "state": ProposalState.PUBLISHED,
        "published_at": utcnow() - timedelta(days=60),
    }
    data.update(kw)
    row = Proposal(**data)
    factories.db.session.add(row)
    factories.db.session.flush()
    return row


# ---------------------------------------------------------------- convening and validation


def test_lab_is_created_with_slug_and_phase_dates_at_rome_midnight(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, eligibility="registered", support_threshold=7, votes_per_participant=2, response_days=45)
    assert lab.slug == "laboratorio-di-quartiere"
    assert make_lab(w, territory=w.comune).slug == "laboratorio-di-quartiere-2"
    assert lab.proposals_at == labs.start_of_day(rome_today() - timedelta(days=1))
    assert labs.local_day(lab.results_at) == rome_today() + timedelta(days=15)
    assert (lab.eligibility, lab.support_threshold, lab.votes_per_participant, lab.response_days) == (
        Eligibility.REGISTERED, 7, 2, 45)
    assert lab.phase == LabPhase.PROPOSALS and lab.has_voting and not lab.is_standing
    assert lab.proposals_count == 0 and lab.convener_id == w.authority.id


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Lab"}, "title"),
        ({"description": "Troppo corta"}, "description"),
        ({"territory": "Atlantide"}, "territory"),
        ({"actions": ["action_99"]}, "actions"),
        ({"eligibility": "everyone"}, "eligibility"),
        ({"support_threshold": 0}, "support_threshold"),
        ({"votes_per_participant": 51}, "votes_per_participant"),
        ({"response_days": None}, "response_days"),
        ({"proposals_on": None}, "proposals_on"),
        # Dates must follow each other.
        ({"deliberation_on": date(2020, 1, 1)}, "deliberation_on"),
        ({"voting_on": date(2020, 1, 1)}, "voting_on"),
        ({"follow_up_on": date(2020, 1, 1)}, "follow_up_on"),
        ({"results_on": None, "follow_up_on": None, "voting_on": date(2099, 1, 2), "deliberation_on": date(2099, 1, 2)},
         "voting_on"),
        # A voting phase needs both its dates.
        ({"results_on": None}, "results_on"),
        ({"voting_on": None}, "results_on"),
        # A standing lab has only its proposals date.
        ({"standing": True}, "deliberation_on"),
        ({"standing": True, "deliberation_on": None, "voting_on": None, "results_on": None}, "deliberation_on"),
    ],
)
def test_bad_lab_drafts_are_refused_on_the_right_field(session, changes, field) -> None:  # type: ignore[no-untyped-def]
    w = world()
    with pytest.raises(ValidationFailed) as err:
        labs.create_lab(w.official, w.authority, lab_draft(w.region, **changes))
    assert field in err.value.errors
    assert session.scalar(select(func.count()).select_from(Lab).where(Lab.convener_id == w.authority.id)) == 0


def test_equal_dates_do_not_follow_each_other(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    day = rome_today()
    with pytest.raises(ValidationFailed) as err:
        labs.create_lab(w.official, w.authority, lab_draft(w.region, deliberation_on=day - timedelta(days=1)))
    assert set(err.value.errors) == {"deliberation_on"}


def test_a_lab_without_voting_or_follow_up_is_fine(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, voting_on=None, results_on=None, follow_up_on=None)
    assert not lab.has_voting and lab.results_at is None and lab.deliberation_at is not None


def test_standing_lab_has_only_the_proposals_date_and_is_one_per_territory(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    none = {"deliberation_on": None, "voting_on": None, "results_on": None, "follow_up_on": None}
    lab = make_lab(w, territory=w.comune, standing=True, **none)
    assert lab.is_standing and labs.standing_lab(w.comune) is lab and labs.standing_lab(w.region) is None
    assert lab.phase == LabPhase.PROPOSALS and labs.proposals_open(lab) and not labs.voting_open(lab)
    with pytest.raises(ValidationFailed) as err:
        labs.create_lab(w.official, w.authority, lab_draft(w.comune, title="Un altro laboratorio aperto", standing=True, **none))
    assert set(err.value.errors) == {"standing"}
    # The refusal leaves the unit of work usable (the page re-renders the form with the error).
    assert labs.standing_lab(w.comune) is lab
    assert session.scalar(select(func.count()).select_from(Lab).where(Lab.territory_id == w.comune.id)) == 1
    # A standing lab elsewhere is fine.
    assert make_lab(w, territory=w.province, standing=True, title="Laboratorio aperto della provincia", **none).is_standing


def test_a_concurrent_second_standing_lab_is_stopped_by_the_database(session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = world()
    none = {"deliberation_on": None, "voting_on": None, "results_on": None, "follow_up_on": None}
    lab = make_lab(w, territory=w.comune, standing=True, **none)
    # Another request created its lab after this one looked: only the unique constraint sees it.
    monkeypatch.setattr(labs, "standing_lab", lambda territory: None)
    with pytest.raises(ValidationFailed) as err:
        labs.create_lab(w.official, w.authority, lab_draft(w.comune, title="Laboratorio aperto bis", standing=True, **none))
    assert set(err.value.errors) == {"standing"}
    assert session.scalars(select(Lab.id).where(Lab.territory_id == w.comune.id)).all() == [lab.id]


def test_turning_a_lab_into_a_second_standing_lab_is_refused(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    none = {"deliberation_on": None, "voting_on": None, "results_on": None, "follow_up_on": None}
    make_lab(w, territory=w.comune, standing=True, **none)
    other = make_lab(w, territory=w.comune, title="Laboratorio della scuola")
    with pytest.raises(ValidationFailed) as err:
        labs.update_lab(w.official, other, lab_draft(w.comune, title="Laboratorio della scuola", standing=True, **none),
                        other.version)
    assert set(err.value.errors) == {"standing"}
    session.refresh(other)
    assert not other.is_standing and other.title == "Laboratorio della scuola"


def test_update_changes_values_keeps_slug_and_refuses_stale_versions(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)
    seen = lab.version
    labs.update_lab(w.admin, lab, lab_draft(w.region, title="Laboratorio rinnovato", support_threshold=10), seen)
    assert lab.title == "Laboratorio rinnovato" and lab.slug == "laboratorio-di-quartiere" and lab.support_threshold == 10
    assert lab.version == seen + 1
    with pytest.raises(Conflict):
        labs.update_lab(w.admin, lab, lab_draft(w.region, title="Sovrascrittura silenziosa"), seen)
    assert lab.title == "Laboratorio rinnovato"


def test_only_admins_and_officials_of_a_verified_organisation_convene_and_manage(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    member = factories.user()
    factories.member(w.authority, member, MemberRole.MEMBER)
    for outsider in (member, factories.user(), factories.moderator(of=w.region)):
        with pytest.raises(PermissionDenied):
            labs.create_lab(outsider, w.authority, lab_draft(w.region))
    unverified_admin = factories.user()
    unverified = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.comune, admin=unverified_admin)
    with pytest.raises(PermissionDenied):
        labs.create_lab(unverified_admin, unverified, lab_draft(w.region))
    lab = labs.create_lab(factories.admin(), w.authority, lab_draft(w.region))  # platform administrators may
    with pytest.raises(PermissionDenied):
        labs.update_lab(member, lab, lab_draft(w.region), lab.version)
    with pytest.raises(PermissionDenied):
        labs.export_csv(w.resident, lab, "https://ponte.test")


def test_get_lab_hides_labs_of_hidden_conveners(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)
    assert labs.get_lab(lab.slug) is lab
    w.authority.is_hidden = True
    session.flush()
    for slug in (lab.slug, "no-such-lab", "x" * 200, ""):
        with pytest.raises(NotFound):
            labs.get_lab(slug)


def test_list_labs_filters_by_territory_phase_and_action(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    regional = make_lab(w, title="Laboratorio regionale")
    local = make_lab(w, territory=w.comune, title="Laboratorio comunale", actions=["action_02"])
    closed = make_lab(w, territory=w.comune, title="Laboratorio chiuso", phase=LabPhase.RESULTS)
    far = make_lab(w, territory=w.elsewhere, title="Laboratorio lontano")

    def ids(**kw: str) -> list[int]:
        return [lab.id for lab in labs.list_labs(labs.LabFilters(**kw)).items]

    # The comune sees its labs and those of the region containing it, open first.
    in_comune = ids(territory=w.comune.istat_code)
    assert set(in_comune) == {regional.id, local.id, closed.id} and in_comune[-1] == closed.id
    assert set(ids(territory=w.region.istat_code)) == {regional.id, local.id, closed.id}
    assert far.id not in ids(territory=w.region.istat_code)
    assert closed.id not in ids(territory=w.comune.istat_code, phase="open")
    assert ids(territory=w.comune.istat_code, phase="closed") == [closed.id]
    assert ids(territory=w.comune.istat_code, action="action_02") == [local.id]
    assert [lab.id for lab in labs.labs_of_territory(w.comune)][-1] == closed.id
    for bad in ({"phase": "soon"}, {"action": "action_99"}):
        with pytest.raises(ValidationFailed):
            ids(**bad)


# ---------------------------------------------------------------- phases across the DST change


def test_start_of_day_is_rome_midnight_across_the_dst_change(session) -> None:  # type: ignore[no-untyped-def]
    # Summer time starts on 2026-03-29 at 02:00 and ends on 2026-10-25 at 03:00 (Europe/Rome).
    assert labs.start_of_day(date(2026, 3, 28)) == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    assert labs.start_of_day(date(2026, 3, 29)) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert labs.start_of_day(date(2026, 3, 30)) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert labs.start_of_day(date(2026, 10, 25)) == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert labs.start_of_day(date(2026, 10, 26)) == datetime(2026, 10, 25, 23, 0, tzinfo=UTC)
    for day in (date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 25), date(2026, 10, 26)):
        assert labs.local_day(labs.start_of_day(day)) == day
    assert labs.local_day(None) is None
    assert labs.local_day(datetime(2026, 10, 24, 21, 59, tzinfo=UTC)) == date(2026, 10, 24)


def test_phases_change_at_rome_midnight_across_the_dst_change(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = labs.create_lab(w.official, w.authority, lab_draft(
        w.region, proposals_on=date(2026, 3, 1), deliberation_on=date(2026, 3, 29), voting_on=date(2026, 10, 25),
        results_on=date(2026, 10, 26), follow_up_on=None,
    ))
    session.expire(lab)  # read the stored (naive UTC) values back
    at = lambda *a: lab.phase_at(datetime(*a, tzinfo=UTC))  # noqa: E731
    assert at(2026, 2, 28, 22, 59) == LabPhase.UPCOMING
    assert at(2026, 2, 28, 23, 0) == LabPhase.PROPOSALS
    assert at(2026, 3, 28, 22, 59) == LabPhase.PROPOSALS
    assert at(2026, 3, 28, 23, 0) == LabPhase.DELIBERATION  # midnight of the 29th, still winter time
    assert at(2026, 10, 24, 21, 59) == LabPhase.DELIBERATION
    assert at(2026, 10, 24, 22, 0) == LabPhase.VOTING  # midnight of the 25th, still summer time
    assert at(2026, 10, 25, 22, 59) == LabPhase.VOTING  # the 25th lasts 25 hours
    assert at(2026, 10, 25, 23, 0) == LabPhase.RESULTS
    assert labs.phase_window(lab, LabPhase.DELIBERATION) == (
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 10, 24, 22, 0, tzinfo=UTC))
    assert labs.phase_window(lab, LabPhase.RESULTS) == (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), None)
    assert labs.phase_window(lab, LabPhase.FOLLOW_UP) == (None, None)


@pytest.mark.parametrize(
    ("phase", "supports", "proposals_", "voting", "results"),
    [
        (LabPhase.UPCOMING, False, False, False, False),
        (LabPhase.PROPOSALS, True, True, False, False),
        (LabPhase.DELIBERATION, True, False, False, False),
        (LabPhase.VOTING, False, False, True, False),
        (LabPhase.RESULTS, False, False, False, True),
        (LabPhase.FOLLOW_UP, False, False, False, True),
    ],
)
def test_what_is_open_in_each_phase(session, phase, supports, proposals_, voting, results) -> None:  # type: ignore[no-untyped-def]
    lab = make_lab(world(), phase=phase)
    assert lab.phase == phase
    assert (labs.supports_open(lab), labs.proposals_open(lab), labs.voting_open(lab), labs.results_published(lab)) == (
        supports, proposals_, voting, results)


def test_timeline_marks_past_current_and_future_phases(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, phase=LabPhase.VOTING, follow_up_on=None)
    steps = labs.timeline(lab)
    assert [s["phase"] for s in steps] == ["proposals", "deliberation", "voting", "results"]
    assert [s["status"] for s in steps] == ["past", "past", "current", "future"]
    assert steps[2]["start"] == lab.voting_at and steps[2]["end"] == lab.results_at and steps[3]["end"] is None
    upcoming = make_lab(w, phase=LabPhase.UPCOMING, deliberation_on=None, title="Laboratorio futuro")
    assert {s["status"] for s in labs.timeline(upcoming)} == {"future"}
    assert "deliberation" not in [s["phase"] for s in labs.timeline(upcoming)]


# ---------------------------------------------------------------- eligibility


def test_residents_of_the_lab_territory_and_inside_it_are_eligible(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)  # the region
    assert labs.eligibility_problem(w.resident, lab) is None  # lives in a comune of the region
    assert labs.eligibility_problem(factories.user(home=w.region), lab) is None
    far = labs.eligibility_problem(factories.user(home=w.elsewhere), lab)
    assert far is not None and w.region.name in far and "profile" not in far
    homeless = labs.eligibility_problem(factories.user(), lab)
    assert homeless is not None and w.region.name in homeless and "profile" in homeless
    comune_lab = make_lab(w, territory=w.comune, title="Laboratorio del comune")
    assert labs.eligibility_problem(factories.user(home=w.region), comune_lab) is not None  # the region is not inside the comune
    assert "Log in" in (labs.eligibility_problem(None, lab) or "")


def test_similar_paths_do_not_make_people_residents(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, territory=w.comune)
    # A territory whose path starts with the same digits ("/1/" and "/12/") is not inside.
    lookalike = factories.territory("Somiglianza", parent=None)
    lookalike.path = w.comune.path.rstrip("/") + "9/"
    session.flush()
    assert labs.eligibility_problem(factories.user(home=lookalike), lab) is not None


def test_registered_eligibility_lets_anyone_confirmed_take_part_but_never_unconfirmed(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, eligibility="registered")
    assert labs.eligibility_problem(factories.user(home=w.elsewhere), lab) is None
    assert labs.eligibility_problem(factories.user(), lab) is None
    for eligibility in ("registered", "residents"):
        other = make_lab(w, eligibility=eligibility, title=f"Laboratorio {eligibility}")
        problem = labs.eligibility_problem(factories.user(home=w.comune, confirmed=False), other)
        assert problem is not None and "Confirm" in problem


# ---------------------------------------------------------------- results


def test_results_come_only_after_voting_closes_ranked_with_turnout(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, territory=w.comune, votes_per_participant=2)
    people = [w.resident, *[factories.user(home=w.comune) for _ in range(3)]]
    first, second, third = (publish(lab, people[0], title=f"Proposta numero {n}") for n in (1, 2, 3))
    hidden = publish(lab, people[1], title="Proposta nascosta")
    proposals.support(people[1], third)
    with pytest.raises(NotFound):
        labs.results(lab)
    set_phase(lab, LabPhase.VOTING)
    with pytest.raises(NotFound):
        labs.results(lab)
    for person in people[:3]:
        proposals.vote(person, second)
    proposals.vote(people[0], first)
    proposals.vote(people[1], hidden)
    hidden.is_hidden = True
    session.flush()
    set_phase(lab, LabPhase.RESULTS)
    found = labs.results(lab)
    # second (3 votes), first (1 vote), third (0 votes, 1 support); hidden ones are not ranked.
    assert [p.id for p in found.ranking] == [second.id, first.id, third.id]
    assert (found.voters, found.votes) == (3, 5)
    # Eligible: confirmed active residents of the comune (the authority's admin and official live there too).
    residents = session.scalar(select(func.count()).select_from(User).where(User.home_territory_id == w.comune.id))
    assert found.eligible == residents
    assert found.turnout_percent == round(100 * 3 / residents, 1)
    set_phase(lab, LabPhase.FOLLOW_UP)
    assert labs.results(lab).voters == 3


def test_turnout_is_none_without_eligible_people(session) -> None:  # type: ignore[no-untyped-def]
    assert labs.Results(ranking=[], voters=0, votes=0, eligible=0).turnout_percent is None
    assert labs.Results(ranking=[], voters=1, votes=3, eligible=3).turnout_percent == 33.3


def test_a_lab_without_voting_never_publishes_results(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, voting_on=None, results_on=None)
    set_phase(lab, LabPhase.FOLLOW_UP)
    assert not labs.results_published(lab)
    with pytest.raises(NotFound):
        labs.results(lab)


# ---------------------------------------------------------------- the convener's export


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_has_no_voter_identities_and_neutralises_formulas(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, territory=w.comune)
    author = factories.user(home=w.comune, name="=cmd|' /C calc'!A0")
    evil = publish(lab, author, title="=HYPERLINK(\"http://x\")", summary="+SUM(1,2) e altro", body="@attacco " * 5)
    publish(lab, w.resident, title="Proposta tranquilla")
    voter = factories.user(home=w.comune, name="Votante Segreto", email="votante.segreto@example.org")
    supporter = factories.user(home=w.comune, name="Sostenitrice Riservata", email="sostenitrice@example.org")
    proposals.support(supporter, evil)
    set_phase(lab, LabPhase.VOTING)
    proposals.vote(voter, evil)
    during = _rows(labs.export_csv(w.official, lab, "https://ponte.test"))
    header = during[0]
    assert header[:4] == ["id", "title", "summary", "state"] and "votes" in header
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in during[1:]}
    row = by_id[str(evil.id)]
    assert row["title"].startswith("'=") and row["summary"].startswith("'+") and row["author"].startswith("'=")
    assert row["supports"] == "1" and row["votes"] == ""  # vote counts only once voting has closed
    assert row["url"] == f"https://ponte.test/proposals/{evil.id}" and row["hidden"] == "0"
    set_phase(lab, LabPhase.RESULTS)
    text = labs.export_csv(w.official, lab, "https://ponte.test")
    assert {r[0]: r for r in _rows(text)[1:]}[str(evil.id)][header.index("votes")] == "1"
    for secret in ("Votante Segreto", "votante.segreto", "Sostenitrice", "sostenitrice@"):
        assert secret not in text
    assert len(_rows(text)) == 3  # header + two published proposals


def test_export_leaves_out_drafts(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)
    proposals.create_proposal(w.resident, lab, proposals.ProposalDraft(
        title="Bozza segreta", summary="Una bozza che nessuno vede.", body="Il testo della bozza privata."))
    assert "Bozza segreta" not in labs.export_csv(w.admin, lab, "https://ponte.test")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20"])
def test_safe_cell_neutralises_formula_starts(start) -> None:  # type: ignore[no-untyped-def]
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (-3, "-3"), (1.5, "1.5"), (-0.25, "-0.25"), (True, "1"), (False, "0"), (None, ""),
     ("ciao", "ciao"), ("a=b", "a=b"), ("", ""), ("تقرير", "تقرير")],
)
def test_safe_cell_leaves_numbers_and_plain_text_alone(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert safe_cell(value) == expected


def test_to_csv_writes_bom_crlf_and_safe_cells() -> None:
    text = to_csv(["a", "b"], [["=1", -1], ["x,y", "ok"]])
    assert text == "\ufeffa,b\r\n'=1,-1\r\n\"x,y\",ok\r\n"


# ---------------------------------------------------------------- transparency


def test_transparency_figures_for_a_crafted_set(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w, territory=w.comune)
    now = utcnow()
    day = timedelta(days=1)
    a = w.authority
    # answered on time after 2 days; answered late after 35 days
    proposal_row(lab, a, state=ProposalState.ACCEPTED, threshold_reached_at=now - 10 * day, due_at=now + 20 * day,
                 answered_at=now - 8 * day)
    proposal_row(lab, a, state=ProposalState.REJECTED, threshold_reached_at=now - 40 * day, due_at=now - 10 * day,
                 answered_at=now - 5 * day)
    # owed and overdue; owed, not yet due; evaluating (no final answer) and overdue
    proposal_row(lab, a, state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now - 40 * day, due_at=now - 10 * day)
    proposal_row(lab, a, state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now - 5 * day, due_at=now + 25 * day)
    proposal_row(lab, a, state=ProposalState.EVALUATING, threshold_reached_at=now - 50 * day, due_at=now - 20 * day)
    # received but never owed; withdrawn after reaching the threshold (owed, never overdue)
    proposal_row(lab, a)
    proposal_row(lab, a, state=ProposalState.WITHDRAWN, threshold_reached_at=now - 40 * day, due_at=now - 10 * day)
    # not counted: a draft and a hidden proposal
    proposal_row(lab, a, state=ProposalState.DRAFT, published_at=None)
    proposal_row(lab, a, is_hidden=True, threshold_reached_at=now - 40 * day, due_at=now - 10 * day)
    # another authority of the same comune: three overdue answers, so it is listed first
    other = factories.organization(name="Zeta Comune", kind=OrgKind.LOCAL_AUTHORITY, home=w.comune, verified=True)
    for _ in range(3):
        proposal_row(lab, other, state=ProposalState.AWAITING_RESPONSE, threshold_reached_at=now - 90 * day,
                     due_at=now - 60 * day)
    # an authority in another region
    far = factories.organization(kind=OrgKind.LOCAL_AUTHORITY, home=w.elsewhere, verified=True)
    proposal_row(lab, far)

    figures = labs.transparency(w.region)
    assert [f.authority.id for f in figures] == [other.id, a.id]
    mine = figures[1]
    assert (mine.addressed, mine.due, mine.answered, mine.answered_on_time, mine.overdue) == (7, 6, 2, 1, 2)
    assert mine.on_time_percent == 25.0  # 1 on time out of 2 answered + 2 overdue
    assert mine.median_days == 18.5  # median of 2 and 35 days
    assert (figures[0].overdue, figures[0].answered, figures[0].on_time_percent, figures[0].median_days) == (3, 0, 0.0, None)
    assert {f.authority.id for f in labs.transparency()} >= {a.id, other.id, far.id}
    no_answers = next(f for f in labs.transparency() if f.authority.id == far.id)
    assert (no_answers.due, no_answers.on_time_percent, no_answers.median_days) == (0, None, None)
    rows = _rows(labs.transparency_csv(figures))
    assert rows[0][:3] == ["authority", "comune_or_territory", "proposals_received"]
    assert rows[2] == [a.name, w.comune.name, "7", "6", "2", "1", "25.0", "18.5", "2"]
    other.is_hidden = True
    session.flush()
    assert [f.authority.id for f in labs.transparency(w.region)] == [a.id]
    assert labs.transparency(factories.chain()[0]) == []


def test_due_in_days_counts_whole_days_left(session) -> None:  # type: ignore[no-untyped-def]
    w = world()
    lab = make_lab(w)
    now = utcnow()
    today = now.astimezone(labs.ROME).date()

    def noon(days: int):  # type: ignore[no-untyped-def]
        return datetime.combine(today + timedelta(days=days), time(12), tzinfo=labs.ROME)

    # Calendar days in Rome: an answer due in 30 days shows "30 days" right after the threshold, not 29.
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=noon(30))) == 30
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=noon(3))) == 3
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=noon(-3))) == -3
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=now - timedelta(minutes=5))) == -1  # past: overdue, not "today"
    assert labs.due_in_days(proposal_row(lab, w.authority)) is None
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=now + timedelta(days=3), answered_at=now)) is None
    assert labs.due_in_days(proposal_row(lab, w.authority, due_at=now + timedelta(days=3), state=ProposalState.WITHDRAWN)) is None

