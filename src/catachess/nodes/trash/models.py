"""One row per trashed root: what the trash list shows and what restore needs."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base


class TrashEntry(Base):
    __tablename__ = "trash_entries"
    __table_args__ = (
        # GET /trash: newest first inside the caller's workspaces (keyset on trashed_at, id).
        Index("ix_trash_entries_listing", "workspace_id", "trashed_at", "node_id"),
        # Retention: the oldest entries first, across workspaces.
        Index("ix_trash_entries_trashed_at", "trashed_at"),
    )

    # The trashed root; purging it removes the entry with it.
    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[uuid.UUID]
    # No foreign key: the parent may be purged while this entry waits in the trash.
    original_parent_id: Mapped[uuid.UUID | None]
    # Names from the workspace root down to the parent, as they were at deletion time,
    # and their node ids (same length): a reader is shown only the names it may read.
    original_path: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    original_path_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), server_default="{}")
    node_count: Mapped[int]
    # Copies of the root's trashed_at / trashed_by, so listing and retention read this
    # small table alone.
    trashed_at: Mapped[datetime]
    trashed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
