"""Initiative forms: the initiative itself, catalogue filters, status, partners (invite, answer,
contact person), sessions, materials and translations. Every POST form carries a CSRF token."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import (
    ACTION_NAMES,
    INITIATIVE_KIND_NAMES,
    INITIATIVE_STATUS_NAMES,
    LANGUAGES,
    PARTNER_ROLE_NAMES,
    TARGET_GROUP_NAMES,
    _l,
)
from app.services.initiatives import PUBLIC_STATUSES, InitiativeDraft, InitiativeFilters, PartnerContact
from blueprints.forms_common import (
    BaseForm,
    Blank,
    Mandatory,
    MultiCheckboxField,
    choices,
    language_choices,
    max_length,
)
from models import Event, Initiative, InitiativePartner

MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")


def _seen(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else -1


class InitiativeForm(BaseForm):
    title = StringField(_l("Title"), [Mandatory(), max_length(160)], description=_l("Say in a few words what the initiative does."))
    kind = SelectField(_l("Kind of initiative"), choices=choices([("", _l("Choose…")), *INITIATIVE_KIND_NAMES.items()]),
                       validate_choice=False)
    actions = MultiCheckboxField(_l("Actions"), choices=choices(list(ACTION_NAMES.items())), validate_choice=False,
                                 description=_l("The actions of the regional plan the initiative belongs to. Choose at least one."))
    targets = MultiCheckboxField(_l("For whom"), choices=choices(list(TARGET_GROUP_NAMES.items())), validate_choice=False,
                                 description=_l("Choose at least one group of people."))
    territory = StringField(_l("Place"), [Mandatory(), max_length(100)],
                            description=_l("The comune, province or region where it takes place, in the region of the lead organisation."))
    starts_on = DateField(_l("First day"), [Blank()])
    ends_on = DateField(_l("Last day"), [Blank()], description=_l("At most five years after the first day."))
    objectives = TextAreaField(_l("Objectives"), [max_length(3000)], description=_l("One objective per line."))
    description = TextAreaField(_l("Description"), [max_length(20_000)], description=MARKDOWN_HELP)
    language = SelectField(_l("Language of the title and description"), choices=language_choices(), validate_choice=False,
                           description=_l("You can add other languages afterwards."))
    version = HiddenField()

    def fill_defaults(self, territory_label: str, language: str) -> None:
        self.territory.data = territory_label
        self.language.data = language if language in LANGUAGES else "it"

    def fill_from(self, initiative: Initiative, territory_label: str) -> None:
        """Pre-fill from the stored initiative (GET of the edit page)."""
        for name in ("title", "starts_on", "ends_on", "objectives", "description", "language"):
            getattr(self, name).data = getattr(initiative, name)
        self.kind.data = initiative.kind.value
        self.actions.data, self.targets.data = initiative.action_codes, initiative.target_codes
        self.territory.data = territory_label
        self.version.data = str(initiative.version)

    def to_draft(self) -> InitiativeDraft:
        return InitiativeDraft(
            title=self.title.data or "", kind=self.kind.data or "", actions=list(self.actions.data or []),
            targets=list(self.targets.data or []), territory=self.territory.data or "", starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, objectives=self.objectives.data or "", description=self.description.data or "",
            language=self.language.data or "",
        )

    @property
    def seen_version(self) -> int:
        return _seen(self.version.data)


class FilterForm(BaseForm):
    """GET filters of the catalogue."""

    class Meta:
        csrf = False

    q = StringField(_l("Words in the title"), [Optional(), max_length(100)])
    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    kind = SelectField(_l("Kind"), choices=choices([("", _l("All kinds")), *INITIATIVE_KIND_NAMES.items()]), validate_choice=False)
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)
    target = SelectField(_l("For whom"), choices=choices([("", _l("Everyone")), *TARGET_GROUP_NAMES.items()]), validate_choice=False)
    status = SelectField(_l("Status"), choices=choices([("", _l("All")), *((s.value, INITIATIVE_STATUS_NAMES[s]) for s in PUBLIC_STATUSES)]),
                         validate_choice=False)

    def to_filters(self) -> InitiativeFilters:
        return InitiativeFilters(kind=self.kind.data or "", action=self.action.data or "", territory=(self.territory.data or "").strip(),
                                 target=self.target.data or "", status=self.status.data or "", q=self.q.data or "")


class StatusForm(BaseForm):
    status = HiddenField()
    confirm = BooleanField(_l("Yes, the initiative is completed"))


class _ContactFields(BaseForm):
    contact_name = StringField(_l("Contact person"), [max_length(120)], description=_l("Only the lead and the confirmed partners see it."))
    contact_email = StringField(_l("E-mail of the contact person"), [max_length(254)])
    contact_phone = StringField(_l("Phone of the contact person"), [max_length(40)])

    def fill_contact(self, row: InitiativePartner) -> None:
        self.contact_name.data, self.contact_email.data, self.contact_phone.data = row.contact_name, row.contact_email, row.contact_phone

    def to_contact(self) -> PartnerContact:
        return PartnerContact(self.contact_name.data or "", self.contact_email.data or "", self.contact_phone.data or "")


class DecideForm(_ContactFields):
    """Confirm or decline an invitation: the answer comes from the button pressed (or ?answer= from the personal area)."""

    answer = StringField()


class ContactForm(_ContactFields):
    organization_id = HiddenField()


class SearchForm(BaseForm):
    """GET: find an organisation to invite."""

    class Meta:
        csrf = False

    q = StringField(_l("Organisation"), [Optional(), max_length(300)], description=_l("Its name, or the address of its page on Ponte."))


PARTNER_ROLES = [(k, v) for k, v in PARTNER_ROLE_NAMES.items() if k != "lead"]


class InviteForm(BaseForm):
    organization_id = HiddenField()
    role = SelectField(_l("Role"), choices=choices(PARTNER_ROLES), validate_choice=False)
    q = HiddenField()


class EventLinkForm(BaseForm):
    event_id = SelectField(_l("Event"), choices=[], validate_choice=False,
                           description=_l("Events of the lead organisation and of confirmed partners."))
    action = HiddenField(default="link")

    def set_events(self, found: list[Event], label) -> None:  # type: ignore[no-untyped-def]
        self.event_id.choices = [SelectChoice(str(e.id), label(e)) for e in found]


class MaterialForm(BaseForm):
    title = StringField(_l("Title"), [max_length(160)], description=_l("For a file, the file name is used if you leave it empty."))
    url = URLField(_l("Link"), [max_length(300)], description=_l("It starts with https://. Or choose a file below."))
    file = FileField(_l("File"), description=_l("A PDF, or an image in JPEG, PNG or WebP format, up to 10 MB."))
    language = SelectField(_l("Language"), choices=[SelectChoice("", _l("Not given")), *language_choices()], validate_choice=False)


class TranslationForm(BaseForm):
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    title = StringField(_l("Title"), [Mandatory(), max_length(160)])
    description = TextAreaField(_l("Description"), [max_length(20_000)], description=MARKDOWN_HELP)

    def set_languages(self, original: str) -> None:
        self.language.choices = [c for c in language_choices() if c.value != original]


class RemoveTranslationForm(BaseForm):
    language = HiddenField()


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
