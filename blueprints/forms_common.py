"""Field helpers shared by several blueprints' forms (labels and messages are lazy strings)."""

from __future__ import annotations

from wtforms.validators import DataRequired, Length

from app.i18n import LANGUAGES, _l


def required() -> DataRequired:
    return DataRequired(message=_l("Fill in this field."))


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Write at most %(max)d characters."))


def language_choices() -> list[tuple[str, str]]:
    return [(code, lang.native) for code, lang in LANGUAGES.items()]
