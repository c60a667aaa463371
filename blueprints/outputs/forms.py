"""The form partners fill in to record outputs: the period, a few counts, a table of
participants (eight blank rows, no JavaScript needed) and the outcomes in words.

Number fields are plain text inputs (with a numeric keyboard on phones): the service says
precisely what is wrong with what was typed (negative, decimals, letters, too large), and a
page sent back with errors keeps exactly what the person wrote."""

from __future__ import annotations

from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.exceptions import ValidationFailed
from app.i18n import AGE_BAND_NAMES, GENDER_NAMES, TARGET_GROUP_NAMES, _l
from app.services.outputs import OUTCOMES_MAX, OutputDraft, ParticipantRow
from blueprints.common import apply_errors
from blueprints.forms_common import BaseForm, choices, max_length
from models import Initiative, Organization, OutputReport, TargetGroup

BLANK_ROWS = 8


class ParticipantRowForm(Form):
    """One row of the participants table (a sub-form: the CSRF token belongs to the whole form)."""

    target_group = SelectField(_l("Target group"), choices=[], validate_choice=False)
    gender = SelectField(_l("Gender"), choices=choices(list(GENDER_NAMES.items())), default="not_recorded", validate_choice=False)
    age_band = SelectField(_l("Age band"), choices=choices(list(AGE_BAND_NAMES.items())), default="not_recorded", validate_choice=False)
    count = StringField(_l("How many"), [max_length(20)])


class OutputForm(BaseForm):
    organization_id = SelectField(_l("Recorded by"), choices=[], validate_choice=False,
                                  description=_l("You act for more than one partner: choose the one these figures belong to."))
    period_start = DateField(_l("First day"), [InputRequired(message=_l("Fill in this field."))])
    period_end = DateField(_l("Last day"), [InputRequired(message=_l("Fill in this field."))])
    sessions_held = StringField(_l("Sessions held"), [max_length(20)], description=_l("Meetings, lessons or workshops that took place."))
    hours = StringField(_l("Hours"), [max_length(20)], description=_l("Hours of activity in total, as a whole number."))
    materials_produced = StringField(_l("Materials produced"), [max_length(20)],
                                     description=_l("Documents, videos, guides or other materials made in this period."))
    participants = FieldList(FormField(ParticipantRowForm), _l("Participants"), min_entries=BLANK_ROWS, max_entries=100)
    outcomes = TextAreaField(
        _l("Outcomes"), [max_length(OUTCOMES_MAX)],
        description=_l("What changed, in a few lines. Never write names or personal details of children or of anyone else."))

    def setup(self, initiative: Initiative, organizations: list[Organization]) -> None:
        """Choices that depend on the initiative: its target groups and the partners the person records for."""
        own = [TargetGroup(t.target_group).value for t in initiative.targets]
        groups = [SelectChoice("", _l("Choose a group")), *(SelectChoice(code, TARGET_GROUP_NAMES[code]) for code in own)]
        for row in self.participants:
            row.form.target_group.choices = groups
        self.organization_id.choices = [SelectChoice(str(o.id), o.name) for o in organizations]

    def fill_from(self, report: OutputReport) -> None:
        """Pre-fill from a stored report (GET of the edit page), with blank rows after its counts."""
        self.period_start.data, self.period_end.data, self.outcomes.data = report.period_start, report.period_end, report.outcomes
        for name in ("sessions_held", "hours", "materials_produced"):
            getattr(self, name).data = str(getattr(report, name))
        while len(self.participants.entries):
            self.participants.pop_entry()
        for c in report.counts:
            self.participants.append_entry({"target_group": c.target_group.value, "gender": c.gender.value, "age_band": c.age_band.value,
                                            "count": str(c.count)})
        for _ in range(max(2, BLANK_ROWS - len(report.counts))):
            self.participants.append_entry()

    def to_draft(self) -> OutputDraft:
        chosen = self.organization_id.data or ""
        rows = tuple(ParticipantRow(target_group=r.target_group.data or "", gender=r.gender.data or "", age_band=r.age_band.data or "",
                                    count=r["count"].data or "") for r in (entry.form for entry in self.participants))
        return OutputDraft(
            period_start=self.period_start.data, period_end=self.period_end.data, sessions_held=self.sessions_held.data or "",
            hours=self.hours.data or "", materials_produced=self.materials_produced.data or "", participants=rows,
            outcomes=self.outcomes.data or "", organization_id=int(chosen) if chosen.isdigit() and len(chosen) < 10 else None,
        )

    def add_service_errors(self, error: ValidationFailed) -> None:
        """Errors of the service onto their fields; a participant row's errors onto its cells."""
        rest, summary = {}, []
        for key, message in error.errors.items():
            parts = key.split("-")
            if len(parts) == 3 and parts[0] == "participants" and parts[1].isdigit() and int(parts[1]) < len(self.participants.entries):
                cell = self.participants.entries[int(parts[1])].form[parts[2]]
                cell.errors = [*list(cell.errors or []), str(message)]
                summary.append(_l("Row %(num)d: %(message)s", num=int(parts[1]) + 1, message=str(message)))
            else:
                rest[key] = message
        self.participants.errors = summary  # the list at the top of the page names each row
        if rest:
            apply_errors(self, ValidationFailed(rest))


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
