"""Privacy forms: accepting a new notice, downloading one's data, deleting one's account."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField

from app.i18n import _l
from app.services.privacy import DeletionDraft
from blueprints.forms_common import BaseForm, Mandatory, max_length, required


class AcceptForm(BaseForm):
    next = HiddenField()


class ExportForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""


class DeleteForm(BaseForm):
    password = PasswordField(
        _l("Your password"), [required(), max_length(1024)],
        description=_l("We ask for it to be sure that it is really you."),
    )
    confirm = BooleanField(
        _l("I understand that my account and my personal data will be deleted and cannot be restored."), [Mandatory()],
    )

    def to_draft(self) -> DeletionDraft:
        return DeletionDraft(password=self.password.data or "", confirmed=bool(self.confirm.data))
