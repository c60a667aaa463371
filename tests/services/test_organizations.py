"""Organisation profiles, directory, verification and reports."""

from __future__ import annotations

import pytest

from app.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.services import audit, moderation, organizations
from app.services.organizations import DirectoryFilters, OrganizationDraft
from models import Area, AuditEntry, OrganizationArea, OrgKind, ReportStatus
from tests import factories


@pytest.fixture
def place(session):  # type: ignore[no-untyped-def]
    region, province, comune = factories.chain()
    comune.name = "Lecce"
    comune.name_key = "lecce"
    comune.car_code = "LE"
    session.flush()
    return region, province, comune


def _draft(**kw) -> OrganizationDraft:  # type: ignore[no-untyped-def]
    data = {"name": "Associazione Teranga", "kind": "migrant_association", "home_territory": "Lecce"}
    data.update(kw)
    return OrganizationDraft(**data)


def test_creator_becomes_admin_and_profile_is_stored(session, place) -> None:  # type: ignore[no-untyped-def]
    founder = factories.user()
    org = organizations.create_organization(founder, _draft(
        areas=["action_04", "mediation"], languages=["wo", "fr"], phone="0832 245118", website="https://teranga.example.org",
        descriptions={"it": "**Ciao** <script>x</script>", "fr": "Bonjour"}, original_language="it",
    ))
    assert org.slug == "associazione-teranga"
    assert org.members_count == 1 and org.phone == "+390832245118"
    assert org.area_codes == ["action_04", "mediation"]
    italian = organizations.description_for(org, "it")
    assert italian is not None and "<strong>Ciao</strong>" in italian.body_html and "<script" not in italian.body_html
    assert organizations.description_for(org, "fr").body == "Bonjour"  # type: ignore[union-attr]
    assert organizations.description_for(org, "ar").language == "it"  # type: ignore[union-attr]  # falls back to the original
    founder_role = [m.role for m in founder.memberships]
    assert founder_role == ["admin"]


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("name", {"name": "x"}),
        ("kind", {"kind": "bank"}),
        ("home_territory", {"home_territory": "Atlantide"}),
        ("phone", {"phone": "12"}),
        ("website", {"website": "javascript:alert(1)"}),
        ("website", {"website": "http://example.org"}),
        ("tax_code", {"tax_code": "12345678901"}),
        ("school_code", {"school_code": "??"}),
        ("social_links", {"social_links": ["data:text/html,x"]}),
        ("authority_type", {"kind": "local_authority"}),
        ("school_level", {"kind": "school"}),
        ("founding_year", {"founding_year": 1500}),
        ("areas", {"areas": ["astrology"]}),
        ("descriptions", {"descriptions": {"xx": "text"}}),
    ],
)
def test_bad_profile_data_is_refused_with_a_message_per_field(session, place, field, changes) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as err:
        organizations.create_organization(factories.user(), _draft(**changes))
    assert field in err.value.errors


def test_valid_tax_codes_are_accepted(session, place) -> None:  # type: ignore[no-untyped-def]
    org = organizations.create_organization(factories.user(), _draft(tax_code="01234567897"))
    assert org.tax_code == "01234567897"


def test_unconfirmed_people_cannot_create_profiles(session, place) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        organizations.create_organization(factories.user(confirmed=False), _draft())


def test_slugs_stay_unique(session, place) -> None:  # type: ignore[no-untyped-def]
    a = organizations.create_organization(factories.user(), _draft())
    b = organizations.create_organization(factories.user(), _draft())
    assert (a.slug, b.slug) == ("associazione-teranga", "associazione-teranga-2")
    arabic = organizations.create_organization(factories.user(), _draft(name="جمعية الجسر"))
    assert arabic.slug == "organizzazione"


