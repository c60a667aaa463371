"""Forms of the notifications pages: settings and button-only forms (CSRF)."""

from __future__ import annotations

from wtforms import RadioField

from app.i18n import _l
from app.services.notifications import TYPES, PreferenceDraft
from blueprints.forms_common import BaseForm, MultiCheckboxField, choices
from models import Delivery

DELIVERY_NAMES = {
    Delivery.IMMEDIATELY: _l("Immediately: one e-mail for each notification"),
    Delivery.DAILY: _l("Once a day: a summary in the morning"),
    Delivery.WEEKLY: _l("Once a week: a summary on Monday morning"),
    Delivery.NEVER: _l("Never: I read them on Ponte"),
}


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""


class SettingsForm(BaseForm):
    delivery = RadioField(_l("When do you want e-mails about your notifications?"),
                          choices=choices([(d.value, DELIVERY_NAMES[d]) for d in Delivery]))
    types = MultiCheckboxField(
        # The service checks the values (WTForms' own message for a wrong one has a broken placeholder here).
        _l("Send me e-mails about"), choices=choices(list(TYPES.items())), validate_choice=False,
        description=_l("You always find every notification on Ponte, in your personal area."),
    )

    def to_draft(self) -> PreferenceDraft:
        return PreferenceDraft(delivery=self.delivery.data or "", wanted=tuple(self.types.data or ()))
