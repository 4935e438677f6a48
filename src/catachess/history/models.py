"""One row per chapter version: a compressed snapshot or the delta from the version before."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, utcnow


class ChapterVersion(Base):
    __tablename__ = "chapter_versions"
    __table_args__ = (
        # One row per (chapter, version): two writers of one version cannot both land.
        UniqueConstraint("chapter_id", "version", name="uq_chapter_versions_chapter_version"),
        # A study's history (chapters added, deleted, renamed ...) newest first.
        Index("ix_chapter_versions_study_seq", "study_id", "seq"),
    )

    # Insertion order, for cursors over a study's history.
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # Purging the study purges its history through this cascade.
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    # No foreign key: the history of a deleted chapter outlives its row (it can come back).
    chapter_id: Mapped[uuid.UUID]
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    correlation_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(500))
    # What the change was, as data: move ids, restored version, old and new names ...
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Exactly one of snapshot / delta for a state-changing row (zlib-compressed JSON);
    # both NULL for a row that keeps the state of the version before (a deletion).
    snapshot: Mapped[bytes | None] = mapped_column(LargeBinary)
    delta: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Versions since the last snapshot and their delta bytes: when the next snapshot is due.
    chain_length: Mapped[int] = mapped_column(default=0)
    chain_bytes: Mapped[int] = mapped_column(default=0)
    # Compressed size of the last snapshot (the chain stops growing past it).
    base_bytes: Mapped[int] = mapped_column(default=0)
    # A deleted chapter's discussions (threads, posts, revisions, reactions), to restore it.
    archive: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
