"""Territories: region → province → social district (ambito) → comune, keyed by ISTAT code."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, str_enum


class TerritoryLevel(StrEnum):
    REGION = "region"
    PROVINCE = "province"
    DISTRICT = "district"
    COMUNE = "comune"


LEVEL_DEPTH = {
    TerritoryLevel.REGION: 0,
    TerritoryLevel.PROVINCE: 1,
    TerritoryLevel.DISTRICT: 2,
    TerritoryLevel.COMUNE: 3,
}


class Territory(Base):
    """A place people live in and act on.

    ``istat_code`` is ISTAT's code: 2 digits for a region, 3 for a province-level unit,
    6 for a comune. Social districts have no ISTAT code; they get ``<region>-AT<nn>``.
    ``path`` is the materialised chain of ancestor ids (``/1/7/123/``) so that
    "this territory and everything inside it" is one indexed prefix match.
    """

    __tablename__ = "territories"
    __table_args__ = (Index("ix_territories_parent_name", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    istat_code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_other: Mapped[str | None] = mapped_column(String(200))
    # Lower-case, accent-free name for matching what people type ("forli" → Forlì).
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[TerritoryLevel] = mapped_column(str_enum(TerritoryLevel), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="RESTRICT"))
    path: Mapped[str] = mapped_column(String(64), index=True, default="/")
    car_code: Mapped[str | None] = mapped_column(String(4))
    cadastral_code: Mapped[str | None] = mapped_column(String(4))
    is_capital: Mapped[bool] = mapped_column(Boolean, default=False)

    # Loaded when asked for (usually from the identity map): joined three levels deep, the parents
    # came with every organisation, person, lab and event of every page (four territories each).
    # ``territories.ancestors()`` reads the whole chain in one query through ``path``.
    parent: Mapped[Territory | None] = relationship(remote_side=[id], lazy="select")

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the region down to this territory itself."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def __repr__(self) -> str:
        return f"<Territory {self.istat_code} {self.name}>"
