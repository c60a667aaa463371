"""Application services: one module per aggregate. Commands take (actor, target, data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

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
