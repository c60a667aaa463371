"""Founding path service: start, answers, steps with documents, mentor, completion, versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from app.db import db
from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import founding, uploads
from models import (
    AuditEntry,
    FoundingDocument,
    FoundingPath,
    LegalForm,
    MemberRole,
    MentorStatus,
    Organization,
    OrgKind,
    StepKey,
    StepStatus,
    StoredFile,
)
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ENTITY_CODE = "80012345676"  # 11 digits with a valid check digit
FOUNDERS = ("Amina Diallo", "Oleksandr Koval", "Fatima Rahman")


@pytest.fixture
def upload_dir(tmp_path: Path) -> Iterator[Path]:
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path)))
    try:
        yield tmp_path
    finally:
        uploads.configure(previous)


@pytest.fixture
def group(session):  # type: ignore[no-untyped-def]
    admin = factories.user()
    org = factories.organization("Donne del Sahel", kind=OrgKind.INFORMAL_GROUP, admin=admin)
    return org, admin


def _started(group) -> FoundingPath:  # type: ignore[no-untyped-def]
    org, admin = group
    return founding.start_path(admin, org)


def _answers(**changes) -> founding.AnswersDraft:  # type: ignore[no-untyped-def]
    data = {"legal_form": "aps", "association_name": "Donne del Sahel", "purpose": "Lezioni di italiano per donne.",
            "seat_address": "Via Roma 1, 70121 Bari", "founding_members": FOUNDERS}
    data.update(changes)
    return founding.AnswersDraft(**data)


def _all_done(path: FoundingPath, admin) -> None:  # type: ignore[no-untyped-def]
    founding.save_answers(admin, path, _answers())
    for key in StepKey:
        founding.update_step(admin, path, key.value, "done", "", None)


# ---------------------------------------------------------------- start and visibility


def test_start_creates_seven_steps_in_order_all_to_do(group) -> None:  # type: ignore[no-untyped-def]
    path = _started(group)
    assert [s.key for s in path.steps] == list(StepKey)
    assert [s.position for s in path.steps] == [1, 2, 3, 4, 5, 6, 7]
    assert {s.status for s in path.steps} == {StepStatus.TODO}
    assert founding.progress(path) == (0, 7)


def test_starting_twice_is_a_conflict(group) -> None:  # type: ignore[no-untyped-def]
    _started(group)
    with pytest.raises(Conflict):
        _started(group)
    assert db.session.scalar(select(FoundingPath.id).where(FoundingPath.organization_id == group[0].id)) is not None


def test_only_admins_of_an_informal_group_start_a_path(group) -> None:  # type: ignore[no-untyped-def]
    org, _admin = group
    member = factories.member(org).user
    with pytest.raises(PermissionDenied):
        founding.start_path(member, org)
    owner = factories.user()
    association = factories.organization(kind=OrgKind.MIGRANT_ASSOCIATION, admin=owner)
    with pytest.raises(PermissionDenied):
        founding.start_path(owner, association)


def test_path_is_visible_to_members_and_hidden_from_others(group) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    _started(group)
    member = factories.member(org).user
    assert founding.get_path(member, org.slug).organization_id == org.id
    assert founding.get_path(admin, org.slug).organization_id == org.id
    for viewer in (None, factories.user()):
        with pytest.raises(NotFound):
            founding.get_path(viewer, org.slug)
    with pytest.raises(NotFound):
        founding.get_path(admin, "no-such-group")


def test_only_group_admins_manage_the_path(group) -> None:  # type: ignore[no-untyped-def]
    org, _admin = group
    path = _started(group)
    member = factories.member(org).user
    outsider = factories.user()
    for person in (member, outsider):
        with pytest.raises(PermissionDenied):
            founding.save_answers(person, path, _answers())
        with pytest.raises(PermissionDenied):
            founding.update_step(person, path, "statute", "done", "", None)
        with pytest.raises(PermissionDenied):
            founding.complete(person, path, founding.CompletionDraft(tax_code=ENTITY_CODE, runts_number="123"))


def test_paths_for_lists_own_groups_and_mentored_groups(group) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    path = _started(group)
    mentor_admin = factories.user()
    mentor = factories.organization(kind=OrgKind.MIGRANT_ASSOCIATION, admin=mentor_admin, verified=True)
    assert founding.paths_for(mentor_admin) == []
    founding.invite_mentor(admin, path, mentor.slug)
    assert founding.paths_for(admin) == [path]
    assert founding.paths_for(mentor_admin) == [path]
    assert founding.paths_for(factories.user()) == []
    assert founding.groups_to_start(admin) == []
    other = factories.organization(kind=OrgKind.INFORMAL_GROUP, admin=admin)
    assert founding.groups_to_start(admin) == [other]
    assert org not in founding.groups_to_start(admin)


# ---------------------------------------------------------------- answers


def test_answers_are_saved_and_fewer_than_seven_founders_only_warn(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    founding.save_answers(admin, path, _answers(founding_members=("  Amina   Diallo ", "", *FOUNDERS[1:])))
    assert path.legal_form == LegalForm.APS
    assert path.founding_members == list(FOUNDERS)
    assert path.seat_address == "Via Roma 1, 70121 Bari"
    assert len(founding.warnings(path)) == 1
    founding.save_answers(admin, path, _answers(founding_members=tuple(f"Persona {n}" for n in range(7))))
    assert founding.warnings(path) == []


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("legal_form", {"legal_form": "other_ets"}),
        ("legal_form", {"legal_form": "unregistered"}),
        ("founding_members", {"founding_members": ("Amina Diallo", "Oleksandr Koval")}),
        ("founding_members", {"founding_members": ("x" * 121, "b", "c")}),
        ("association_name", {"association_name": "A"}),
        ("purpose", {"purpose": "p" * 4001}),
    ],
)
def test_invalid_answers_are_refused_per_field(group, field: str, changes: dict) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    with pytest.raises(ValidationFailed) as caught:
        founding.save_answers(admin, path, _answers(**changes))
    assert field in caught.value.errors
    assert path.legal_form is None


# ---------------------------------------------------------------- steps and documents


def test_step_update_stores_a_pdf_and_it_can_be_removed(group, upload_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    step = founding.update_step(admin, path, "statute", "in_progress", "Firma sabato.\r\nPortare i documenti.",
                                uploads.Upload(filename="atto costitutivo.pdf", data=PDF))
    assert step.status == StepStatus.IN_PROGRESS
    assert step.notes == "Firma sabato.\nPortare i documenti."
    assert len(step.documents) == 1
    document = step.documents[0]
    assert document.file.original_name == "atto costitutivo.pdf"
    assert document.file.content_type == "application/pdf"
    assert uploads.path_of(document.file).read_bytes() == PDF
    assert founding.get_document(path, document.id) is document

    stored_id = document.file.id
    founding.remove_document(admin, path, document.id)
    db.commit()
    assert step.documents == []
    assert db.session.get(StoredFile, stored_id) is None
    assert list(upload_dir.glob("*.pdf")) == []


def test_a_document_of_another_path_is_not_found(group, upload_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    other_admin = factories.user()
    other = founding.start_path(other_admin, factories.organization(kind=OrgKind.INFORMAL_GROUP, admin=other_admin))
    step = founding.update_step(other_admin, other, "statute", "todo", "", uploads.Upload(filename="a.pdf", data=PDF))
    with pytest.raises(NotFound):
        founding.remove_document(admin, path, step.documents[0].id)
    with pytest.raises(NotFound):
        founding.get_document(path, step.documents[0].id)


def test_a_wrong_file_type_is_refused_on_the_file_field(group, upload_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    with pytest.raises(ValidationFailed) as caught:
        founding.update_step(admin, path, "statute", "done", "", uploads.Upload(filename="x.html", data=b"<script>alert(1)</script>"))
    assert "file" in caught.value.errors
    assert db.session.scalar(select(FoundingDocument.id)) is None


def test_unknown_step_or_status_is_refused(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    with pytest.raises(NotFound):
        founding.update_step(admin, path, "party", "done", "", None)
    with pytest.raises(ValidationFailed) as caught:
        founding.update_step(admin, path, "statute", "finished", "", None)
    assert "status" in caught.value.errors


def test_first_steps_are_done_only_with_their_answers(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    for key in ("legal_form", "purpose_members"):
        with pytest.raises(ValidationFailed):
            founding.update_step(admin, path, key, "done", "", None)
    founding.save_answers(admin, path, _answers())
    for key in ("legal_form", "purpose_members"):
        assert founding.update_step(admin, path, key, "done", "", None).status == StepStatus.DONE


# ---------------------------------------------------------------- concurrent edits


def test_a_save_based_on_an_old_version_is_a_conflict(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    db.session.flush()
    seen = path.version
    founding.save_answers(admin, path, _answers(seen_version=seen))
    assert path.version > seen
    with pytest.raises(Conflict):
        founding.save_answers(admin, path, _answers(purpose="Altro scopo", seen_version=seen))
    with pytest.raises(Conflict):
        founding.update_step(admin, path, "statute", "done", "", None, seen_version=seen)
    assert path.purpose == "Lezioni di italiano per donne."


def test_a_concurrent_write_is_a_conflict_and_the_session_stays_usable(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    db.session.flush()
    # Another request saves in between: the row's version moves on behind this session's back.
    db.session.execute(
        update(FoundingPath).where(FoundingPath.id == path.id).values(version=FoundingPath.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict):
        founding.save_answers(admin, path, _answers())
    db.session.refresh(path)
    assert path.purpose == ""
    founding.save_answers(admin, path, _answers(seen_version=path.version))
    assert path.purpose == "Lezioni di italiano per donne."


# ---------------------------------------------------------------- mentor


@pytest.mark.parametrize(
    ("kind", "verified"),
    [(OrgKind.MIGRANT_ASSOCIATION, False), (OrgKind.SCHOOL, True), (OrgKind.LOCAL_AUTHORITY, True), (OrgKind.INFORMAL_GROUP, True)],
)
def test_mentor_must_be_a_verified_association(group, kind: OrgKind, verified: bool, outbox) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    candidate = factories.organization(kind=kind, admin=factories.user(), verified=verified)
    with pytest.raises(ValidationFailed) as caught:
        founding.invite_mentor(admin, path, candidate.slug)
    assert "mentor" in caught.value.errors
    assert path.mentor_status == MentorStatus.NONE
    with pytest.raises(ValidationFailed):
        founding.invite_mentor(admin, path, "no-such-association")
    db.commit()
    assert outbox == []


def test_invited_mentor_is_mailed_sees_the_path_and_answers(group, outbox) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    path = _started(group)
    mentor_admin = factories.user(locale="fr")
    mentor = factories.organization("Casa dei Popoli", kind=OrgKind.THIRD_SECTOR, admin=mentor_admin, verified=True)
    factories.member(mentor, factories.user(), MemberRole.MEMBER)
    founding.invite_mentor(admin, path, mentor.slug)
    db.commit()
    assert [m.to for m in outbox] == [mentor_admin.email]
    assert f"https://ponte.test/founding/{org.slug}" in outbox[0].text
    assert "Donne del Sahel" in outbox[0].subject
    assert founding.get_path(mentor_admin, org.slug) is path
    with pytest.raises(Conflict):
        founding.invite_mentor(admin, path, mentor.slug)
    with pytest.raises(PermissionDenied):
        founding.answer_mentor(admin, path, accept=True)
    founding.answer_mentor(mentor_admin, path, accept=True)
    assert path.mentor_status == MentorStatus.ACCEPTED


def test_declined_mentor_loses_sight_of_the_path(group) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    path = _started(group)
    mentor_admin = factories.user()
    mentor = factories.organization(kind=OrgKind.YOUTH_ASSOCIATION, admin=mentor_admin, verified=True)
    founding.invite_mentor(admin, path, mentor.slug)
    founding.answer_mentor(mentor_admin, path, accept=False)
    assert path.mentor_status == MentorStatus.DECLINED
    with pytest.raises(NotFound):
        founding.get_path(mentor_admin, org.slug)


def test_mentor_candidates_are_verified_associations_of_the_region(group) -> None:  # type: ignore[no-untyped-def]
    org, _admin = group
    path = _started(group)
    region = org.home_territory.parent.parent
    near = factories.territory("Comune Vicino", factories.TerritoryLevel.COMUNE, org.home_territory.parent)
    good = factories.organization(kind=OrgKind.MIGRANT_ASSOCIATION, home=near, verified=True)
    factories.organization(kind=OrgKind.MIGRANT_ASSOCIATION, home=near, verified=False)
    factories.organization(kind=OrgKind.SCHOOL, home=near, verified=True)
    factories.organization(kind=OrgKind.MIGRANT_ASSOCIATION, verified=True)  # another region
    assert region.level == factories.TerritoryLevel.REGION
    assert founding.mentor_candidates(path) == [good]


# ---------------------------------------------------------------- completion


def test_completion_is_refused_until_every_step_is_done(group) -> None:  # type: ignore[no-untyped-def]
    _org, admin = group
    path = _started(group)
    founding.save_answers(admin, path, _answers())
    with pytest.raises(ValidationFailed) as caught:
        founding.complete(admin, path, founding.CompletionDraft(tax_code=ENTITY_CODE, runts_number="123456"))
    assert "steps" in caught.value.errors
    assert path.completed_at is None


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("tax_code", {"tax_code": "80012345670"}),  # wrong check digit
        ("tax_code", {"tax_code": "RSSMRA85T10A562S"}),  # a person's code, not an entity's
        ("tax_code", {"tax_code": ""}),
        ("runts_number", {"runts_number": ""}),
        ("runts_number", {"runts_number": "12A"}),
        ("kind", {"kind": "local_authority"}),
    ],
)
def test_completion_needs_valid_legal_data(group, field: str, changes: dict) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    path = _started(group)
    _all_done(path, admin)
    data = {"tax_code": ENTITY_CODE, "runts_number": "123456"}
    data.update(changes)
    with pytest.raises(ValidationFailed) as caught:
        founding.complete(admin, path, founding.CompletionDraft(**data))
    assert set(caught.value.errors) == {field}
    assert org.kind == OrgKind.INFORMAL_GROUP


def test_completion_converts_the_group_into_an_association(group) -> None:  # type: ignore[no-untyped-def]
    org, admin = group
    path = _started(group)
    _all_done(path, admin)
    founding.save_answers(admin, path, _answers(association_name="Donne del Sahel APS", legal_form="aps"))
    result = founding.complete(admin, path, founding.CompletionDraft(
        tax_code="800 1234 5676", runts_number=" 123456 ", kind="youth_association", seen_version=path.version))
    assert result is org
    assert org.kind == OrgKind.YOUTH_ASSOCIATION
    assert org.legal_form == LegalForm.APS
    assert org.tax_code == ENTITY_CODE
    assert org.runts_number == "123456"
    assert org.founding_year == datetime.now(ZoneInfo("Europe/Rome")).year
    assert org.name == "Donne del Sahel APS"
    assert path.completed_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "founding.complete"))
    assert entry is not None and entry.target_id == org.id
    with pytest.raises(PermissionDenied):  # a completed path is read-only
        founding.save_answers(admin, path, _answers())
    assert founding.get_path(admin, org.slug) is path
    assert db.session.get(Organization, org.id).kind == OrgKind.YOUTH_ASSOCIATION
