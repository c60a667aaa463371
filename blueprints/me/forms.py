from __future__ import annotations

from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import Optional

from app.i18n import _l
from app.services.accounts import SettingsDraft
from blueprints.forms_common import BaseForm, MultiCheckboxField, language_choices, max_length, required, spoken_choices


class SettingsForm(BaseForm):
    display_name = StringField(_l("Your name"), [required(), max_length(80)])
    locale = SelectField(_l("Language of the site"), choices=language_choices())
    home_territory = StringField(
        _l("Your comune"), [Optional(), max_length(100)],
        description=_l("For example: Bari, or Castro (LE)."),
    )
    languages_spoken = MultiCheckboxField(
        _l("Languages you speak"),
        choices=spoken_choices(),
        validate_choice=True,
    )

    def to_draft(self) -> SettingsDraft:
        return SettingsDraft(
            display_name=self.display_name.data or "",
            locale=self.locale.data or "it",
            home_territory=self.home_territory.data or "",
            languages_spoken=list(self.languages_spoken.data or []),
        )


class PasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), [required(), max_length(1024)])
    new_password = PasswordField(
        _l("New password"), [required(), max_length(1024)],
        description=_l("At least 10 characters. Other devices where you are logged in will be logged out."),
    )
