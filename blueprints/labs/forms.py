"""Lab forms: convene or edit a lab, and the GET filters of the lab list, proposal list and
transparency page (validated against allowlists by the services)."""

from __future__ import annotations

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
from wtforms.validators import InputRequired, Optional

from app.i18n import ACTION_NAMES, ELIGIBILITY_NAMES, PROPOSAL_SORT_NAMES, PROPOSAL_STATE_NAMES, _l
from app.services.labs import LabDraft, LabFilters, local_day
from app.services.proposals import ProposalFilters
from blueprints.forms_common import BaseForm, MultiCheckboxField, choices, max_length, required
from models import Eligibility, Lab

DATE_FIELDS = ("proposals_on", "deliberation_on", "voting_on", "results_on", "follow_up_on")


def _filled() -> InputRequired:
    # Not DataRequired: it would replace "Not a valid date value." with "Fill in this field.".
    return InputRequired(message=_l("Fill in this field."))


def _date(label: str, description: str | None = None, needed: bool = False) -> DateField:
    return DateField(label, [_filled()] if needed else [Optional()], description=description)


def _number(label: str, description: str) -> IntegerField:
    return IntegerField(label, [_filled()], description=description)


class LabForm(BaseForm):
    title = StringField(_l("Title"), [required(), max_length(160)], description=_l("Say in a few words what the lab is about."))
    description = TextAreaField(
        _l("Description"), [required(), max_length(20_000)],
        description=_l("What the lab is for, who takes part, what happens next. You can use Markdown: **bold**, lists with -, links."),
    )
    territory = StringField(_l("Territory"), [required(), max_length(100)], description=_l("A comune, province or region."))
    actions = MultiCheckboxField(_l("Actions"), choices=choices(list(ACTION_NAMES.items())), validate_choice=False)
    proposals_on = _date(_l("Proposals open on"), needed=True)
    deliberation_on = _date(_l("Discussion starts on"), _l("Leave empty if there is no discussion phase."))
    voting_on = _date(_l("Voting starts on"), _l("Leave empty if there is no vote."))
    results_on = _date(_l("Results are published on"), _l("Needed when there is a vote: voting ends the day before."))
    follow_up_on = _date(_l("Follow-up starts on"), _l("Leave empty if there is no follow-up phase."))
    support_threshold = _number(_l("Supports needed for an answer"),
                                _l("When a proposal reaches this number of supports, the public body must answer it."))
    votes_per_participant = _number(_l("Votes per person"), _l("How many proposals each person can vote for."))
    eligibility = RadioField(_l("Who can take part"), choices=choices(list(ELIGIBILITY_NAMES.items())), validate_choice=False)
    response_days = _number(_l("Days to answer"), _l("The public body answers within this number of days after a proposal reaches its supports."))
    allow_organization_proposals = BooleanField(_l("Organisations can make proposals too"))
    standing = BooleanField(_l("Open lab: takes proposals at any time"))
    version = HiddenField()

    def fill_defaults(self, territory_label: str) -> None:
        """A new lab: the convener's territory, answers within 30 days, people who live there."""
        self.territory.data = territory_label
        self.support_threshold.data = 50
        self.votes_per_participant.data = 3
        self.response_days.data = 30
        self.eligibility.data = Eligibility.RESIDENTS.value
        self.allow_organization_proposals.data = True

    def fill_from(self, lab: Lab, territory_label: str) -> None:
        """Pre-fill from the stored lab (GET of the edit page), dates as days in Rome."""
        self.title.data, self.description.data, self.territory.data = lab.title, lab.description, territory_label
        self.actions.data = list(lab.actions or [])
        for name in DATE_FIELDS:
            getattr(self, name).data = local_day(getattr(lab, name.replace("_on", "_at")))
        self.support_threshold.data = lab.support_threshold
        self.votes_per_participant.data = lab.votes_per_participant
        self.response_days.data = lab.response_days
        self.eligibility.data = lab.eligibility.value
        self.allow_organization_proposals.data = lab.allow_organization_proposals
        self.standing.data = lab.is_standing
        self.version.data = str(lab.version)

    def to_draft(self) -> LabDraft:
        return LabDraft(
            title=self.title.data or "", description=self.description.data or "", territory=self.territory.data or "",
            actions=list(self.actions.data or []), proposals_on=self.proposals_on.data, deliberation_on=self.deliberation_on.data,
            voting_on=self.voting_on.data, results_on=self.results_on.data, follow_up_on=self.follow_up_on.data,
            support_threshold=self.support_threshold.data, votes_per_participant=self.votes_per_participant.data,
            eligibility=self.eligibility.data or "", response_days=self.response_days.data,
            allow_organization_proposals=bool(self.allow_organization_proposals.data), standing=bool(self.standing.data),
        )

    @property
    def seen_version(self) -> int:
        raw = self.version.data or ""
        return int(raw) if raw.isdigit() else -1


class LabFilterForm(BaseForm):
    """GET filters of the lab list."""

    class Meta:
        csrf = False

    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    phase = SelectField(_l("Phase"), choices=choices([("", _l("All")), ("open", _l("Open now")), ("closed", _l("Closed or not started"))]),
                        validate_choice=False)
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)

    def to_filters(self) -> LabFilters:
        return LabFilters(territory=(self.territory.data or "").strip(), phase=self.phase.data or "", action=self.action.data or "")


class ProposalFilterForm(BaseForm):
    """GET filters of a lab's proposal list."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=choices([("", _l("All")), *((k, v) for k, v in PROPOSAL_STATE_NAMES.items() if k != "draft")]),
                        validate_choice=False)
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)
    sort = SelectField(_l("Sort by"), choices=choices(list(PROPOSAL_SORT_NAMES.items())), validate_choice=False)

    def to_filters(self, seed: int) -> ProposalFilters:
        return ProposalFilters(state=self.state.data or "", action=self.action.data or "", sort=self.sort.data or "newest", seed=seed)


class AllProposalsFilterForm(ProposalFilterForm):
    """GET filters of the list of proposals across labs."""

    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))

    def to_filters(self, seed: int) -> ProposalFilters:
        base = super().to_filters(seed)
        return ProposalFilters(state=base.state, action=base.action, sort=base.sort, seed=seed, territory=(self.territory.data or "").strip())


class TransparencyForm(BaseForm):
    class Meta:
        csrf = False

    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
