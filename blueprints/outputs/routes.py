"""outputs pages (routes are added by the feature work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("outputs", __name__)
