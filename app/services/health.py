"""Readiness: can we reach the database right now?"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.db import db

log = logging.getLogger(__name__)


def database_ready() -> bool:
    """Run ``SELECT 1`` on a fresh pooled connection; False (never an exception) when down."""
    if db.engine is None:
        return False
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("readiness check failed: %s", exc.__class__.__name__)
        return False
    return True
