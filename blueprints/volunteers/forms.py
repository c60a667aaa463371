"""Forms of the calls for volunteers: open or change a call, apply, and the buttons (each a
POST form with a CSRF token)."""

from __future__ import annotations

from wtforms import DateField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional

from app.i18n import _l
from app.services.volunteering import DESCRIPTION_MAX, MESSAGE_MAX, TITLE_MAX, CallDraft
from blueprints.forms_common import BaseForm, max_length, required
from models import VolunteerCall


class CallForm(BaseForm):
    title = StringField(_l("Title"), [required(), max_length(TITLE_MAX)],
                        description=_l("Say in a few words what volunteers will do, for example: homework help on Tuesday afternoons."))
    description = TextAreaField(_l("What volunteers do"), [Optional(), max_length(DESCRIPTION_MAX)],
                                description=_l("Where, when, how many hours, what you need (for example languages spoken). Plain text."))
    places = IntegerField(_l("Places"), [Optional()], description=_l("How many volunteers you need. Leave empty when there is no limit."))
    closes_on = DateField(_l("Last day to apply"), [Optional()],
                          description=_l("Leave empty to keep the call open until you close it or the places are taken."))

    def fill_from(self, call: VolunteerCall) -> None:
        self.title.data, self.description.data, self.places.data, self.closes_on.data = (
            call.title, call.description, call.places, call.closes_on)

    def to_draft(self) -> CallDraft:
        return CallDraft(title=self.title.data or "", description=self.description.data or "", places=self.places.data,
                         closes_on=self.closes_on.data)


class ApplyForm(BaseForm):
    message = TextAreaField(_l("Your message"), [required(), max_length(MESSAGE_MAX)],
                            description=_l("Why you want to help, and when you are free. Only the organisers of the initiative read it."))


class ButtonForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""


class DecideForm(BaseForm):
    """Accept or decline an application: the button pressed sends ``answer``."""

    answer = HiddenField()
