"""Presence: which pages show a study now (one row per open page, kept by heartbeats)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base
from catachess.events.models import EVENT_EXEMPT


class StudyPresence(Base):
    __tablename__ = "study_presences"
    __table_args__ = (
        Index("ix_study_presences_study", "study_id", "seen_at"),
        # For the sweep of rows whose page went away without saying so.
        Index("ix_study_presences_seen", "seen_at"),
        # Someone looking at a study changes nothing in it: no event (docs/live.md).
        {"info": {EVENT_EXEMPT: "presence heartbeats of open pages, not changes of a study"}},
    )

    # Chosen by the page (a random UUID per open page); a user's two tabs are two rows.
    page_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    workspace_id: Mapped[uuid.UUID]
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    # None: an anonymous reader of an unlisted or public study (counted, never named).
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chapter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("chapters.id", ondelete="SET NULL")
    )
    # The database's clock, so several server processes agree on what expired.
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
