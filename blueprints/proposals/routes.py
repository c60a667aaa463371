"""Proposals: write, publish, support, vote, comment, co-sponsor, attach, answer, follow up."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proposals", __name__)
