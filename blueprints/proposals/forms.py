"""Proposal forms: write, comment, co-sponsor, attach, report, moderate, answer, follow up."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from app.i18n import (
    ACTION_NAMES,
    PROGRESS_STATUS_NAMES,
    REPORT_REASON_NAMES,
    RESPONSE_DECISION_NAMES,
    _l,
)
from app.services.moderation import ReportDraft
from app.services.proposals import ProposalDraft
from app.services.responses import ProgressDraft, ResponseDraft
from blueprints.forms_common import BaseForm, choices, max_length, required
from models import Organization, Proposal, ProposalResponse, ResponseTemplate

MARKDOWN_HELP = _l("You can use Markdown: **bold**, _italic_, lists with -, links. HTML is shown as text.")
REPORT_REASONS = {k: REPORT_REASON_NAMES[k] for k in ("spam", "false_information", "offensive", "off_topic", "personal_data", "other")}


def _speaker_choices(orgs: list[Organization]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Myself")), *(SelectChoice(str(o.id), o.name) for o in orgs)]


def _int_or_none(raw: str | None) -> int | None:
    raw = raw or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


class _Versioned(BaseForm):
    version = HiddenField()

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() and len(raw) < 10 else -1


class ProposalForm(_Versioned):
    title = StringField(_l("Title"), [required(), max_length(160)], description=_l("Say in a few words what you propose."))
    summary = TextAreaField(_l("Summary"), [required(), max_length(500)],
                            description=_l("What you propose, in one or two sentences. It is shown in the lists."))
    body = TextAreaField(_l("The proposal"), [required(), max_length(20_000)], description=MARKDOWN_HELP)
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    organization_id = SelectField(_l("Write as"), choices=[], validate_choice=False)
    authority_id = SelectField(_l("Public body that should answer"), choices=[], validate_choice=False)

    def set_choices(self, actions: list[str], speakers: list[Organization], authorities: list[Organization]) -> None:
        self.action.choices = choices([("", _l("No action")), *((a, ACTION_NAMES[a]) for a in actions if a in ACTION_NAMES)])
        self.organization_id.choices = _speaker_choices(speakers)
        self.authority_id.choices = [SelectChoice(str(o.id), o.name) for o in authorities]

    def fill_from(self, proposal: Proposal) -> None:
        self.title.data, self.summary.data, self.body.data = proposal.title, proposal.summary, proposal.body
        self.action.data = proposal.action
        self.organization_id.data = str(proposal.organization_id or "")
        self.authority_id.data = str(proposal.authority_id)
        self.version.data = str(proposal.version)

    def to_draft(self) -> ProposalDraft:
        return ProposalDraft(
            title=self.title.data or "", summary=self.summary.data or "", body=self.body.data or "", action=self.action.data or "",
            organization_id=_int_or_none(self.organization_id.data), authority_id=_int_or_none(self.authority_id.data),
        )


class CommentForm(BaseForm):
    body = TextAreaField(_l("Your comment"), [required(), max_length(5000)], description=MARKDOWN_HELP)
    parent_id = HiddenField()
    organization_id = SelectField(_l("Write as"), choices=[], validate_choice=False)

    def set_speakers(self, orgs: list[Organization]) -> None:
        self.organization_id.choices = _speaker_choices(orgs)

    @property
    def parent(self) -> int | None:
        return _int_or_none(self.parent_id.data)

    @property
    def organization(self) -> int | None:
        return _int_or_none(self.organization_id.data)


class ReportForm(BaseForm):
    reason = SelectField(_l("What is wrong?"), choices=choices(list(REPORT_REASONS.items())))
    message = TextAreaField(_l("Details (optional)"), [Optional(), max_length(1000)])

    def to_draft(self) -> ReportDraft:
        return ReportDraft(reason=self.reason.data or "", message=self.message.data or "")


class ModerateForm(BaseForm):
    reason = StringField(_l("Reason (the author can read it)"), [Optional(), max_length(300)])


class WithdrawForm(BaseForm):
    confirm = BooleanField(_l("Yes, withdraw this proposal"), [InputRequired(message=_l("Tick the box to confirm."))])


class SponsorForm(BaseForm):
    sponsor = SelectField(_l("Association to invite"), choices=[], validate_choice=False)

    def set_candidates(self, orgs: list[Organization]) -> None:
        self.sponsor.choices = [SelectChoice(str(o.id), o.name) for o in orgs]

    @property
    def organization(self) -> int:
        return _int_or_none(self.sponsor.data) or 0


class AttachmentForm(BaseForm):
    title = StringField(_l("Title of the file"), [Optional(), max_length(160)],
                        description=_l("For example: map of the area. If empty, the file name is used."))
    file = FileField(_l("File"), [FileRequired(message=_l("Choose a file."))],
                     description=_l("A PDF, or an image in JPEG, PNG or WebP format, up to 10 MB."))


DECISION_CHOICES = choices(list(RESPONSE_DECISION_NAMES.items()))


class ResponseForm(_Versioned):
    decision = RadioField(_l("Decision"), choices=DECISION_CHOICES, validate_choice=False)
    text = TextAreaField(_l("Answer"), [required(), max_length(10_000)], description=MARKDOWN_HELP)
    office = StringField(_l("Office in charge"), [Optional(), max_length(200)])
    next_step = StringField(_l("Next step"), [Optional(), max_length(500)],
                            description=_l("What happens next, so people know what to expect."))
    contact = StringField(_l("Contact"), [Optional(), max_length(200)], description=_l("An office e-mail or phone number, not a personal one."))
    cost_estimate = StringField(_l("Estimated cost in euros"), [Optional(), max_length(30)],
                                description=_l("For example 12500 or 12.500,50."))
    expected_on = DateField(_l("Expected date"), [Optional()])

    def fill_from(self, response: ProposalResponse) -> None:
        self.decision.data = response.decision.value
        self.text.data = response.text
        self.office.data, self.next_step.data, self.contact.data = response.office, response.next_step, response.contact
        cents = response.cost_estimate_cents
        self.cost_estimate.data = "" if cents is None else f"{cents // 100}.{cents % 100:02d}"
        self.expected_on.data = response.expected_on
        self.version.data = str(response.version)

    def fill_from_template(self, template: ResponseTemplate) -> None:
        self.decision.data = template.decision.value
        self.text.data = template.text

    def to_draft(self) -> ResponseDraft:
        return ResponseDraft(
            decision=self.decision.data or "", text=self.text.data or "", office=self.office.data or "",
            next_step=self.next_step.data or "", contact=self.contact.data or "", cost_estimate=self.cost_estimate.data or "",
            expected_on=self.expected_on.data,
        )


class ProgressForm(BaseForm):
    # Own ids: this form shares the respond page with the answer form.
    happened_on = DateField(_l("Date"), [InputRequired(message=_l("Fill in this field."))], id="progress-date")
    text = TextAreaField(_l("What happened"), [required(), max_length(5000)], description=MARKDOWN_HELP, id="progress-text")
    percent = IntegerField(_l("How far along, in percent (0 to 100)"), [InputRequired(message=_l("Fill in this field."))],
                           id="progress-percent")
    status = SelectField(_l("Status"), choices=choices(list(PROGRESS_STATUS_NAMES.items())), validate_choice=False, id="progress-status")

    def to_draft(self) -> ProgressDraft:
        return ProgressDraft(happened_on=self.happened_on.data, text=self.text.data or "", percent=self.percent.data,
                             status=self.status.data or "")


class TemplateForm(BaseForm):
    name = StringField(_l("Name of the template"), [required(), max_length(120)])
    decision = SelectField(_l("Decision"), choices=DECISION_CHOICES, validate_choice=False)
    text = TextAreaField(_l("Answer"), [required(), max_length(10_000)], description=MARKDOWN_HELP)


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
