"""Chapters of a study (one row each, the move tree as one JSONB document) and stored exports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id, utcnow


class Chapter(CreatedAt, Base):
    __tablename__ = "chapters"
    __table_args__ = (
        # Deferred to commit, so a reorder may shift several positions in one transaction;
        # a violation that survives to commit is a lost race and answers 409.
        UniqueConstraint(
            "study_id",
            "position",
            name="uq_chapters_study_position",
            deferrable=True,
            initially="DEFERRED",
        ),
        CheckConstraint("orientation IN ('white', 'black')", name="known_orientation"),
        CheckConstraint("position >= 0", name="position_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # The study node; purging the node removes its chapters through this cascade.
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Markdown shown above the board (rendered without raw HTML).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # 0-based order within the study, kept contiguous by the service.
    position: Mapped[int]
    orientation: Mapped[str] = mapped_column(String(5), default="white")
    start_fen: Mapped[str] = mapped_column(String(120))
    # PGN tags as an ordered list of [tag, value] pairs (a JSON object would lose order).
    headers: Mapped[list[list[str]]] = mapped_column(JSONB)
    # The move tree (catachess.pgn.tree.MoveTree): the one source of truth of the moves.
    tree: Mapped[dict[str, Any]] = mapped_column(JSONB)
    node_count: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Export(CreatedAt, Base):
    __tablename__ = "exports"
    __table_args__ = (
        CheckConstraint("status IN ('ready')", name="known_status"),
        CheckConstraint("format IN ('pgn', 'zip')", name="known_format"),
        CheckConstraint("mode IN ('full', 'no_comments', 'mainline')", name="known_mode"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Exports are built inside the request that asks for them, so every stored row is
    # 'ready'; the column lets a background builder add 'pending' without a new table.
    status: Mapped[str] = mapped_column(String(16), default="ready")
    format: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(16))
    comments: Mapped[bool] = mapped_column(default=True)
    # Every export switch as applied (pgn.ExportOptions); {} for exports stored before them.
    options: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    filename: Mapped[str] = mapped_column(String(255))
    study_count: Mapped[int]
    chapter_count: Mapped[int]
    size_bytes: Mapped[int]
    # The studies inside, so a download can check that the caller may read each one now
    # (a study moved into a private folder since must not leave through an old export).
    study_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    # Loaded only by the download; metadata reads leave it in the database.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Star(Base):
    """A user's star on a study they may read (one per pair)."""

    __tablename__ = "study_stars"

    study_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
