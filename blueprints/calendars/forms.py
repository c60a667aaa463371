"""Calendar forms: the GET filters of the calendar and the feeds (checked against allowlists by the
service), and the buttons of the personal calendar address."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.i18n import ACTION_NAMES, EVENT_KIND_NAMES, _l
from app.services.calendars import CalendarFilters
from blueprints.forms_common import BaseForm, choices, language_choices, max_length
from models import Organization

VIEWS = ("month", "week", "agenda")
FILTER_NAMES = ("territory", "action", "kind", "org", "language", "mine")


class CalendarFilterForm(BaseForm):
    """What the calendar shows: the filters, plus the view and the date being looked at."""

    class Meta:
        csrf = False

    view = HiddenField()
    date = StringField(_l("Go to date"), [Optional(), max_length(10)], description=_l("For example: 2026-03-29."))
    territory = StringField(_l("Place"), [Optional(), max_length(100)], description=_l("A comune, province or region."))
    action = SelectField(_l("Action"), choices=choices([("", _l("All actions")), *ACTION_NAMES.items()]), validate_choice=False)
    kind = SelectField(_l("Type of event"), choices=choices([("", _l("All types")), *EVENT_KIND_NAMES.items()]), validate_choice=False)
    org = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    mine = BooleanField(_l("Only events I registered for"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", _l("All languages")), *language_choices()]
        self.set_organizations([])

    def set_organizations(self, orgs: list[Organization]) -> None:
        """Offer the organisations seen in the calendar, and keep the chosen one even if not among them."""
        found = {o.slug: o.name for o in orgs}
        chosen = self.org.data or ""
        if chosen and chosen not in found:
            found[chosen] = chosen
        self.org.choices = [SelectChoice("", _l("All organisations")),
                            *(SelectChoice(slug, name) for slug, name in sorted(found.items(), key=lambda item: item[1].casefold()))]

    def to_filters(self, with_mine: bool = True) -> CalendarFilters:
        return CalendarFilters(
            territory=(self.territory.data or "").strip(), action=self.action.data or "", kind=self.kind.data or "",
            organization=(self.org.data or "").strip(), language=self.language.data or "",
            mine=bool(self.mine.data) and with_mine,
        )

    def filter_args(self, with_mine: bool = True) -> dict[str, str]:
        """The filters as address parameters, for links that keep them (navigation, views, feeds)."""
        values = {
            "territory": (self.territory.data or "").strip(), "action": self.action.data or "", "kind": self.kind.data or "",
            "org": (self.org.data or "").strip(), "language": self.language.data or "",
            "mine": "y" if self.mine.data and with_mine else "",
        }
        return {name: value for name, value in values.items() if value}


class CalendarAddressForm(BaseForm):
    """The buttons that create, replace or stop the personal calendar address."""

    choice = SelectField(choices=choices([("issue", "issue"), ("revoke", "revoke")]))
