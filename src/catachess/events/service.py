"""Appending events: the one function every write goes through (transactional outbox)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess import context
from catachess.db.base import new_id, utcnow
from catachess.events.models import Event
from catachess.events.types import EventType, Payload, validate_payload


@dataclass(frozen=True)
class Target:
    id: uuid.UUID
    type: str


async def record(
    session: AsyncSession,
    event_type: EventType,
    *,
    actor_id: uuid.UUID | None,
    target: Target,
    workspace_id: uuid.UUID | None,
    version: int | None,
    payload: Payload | dict[str, Any],
    event_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    correlation_id: str | None = None,
) -> Event:
    """Append one event in the caller's transaction; an existing event_id returns the stored one.

    Correlation and causation default to the current request's context, so a handler that
    reacts to an event inherits that event's chain.
    """
    values: dict[str, Any] = {
        "event_id": event_id or new_id(),
        "workspace_id": workspace_id,
        "event_type": str(event_type),
        "actor_id": actor_id,
        "target_id": target.id,
        "target_type": target.type,
        "timestamp": utcnow(),
        "version": version,
        "payload": validate_payload(event_type, payload),
        "correlation_id": correlation_id or context.correlation_id.get() or new_id().hex,
        "causation_id": causation_id or _context_causation(),
    }
    # ON CONFLICT DO NOTHING makes a racing duplicate wait for the first and then skip.
    inserted: Event | None = await session.scalar(
        insert(Event)
        .values(values)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(Event)
    )
    if inserted is not None:
        return inserted
    existing: Event | None = await session.scalar(
        select(Event).where(Event.event_id == values["event_id"])
    )
    assert existing is not None  # the conflicting row is committed and visible now
    return existing


def _context_causation() -> uuid.UUID | None:
    raw = context.causation_id.get()
    return uuid.UUID(raw) if raw else None
