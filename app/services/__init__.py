"""Application services: one module per aggregate. Commands take (actor, target, data)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from app.db import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list. ``has_next`` is known without counting every row."""

    items: Sequence[T]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    """One page of an ordered query: a bounded OFFSET and one extra row to know if more follow
    (no COUNT over the whole table)."""
    rows = list(db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page + 1)))
    return Page(items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page)


def unique_slug(column: InstrumentedAttribute[str], name: str, fallback: str, reserved: frozenset[str] = frozenset()) -> str:
    """A URL slug from a name (ASCII, lower case, dashes, at most 60 characters), unique in
    ``column``: "Forlì Insieme" → "forli-insieme", then "forli-insieme-2" if taken."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or fallback
    taken = set(db.session.scalars(select(column).where(column.like(f"{base}%")))) | reserved
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
