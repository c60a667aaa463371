"""Case history forms: the list's filters, the story, its pictures, publishing and moderation.
Every button is a form with a CSRF token."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import LANGUAGES, _l
from app.services.case_histories import CaseDraft, CaseFilters
from blueprints.forms_common import BaseForm, language_choices, max_length, required
from models import CaseHistory, Initiative, Organization

MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")
YOUTH_LABEL = _l("Young people of foreign origin are the protagonists")


class CaseFilterForm(BaseForm):
    """GET filters of the list of stories."""

    class Meta:
        csrf = False

    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    organization = StringField(_l("Organisation"), [Optional(), max_length(80)],
                               description=_l("The last part of the address of its page, for example: casa-dei-popoli."))
    initiative = StringField(_l("Initiative number"), [Optional(), max_length(12)])
    youth = BooleanField(YOUTH_LABEL)

    def to_filters(self) -> CaseFilters | None:
        """The filters, or None when the initiative number is not a number."""
        raw = (self.initiative.data or "").strip()
        if raw and not raw.isdigit():
            self.initiative.errors = [*self.initiative.errors, _l("Write a number.")]
            return None
        return CaseFilters(territory=(self.territory.data or "").strip(), organization=(self.organization.data or "").strip(),
                           initiative_id=int(raw) if raw else None, youth_protagonists=bool(self.youth.data))


class CaseForm(BaseForm):
    title = StringField(_l("Title"), [required(), max_length(160)], description=_l("Say in a few words whose story it is."))
    summary = TextAreaField(_l("Summary"), [required(), max_length(500)],
                            description=_l("Two or three sentences: who, where, what changed. They are shown in the list."))
    body = TextAreaField(_l("The story"), [required(), max_length(30_000)], description=MARKDOWN_HELP)
    language = SelectField(_l("Language of the story"), choices=language_choices(), validate_choice=False)
    territory = StringField(_l("Where"), [Optional(), max_length(100)],
                            description=_l("A comune, province or region. Leave empty for the place of your organisation."))
    initiative_id = SelectField(_l("Initiative"), choices=[], default="",
                                description=_l("The initiative the story comes from, if there is one."))
    organizations = TextAreaField(_l("Other organisations in the story"), [Optional(), max_length(3000)],
                                  description=_l("One for each line: the address of its page on Ponte, or its exact name."))
    youth_protagonists = BooleanField(YOUTH_LABEL)
    video_url = URLField(_l("Link to a video"), [Optional(), max_length(300)],
                         description=_l("It starts with https://. The page shows it as a link to the other site: the video is not played on Ponte."))
    version = HiddenField()

    def set_initiatives(self, initiatives: list[Initiative]) -> None:
        self.initiative_id.choices = [SelectChoice("", _l("No initiative")), *(SelectChoice(str(i.id), i.title) for i in initiatives)]

    def fill_defaults(self, language: str) -> None:
        self.language.data = language if language in LANGUAGES else "it"

    def fill_from(self, case: CaseHistory, territory_label: str, linked: list[Organization]) -> None:
        for name in ("title", "summary", "body", "language", "video_url", "youth_protagonists"):
            getattr(self, name).data = getattr(case, name)
        self.territory.data = territory_label
        self.initiative_id.data = str(case.initiative_id) if case.initiative_id else ""
        self.organizations.data = "\n".join(o.name for o in linked)
        self.version.data = str(case.version)

    def to_draft(self) -> CaseDraft:
        chosen = self.initiative_id.data or ""
        return CaseDraft(
            title=self.title.data or "", summary=self.summary.data or "", body=self.body.data or "",
            language=self.language.data or "", territory=self.territory.data or "",
            initiative_id=int(chosen) if chosen.isdigit() else None, video_url=self.video_url.data or "",
            youth_protagonists=bool(self.youth_protagonists.data),
            organizations=(self.organizations.data or "").splitlines(),
        )

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() and len(raw) < 10 else -1


class ImageForm(BaseForm):
    file = FileField(_l("Picture"), [FileRequired(message=_l("Choose a file."))],
                     description=_l("A photo or image in JPEG, PNG or WebP format, up to 2 MB. Its hidden data (such as the place where it was taken) is removed."))
    alt_text = StringField(_l("Text for people who cannot see the picture"), [required(), max_length(300)],
                           description=_l("Blind people hear this text instead of seeing the picture. Say what it shows, for example: "
                                          "two girls painting a wall of their school."))
    caption = StringField(_l("Caption"), [Optional(), max_length(300)], description=_l("Shown under the picture to everyone."))


class PublishForm(BaseForm):
    """Publish (1) or take back to draft (0)."""

    published = HiddenField()


class ModerateForm(BaseForm):
    reason = StringField(_l("Reason"), [Optional(), max_length(300)], description=_l("The organisation that told the story reads it."))


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
