"""Secrets sent by e-mail (confirmation, reset, invitation): only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

MAX_LENGTH = 100


def new_token() -> tuple[str, str]:
    """A fresh secret for a link, and the digest to store in its place."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def lookup_digest(secret: str | None) -> str | None:
    """The digest to look a link's secret up by, or None for an empty or oversized value."""
    if not secret or len(secret) > MAX_LENGTH:
        return None
    return digest(secret)
