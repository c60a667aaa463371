from __future__ import annotations

from wtforms import EmailField, HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional

from app.i18n import _l
from app.services.feedback import FeedbackDraft
from blueprints.forms_common import BaseForm, choices, max_length, required


class FeedbackForm(BaseForm):
    topic = SelectField(
        _l("What is it about?"),
        choices=choices([
            ("accessibility", _l("A page is hard to use or to read")),
            ("error", _l("Something does not work")),
            ("translation", _l("A translation is wrong or missing")),
            ("idea", _l("An idea to improve Ponte")),
            ("other", _l("Something else")),
        ]),
    )
    message = TextAreaField(_l("Your message"), [required(), max_length(5000)])
    reply_to = EmailField(
        _l("Your e-mail"), [Optional(), max_length(254)],
        description=_l("Only if you want an answer."),
    )
    page = HiddenField()

    def to_draft(self, locale: str) -> FeedbackDraft:
        return FeedbackDraft(
            topic=self.topic.data or "", message=self.message.data or "",
            page=self.page.data or "", reply_to=self.reply_to.data or "", locale=locale,
        )
