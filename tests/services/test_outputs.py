"""Outputs recorded by partners: who records (and for which organisation), every field's
validation (negative counts, decimals, text in number fields, huge values, dates outside the
period, groups the initiative does not serve, repeated rows), editing and deleting, totals
checked against sums worked out by hand on several reports, and the formula-safe CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.exceptions import PermissionDenied, ValidationFailed
from app.services import outputs
from app.services.outputs import OutputDraft, ParticipantRow
from models import (
    AgeBand,
    Gender,
    Initiative,
    MemberRole,
    Organization,
    OrgKind,
    OutputReport,
    ParticipantCount,
    TargetGroup,
    User,
)
from tests import factories
from tests.web.test_query_budget import count_queries

GROUPS = ("lower_secondary_pupils", "families", "upper_secondary_pupils")


@dataclass
class World:
    lead: Organization
    school: Organization
    boss: User  # admin of the lead
    teacher: User  # staff of the confirmed host school
    invited: User  # admin of an invited (not confirmed) partner
    initiative: Initiative


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    boss, teacher, invited = factories.user(), factories.user(), factories.user()
    lead = factories.organization(admin=boss)
    school = factories.organization(kind=OrgKind.SCHOOL)
    factories.member(school, teacher, MemberRole.STAFF)
    waiting = factories.organization(admin=invited)
    initiative = factories.initiative(lead, targets=GROUPS, partners=((school, "host_school", "confirmed"), (waiting, "partner", "invited")))
    return World(lead, school, boss, teacher, invited, initiative)


def draft(**kw: Any) -> OutputDraft:
    data: dict[str, Any] = {"period_start": date(2026, 10, 1), "period_end": date(2026, 10, 31), "sessions_held": "4", "hours": "8",
                            "materials_produced": "1", "participants": (ParticipantRow("lower_secondary_pupils", "female", "11_13", "12"),
                                                                        ParticipantRow("lower_secondary_pupils", "male", "11_13", "10"))}
    data.update(kw)
    return OutputDraft(**data)


def errors_of(world: World, who: User | None = None, **kw: Any) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        outputs.record_outputs(who or world.teacher, world.initiative, draft(**kw))
    return caught.value.errors


# ---------------------------------------------------------------- who records


def test_confirmed_partner_records_for_its_own_organisation(world) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft(outcomes="  Più fiducia nel parlare in classe.  "))
    assert report.organization_id == world.school.id and report.created_by_id == world.teacher.id
    assert (report.sessions_held, report.hours, report.materials_produced, report.participants_total) == (4, 8, 1, 22)
    assert report.outcomes == "Più fiducia nel parlare in classe."
    assert [(c.target_group, c.gender, c.age_band, c.count) for c in report.counts] == [
        (TargetGroup.LOWER_SECONDARY_PUPILS, Gender.FEMALE, AgeBand.AGE_11_13, 12), (TargetGroup.LOWER_SECONDARY_PUPILS, Gender.MALE, AgeBand.AGE_11_13, 10)]


def test_invited_partners_members_and_citizens_cannot_record(world) -> None:  # type: ignore[no-untyped-def]
    plain_member = factories.user()
    factories.member(world.school, plain_member, MemberRole.MEMBER)
    for who in (world.invited, plain_member, factories.user()):
        with pytest.raises(PermissionDenied):
            outputs.record_outputs(who, world.initiative, draft())


@pytest.mark.parametrize("status", ["draft", "planned"])
def test_outputs_are_recorded_only_once_the_initiative_has_started(world, session, status: str) -> None:  # type: ignore[no-untyped-def]
    world.initiative.status = status
    session.flush()
    with pytest.raises(PermissionDenied):
        outputs.record_outputs(world.boss, world.initiative, draft())


def test_a_person_of_two_partners_chooses_which_one_records(world) -> None:  # type: ignore[no-untyped-def]
    factories.member(world.school, world.boss, MemberRole.STAFF)
    assert {o.id for o in outputs.recording_organizations(world.boss, world.initiative)} == {world.lead.id, world.school.id}
    assert "organization_id" in errors_of(world, world.boss)
    assert "organization_id" in errors_of(world, world.boss, organization_id=factories.organization().id)
    report = outputs.record_outputs(world.boss, world.initiative, draft(organization_id=world.school.id))
    assert report.organization_id == world.school.id


def test_administrators_record_for_any_confirmed_partner_but_not_an_invited_one(world) -> None:  # type: ignore[no-untyped-def]
    boss = factories.admin()
    assert {o.id for o in outputs.recording_organizations(boss, world.initiative)} == {world.lead.id, world.school.id}
    invited_org = world.initiative.partners[-1].organization_id
    assert "organization_id" in errors_of(world, boss, organization_id=invited_org)
    assert outputs.record_outputs(boss, world.initiative, draft(organization_id=world.lead.id)).organization_id == world.lead.id


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("field", ["sessions_held", "hours", "materials_produced"])
@pytest.mark.parametrize(("value", "words"), [
    ("-1", "negative"), (-3, "negative"), ("- 2", "negative"), ("2.5", "decimals"), ("2,5", "decimals"), (2.5, "decimals"),
    ("1.000", "decimals"), ("tre", "digits only"), ("4a", "digits only"), ("1e3", "digits only"), (True, "digits only"),
    ("1000001", "up to 1000000"), (10**30, "up to 1000000"), ("9" * 5000, "up to 1000000"),
])
def test_number_fields_refuse_each_mistake_with_its_own_message(world, field: str, value: Any, words: str) -> None:  # type: ignore[no-untyped-def]
    errors = errors_of(world, **{field: value})
    assert list(errors) == [field] and words in str(errors[field])


@pytest.mark.parametrize(("value", "number"), [("", 0), (None, 0), (" 7 ", 7), ("+3", 3), (0, 0), (1_000_000, 1_000_000), (6.0, 6), ("٣", 3)])
def test_number_fields_accept_whole_numbers_and_read_empty_as_zero(world, value: Any, number: int) -> None:  # type: ignore[no-untyped-def]
    assert outputs.record_outputs(world.teacher, world.initiative, draft(hours=value)).hours == number


@pytest.mark.parametrize(("start", "end", "key"), [
    (None, date(2026, 10, 2), "period_start"),
    (date(2026, 10, 2), None, "period_end"),
    (date(2026, 9, 14), date(2026, 10, 2), "period_start"),  # the initiative starts on 15 September
    (date(2026, 10, 1), date(2027, 6, 11), "period_end"),  # and ends on 10 June
    (date(2026, 10, 5), date(2026, 10, 4), "period_end"),
])
def test_period_must_lie_within_the_initiative_and_end_after_it_starts(world, start, end, key: str) -> None:  # type: ignore[no-untyped-def]
    assert key in errors_of(world, period_start=start, period_end=end)


def test_the_whole_period_of_the_initiative_is_accepted(world) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft(period_start=date(2026, 9, 15), period_end=date(2027, 6, 10)))
    assert report.period_start == date(2026, 9, 15)


def test_participant_rows_blank_ones_ignored_and_each_mistake_on_its_cell(world) -> None:  # type: ignore[no-untyped-def]
    rows = (
        ParticipantRow("", "not_recorded", "not_recorded", ""),  # blank: ignored
        ParticipantRow("women", "female", "30_64", "5"),  # not a group of this initiative
        ParticipantRow("families", "female", "30_64", "-2"),
        ParticipantRow("families", "nobody", "old", "3"),
        ParticipantRow("families", "other", "30_64", "2.5"),
        ParticipantRow("families", "male", "30_64", ""),
        ParticipantRow("", "male", "30_64", "4"),
    )
    errors = errors_of(world, participants=rows)
    assert set(errors) == {"participants-1-target_group", "participants-2-count", "participants-3-gender", "participants-3-age_band",
                           "participants-4-count", "participants-5-count", "participants-6-target_group"}
    assert "negative" in str(errors["participants-2-count"]) and "decimals" in str(errors["participants-4-count"])


def test_a_repeated_group_gender_and_age_band_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    rows = (ParticipantRow("families", "female", "30_64", "3"), ParticipantRow("families", "male", "30_64", "1"),
            ParticipantRow("families", "female", "30_64", "2"))
    errors = errors_of(world, participants=rows)
    assert list(errors) == ["participants-2-target_group"] and "row 1" in str(errors["participants-2-target_group"])


def test_only_blank_rows_record_no_participants(world) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft(participants=(ParticipantRow(),) * 8))
    assert report.participants_total == 0 and report.counts == []


def test_gender_and_age_band_default_to_not_recorded(world) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft(participants=(ParticipantRow("families", "", "", "6"),)))
    assert [(c.gender, c.age_band, c.count) for c in report.counts] == [(Gender.NOT_RECORDED, AgeBand.NOT_RECORDED, 6)]


def test_outcomes_are_plain_text_of_at_most_4000_characters(world) -> None:  # type: ignore[no-untyped-def]
    assert "outcomes" in errors_of(world, outcomes="x" * 4001)
    assert outputs.record_outputs(world.teacher, world.initiative, draft(outcomes="<b>x</b>" * 500)).outcomes == "<b>x</b>" * 500


def test_every_mistake_is_reported_at_once(world) -> None:  # type: ignore[no-untyped-def]
    errors = errors_of(world, sessions_held="-1", hours="x", period_start=None, outcomes="y" * 5000)
    assert {"sessions_held", "hours", "period_start", "outcomes"} <= set(errors)


# ---------------------------------------------------------------- editing and deleting


def test_the_recording_partner_corrects_its_report_even_repeating_old_rows(world, session) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft())
    rows = (ParticipantRow("lower_secondary_pupils", "male", "11_13", "11"), ParticipantRow("families", "", "", "3"))
    outputs.update_outputs(world.teacher, report, draft(sessions_held="5", participants=rows))
    session.expire_all()
    stored = session.get(OutputReport, report.id)
    assert stored.sessions_held == 5 and stored.participants_total == 14 and stored.organization_id == world.school.id
    assert sorted((c.target_group.value, c.count) for c in stored.counts) == [("families", 3), ("lower_secondary_pupils", 11)]


def test_other_partners_cannot_change_or_delete_a_report_but_administrators_can(world, session) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft())
    for who in (world.boss, world.invited, factories.user()):  # the lead's admin did not record it
        assert not outputs.can_manage_report(who, report)
        with pytest.raises(PermissionDenied):
            outputs.update_outputs(who, report, draft(hours="99"))
        with pytest.raises(PermissionDenied):
            outputs.delete_outputs(who, report)
    assert outputs.can_manage_report(factories.admin(), report)
    outputs.delete_outputs(world.teacher, report)
    assert session.scalar(select(func.count()).select_from(OutputReport).where(OutputReport.initiative_id == world.initiative.id)) == 0
    assert session.scalar(select(func.count()).select_from(ParticipantCount).where(ParticipantCount.report_id == report.id)) == 0


def test_update_keeps_validation(world) -> None:  # type: ignore[no-untyped-def]
    report = outputs.record_outputs(world.teacher, world.initiative, draft())
    with pytest.raises(ValidationFailed) as caught:
        outputs.update_outputs(world.teacher, report, draft(hours="-4"))
    assert "hours" in caught.value.errors


# ---------------------------------------------------------------- totals


def _fixture_reports(world: World) -> None:
    """Three reports by two partners; the sums below are worked out by hand."""
    outputs.record_outputs(world.teacher, world.initiative, draft(sessions_held="4", hours="8", materials_produced="1", participants=(
        ParticipantRow("lower_secondary_pupils", "female", "11_13", "12"), ParticipantRow("lower_secondary_pupils", "male", "11_13", "10"))))
    outputs.record_outputs(world.teacher, world.initiative, draft(
        period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), sessions_held="3", hours="6", materials_produced="0", participants=(
            ParticipantRow("lower_secondary_pupils", "female", "11_13", "9"), ParticipantRow("families", "", "", "7"),
            ParticipantRow("upper_secondary_pupils", "male", "14_18", "5"))))
    outputs.record_outputs(world.boss, world.initiative, draft(sessions_held="2", hours="5", materials_produced="3", participants=(
        ParticipantRow("families", "female", "30_64", "4"), ParticipantRow("families", "", "", "1"))))


def test_totals_match_the_sums_worked_out_by_hand(world) -> None:  # type: ignore[no-untyped-def]
    _fixture_reports(world)
    other = factories.initiative(factories.organization(), targets=GROUPS)  # its reports must not count
    boss = factories.admin()
    outputs.record_outputs(boss, other, draft(organization_id=other.lead_id, sessions_held="100"))
    sums = outputs.totals(world.initiative)
    assert (sums.reports, sums.sessions_held, sums.hours, sums.materials_produced, sums.participants) == (3, 9, 19, 4, 48)
    assert sums.by_target_group == [(TargetGroup.LOWER_SECONDARY_PUPILS, 31), (TargetGroup.UPPER_SECONDARY_PUPILS, 5), (TargetGroup.FAMILIES, 12)]
    assert sums.by_gender == [(Gender.NOT_RECORDED, 8), (Gender.FEMALE, 25), (Gender.MALE, 15)]
    assert sums.by_age_band == [(AgeBand.NOT_RECORDED, 8), (AgeBand.AGE_11_13, 31), (AgeBand.AGE_14_18, 5), (AgeBand.AGE_30_64, 4)]
    assert (TargetGroup.FAMILIES, Gender.NOT_RECORDED, AgeBand.NOT_RECORDED, 8) in sums.breakdown
    assert sum(n for *_, n in sums.breakdown) == 48
    both = outputs.totals_for([world.initiative.id, other.id])
    assert both.sessions_held == 109 and both.reports == 4
    assert outputs.totals_for(select(Initiative.id).where(Initiative.id == world.initiative.id)).participants == 48


def test_totals_of_an_initiative_without_reports_are_zero(world) -> None:  # type: ignore[no-untyped-def]
    sums = outputs.totals(world.initiative)
    assert sums.is_empty and (sums.sessions_held, sums.participants, sums.by_target_group) == (0, 0, [])


def test_totals_take_two_queries_however_many_reports(world, engine, session) -> None:  # type: ignore[no-untyped-def]
    def measure() -> int:
        session.flush()  # the audit entries written by the commands are not part of the measure
        with count_queries(engine) as statements:
            outputs.totals(world.initiative)
        return len(statements)

    _fixture_reports(world)
    few = measure()
    for _ in range(5):
        _fixture_reports(world)
    assert measure() == few == 2


def test_reports_list_latest_period_first(world) -> None:  # type: ignore[no-untyped-def]
    _fixture_reports(world)
    assert [r.period_start for r in outputs.list_reports(world.initiative)] == [date(2026, 11, 1), date(2026, 10, 1), date(2026, 10, 1)]


# ---------------------------------------------------------------- CSV


def test_csv_has_reports_counts_and_totals_and_neutralises_formulas(world) -> None:  # type: ignore[no-untyped-def]
    _fixture_reports(world)
    outputs.record_outputs(world.teacher, world.initiative, draft(outcomes="=HYPERLINK(\"http://x\")", participants=()))
    rows = list(csv.reader(io.StringIO(outputs.export_csv(world.initiative).lstrip("\ufeff"))))
    assert rows[0][:3] == ["row", "report_id", "organization"]
    kinds = [r[0] for r in rows[1:]]
    assert kinds.count("report") == 4 and kinds.count("participants") == 7 and kinds.count("total") == 1
    total = next(r for r in rows if r[0] == "total")
    assert total[5:9] == ["13", "27", "5", "48"]
    assert any(r[12] == "'=HYPERLINK(\"http://x\")" for r in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
