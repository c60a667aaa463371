"""argon2id password hashing, with a dummy verification so unknown e-mails cost the same time."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PROFILES = {"rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}
_hasher = PasswordHasher.from_parameters(PROFILES["rfc9106-low-memory"])


def use_profile(name: str) -> None:
    """Hash with the named argon2id parameters (``PASSWORD_HASHING``; create_app calls this).
    Hashes made with other parameters still verify, and are re-hashed at the next login."""
    global _hasher  # noqa: PLW0603 — one hasher per process, chosen once at start-up
    _hasher = PasswordHasher.from_parameters(PROFILES[name])
    _dummy_hash.cache_clear()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("ponte-dummy-password-for-timing-parity")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check ``password``; with no stored hash, still spend the KDF time and return False."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def fingerprint(stored_hash: str) -> str:
    """A short digest of the password hash: tokens bound to it die when the password changes."""
    return hashlib.sha256(stored_hash.encode()).hexdigest()
