"""Case histories: writing (checked fields, https video links only, linked initiative and
organisations), publishing and moderation, pictures (re-encoded, no EXIF, alt text required),
who sees what, and the list's filters (territory with what is inside, organisation, initiative,
young people of foreign origin as protagonists)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import case_histories, uploads
from app.services.case_histories import CaseDraft, CaseFilters
from models import (
    AuditEntry,
    CaseHistory,
    CaseStatus,
    MemberRole,
    Notification,
    Organization,
    OrgKind,
    StoredFile,
    Territory,
    User,
)
from tests import factories

DRAFT = CaseDraft(
    title="Amina e il murale della scuola",
    summary="Amina, arrivata due anni fa, ha guidato i compagni nel dipingere il muro del cortile.",
    body="Quando Amina è arrivata a Reggio Emilia non parlava italiano. Con il laboratorio di peer education ha trovato amici.",
)


@pytest.fixture(autouse=True)
def upload_dir(tmp_path: Path) -> Iterator[Path]:
    previous = uploads.settings
    uploads.configure(uploads.Settings(directory=str(tmp_path / "uploads")))
    try:
        yield tmp_path / "uploads"
    finally:
        uploads.configure(previous)


@dataclass
class World:
    region: Territory
    province: Territory
    comune: Territory
    org: Organization
    teller: User
    staff: User
    member: User
    moderator: User
    moderator_elsewhere: User
    admin: User
    citizen: User


@pytest.fixture
def world(session) -> World:  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    teller, staff, member = factories.user(home=comune), factories.user(), factories.user()
    org = factories.organization("Giovani Ponti", kind=OrgKind.YOUTH_ASSOCIATION, home=comune, admin=teller, verified=True)
    factories.member(org, staff, MemberRole.STAFF)
    factories.member(org, member, MemberRole.MEMBER)
    return World(region, province, comune, org, teller, staff, member, factories.moderator(region),
                 factories.moderator(factories.chain()[0]), factories.admin(), factories.user(home=comune))


def story(world: World, publish: bool = True, **changes: Any) -> CaseHistory:
    case = case_histories.create_case_history(world.teller, world.org, replace(DRAFT, **changes))
    if publish:
        case_histories.publish(world.teller, case)
    return case


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "FotoCamera"  # Make
    exif[0x8825] = {2: (44.0, 41.0, 52.0), 1: "N"}  # GPS IFD: latitude
    out = BytesIO()
    Image.new("RGB", size, "green").save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "foto.jpg") -> uploads.Upload:
    return uploads.Upload(filename=name, data=data if data is not None else jpeg_with_gps())


# ---------------------------------------------------------------- writing


def test_a_story_starts_as_a_draft_with_sanitized_body(world: World, session) -> None:  # type: ignore[no-untyped-def]
    case = story(world, publish=False, body=DRAFT.body + "\n\n**forte** <script>alert(1)</script> [x](javascript:alert(1))")
    assert case.status == CaseStatus.DRAFT and case.territory_id == world.comune.id and case.organization_id == world.org.id
    assert "<strong>forte</strong>" in case.body_html and "<script" not in case.body_html and "href=\"javascript" not in case.body_html
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "case_history.create", AuditEntry.target_id == case.id))


def test_fields_are_checked(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        case_histories.create_case_history(world.teller, world.org, CaseDraft(title="Io", summary="breve", body="corto",
                                                                              language="xx", territory="Nessun posto al mondo"))
    assert set(caught.value.errors) == {"title", "summary", "body", "language", "territory"}


@pytest.mark.parametrize("url", ["http://video.example.org/v/1", "javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "https://", "https://user@video.example.org/v", "ftp://video.example.org/v", "//video.example.org/v"])
def test_the_video_link_must_be_https(world: World, url: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        story(world, video_url=url)
    assert set(caught.value.errors) == {"video_url"}


def test_an_https_video_link_is_kept(world: World) -> None:
    assert story(world, video_url=" https://video.example.org/v/amina ").video_url == "https://video.example.org/v/amina"


def test_only_the_organisation_writes_and_edits_its_stories(world: World) -> None:
    for who in (world.member, world.citizen, world.moderator):
        with pytest.raises(PermissionDenied):
            case_histories.create_case_history(who, world.org, DRAFT)
    case = story(world)
    assert case_histories.update_case_history(world.staff, case, replace(DRAFT, title="Amina e il murale"), case.version).title == "Amina e il murale"
    for who in (world.member, world.moderator, world.citizen):
        with pytest.raises(PermissionDenied):
            case_histories.update_case_history(who, case, DRAFT, case.version)


def test_an_edit_from_an_old_version_is_a_conflict(world: World, session) -> None:  # type: ignore[no-untyped-def]
    case = story(world)
    seen = case.version
    case_histories.update_case_history(world.staff, case, replace(DRAFT, title="Prima modifica"), seen)
    session.flush()
    with pytest.raises(Conflict):
        case_histories.update_case_history(world.teller, case, replace(DRAFT, title="Seconda modifica"), seen)
    assert case.title == "Prima modifica"


def test_linked_initiative_must_be_one_of_the_organisation(world: World) -> None:
    mine = factories.initiative(world.org, status="running")
    other = factories.initiative(status="running")
    draft_one = factories.initiative(world.org, status="draft")
    assert story(world, initiative_id=mine.id).initiative_id == mine.id
    for wrong in (other.id, draft_one.id, 999_999):
        with pytest.raises(ValidationFailed) as caught:
            story(world, initiative_id=wrong)
        assert set(caught.value.errors) == {"initiative_id"}


def test_other_organisations_are_linked_by_page_address_or_name(world: World) -> None:
    school = factories.organization("Scuola Manzoni", kind=OrgKind.SCHOOL, home=world.comune)
    comune_org = factories.organization("Comune di Prova", kind=OrgKind.LOCAL_AUTHORITY, home=world.comune)
    case = story(world, organizations=[f"https://ponte.test/organizations/{school.slug}", "  comune di prova ", ""])
    assert {o.id for o in case_histories.linked_organizations(case)} == {school.id, comune_org.id}
    case_histories.link_organizations(world.teller, case, [school.slug, world.org.name])  # the teller itself is left out
    assert [o.id for o in case_histories.linked_organizations(case)] == [school.id]
    with pytest.raises(ValidationFailed) as caught:
        case_histories.link_organizations(world.teller, case, ["Nessuna associazione così"])
    assert "Nessuna associazione così" in str(caught.value.errors["organizations"])
    with pytest.raises(PermissionDenied):
        case_histories.link_organizations(world.member, case, [])


# ---------------------------------------------------------------- who sees what


def test_drafts_and_hidden_stories_are_seen_by_the_organisation_and_moderators_only(world: World) -> None:
    case = story(world, publish=False)
    for reader in (None, world.citizen, world.member, world.moderator_elsewhere):
        with pytest.raises(NotFound):
            case_histories.get_case_history(case.id, reader)
    for insider in (world.teller, world.staff, world.moderator, world.admin):
        assert case_histories.get_case_history(case.id, insider) is case
    case_histories.publish(world.teller, case)
    assert case_histories.get_case_history(case.id, None) is case and case.published_at is not None
    case_histories.hide(world.moderator, case, "Dati personali di un minore")
    with pytest.raises(NotFound):
        case_histories.get_case_history(case.id, world.citizen)
    assert case_histories.get_case_history(case.id, world.teller) is case
    assert case.id not in {c.id for c in case_histories.list_case_histories(CaseFilters(), per_page=100).items}
    case_histories.restore(world.admin, case)
    assert case_histories.get_case_history(case.id, None) is case


def test_hiding_needs_a_moderator_of_the_territory_and_a_reason(world: World, session) -> None:  # type: ignore[no-untyped-def]
    case = story(world)
    for who in (world.teller, world.moderator_elsewhere, world.citizen):
        with pytest.raises(PermissionDenied):
            case_histories.hide(who, case, "Motivo valido")
    with pytest.raises(ValidationFailed):
        case_histories.hide(world.moderator, case, "")
    assert not case.is_hidden
    case_histories.hide(world.moderator, case, "Nome completo di un minore")
    told = session.scalar(select(Notification).where(Notification.kind == "moderation.hidden", Notification.target_type == "case_history"))
    assert told is not None and told.user_id == world.teller.id and told.data["reason"] == "Nome completo di un minore"


def test_unpublishing_takes_the_story_back_to_draft(world: World) -> None:
    case = story(world)
    case_histories.unpublish(world.staff, case)
    assert case.status == CaseStatus.DRAFT
    with pytest.raises(NotFound):
        case_histories.get_case_history(case.id, None)
    assert case in case_histories.drafts_of(world.teller)
    assert case_histories.drafts_of(world.member) == []


def test_stories_of_a_hidden_organisation_are_not_listed(world: World, session) -> None:  # type: ignore[no-untyped-def]
    case = story(world)
    world.org.is_hidden = True
    session.flush()
    assert case.id not in {c.id for c in case_histories.list_case_histories(CaseFilters(), per_page=100).items}
    with pytest.raises(NotFound):
        case_histories.get_case_history(case.id, world.citizen)


# ---------------------------------------------------------------- pictures


def test_pictures_are_re_encoded_without_exif(world: World, upload_dir: Path) -> None:
    case = story(world)
    image = case_histories.add_image(world.teller, case, upload(), "Amina davanti al murale", "Il murale finito")
    assert image.file.content_type == "image/webp" and (image.file.width, image.file.height) == (64, 48)
    with Image.open(upload_dir / image.file.storage_name) as stored:
        assert stored.format == "WEBP" and not stored.getexif()
    assert b"FotoCamera" not in (upload_dir / image.file.storage_name).read_bytes()
    assert [i.alt_text for i in case.images] == ["Amina davanti al murale"] and image.caption == "Il murale finito"


def test_a_picture_needs_alt_text_and_nothing_is_stored_without_it(world: World, session) -> None:  # type: ignore[no-untyped-def]
    case = story(world)
    before = session.scalar(select(func.count()).select_from(StoredFile))
    for alt in ("", "  ", "ab", "x" * 301):
        with pytest.raises(ValidationFailed) as caught:
            case_histories.add_image(world.teller, case, upload(), alt)
        assert set(caught.value.errors) == {"alt_text"}
    assert session.scalar(select(func.count()).select_from(StoredFile)) == before and case.images == []


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not an image", b"<svg onload=alert(1)></svg>", b"GIF89a broken"])
def test_only_real_images_are_accepted(world: World, data: bytes) -> None:
    case = story(world)
    with pytest.raises(ValidationFailed) as caught:
        case_histories.add_image(world.teller, case, upload(data, "x.svg"), "Una descrizione")
    assert set(caught.value.errors) == {"file"}


def test_pictures_are_limited_and_removed_by_the_organisation(world: World, session, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(case_histories, "MAX_IMAGES", 2)
    case = story(world)
    first = case_histories.add_image(world.teller, case, upload(), "Prima foto")
    second = case_histories.add_image(world.staff, case, upload(), "Seconda foto")
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(ValidationFailed):
        case_histories.add_image(world.teller, case, upload(), "Terza foto")
    with pytest.raises(PermissionDenied):
        case_histories.add_image(world.member, case, upload(), "Foto di un socio")
    with pytest.raises(PermissionDenied):
        case_histories.remove_image(world.moderator, case, first)
    file_id = first.file_id
    case_histories.remove_image(world.teller, case, first)
    assert [i.alt_text for i in case.images] == ["Seconda foto"] and session.get(StoredFile, file_id) is None
    with pytest.raises(NotFound):
        case_histories.get_image(case, first.id)


# ---------------------------------------------------------------- the list


def _ids(**filters: Any) -> set[int]:
    return {c.id for c in case_histories.list_case_histories(CaseFilters(**filters), per_page=100).items}


def test_list_filters_by_territory_organisation_initiative_and_youth_tag(world: World) -> None:
    initiative = factories.initiative(world.org, status="running")
    school = factories.organization("Scuola Ariosto", kind=OrgKind.SCHOOL, home=world.comune)
    youth = story(world, youth_protagonists=True, initiative_id=initiative.id)
    plain = story(world, organizations=[school.slug])
    unpublished = story(world, publish=False, youth_protagonists=True)
    other_region, _, other_comune = factories.chain()
    far_teller = factories.user()
    far_org = factories.organization(home=other_comune, admin=far_teller)
    far = case_histories.create_case_history(far_teller, far_org, replace(DRAFT, youth_protagonists=True))
    case_histories.publish(far_teller, far)
    mine = {youth.id, plain.id, far.id}
    assert _ids() >= mine and unpublished.id not in _ids()
    assert _ids(youth_protagonists=True) & mine == {youth.id, far.id}
    assert _ids(territory=world.region.istat_code) == {youth.id, plain.id}  # the comune is inside the region
    assert _ids(territory=world.province.istat_code, youth_protagonists=True) == {youth.id}
    assert _ids(territory=other_region.istat_code) == {far.id}
    assert _ids(organization=world.org.slug) == {youth.id, plain.id}
    assert _ids(organization=school.slug) == {plain.id}  # a story about the school, told by another organisation
    assert _ids(organization="nessuna-organizzazione") == set()
    assert _ids(initiative_id=initiative.id) == {youth.id}
    with pytest.raises(ValidationFailed):
        _ids(territory="Nessun posto al mondo")
