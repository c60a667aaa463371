"""The GET filters of the dashboard and of the public summary (checked again by the service)."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from app.i18n import ACTION_NAMES, _l
from app.services.dashboard import DashboardFilters
from blueprints.forms_common import BaseForm, choices, max_length
from models import Territory


class PeriodForm(BaseForm):
    """The period counted (the FAMI export has only this)."""

    class Meta:
        csrf = False

    period_from = DateField(_l("From"), [Optional()], description=_l("The first day counted. Empty: 1 January of this year."))
    period_to = DateField(_l("To"), [Optional()], description=_l("The last day counted. Empty: 31 December of this year."))


class _FilterForm(PeriodForm):
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)

    def _filters(self, territory: str) -> DashboardFilters:
        return DashboardFilters(territory=territory, action=self.action.data or "", period_from=self.period_from.data,
                                period_to=self.period_to.data)


class DashboardFilterForm(_FilterForm):
    """Officials' and administrators' dashboard: any place they may see."""

    territory = StringField(_l("Place"), [Optional(), max_length(100)],
                            description=_l("A comune, province or region, or its ISTAT code."))

    def to_filters(self) -> DashboardFilters:
        return self._filters((self.territory.data or "").strip())


class SummaryFilterForm(_FilterForm):
    """The public summary: all of Italy or one region."""

    territory = SelectField(_l("Region"), validate_choice=False)

    def set_regions(self, regions: list[Territory]) -> None:
        self.territory.choices = choices([("", _l("All of Italy")), *((r.istat_code, r.name) for r in regions)])

    def to_filters(self) -> DashboardFilters:
        return self._filters(self.territory.data or "")
