from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from app.i18n import _l
from blueprints.forms_common import BaseForm, choices, max_length


class DecideForm(BaseForm):
    decision = SelectField(
        _l("Decision"),
        choices=choices([("dismiss", _l("Dismiss: nothing wrong")), ("hide", _l("Hide it from the public"))]),
    )
    note = TextAreaField(_l("Note for the audit log"), [Optional(), max_length(500)])
