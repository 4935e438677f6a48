"""The event log, its outbox of deliveries to subscribers, and the activity feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id, utcnow

# Tables whose rows are bookkeeping of the event machinery itself: writing them is not a
# domain change, so the commit guard (events/guard.py) does not ask for an event.
EVENT_EXEMPT = "event_exempt"

# NOTIFY channel of committed events: the trigger that numbers positions sends it at every
# commit that recorded one (a wake-up only, never the data: readers read the log).
COMMITTED_CHANNEL = "catachess_events"


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_target", "target_id", "seq"),
        Index("ix_events_correlation", "correlation_id", "seq"),
        Index("ix_events_workspace", "workspace_id", "seq"),
        # A study's stream reads its events by commit-ordered position (docs/live.md).
        Index("ix_events_node_position", "node_id", "position"),
        {"info": {EVENT_EXEMPT: "the event log itself"}},
    )

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Insert order, for stable pagination; NOT commit order (never tail the log by it).
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    # Commit order: set at commit by a trigger under one lock, so a reader that sees
    # position p has seen every position below p (docs/live.md). NULL while in flight.
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    workspace_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    target_id: Mapped[uuid.UUID]
    target_type: Mapped[str] = mapped_column(String(32))
    # The node whose readers may see this event (the target node, or the study of a
    # chapter or discussion); not a foreign key: the history outlives a purge.
    node_id: Mapped[uuid.UUID | None]
    timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    correlation_id: Mapped[str] = mapped_column(String(64))
    causation_id: Mapped[uuid.UUID | None]


class EventDelivery(CreatedAt, Base):
    """One event owed to one subscriber: the outbox row, written with the event."""

    __tablename__ = "event_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscriber", name="uq_event_deliveries_event_subscriber"),
        # What the relay claims: pending rows by due time. Delivered and dead rows drop out
        # of the index, so claiming stays cheap however long the history grows.
        Index(
            "ix_event_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("delivered_at IS NULL AND dead_at IS NULL"),
        ),
        Index(
            "ix_event_deliveries_dead",
            "dead_at",
            postgresql_where=text("dead_at IS NOT NULL"),
        ),
        Index(
            "ix_event_deliveries_delivered",
            "delivered_at",
            postgresql_where=text("delivered_at IS NOT NULL"),
        ),
        {"info": {EVENT_EXEMPT: "delivery bookkeeping of the outbox"}},
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("events.event_id", ondelete="CASCADE"))
    subscriber: Mapped[str] = mapped_column(String(64))
    workspace_id: Mapped[uuid.UUID | None]
    # Incremented when a relay claims the row, so a handler that kills its process every
    # time still reaches the dead letters instead of looping forever.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    dead_at: Mapped[datetime | None]


class ActivityEntry(Base):
    """A line of a workspace's activity feed, written by the `activity` subscriber."""

    __tablename__ = "activity_entries"
    __table_args__ = (
        Index("ix_activity_entries_workspace", "workspace_id", "seq"),
        Index("ix_activity_entries_node", "node_id", "seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    workspace_id: Mapped[uuid.UUID]
    # The event this line reports; unique, so a redelivered event adds no second line.
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[uuid.UUID]
    node_kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None]
    summary: Mapped[str] = mapped_column(String(600))
    occurred_at: Mapped[datetime]
