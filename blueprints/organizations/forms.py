"""Organisation forms. Labels are lazy; each form builds its service draft."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import EmailField, FieldList, FormField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from app.i18n import (
    AREA_NAMES,
    AUTHORITY_NAMES,
    KIND_CHOICES,
    LEGAL_FORM_NAMES,
    REPORT_REASON_NAMES,
    ROLE_NAMES,
    SCHOOL_LEVEL_NAMES,
    THIRD_SECTOR_NAMES,
    _l,
)
from app.services.memberships import default_role
from app.services.moderation import ReportDraft
from app.services.organizations import DirectoryFilters, OrganizationDraft
from blueprints.forms_common import (
    BaseForm,
    MultiCheckboxField,
    choices,
    language_choices,
    max_length,
    required,
    spoken_choices,
)
from models import MemberRole, Organization

REPORT_REASONS = {k: REPORT_REASON_NAMES[k] for k in ("spam", "false_information", "impersonation", "offensive", "other")}


def _optional_choices(labels: dict) -> list:
    return choices([("", _l("Not applicable")), *labels.items()])


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DescriptionForm(PlainForm):
    language = SelectField(_l("Language"), choices=[SelectChoice("", "—"), *language_choices()], validate_choice=False)
    text = TextAreaField(_l("Text"), [max_length(10_000)], description=_l("You can use Markdown: **bold**, lists with -, links."))


class OrganizationForm(BaseForm):
    name = StringField(_l("Name"), [required(), max_length(160)])
    kind = SelectField(_l("What kind of organisation is it?"), choices=choices(list(KIND_CHOICES.items())), validate_choice=False)
    home_territory = StringField(_l("Comune where it is based"), [required(), max_length(100)], description=_l("For example: Bari, or Castro (LE)."))
    territories_served = TextAreaField(
        _l("Other places where it works"), [Optional(), max_length(2000)],
        description=_l("One comune, province or region per line."),
    )
    description = FieldList(FormField(DescriptionForm), min_entries=3, max_entries=3)
    original_language = SelectField(
        _l("Language the description was first written in"), choices=language_choices(),
        description=_l("Readers see the description in their language if you wrote it, otherwise in this one."),
    )
    areas = MultiCheckboxField(_l("Areas of work"), choices=choices(list(AREA_NAMES.items())), validate_choice=False)
    languages = MultiCheckboxField(_l("Languages spoken"), choices=spoken_choices(), validate_choice=False)
    communities_served = StringField(_l("Communities you work with"), [Optional(), max_length(300)], description=_l("For example: Senegalese, Ukrainian, Bangladeshi families."))
    address = StringField(_l("Address"), [Optional(), max_length(300)])
    email = EmailField(_l("Public e-mail"), [Optional(), max_length(254)])
    phone = StringField(_l("Public phone"), [Optional(), max_length(40)])
    website = StringField(_l("Website"), [Optional(), max_length(300)], description=_l("Starting with https://"))
    social_links = TextAreaField(_l("Social media pages"), [Optional(), max_length(2000)], description=_l("One link per line, starting with https://"))
    legal_form = SelectField(_l("Legal form"), choices=_optional_choices(LEGAL_FORM_NAMES), validate_choice=False)
    runts_number = StringField(_l("RUNTS number"), [Optional(), max_length(20)], description=_l("The number in the national register of the third sector, if registered."))
    founding_year = IntegerField(_l("Year founded"), [Optional(), NumberRange(min=1800, max=2100, message=_l("Write a year between 1800 and this year."))])
    school_level = SelectField(_l("Type of school"), choices=_optional_choices(SCHOOL_LEVEL_NAMES), validate_choice=False)
    school_code = StringField(_l("Codice meccanografico"), [Optional(), max_length(10)])
    authority_type = SelectField(_l("Type of public body"), choices=_optional_choices(AUTHORITY_NAMES), validate_choice=False)
    authority_istat_code = StringField(_l("ISTAT code of the body's territory"), [Optional(), max_length(16)])
    third_sector_type = SelectField(_l("Type of third-sector body"), choices=_optional_choices(THIRD_SECTOR_NAMES), validate_choice=False)
    tax_code = StringField(_l("Codice fiscale"), [Optional(), max_length(20)])
    contact_name = StringField(_l("Contact person"), [Optional(), max_length(120)])
    contact_phone = StringField(_l("Contact person's phone"), [Optional(), max_length(40)])
    logo = FileField(_l("Logo"), description=_l("A picture in JPEG, PNG or WebP format, up to 2 MB."))
    version = HiddenField()

    def fill_from(self, org: Organization) -> None:
        """Pre-fill from the stored profile (GET of the edit page)."""
        for name in ("name", "address", "email", "phone", "website", "communities_served", "runts_number", "founding_year",
                     "school_code", "authority_istat_code", "tax_code", "contact_name", "contact_phone"):
            getattr(self, name).data = getattr(org, name)
        self.kind.data = org.kind.value
        for name in ("legal_form", "school_level", "authority_type", "third_sector_type"):
            value = getattr(org, name)
            getattr(self, name).data = value.value if value else ""
        self.territories_served.data = "\n".join(s.territory.name for s in org.served)
        self.social_links.data = "\n".join(org.social_links or [])
        self.areas.data = org.area_codes
        self.languages.data = org.language_codes
        ordered = sorted(org.descriptions, key=lambda d: not d.is_original)
        for entry, item in zip(self.description.entries, ordered, strict=False):
            entry.form.language.data = item.language
            entry.form.text.data = item.body
        original = next((d.language for d in org.descriptions if d.is_original), None)
        if original:
            self.original_language.data = original
        self.version.data = str(org.version)

    def to_draft(self, home_label: str | None = None) -> OrganizationDraft:
        descriptions = {
            e.form.language.data: e.form.text.data or "" for e in self.description.entries if e.form.language.data and (e.form.text.data or "").strip()
        }
        return OrganizationDraft(
            name=self.name.data or "", kind=self.kind.data or "", home_territory=home_label or self.home_territory.data or "",
            territories_served=_lines(self.territories_served.data), address=self.address.data or "",
            email=self.email.data or "", phone=self.phone.data or "", website=self.website.data or "",
            social_links=_lines(self.social_links.data), communities_served=self.communities_served.data or "",
            areas=list(self.areas.data or []), languages=list(self.languages.data or []), descriptions=descriptions,
            original_language=self.original_language.data or "it", legal_form=self.legal_form.data or "",
            runts_number=self.runts_number.data or "", tax_code=self.tax_code.data or "", founding_year=self.founding_year.data,
            school_code=self.school_code.data or "", school_level=self.school_level.data or "",
            authority_type=self.authority_type.data or "", authority_istat_code=self.authority_istat_code.data or "",
            third_sector_type=self.third_sector_type.data or "", contact_name=self.contact_name.data or "",
            contact_phone=self.contact_phone.data or "",
        )

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() else -1


class JoinForm(BaseForm):
    message = TextAreaField(_l("Message to the organisation"), [Optional(), max_length(500)], description=_l("Say who you are and why you want to join."))


class DecisionForm(BaseForm):
    message = TextAreaField(_l("Message (optional)"), [Optional(), max_length(500)])


class InviteForm(BaseForm):
    email = EmailField(_l("E-mail of the person to invite"), [required(), max_length(254)])
    role = SelectField(_l("Role"), choices=[])

    def set_roles(self, org: Organization) -> None:
        self.role.choices = choices([(r.value, ROLE_NAMES[r.value]) for r in (MemberRole.ADMIN, default_role(org))])
        if not self.role.data:
            self.role.data = default_role(org).value


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=choices(list(ROLE_NAMES.items())))


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""


class VerifyForm(BaseForm):
    note = TextAreaField(_l("How did you check it?"), [Optional(), max_length(500)], description=_l("For example: RUNTS entry seen, phone call with the president. Shown to staff in the audit log."))


class ReportForm(BaseForm):
    reason = SelectField(_l("What is wrong?"), choices=choices(list(REPORT_REASONS.items())))
    message = TextAreaField(_l("Details (optional)"), [Optional(), max_length(1000)])

    def to_draft(self) -> ReportDraft:
        return ReportDraft(reason=self.reason.data or "", message=self.message.data or "")


class DirectoryForm(BaseForm):
    """GET filters of the directory; validated against allowlists by the service."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), [Optional(), max_length(100)])
    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    kind = SelectField(_l("Kind"), choices=choices([("", _l("All kinds")), *KIND_CHOICES.items()]), validate_choice=False)
    area = SelectField(_l("Area of work"), choices=choices([("", _l("All areas")), *AREA_NAMES.items()]), validate_choice=False)
    language = SelectField(_l("Language spoken"), choices=[SelectChoice("", _l("All languages")), *spoken_choices()], validate_choice=False)
    verified = SelectField(_l("Verified"), choices=choices([("", _l("All")), ("1", _l("Only verified"))]), validate_choice=False)
    sort = SelectField(_l("Sort by"), choices=choices([("name", _l("Name")), ("newest", _l("Newest"))]), validate_choice=False)

    def to_filters(self) -> DirectoryFilters:
        return DirectoryFilters(
            territory=self.territory.data or "", kind=self.kind.data or "", area=self.area.data or "",
            language=self.language.data or "", verified=self.verified.data == "1", q=self.q.data or "",
            sort=self.sort.data or "name",
        )
