"""Founding path forms. Several live on one page, so each gets a prefix (unique ids and names)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.i18n import KIND_CHOICES, LEGAL_FORM_NAMES, _l
from app.services import founding
from blueprints.forms_common import BaseForm, choices, max_length, required
from models import FoundingPath, FoundingStep, Organization

STATUS_LABELS = {
    "todo": _l("To do"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
}
LEGAL_FORM_CHOICES = {"": _l("Not decided yet"), "aps": LEGAL_FORM_NAMES["aps"], "odv": LEGAL_FORM_NAMES["odv"]}
RESULT_KIND_LABELS = {k: KIND_CHOICES[k] for k in ("migrant_association", "youth_association")}


class _Versioned(BaseForm):
    version = HiddenField()

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() else -1


class AnswersForm(_Versioned):
    legal_form = SelectField(_l("Legal form"), choices=choices(list(LEGAL_FORM_CHOICES.items())), validate_choice=False)
    association_name = StringField(
        _l("Name of the association"), [Optional(), max_length(160)],
        description=_l("The name written in the statute. It can be the group's name."),
    )
    purpose = TextAreaField(
        _l("Purpose: what the association does and for whom"), [Optional(), max_length(4000)],
        description=_l("In simple words, for example: Italian lessons and help with documents for families from Senegal."),
    )
    seat_address = StringField(
        _l("Address of the seat"), [Optional(), max_length(300)],
        description=_l("Street, number, postcode and comune, for example: Via Roma 1, 70121 Bari."),
    )
    founding_members = TextAreaField(
        _l("Founding members"), [Optional(), max_length(30_000)],
        description=_l("First and last name of each founder, one per line. At least 3 for the statute; the RUNTS needs at least 7 members."),
    )

    def fill_from(self, path: FoundingPath) -> None:
        self.legal_form.data = path.legal_form.value if path.legal_form else ""
        self.association_name.data = path.association_name
        self.purpose.data = path.purpose
        self.seat_address.data = path.seat_address
        self.founding_members.data = "\n".join(path.founding_members or [])
        self.version.data = str(path.version)

    def to_draft(self) -> founding.AnswersDraft:
        return founding.AnswersDraft(
            legal_form=self.legal_form.data or "", association_name=self.association_name.data or "",
            purpose=self.purpose.data or "", seat_address=self.seat_address.data or "",
            founding_members=tuple((self.founding_members.data or "").splitlines()), seen_version=self.seen_version,
        )


class StepForm(_Versioned):
    status = SelectField(_l("Status"), choices=choices(list(STATUS_LABELS.items())), validate_choice=False)
    notes = TextAreaField(_l("Notes"), [Optional(), max_length(5000)], description=_l("For example: who does what, appointments, what is missing."))
    file = FileField(_l("Add a document"), description=_l("A PDF, or a photo of the page in JPEG, PNG or WebP format, up to 10 MB."))

    def fill_from(self, step: FoundingStep, path: FoundingPath) -> None:
        self.status.data = step.status.value
        self.notes.data = step.notes
        self.version.data = str(path.version)


class MentorForm(BaseForm):
    mentor = SelectField(
        _l("Mentor association"), [required()], choices=[], validate_choice=False,
        description=_l("Verified associations and third-sector bodies of your region. Their admins receive your invitation by e-mail."),
    )

    def set_candidates(self, candidates: list[Organization]) -> None:
        self.mentor.choices = choices([("", _l("Choose an association")), *((o.slug, o.name) for o in candidates)])


class CompleteForm(_Versioned):
    tax_code = StringField(_l("Codice fiscale of the association"), [required(), max_length(20)], description=_l("11 digits, from the Agenzia delle Entrate."))
    runts_number = StringField(_l("RUNTS number"), [required(), max_length(20)], description=_l("The number you received with the RUNTS registration."))
    kind = SelectField(_l("The association will be shown as"), choices=choices(list(RESULT_KIND_LABELS.items())), validate_choice=False)

    def to_draft(self) -> founding.CompletionDraft:
        return founding.CompletionDraft(
            tax_code=self.tax_code.data or "", runts_number=self.runts_number.data or "",
            kind=self.kind.data or "", seen_version=self.seen_version,
        )


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
