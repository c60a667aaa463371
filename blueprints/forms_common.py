"""Base form and field helpers shared by every blueprint's forms.

WTForms ships no translations for Albanian, Bengali, Urdu or Punjabi, so its built-in
messages are listed here, extracted into Ponte's own catalog and translated with it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_translations, gettext
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.i18n import LANGUAGES, _l

# WTForms' own messages, so that they reach messages.pot (and every language) through ours.
WTFORMS_MESSAGES = (
    _l("Not a valid choice."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Not a valid decimal value."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be equal to %(other_name)s."),
    _l("Invalid Choice: could not coerce."),
    _l("This field is disabled and cannot have a value."),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid CSRF Token."),
)


class _Translations:
    """Routes WTForms' messages through Ponte's catalog (and so through Flask-Babel's locale)."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Not flask_babel.ngettext: it formats the text with only "num", and WTForms formats its
        # own placeholders (such as %(value)s) afterwards.
        return get_translations().ngettext(singular, plural, n)


_TRANSLATIONS = _Translations()


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS


def required() -> DataRequired:
    return DataRequired(message=_l("Fill in this field."))


class Blank(Optional):
    """Empty is accepted here (the service says what is missing) without marking the field "(optional)"."""

    def __init__(self) -> None:
        super().__init__()
        self.field_flags = {}  # Optional's __init__ sets {"optional": True} on the instance


class Mandatory:
    """Marked required (label and ``required`` attribute) but never stops the form: an empty value goes
    on to the service, which reports it together with every other problem of the form at once."""

    field_flags = {"required": True}  # noqa: RUF012 — WTForms reads this class attribute

    def __call__(self, form: Any, field: Any) -> None:
        return None


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Write at most %(max)d characters."))


def choices(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def language_choices() -> list[SelectChoice]:
    """Every interface language, named in its own script and marked with its language."""
    return [
        SelectChoice(code, lang.native, render_kw={"lang": lang.tag, "dir": "rtl" if lang.rtl else "ltr"})
        for code, lang in LANGUAGES.items()
    ]


# Languages people in Ponte's territories often speak, written in their own script.
SPOKEN = [
    ("it", "Italiano"), ("en", "English"), ("fr", "Français"), ("ar", "العربية"), ("ro", "Română"),
    ("sq", "Shqip"), ("uk", "Українська"), ("ru", "Русский"), ("zh", "中文"), ("es", "Español"),
    ("bn", "বাংলা"), ("ur", "اردو"), ("pa", "ਪੰਜਾਬੀ"), ("hi", "हिन्दी"), ("tl", "Tagalog"),
    ("wo", "Wolof"), ("pt", "Português"), ("ti", "ትግርኛ"), ("so", "Soomaali"), ("ha", "Hausa"),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def spoken_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name, render_kw={"lang": code}) for code, name in SPOKEN]
