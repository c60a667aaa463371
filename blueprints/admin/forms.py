from __future__ import annotations

from blueprints.forms_common import BaseForm


class SuspendForm(BaseForm):
    """Button-only form (CSRF); the reason travels as a plain field."""
