"""Dashboard figures on a hand-built world: every figure is checked against a total counted by
hand in this file (never recomputed with the service's code); action and period filters;
the public summary leaves out drafts and hidden content; the FAMI rows; chart geometry; and
a constant number of queries as the data grows.

The world (2025 is the period counted; anything dated 2024 or 2026 is outside it):

Puglia (16) ─ Bari province ─ Bari (A), Monopoli (B);  Abruzzo (13) ─ Pescara (C);  Piemonte (01) ─ Torino (D)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.exceptions import PermissionDenied, ValidationFailed
from app.services import dashboard, dashboard_figures
from app.services.dashboard import DashboardFilters, Scope
from models import (
    Event,
    EventKind,
    EventSession,
    Forum,
    ForumKind,
    Initiative,
    Lab,
    MemberRole,
    MembershipStatus,
    Organization,
    OrganizationArea,
    OrgKind,
    OutputReport,
    ParticipantCount,
    Post,
    Proposal,
    ProposalState,
    ProposalSupport,
    Registration,
    RegistrationStatus,
    SessionStatus,
    Territory,
    TerritoryLevel,
    Thread,
    User,
)
from tests import factories
from tests.web.test_query_budget import count_queries

Y2025 = (date(2025, 1, 1), date(2025, 12, 31))


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def t25(month: int, day: int) -> datetime:
    return at(2025, month, day)


@dataclass
class World:
    puglia: Territory
    bari: Territory  # comune A
    monopoli: Territory  # comune B
    abruzzo: Territory
    pescara: Territory  # comune C
    piemonte: Territory
    authority: Organization  # Comune di Bari, verified public body in A
    official: User  # its official
    far_authority: Organization  # Comune di Pescara
    far_official: User
    assoc_admin: User  # admin of mig_a1
    people: list[User]
    mig_a1: Organization
    hidden: Organization
    school_s1: Organization


# ---------------------------------------------------------------- the world


def _org(name: str, kind: OrgKind, home: Territory, verified: bool = False, created: datetime | None = None,
         areas: tuple[str, ...] = (), **extra: Any) -> Organization:
    org = factories.organization(name, kind=kind, home=home, verified=verified, **extra)
    org.created_at = created or t25(3, 1)
    for area in areas:
        factories.db.session.add(OrganizationArea(organization_id=org.id, area=area))
    factories.db.session.flush()
    return org


def _members(org: Organization, n: int, role: MemberRole = MemberRole.MEMBER, status: MembershipStatus = MembershipStatus.ACTIVE,
             who: User | None = None) -> None:
    for _ in range(n):
        m = factories.member(org, who or factories.user(), role, status)
        m.created_at = t25(3, 2)
    factories.db.session.flush()


def _territories() -> tuple[Territory, ...]:
    t = factories.territory
    puglia = t("Puglia", TerritoryLevel.REGION, code="16")
    province = t("Bari", TerritoryLevel.PROVINCE, puglia, code="072", car_code="BA")
    bari = t("Bari", TerritoryLevel.COMUNE, province, code="072006", car_code="BA")
    monopoli = t("Monopoli", TerritoryLevel.COMUNE, province, code="072030", car_code="BA")
    abruzzo = t("Abruzzo", TerritoryLevel.REGION, code="13")
    pescara = t("Pescara", TerritoryLevel.COMUNE, t("Pescara", TerritoryLevel.PROVINCE, abruzzo, code="068", car_code="PE"),
                code="068028", car_code="PE")
    piemonte = t("Piemonte", TerritoryLevel.REGION, code="01")
    torino = t("Torino", TerritoryLevel.COMUNE, t("Torino", TerritoryLevel.PROVINCE, piemonte, code="001", car_code="TO"),
               code="001272", car_code="TO")
    return puglia, bari, monopoli, abruzzo, pescara, piemonte, torino


def _organizations(w: dict[str, Any]) -> None:
    """Puglia, 2025, private: migrant 3 (2 verified, 5 members), youth 1 (0, 2), school 2 (1, 1),
    public body 1 (1, 1). Public: migrant 2 (1 verified, 4 members)."""
    bari, monopoli, pescara, torino = w["bari"], w["monopoli"], w["pescara"], w["torino"]
    w["mig_a1"] = _org("Migranti Bari Uno", OrgKind.MIGRANT_ASSOCIATION, bari, True, areas=("action_01",))
    _members(w["mig_a1"], 1, MemberRole.ADMIN, who=w["assoc_admin"])
    _members(w["mig_a1"], 2)
    _members(w["mig_a1"], 1, status=MembershipStatus.PENDING)  # not a member yet
    w["mig_a2"] = _org("Migranti Bari Due", OrgKind.MIGRANT_ASSOCIATION, bari, False, areas=("action_04",))
    _members(w["mig_a2"], 1)
    w["school_s1"] = _org("Scuola Bari", OrgKind.SCHOOL, bari, True, areas=("action_01",))
    _members(w["school_s1"], 1, MemberRole.STAFF)
    w["authority"] = _org("Comune di Bari", OrgKind.LOCAL_AUTHORITY, bari, True)
    _members(w["authority"], 1, MemberRole.OFFICIAL, who=w["official"])
    w["youth"] = _org("Giovani Monopoli", OrgKind.YOUTH_ASSOCIATION, monopoli, False, areas=("action_04",))
    _members(w["youth"], 2)
    w["hidden"] = _org("Nascosta", OrgKind.MIGRANT_ASSOCIATION, monopoli, True, is_hidden=True)
    _members(w["hidden"], 1)
    late = _org("Nata nel 2026", OrgKind.MIGRANT_ASSOCIATION, monopoli, created=at(2026, 2, 1))
    _members(late, 1)
    w["school_s2"] = _org("Scuola Monopoli", OrgKind.SCHOOL, monopoli, False)
    w["mig_c"] = _org("Migranti Pescara", OrgKind.MIGRANT_ASSOCIATION, pescara, True)
    _members(w["mig_c"], 1)
    w["school_s3"] = _org("Scuola Pescara", OrgKind.SCHOOL, pescara, True)
    w["far_authority"] = _org("Comune di Pescara", OrgKind.LOCAL_AUTHORITY, pescara, True)
    _members(w["far_authority"], 1, MemberRole.OFFICIAL, who=w["far_official"])
    _org("Cooperativa Torino", OrgKind.THIRD_SECTOR, torino, True)


def _thread(forum: Forum, created: datetime, posts: list[tuple[datetime, User, dict[str, Any]]], **extra: Any) -> Thread:
    thread = Thread(forum_id=forum.id, title="Una discussione", created_at=created, last_post_at=created, **extra)
    factories.db.session.add(thread)
    factories.db.session.flush()
    for position, (when, author, more) in enumerate(posts, start=1):
        factories.db.session.add(Post(thread_id=thread.id, position=position, author_id=author.id, body="Testo", body_html="<p>Testo</p>",
                                      created_at=when, **more))
    factories.db.session.flush()
    return thread


def _forums(w: dict[str, Any]) -> None:
    """Puglia, 2025, private: 3 threads, 7 posts by 5 people; public: 2 threads, 4 posts by 3 people;
    action_01: 1 thread, 2 posts by 2 people."""
    u1, u2, u3, u4, u5 = w["people"][:5]
    db = factories.db.session
    fa = Forum(slug="bari", kind=ForumKind.TERRITORIAL, territory_id=w["bari"].id, action="")
    fr = Forum(slug="puglia-action-01", kind=ForumKind.THEMATIC, territory_id=w["puglia"].id, action="action_01")
    fc = Forum(slug="pescara", kind=ForumKind.TERRITORIAL, territory_id=w["pescara"].id, action="")
    db.add_all([fa, fr, fc])
    db.flush()
    _thread(fa, t25(2, 1), [(t25(2, 1), u1, {}), (t25(2, 5), u2, {}), (t25(2, 6), u1, {"is_hidden": True}),
                            (at(2026, 1, 10), u3, {})])
    _thread(fr, t25(4, 1), [(t25(4, 1), u2, {}), (t25(4, 2), u3, {"deleted_at": t25(4, 3)})], action="action_01")
    _thread(fa, t25(5, 1), [(t25(5, 1), u4, {})], is_hidden=True)
    _thread(fa, at(2024, 11, 1), [(at(2024, 11, 1), u1, {}), (t25(1, 15), u5, {})])
    _thread(fc, t25(3, 1), [(t25(3, 1), u1, {})])


def _lab(w: dict[str, Any], slug: str, place: Territory, opens: datetime, closes: datetime | None = None,
         actions: tuple[str, ...] = ("action_01",)) -> Lab:
    lab = Lab(slug=slug, title=slug, convener_id=w["authority"].id, territory_id=place.id, actions=list(actions), proposals_at=opens,
              results_at=closes, response_days=30, support_threshold=3)
    factories.db.session.add(lab)
    factories.db.session.flush()
    return lab


def _proposal(lab: Lab, authority: Organization, **kw: Any) -> Proposal:
    data: dict[str, Any] = {"lab_id": lab.id, "title": "Proposta", "summary": "Sintesi", "body": "Testo", "body_html": "<p>Testo</p>",
                            "authority_id": authority.id, "state": ProposalState.PUBLISHED}
    data.update(kw)
    row = Proposal(**data)
    factories.db.session.add(row)
    factories.db.session.flush()
    return row


def _supports(proposal: Proposal, people: list[User], when: datetime) -> None:
    factories.db.session.add_all([ProposalSupport(proposal_id=proposal.id, user_id=u.id, created_at=when) for u in people])
    factories.db.session.flush()


def _labs(w: dict[str, Any]) -> None:
    """Puglia, 2025, private: 1 lab; received 6, reached 6, answered 4 (10, 20, 60, 91 days:
    median 40.0), overdue 2, supports 7. Public (q6 hidden): 5, 5, 3 (median 20.0), 2, supports 6.
    action_01 (q2 has its own action_02): received 5, answered 3 (median 60.0). action_02: q2 only."""
    auth, people = w["authority"], w["people"]
    l1 = _lab(w, "lab-bari", w["bari"], t25(1, 10))
    _lab(w, "lab-monopoli-chiuso", w["monopoli"], at(2023, 1, 1), at(2024, 6, 1))
    _lab(w, "lab-bari-futuro", w["bari"], at(2026, 2, 1))
    l2 = _lab(w, "lab-pescara", w["pescara"], t25(1, 10))
    q1 = _proposal(l1, auth, published_at=t25(2, 1), threshold_reached_at=t25(3, 1), due_at=t25(3, 31), answered_at=t25(3, 11),
                   state=ProposalState.ACCEPTED)
    _proposal(l1, auth, published_at=t25(2, 10), threshold_reached_at=t25(4, 1), due_at=t25(5, 1), answered_at=t25(4, 21),
              state=ProposalState.REJECTED, action="action_02")
    q3 = _proposal(l1, auth, published_at=t25(3, 1), threshold_reached_at=t25(5, 1), due_at=t25(5, 31),
                   state=ProposalState.AWAITING_RESPONSE)
    _proposal(l1, auth, published_at=t25(6, 1), threshold_reached_at=t25(11, 20), due_at=t25(12, 20), answered_at=at(2026, 1, 5),
              state=ProposalState.ACCEPTED)
    _proposal(l1, auth, state=ProposalState.DRAFT)
    q6 = _proposal(l1, auth, published_at=t25(7, 1), threshold_reached_at=t25(8, 1), due_at=t25(8, 31), answered_at=t25(9, 30),
                   state=ProposalState.ACCEPTED, is_hidden=True)
    q7 = _proposal(l1, auth, published_at=at(2024, 10, 1), threshold_reached_at=at(2024, 11, 1), due_at=at(2024, 12, 1),
                   answered_at=t25(1, 31), state=ProposalState.PARTIALLY_ACCEPTED)
    _proposal(l1, auth, published_at=t25(2, 1), threshold_reached_at=t25(2, 15), due_at=t25(3, 17), withdrawn_at=t25(3, 1),
              state=ProposalState.WITHDRAWN)
    q9 = _proposal(l2, w["far_authority"], published_at=t25(2, 1))
    _supports(q1, people[:3], t25(2, 2))
    _supports(q3, people[:2], t25(3, 2))
    _supports(q7, people[:1], at(2024, 10, 15))
    _supports(q7, people[1:2], t25(1, 10))
    _supports(q6, people[:1], t25(7, 5))
    _supports(q9, people[:1], t25(2, 2))


def _event(org: Organization, place: Territory, action: str, sessions: list[tuple[datetime, SessionStatus, list[tuple[str, bool]]]],
           cancelled: bool = False) -> Event:
    first = sessions[0][0]
    event = Event(organization_id=org.id, title="Evento", kind=EventKind.WORKSHOP, action=action, territory_id=place.id,
                  starts_at=first, ends_at=first, cancelled_at=t25(1, 2) if cancelled else None)
    factories.db.session.add(event)
    factories.db.session.flush()
    for when, status, registrations in sessions:
        confirmed = sum(1 for reg_status, _ in registrations if reg_status == RegistrationStatus.CONFIRMED)
        session = EventSession(event_id=event.id, original_start=when, starts_at=when, ends_at=when, status=status,
                               confirmed_count=confirmed)
        factories.db.session.add(session)
        factories.db.session.flush()
        for position, (reg_status, attended) in enumerate(registrations, start=1):
            factories.db.session.add(Registration(session_id=session.id, user_id=factories.user().id, status=reg_status, position=position,
                                                  attended_at=when if attended else None))
    factories.db.session.flush()
    return event


def _events(w: dict[str, Any]) -> None:
    """Puglia, 2025, private: 2 events, 3 dates, 5 places confirmed, 3 present. Public (E2's
    organiser is hidden): 1, 2, 3, 2. action_01: 1, 2, 3, 2."""
    ok, wait = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING
    on, off = SessionStatus.SCHEDULED, SessionStatus.CANCELLED
    _event(w["mig_a1"], w["bari"], "action_01", [
        (t25(3, 10), on, [(ok, True), (ok, False), (wait, False)]),
        (t25(3, 17), on, [(ok, True)]),
        (t25(3, 24), off, [(ok, False)]),
    ])
    _event(w["hidden"], w["monopoli"], "action_04", [(t25(5, 5), on, [(ok, True), (ok, False)])])
    _event(w["mig_a1"], w["bari"], "action_01", [(t25(6, 1), on, [(ok, False)])], cancelled=True)
    _event(w["mig_a1"], w["bari"], "action_01", [(at(2026, 1, 20), on, [(ok, False)])])
    _event(w["mig_c"], w["pescara"], "", [(t25(4, 1), on, [(ok, True)])])


def _report(initiative: Initiative, org: Organization, start: date, end: date, sessions: int, hours: int,
            counts: list[tuple[str, str, int]]) -> None:
    report = OutputReport(initiative_id=initiative.id, organization_id=org.id, period_start=start, period_end=end, sessions_held=sessions,
                          hours=hours, participants_total=sum(c[2] for c in counts))
    report.counts = [ParticipantCount(target_group=group, gender=gender, count=n) for group, gender, n in counts]
    factories.db.session.add(report)
    factories.db.session.flush()


def _initiatives(w: dict[str, Any]) -> None:
    """Puglia, 2025, private: peer education running 1, youth volunteering completed 1, Italian L2
    planned 1, mediation running 1 (4); 6 organisations taking part, 2 schools; 15 sessions,
    35 hours; participants lower secondary 35, families 5, primary 3, 2G youth 12, newly arrived 7
    (62). Public (the hidden organisation's initiative and partnership left out): 3 initiatives,
    5 organisations, 2 schools, 12 sessions, 26 hours, 55 participants. action_01: I1 and I3:
    4 organisations, 2 schools, 10 sessions, 20 hours, 43 participants."""
    ini = factories.initiative
    i1 = ini(w["mig_a1"], "running", "peer_education", ("action_01",), starts_on=date(2025, 1, 15), ends_on=date(2025, 6, 30),
             partners=((w["school_s1"], "host_school", "confirmed"), (w["school_s2"], "host_school", "invited"),
                       (w["mig_a2"], "partner", "confirmed"), (w["authority"], "supporting_authority", "declined")))
    i2 = ini(w["youth"], "completed", "youth_volunteering", ("action_04",), starts_on=date(2024, 9, 1), ends_on=date(2025, 2, 28),
             partners=((w["school_s1"], "partner", "confirmed"), (w["hidden"], "partner", "confirmed")))
    ini(w["mig_a2"], "planned", "italian_l2", ("action_01", "action_02"), starts_on=date(2025, 10, 1), ends_on=date(2026, 3, 31),
        partners=((w["school_s3"], "host_school", "confirmed"),))
    ini(w["mig_a1"], "draft", "family_involvement", ("action_01",), starts_on=date(2025, 2, 1), ends_on=date(2025, 5, 1))
    i5 = ini(w["hidden"], "running", "mediation", ("action_02",), starts_on=date(2025, 3, 1), ends_on=date(2025, 12, 31))
    ini(w["mig_a1"], "running", "peer_education", ("action_01",), starts_on=date(2026, 1, 10), ends_on=date(2026, 6, 30))
    ini(w["mig_c"], "running", "peer_education", ("action_01",), starts_on=date(2025, 2, 1), ends_on=date(2025, 5, 31))
    _report(i1, w["mig_a1"], date(2025, 1, 15), date(2025, 3, 31), 6, 12,
            [("lower_secondary_pupils", "female", 11), ("lower_secondary_pupils", "male", 9), ("families", "not_recorded", 5)])
    _report(i1, w["school_s1"], date(2025, 4, 1), date(2025, 6, 30), 4, 8,
            [("lower_secondary_pupils", "not_recorded", 15), ("primary_pupils", "not_recorded", 3)])
    _report(i2, w["youth"], date(2024, 9, 1), date(2024, 12, 31), 5, 10, [("youth_2g", "not_recorded", 30)])
    _report(i2, w["youth"], date(2025, 1, 1), date(2025, 2, 28), 2, 6, [("youth_2g", "not_recorded", 12)])
    _report(i5, w["hidden"], date(2025, 3, 1), date(2025, 6, 30), 3, 9, [("newly_arrived_adults", "not_recorded", 7)])


def build_world() -> World:
    """The whole world of this file (also used by the web tests)."""
    puglia, bari, monopoli, abruzzo, pescara, piemonte, torino = _territories()
    w: dict[str, Any] = {
        "puglia": puglia, "bari": bari, "monopoli": monopoli, "abruzzo": abruzzo, "pescara": pescara, "piemonte": piemonte,
        "torino": torino, "official": factories.user(home=bari), "far_official": factories.user(home=pescara),
        "assoc_admin": factories.user(home=bari), "people": [factories.user(home=bari) for _ in range(5)],
    }
    _organizations(w)
    _forums(w)
    _labs(w)
    _events(w)
    _initiatives(w)
    for person in (w["official"], w["far_official"], w["assoc_admin"]):
        factories.db.session.expire(person, ["memberships"])
    return World(**{k: w[k] for k in World.__dataclass_fields__})


def scope(place: Territory | None, action: str = "", public: bool = False, period: tuple[date, date] = Y2025) -> Scope:
    return Scope(territory=place, action=action, period_from=period[0], period_to=period[1], public=public)


@pytest.fixture
def w(session) -> World:  # type: ignore[no-untyped-def]
    return build_world()


# ---------------------------------------------------------------- organisations


def test_organisations_by_kind_count_verified_and_active_members_of_the_region(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia))
    assert f.organizations == {
        "migrant_association": (3, 2, 5), "youth_association": (1, 0, 2), "school": (2, 1, 1), "local_authority": (1, 1, 1),
    }


def test_a_comune_counts_only_the_organisations_based_in_it(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.bari))
    assert f.organizations == {"migrant_association": (2, 1, 4), "school": (1, 1, 1), "local_authority": (1, 1, 1)}


def test_all_of_italy_counts_every_region(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(None), ["organizations"])
    assert f.organizations == {
        "migrant_association": (4, 3, 6), "youth_association": (1, 0, 2), "school": (3, 2, 1), "local_authority": (2, 2, 2),
        "third_sector": (1, 1, 0),
    }


def test_organisations_of_an_action_are_those_working_on_it(w) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.figures(scope(w.puglia, "action_01")).organizations == {"migrant_association": (1, 1, 3), "school": (1, 1, 1)}
    assert dashboard.figures(scope(w.puglia, "action_04")).organizations == {"migrant_association": (1, 0, 1), "youth_association": (1, 0, 2)}


def test_an_organisation_registered_after_the_period_is_not_counted_in_it(w) -> None:  # type: ignore[no-untyped-def]
    in_2026 = dashboard.figures(scope(w.monopoli, period=(date(2026, 1, 1), date(2026, 12, 31)))).organizations
    in_2025 = dashboard.figures(scope(w.monopoli)).organizations
    assert in_2026["migrant_association"] == (2, 1, 2)
    assert in_2025["migrant_association"] == (1, 1, 1)
    assert dashboard.figures(scope(w.monopoli, period=(date(2024, 1, 1), date(2024, 12, 31)))).organizations == {}


# ---------------------------------------------------------------- forums, labs, events, initiatives


def test_forum_activity_counts_threads_posts_and_writers_of_the_period(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia))
    assert (f.threads, f.posts, f.writers) == (3, 7, 5)
    f = dashboard.figures(scope(w.puglia, "action_01"))
    assert (f.threads, f.posts, f.writers) == (1, 2, 2)
    f = dashboard.figures(scope(w.puglia, period=(date(2024, 1, 1), date(2024, 12, 31))))
    assert (f.threads, f.posts, f.writers) == (1, 1, 1)


def test_labs_and_proposals_are_counted_in_their_period(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia))
    assert (f.labs, f.received, f.supports, f.reached, f.answered, f.overdue, f.median_days) == (1, 6, 7, 6, 4, 2, 40.0)


def test_proposals_of_an_action_include_those_that_inherit_it_from_their_lab(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia, "action_01"))
    assert (f.labs, f.received, f.reached, f.answered, f.overdue, f.median_days) == (1, 5, 5, 3, 2, 60.0)
    f = dashboard.figures(scope(w.puglia, "action_02"))
    assert (f.labs, f.received, f.answered, f.median_days) == (0, 1, 1, 20.0)


def test_overdue_answers_are_those_late_at_the_end_of_the_period(w) -> None:  # type: ignore[no-untyped-def]
    # By 30 June 2025 only q3 (due 31 May) was late; q4's answer was owed in December.
    first_half = dashboard.figures(scope(w.puglia, period=(date(2025, 1, 1), date(2025, 6, 30))))
    assert (first_half.received, first_half.answered, first_half.overdue) == (5, 3, 1)


def test_events_count_dates_places_and_presence_of_the_period(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia))
    assert (f.events, f.sessions, f.registrations, f.attended) == (2, 3, 5, 3)
    f = dashboard.figures(scope(w.puglia, "action_01"))
    assert (f.events, f.sessions, f.registrations, f.attended) == (1, 2, 3, 2)
    f = dashboard.figures(scope(w.puglia, period=(date(2026, 1, 1), date(2026, 12, 31))))
    assert (f.events, f.sessions, f.registrations, f.attended) == (1, 1, 1, 0)


def test_initiatives_partners_schools_and_outputs_of_the_period(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia))
    assert f.initiatives == {("peer_education", "running"): 1, ("youth_volunteering", "completed"): 1,
                             ("italian_l2", "planned"): 1, ("mediation", "running"): 1}
    assert (f.partners, f.schools, f.sessions_held, f.hours) == (6, 2, 15, 35)
    assert f.participants == {"lower_secondary_pupils": 35, "families": 5, "primary_pupils": 3, "youth_2g": 12, "newly_arrived_adults": 7}
    assert f.participants_total == 62


def test_initiatives_of_an_action(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia, "action_01"))
    assert f.initiatives == {("peer_education", "running"): 1, ("italian_l2", "planned"): 1}
    assert (f.partners, f.schools, f.sessions_held, f.hours, f.participants_total) == (4, 2, 10, 20, 43)


def test_outputs_reported_for_another_period_are_left_out(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia, period=(date(2024, 1, 1), date(2024, 12, 31))))
    assert f.initiatives == {("youth_volunteering", "completed"): 1}
    assert (f.sessions_held, f.hours, f.participants) == (5, 10, {"youth_2g": 30})


# ---------------------------------------------------------------- the public summary


def test_public_summary_leaves_out_hidden_organisations_content_and_drafts(w) -> None:  # type: ignore[no-untyped-def]
    f = dashboard.figures(scope(w.puglia, public=True))
    assert f.organizations["migrant_association"] == (2, 1, 4)
    assert (f.threads, f.posts, f.writers) == (2, 4, 3)
    assert (f.labs, f.received, f.supports, f.reached, f.answered, f.overdue, f.median_days) == (1, 5, 6, 5, 3, 2, 20.0)
    assert (f.events, f.sessions, f.registrations, f.attended) == (1, 2, 3, 2)
    assert f.initiatives_total == 3
    assert ("mediation", "running") not in f.initiatives
    assert (f.partners, f.schools, f.sessions_held, f.hours, f.participants_total) == (5, 2, 12, 26, 55)


def test_public_scope_takes_a_region_or_all_of_italy_only(w) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.public_scope(DashboardFilters(territory="16")).territory == w.puglia
    assert dashboard.public_scope(DashboardFilters()).territory is None
    for bad in ("072006", "99", "<script>"):
        with pytest.raises(ValidationFailed) as err:
            dashboard.public_scope(DashboardFilters(territory=bad))
        assert "territory" in err.value.errors


# ---------------------------------------------------------------- scope and permissions


def test_officials_see_their_territory_and_what_is_inside_it_only(w) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.scope_for(w.official, DashboardFilters()).territory == w.bari
    assert dashboard.scope_for(w.official, DashboardFilters(territory="072006")).territory == w.bari
    for elsewhere in ("16", "068028", "Pescara (PE)"):
        with pytest.raises(PermissionDenied):
            dashboard.scope_for(w.official, DashboardFilters(territory=elsewhere))
    assert dashboard.scope_for(w.far_official, DashboardFilters()).territory == w.pescara


def test_administrators_start_from_all_of_italy(w) -> None:  # type: ignore[no-untyped-def]
    boss = factories.admin()
    assert dashboard.scope_for(boss, DashboardFilters()).territory is None
    assert dashboard.scope_for(boss, DashboardFilters(territory="Puglia")).territory == w.puglia


def test_people_without_a_public_body_get_no_dashboard(w) -> None:  # type: ignore[no-untyped-def]
    for person in (None, w.assoc_admin, w.people[0], factories.moderator(w.puglia)):
        assert not dashboard.may_view(person)
        with pytest.raises(PermissionDenied):
            dashboard.scope_for(person, DashboardFilters())


def test_default_period_is_the_current_year(w) -> None:  # type: ignore[no-untyped-def]
    assert dashboard.default_period(date(2026, 7, 3)) == (date(2026, 1, 1), date(2026, 12, 31))
    s = dashboard.scope_for(w.official, DashboardFilters())
    assert (s.period_from.month, s.period_from.day, s.period_to.month, s.period_to.day) == (1, 1, 12, 31)


@pytest.mark.parametrize(("filters", "field"), [
    (DashboardFilters(period_from=date(2025, 5, 1), period_to=date(2025, 4, 30)), "period_to"),
    (DashboardFilters(period_from=date(1900, 1, 1)), "period_from"),
    (DashboardFilters(period_from=date(2001, 1, 1), period_to=date(2025, 1, 1)), "period_to"),
    (DashboardFilters(action="action_09"), "action"),
    (DashboardFilters(territory="Atlantide"), "territory"),
])
def test_bad_filters_are_refused_on_their_field(w, filters, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        dashboard.scope_for(factories.admin(), filters)
    assert field in err.value.errors


# ---------------------------------------------------------------- tables, CSV, charts


def test_tables_show_the_figures_with_their_codes(w) -> None:  # type: ignore[no-untyped-def]
    tables = {t.name: t for t in dashboard_figures.tables(dashboard.figures(scope(w.puglia)))}
    assert set(tables) == set(dashboard_figures.TABLES)
    orgs = {r.key: r.values for r in tables["organizations"].rows}
    assert orgs["migrant_association"] == (3, 2, 1, 5)
    assert orgs["informal_group"] == (0, 0, 0, 0)
    labs_ = {r.key: r.values[0] for r in tables["labs"].rows}
    assert labs_["median_days_to_answer"] == 40.0
    initiatives = {r.key: r.values for r in tables["initiatives"].rows}
    assert initiatives["peer_education"] == (0, 1, 0, 1)
    outputs = {r.key: r.values[0] for r in tables["initiative-outputs"].rows}
    assert outputs == {"initiatives": 4, "partner_organisations": 6, "schools_involved": 2, "sessions_held": 15, "hours": 35,
                       "participants": 62}


def test_one_table_as_csv(w) -> None:  # type: ignore[no-untyped-def]
    text = dashboard_figures.table_csv(dashboard_figures.table_for(scope(w.puglia), "events"))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["figure", "figure_name", "value"]
    assert [r[0] for r in rows[1:]] == ["events", "sessions", "registrations", "attendance"]
    assert [r[2] for r in rows[1:]] == ["2", "3", "5", "3"]


def test_a_figure_that_is_not_available_is_an_empty_csv_cell(w) -> None:  # type: ignore[no-untyped-def]
    text = dashboard_figures.table_csv(dashboard_figures.table_for(scope(w.pescara), "labs"))
    row = next(r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r[0] == "median_days_to_answer")
    assert row[2] == ""


def test_bar_lengths_follow_the_figures_and_mirror_right_to_left(w) -> None:  # type: ignore[no-untyped-def]
    t = dashboard_figures.table_for(scope(w.puglia), "events")
    ltr = dashboard_figures.bar_chart(t)
    rtl = dashboard_figures.bar_chart(t, rtl=True)
    assert ltr is not None and rtl is not None
    widths = [b.segments[0].width for b in ltr.bars]
    longest = dashboard_figures.WIDTH - 2 * dashboard_figures.PAD - dashboard_figures.VALUE_ROOM
    assert widths == [round(longest * v / 5, 2) for v in (2, 3, 5, 3)]
    assert [b.value for b in ltr.bars] == ["2", "3", "5", "3"]
    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        seg_l, seg_r = left.segments[0], right.segments[0]
        assert seg_l.x == dashboard_figures.PAD
        assert seg_r.x + seg_r.width == pytest.approx(dashboard_figures.WIDTH - dashboard_figures.PAD)
        assert right.label_x == dashboard_figures.WIDTH - dashboard_figures.PAD
        # Values sit beyond the bar's end, inside the picture, on both sides.
        assert seg_l.x + seg_l.width < left.value_x <= dashboard_figures.WIDTH - dashboard_figures.VALUE_ROOM + 6
        assert dashboard_figures.VALUE_ROOM - 6 <= right.value_x < seg_r.x
    assert (ltr.direction, rtl.direction) == ("ltr", "rtl")
    assert ltr.title == str(t.caption)
    assert ltr.desc.count(": ") == len(t.rows)


def test_stacked_bars_have_one_segment_per_series_and_a_legend(w) -> None:  # type: ignore[no-untyped-def]
    t = dashboard_figures.table_for(scope(w.puglia), "organizations")
    chart = dashboard_figures.bar_chart(t, rtl=True)
    assert chart is not None
    migrant = chart.bars[[r.key for r in t.rows].index("migrant_association")]
    verified, not_verified = migrant.segments
    assert verified.width == pytest.approx(2 * not_verified.width, abs=0.02)
    assert (verified.pattern, not_verified.pattern) == (0, 1)
    assert not_verified.x + not_verified.width == pytest.approx(verified.x, abs=0.02)  # the second segment continues to the left
    assert [item.pattern for item in chart.legend] == [0, 1]
    assert chart.height > len(chart.bars) * dashboard_figures.ROW_HEIGHT


def test_a_table_without_series_has_no_chart_and_empty_figures_draw_no_bars(w) -> None:  # type: ignore[no-untyped-def]
    assert dashboard_figures.bar_chart(dashboard_figures.table_for(scope(w.puglia), "initiative-outputs")) is None
    chart = dashboard_figures.bar_chart(dashboard_figures.table_for(scope(w.piemonte), "participants"))
    assert chart is not None
    assert all(s.width == 0 for b in chart.bars for s in b.segments)


def test_long_labels_are_shortened_in_the_chart_only(w) -> None:  # type: ignore[no-untyped-def]
    long_name = "Un nome molto lungo " * 6
    t = dashboard_figures.Table("x", "Prova", dashboard_figures.Column("k", "K"), dashboard_figures.VALUE,
                                (dashboard_figures.Row("a", long_name, (3,)), dashboard_figures.Row("b", "Breve", (1,))), series=(0,))
    chart = dashboard_figures.bar_chart(t)
    assert chart is not None
    shortened, short = chart.bars
    assert len(shortened.label) == dashboard_figures.MAX_LABEL or shortened.label.endswith("…")
    assert len(shortened.label) <= dashboard_figures.MAX_LABEL and long_name.startswith(shortened.label[:-1])
    assert short.label == "Breve"
    assert long_name in chart.desc


# ---------------------------------------------------------------- FAMI


def _fami(rows: list[list[Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r[2], r[4]): dict(zip(dashboard_figures.FAMI_HEADER, r, strict=True)) for r in rows}


def test_fami_rows_cover_plan_regions_and_regions_with_data_for_every_action(w) -> None:  # type: ignore[no-untyped-def]
    rows = dashboard_figures.fami_rows(*Y2025)
    assert [(r[0], r[4]) for r in rows] == [
        (code, action) for code in ("13", "16", "01") for action in ("all", "action_01", "action_02", "action_03", "action_04")
    ]
    found = _fami(rows)
    puglia = found[("16", "all")]
    assert (puglia["region_name"], puglia["period_start"], puglia["period_end"]) == ("Puglia", "2025-01-01", "2025-12-31")
    expected = {
        "organisations_total": 7, "organisations_verified": 4, "migrant_associations": 3, "initiatives": 4, "partner_organisations": 6,
        "schools_involved": 2, "participants_total": 62, "participants_lower_secondary_pupils": 35, "participants_families": 5,
        "participants_primary_pupils": 3, "participants_youth_2g": 12, "participants_newly_arrived_adults": 7, "participants_women": 0,
        "sessions_held": 15, "hours": 35, "proposals_received": 6, "proposals_answered": 4, "events": 2, "registrations": 5, "attendance": 3,
    }
    assert {k: puglia[k] for k in expected} == expected
    action_01 = found[("16", "action_01")]
    assert (action_01["organisations_total"], action_01["initiatives"], action_01["participants_total"], action_01["events"],
            action_01["proposals_received"]) == (2, 2, 43, 1, 5)
    abruzzo = found[("13", "all")]
    assert (abruzzo["organisations_total"], abruzzo["organisations_verified"], abruzzo["migrant_associations"], abruzzo["initiatives"],
            abruzzo["proposals_received"], abruzzo["events"], abruzzo["registrations"], abruzzo["attendance"]) == (3, 3, 1, 1, 1, 1, 1, 1)
    piemonte = found[("01", "all")]
    assert (piemonte["organisations_total"], piemonte["initiatives"]) == (1, 0)


def test_fami_rows_for_an_official_cover_their_territory_only(w) -> None:  # type: ignore[no-untyped-def]
    text = dashboard_figures.fami_csv(w.official, *Y2025)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["region_istat_code"], r["territory_istat_code"], r["action"]) for r in rows] == [
        ("16", "072006", a) for a in ("all", "action_01", "action_02", "action_03", "action_04")
    ]
    bari = rows[0]
    assert (bari["region_name"], bari["territory_name"]) == ("Puglia", "Bari")
    assert (bari["organisations_total"], bari["organisations_verified"], bari["migrant_associations"], bari["initiatives"],
            bari["events"]) == ("4", "3", "2", "2", "1")


def test_fami_export_is_refused_to_people_without_a_public_body(w) -> None:  # type: ignore[no-untyped-def]
    for person in (None, w.assoc_admin, w.people[0]):
        with pytest.raises(PermissionDenied):
            dashboard_figures.fami_csv(person, *Y2025)


def test_fami_csv_neutralises_formulas_in_territory_names(w) -> None:  # type: ignore[no-untyped-def]
    w.piemonte.name = "=HYPERLINK(\"http://evil.example\")"
    factories.db.session.flush()
    text = dashboard_figures.fami_csv(factories.admin(), *Y2025)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    names = {r[1] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example\")" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_nested_official_territories_give_one_row_per_outer_area(w) -> None:  # type: ignore[no-untyped-def]
    rows = dashboard_figures.fami_rows(*Y2025, places=[w.bari, w.puglia, w.bari])
    assert {(r[2], r[4]) for r in rows} == {("16", a) for a in ("all", *dashboard.ACTIONS)}
    assert _fami(rows)[("16", "all")]["organisations_total"] == 7


# ---------------------------------------------------------------- query budget


def _grow(w: World, n: int) -> None:
    """n more of everything in Bari, inside the period."""
    _w = {"bari": w.bari, "authority": w.authority, "people": w.people}
    for i in range(n):
        org = _org(f"Altra {n}-{i}", OrgKind.MIGRANT_ASSOCIATION, w.bari, areas=("action_01",))
        _members(org, 2)
        lab = _lab(_w, f"lab-extra-{n}-{i}", w.bari, t25(1, 10))
        p = _proposal(lab, w.authority, published_at=t25(2, 1), threshold_reached_at=t25(3, 1), due_at=t25(3, 31), answered_at=t25(3, 5))
        _supports(p, w.people[:2], t25(2, 2))
        _event(org, w.bari, "action_01", [(t25(3, 10), SessionStatus.SCHEDULED, [(RegistrationStatus.CONFIRMED, True)])])
        initiative = factories.initiative(org, "running", "peer_education", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
        _report(initiative, org, date(2025, 1, 1), date(2025, 3, 1), 1, 2, [("families", "not_recorded", 3)])


def test_the_number_of_queries_does_not_grow_with_the_data(w, engine) -> None:  # type: ignore[no-untyped-def]
    counts = []
    for n in (1, 8):
        _grow(w, n)
        with count_queries(engine) as statements:
            dashboard.figures(scope(w.puglia))
            dashboard.figures(scope(w.puglia, "action_01", public=True))
            dashboard_figures.fami_rows(*Y2025)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 2 * len(dashboard.QUERIES) + 5 * len(dashboard_figures.FAMI_QUERIES) + 1
