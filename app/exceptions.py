"""Domain errors raised by services and the policy; ``app.errors`` maps them to HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class DomainError(Exception):
    """Base class: carries a user-facing (lazy, translatable) message."""

    def __init__(self, message: Any = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    """The object does not exist or must not be revealed to this actor (404)."""


class PermissionDenied(DomainError):
    """The actor may not do this (403)."""


class Conflict(DomainError):
    """The action clashes with the current state, e.g. a duplicate (409)."""


class ValidationFailed(DomainError):
    """Business-rule errors per form field; views put them back onto the form."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__("; ".join(str(v) for v in errors.values()))
        self.errors = dict(errors)
