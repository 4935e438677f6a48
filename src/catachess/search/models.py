"""The search indexes: words (search_entries) and positions (search_positions).

Both are derived from the tables that own the data (nodes, chapters, discussion posts)
and written in the same transaction as every change to them (catachess.search.indexing).
Rows name the node that decides who may read them (the node itself, or the study), so a
search joins the access rule and the trash state of that node: moving or trashing a
subtree needs no index update. Purging, or deleting a chapter or post, removes the rows
through their foreign keys.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Identity, Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base
from catachess.events.models import EVENT_EXEMPT

DERIVED = "search index, derived from rows whose own writes record the events"


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_entries_chapter", "chapter_id", "kind", "move_id"),
        {"info": {EVENT_EXEMPT: DERIVED}},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[uuid.UUID]
    # node, chapter, comment or post
    kind: Mapped[str] = mapped_column(String(8))
    # The node itself (kind node) or the study the text belongs to.
    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    chapter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("chapters.id", ondelete="CASCADE")
    )
    # The move a comment follows ("" for the comment before the first move) or a
    # discussion is on.
    move_id: Mapped[str | None] = mapped_column(String(32))
    post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_posts.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[uuid.UUID | None]
    ply: Mapped[int | None]
    san: Mapped[str | None] = mapped_column(String(16))
    # The text as written, for the snippet.
    body: Mapped[str] = mapped_column(Text)
    # The chapter's PGN headers (folded), on chapter and comment rows, for the filters.
    white: Mapped[str | None] = mapped_column(Text)
    black: Mapped[str | None] = mapped_column(Text)
    eco: Mapped[str | None] = mapped_column(String(8))
    result: Mapped[str | None] = mapped_column(String(8))
    played_on: Mapped[date | None] = mapped_column(Date)
    tsv: Mapped[str] = mapped_column(TSVECTOR)


class SearchPosition(Base):
    __tablename__ = "search_positions"
    __table_args__ = (
        Index("ix_search_positions_zobrist", "zobrist", "workspace_id"),
        {"info": {EVENT_EXEMPT: DERIVED}},
    )

    workspace_id: Mapped[uuid.UUID]
    # The study, for the access join; no foreign key of its own (a check per row would
    # cost as much as the row): the chapter's cascade removes the row with its study.
    study_id: Mapped[uuid.UUID]
    # (chapter, move) is the key: two indexes in all (this one and the hash's) keep the
    # one row per move an import writes cheap.
    chapter_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chapters.id", ondelete="CASCADE"), primary_key=True
    )
    # The move that leads to the position; "" for the chapter's own (non-standard) start.
    move_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    ply: Mapped[int]
    zobrist: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(100))