def test_only_admins_edit_and_stale_edits_are_refused(session, place) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user()
    org = organizations.create_organization(admin, _draft())
    with pytest.raises(PermissionDenied):
        organizations.update_organization(factories.user(), org, _draft(name="Presa"), org.version)
    seen = org.version
    organizations.update_organization(admin, org, _draft(name="Teranga Lecce"), seen)
    session.flush()
    with pytest.raises(Conflict):
        organizations.update_organization(admin, org, _draft(name="Vecchia versione"), seen)
    assert org.name == "Teranga Lecce"


def test_verification_needs_staff_and_a_note_and_is_audited(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    org = factories.organization(home=comune)
    with pytest.raises(PermissionDenied):
        organizations.set_verified(factories.user(), org, True, "looks fine")
    other_moderator = factories.moderator(factories.chain()[0])
    with pytest.raises(PermissionDenied):
        organizations.set_verified(other_moderator, org, True, "looks fine")
    moderator = factories.moderator(region)
    with pytest.raises(ValidationFailed):
        organizations.set_verified(moderator, org, True, "")
    organizations.set_verified(moderator, org, True, "RUNTS entry seen")
    assert org.is_verified and org.verified_by_id == moderator.id
    organizations.set_verified(moderator, org, False, "association closed")
    session.flush()
    actions = [e.action for e in session.query(AuditEntry).filter_by(target_id=org.id).order_by(AuditEntry.id)]
    assert actions == ["organization.verify", "organization.revoke"]
    admin = factories.admin()
    assert [e.action for e in audit.list_entries(admin).items][:2] == ["organization.revoke", "organization.verify"]


def test_hidden_profiles_are_not_found_by_the_public(session, place) -> None:  # type: ignore[no-untyped-def]
    admin = factories.user()
    org = factories.organization(home=place[2], admin=admin, is_hidden=True)
    with pytest.raises(NotFound):
        organizations.get_by_slug(org.slug, None)
    with pytest.raises(NotFound):
        organizations.get_by_slug(org.slug, factories.user())
    assert organizations.get_by_slug(org.slug, admin) is org
    assert organizations.list_organizations(DirectoryFilters(q=org.name)).items == []


def test_directory_filters(session) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = factories.chain()
    other = factories.chain()[2]
    school = factories.organization("Scuola Dante", OrgKind.SCHOOL, home=comune, verified=True)
    assoc = factories.organization("Amici di Dakar", OrgKind.MIGRANT_ASSOCIATION, home=other)
    assoc.areas = [OrganizationArea(area=Area.MEDIATION)]
    session.flush()
    by_place = organizations.list_organizations(DirectoryFilters(territory=region.istat_code)).items
    assert school in by_place and assoc not in by_place
    assert organizations.list_organizations(DirectoryFilters(kind="school", q="dante")).items == [school]
    assert organizations.list_organizations(DirectoryFilters(verified=True, q="dakar")).items == []
    assert organizations.list_organizations(DirectoryFilters(area="mediation", q="dakar")).items == [assoc]
    assert organizations.list_organizations(DirectoryFilters(q="100%_\\")).items == []
    for bad in ({"kind": "x"}, {"area": "x"}, {"sort": "drop table"}):
        with pytest.raises(ValidationFailed):
            organizations.list_organizations(DirectoryFilters(**bad))


def test_reports_reach_the_territory_moderators_once(session, place) -> None:  # type: ignore[no-untyped-def]
    region, _, comune = place
    org = factories.organization(home=comune)
    reporter = factories.user()
    report = moderation.report_organization(reporter, org, moderation.ReportDraft(reason="spam", message="Pubblicità"))
    with pytest.raises(Conflict):
        moderation.report_organization(reporter, org, moderation.ReportDraft(reason="spam"))
    moderator = factories.moderator(region)
    assert moderation.open_reports(moderator).items == [report]
    assert moderation.open_reports(factories.moderator(factories.chain()[0])).items == []
    with pytest.raises(PermissionDenied):
        moderation.open_reports(factories.user())
    moderation.decide(moderator, report, hide=True, note="spam confirmed")
    assert report.status == ReportStatus.RESOLVED and org.is_hidden
    with pytest.raises(Conflict):
        moderation.decide(moderator, report, hide=False)
