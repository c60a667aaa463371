"""Good practice forms: the catalogue's filters, the card moderators write, publishing, and
"replicate this" (which organisation leads the new initiative, where and when)."""

from __future__ import annotations

from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import ACTION_NAMES, INITIATIVE_KIND_NAMES, LANGUAGES, TARGET_GROUP_NAMES, _l
from app.services.practices import PracticeCard, PracticeFilters
from blueprints.forms_common import BaseForm, choices, language_choices, max_length, required
from models import GoodPractice, Organization

MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")


class _Blank(Optional):
    """Empty is accepted here (the service says what is missing) without marking the field "(optional)"."""

    field_flags: dict = {}  # noqa: RUF012 — WTForms reads this class attribute


class PracticeFilterForm(BaseForm):
    """GET filters of the catalogue."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)
    kind = SelectField(_l("Kind of initiative"), choices=choices([("", _l("All kinds")), *INITIATIVE_KIND_NAMES.items()]),
                       validate_choice=False)
    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    target = SelectField(_l("For whom"), choices=choices([("", _l("Everyone")), *TARGET_GROUP_NAMES.items()]), validate_choice=False)

    def to_filters(self) -> PracticeFilters:
        return PracticeFilters(action=self.action.data or "", kind=self.kind.data or "",
                               territory=(self.territory.data or "").strip(), target=self.target.data or "")


class CardForm(BaseForm):
    """The good practice card."""

    title = StringField(_l("Title of the good practice"), [required(), max_length(160)],
                        description=_l("Say in a few words what was done, and where."))
    language = SelectField(_l("Language of the card"), choices=language_choices(), validate_choice=False)
    problem = TextAreaField(_l("The problem"), [required(), max_length(20_000)],
                            description=_l("What was not working, and for whom, before the initiative."))
    method = TextAreaField(_l("The method"), [required(), max_length(20_000)],
                           description=_l("What the partners did, step by step."))
    results = TextAreaField(_l("The results"), [required(), max_length(20_000)],
                            description=_l("What changed. The figures recorded by the partners are shown beside it."))
    replication = TextAreaField(_l("What it takes to replicate it"), [required(), max_length(20_000)],
                                description=_l("People, time, places, money, partners: what another territory needs."))
    contact = StringField(_l("Contact"), [Optional(), max_length(300)],
                          description=_l("Who to ask: a name, an office, a public e-mail address. It is shown to everyone."))
    version = HiddenField()

    def fill_defaults(self, title: str, language: str) -> None:
        self.title.data = title
        self.language.data = language if language in LANGUAGES else "it"

    def fill_from(self, practice: GoodPractice) -> None:
        for name in ("title", "language", "problem", "method", "results", "replication", "contact"):
            getattr(self, name).data = getattr(practice, name)
        self.version.data = str(practice.version)

    def to_card(self) -> PracticeCard:
        return PracticeCard(
            title=self.title.data or "", problem=self.problem.data or "", method=self.method.data or "",
            results=self.results.data or "", replication=self.replication.data or "", contact=self.contact.data or "",
            language=self.language.data or "",
        )

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() and len(raw) < 10 else -1


class PublishForm(BaseForm):
    """Publish (1) or take out of the catalogue (0)."""

    published = HiddenField()


class ReplicateForm(BaseForm):
    lead = SelectField(_l("Organisation that leads the new initiative"), choices=[], coerce=str)
    territory = StringField(_l("Where"), [required(), max_length(100)], description=_l("A comune, province or region."))
    starts_on = DateField(_l("First day"), [_Blank()])
    ends_on = DateField(_l("Last day"), [_Blank()])

    def set_leads(self, leads: list[Organization]) -> None:
        self.lead.choices = [SelectChoice(str(o.id), o.name) for o in leads]

    def chosen_lead(self, leads: list[Organization]) -> Organization | None:
        return next((o for o in leads if str(o.id) == self.lead.data), None)
