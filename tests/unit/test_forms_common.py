"""WTForms' own messages go through Ponte's catalog without breaking their placeholders."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice

from blueprints.forms_common import _TRANSLATIONS


def test_a_wrong_choice_in_a_multiple_select_is_a_translated_error_not_a_crash(app) -> None:  # type: ignore[no-untyped-def]
    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        class Meta:
            csrf = False

            def get_translations(self, form):  # type: ignore[no-untyped-def]
                return _TRANSLATIONS

        areas = SelectMultipleField(choices=[SelectChoice("school", "School")])

    with app.test_request_context("/?lang=it"):
        form = Form(formdata=MultiDict([("areas", "nowhere"), ("areas", "elsewhere")]))
        assert not form.validate()
        message = " ".join(form.errors["areas"])
        assert "nowhere" in message and "elsewhere" in message
