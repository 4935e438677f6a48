"""The event log, which is also the transactional outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, utcnow


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_target", "target_id", "seq"),
        Index("ix_events_correlation", "correlation_id", "seq"),
        Index("ix_events_workspace", "workspace_id", "seq"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Insert order, for stable pagination; NOT commit order (never tail the log by it).
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    workspace_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    target_id: Mapped[uuid.UUID]
    target_type: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    correlation_id: Mapped[str] = mapped_column(String(64))
    causation_id: Mapped[uuid.UUID | None]
