"""volunteers pages (routes are added by the feature work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteers", __name__)
