"""Account forms: each builds the service's draft with ``to_draft()``."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from app.i18n import _l
from app.services.accounts import RegistrationDraft
from blueprints.forms_common import BaseForm, language_choices, max_length, required


class RegisterForm(BaseForm):
    display_name = StringField(
        _l("Your name"), [required(), max_length(80)],
        description=_l("Shown next to what you write. It can be your first name or a nickname."),
    )
    email = EmailField(
        _l("E-mail"), [required(), max_length(254)],
        description=_l("We send a link to this address to confirm it. We never show it to others."),
    )
    password = PasswordField(
        _l("Password"), [required(), max_length(1024)],
        description=_l("At least 10 characters. A short sentence is easy to remember and hard to guess."),
    )
    locale = SelectField(_l("Language of the site"), choices=language_choices(), default="it")
    home_territory = StringField(
        _l("Your comune"), [Optional(), max_length(100)],
        description=_l("We show you the forum and the events of your area. For example: Bari, or Castro (LE)."),
    )
    accept_privacy = BooleanField(
        _l("I have read the privacy notice and I accept it."),
        [InputRequired(message=_l("To create an account, accept the privacy notice."))],
    )

    def to_draft(self) -> RegistrationDraft:
        return RegistrationDraft(
            display_name=self.display_name.data or "",
            email=self.email.data or "",
            password=self.password.data or "",
            locale=self.locale.data or "it",
            home_territory=self.home_territory.data or "",
            accepted_privacy=bool(self.accept_privacy.data),
        )


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), [required(), max_length(254)])
    password = PasswordField(_l("Password"), [required(), max_length(1024)])
    remember = BooleanField(_l("Stay logged in on this device"))


class EmailForm(BaseForm):
    email = EmailField(_l("E-mail"), [required(), max_length(254)])


class NewPasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"), [required(), max_length(1024)],
        description=_l("At least 10 characters. A short sentence is easy to remember and hard to guess."),
    )


class ConfirmForm(BaseForm):
    """A button-only form: the POST carries the CSRF token."""
