"""Community labs: list, convene, edit, timeline with proposals, results, export, transparency."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("labs", __name__)
