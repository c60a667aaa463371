"""calendars pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("calendars", __name__)
