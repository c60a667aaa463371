"""Readiness: can we reach the database (and Redis, when configured) right now?"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

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
        log.warning("readiness check failed: database: %s", exc.__class__.__name__)
        return False
    return True


@lru_cache(maxsize=4)
def _redis(url: str) -> Any:
    from redis import Redis

    # Short timeouts: a load balancer's probe must get its answer quickly, up or down.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def redis_ready(url: str) -> bool:
    """PING the Redis server at ``url`` (rate limits and the mail queue live there); False when down."""
    try:
        return bool(_redis(url).ping())
    except Exception as exc:  # redis raises its own errors and OSErrors; any failure means "not ready"
        log.warning("readiness check failed: redis: %s", exc.__class__.__name__)
        return False


def readiness(redis_url: str = "") -> dict[str, bool]:
    """Each dependency's state: ``{"database": True, "redis": False}`` (Redis only when configured)."""
    checks = {"database": database_ready()}
    if redis_url:
        checks["redis"] = redis_ready(redis_url)
    return checks
