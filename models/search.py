"""The site-wide search index: one stored document per public object (organisation, discussion,
message, lab, proposal, event, initiative, good practice), kept in step by the services.

The full-text machinery is not mapped here because it differs per database and is created by
migration 0008: on SQLite two FTS5 tables over ``search_documents`` (words without accents, and
trigrams for scripts written without spaces) filled by triggers; on PostgreSQL a generated
``search_vector`` column (Snowball stemming in the document's language, accents removed) with a
GIN index, and a trigram index for substrings. ``is_engine_object`` names those objects so the
"migrations equal the models" comparison leaves them out, and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, str_enum, utcnow
from models.territories import Territory


class SearchKind(StrEnum):
    ORGANIZATION = "organization"
    THREAD = "thread"  # a discussion: its title and opening message
    POST = "post"  # a reply in a discussion
    LAB = "lab"
    PROPOSAL = "proposal"
    EVENT = "event"
    INITIATIVE = "initiative"
    PRACTICE = "practice"


class SearchDocument(Base):
    """What search finds for one object. Only public objects have a document; objects of a hidden
    organisation (``organization_id``) are left out when searching, so hiding one organisation
    does not rewrite the documents of all its events, labs and initiatives."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "object_id"),
        Index("ix_search_documents_territory_path", "territory_path"),
        Index("ix_search_documents_organization_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(str_enum(SearchKind, 16))
    object_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # plain text, Markdown marks removed
    language: Mapped[str] = mapped_column(String(16), default="")  # "" when not known
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories.id", ondelete="SET NULL"))
    territory_path: Mapped[str] = mapped_column(String(64), default="")  # copy of Territory.path: "inside" is a prefix match
    actions: Mapped[str] = mapped_column(String(120), default="")  # " action_01 action_03 ": one LIKE per filter
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))  # whose hiding hides this document
    url_args: Mapped[dict] = mapped_column(JSON, default=dict)  # arguments of the page's URL
    dated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the date shown (an event's start, a publication)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    territory: Mapped[Territory | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<SearchDocument {self.kind} {self.object_id}>"


# Created by migration 0008 outside these models (see the module docstring).
ENGINE_TABLES = ("search_fts", "search_trigram")
ENGINE_COLUMNS = ("search_vector",)
ENGINE_INDEXES = ("ix_search_documents_vector", "ix_search_documents_trigram")


def is_engine_object(name: str | None, type_: str) -> bool:
    """True for the database-specific full-text objects of ``search_documents``."""
    if not name:
        return False
    if type_ == "table":
        return name.startswith(ENGINE_TABLES)
    if type_ == "column":
        return name in ENGINE_COLUMNS
    if type_ == "index":
        return name in ENGINE_INDEXES
    return False
