"""Appending events: the one function every write goes through (transactional outbox)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, bindparam, func, literal, select, true
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catachess import context
from catachess.db.base import new_id, utcnow
from catachess.events import guard, subscribers
from catachess.events.models import Event, EventDelivery
from catachess.events.types import EventType, Payload, validate_payload

# Every Session of a process that can record events is watched by the commit guard.
guard.install()

# session.info key: this transaction owes deliveries (the relay is nudged after commit).
DELIVERIES_OWED = "catachess.events.deliveries_owed"


NODE_TYPES = frozenset({"workspace", "folder", "study"})


@dataclass(frozen=True)
class Target:
    """What an event is about. `node_id` is the node whose readers may see the event: the
    target itself for nodes, the study of a chapter or discussion, the node of an export."""

    id: uuid.UUID
    type: str
    node_id: uuid.UUID | None = None

    @property
    def visible_through(self) -> uuid.UUID | None:
        return self.node_id or (self.id if self.type in NODE_TYPES else None)


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
    along_with: Sequence[Insert] = (),
) -> Event:
    """Append one event in the caller's transaction; an existing event_id returns the stored one.

    The same statement owes the event to each subscriber of its type (one delivery row
    each), so the event and its deliveries commit or roll back together. Correlation and
    causation default to the current context, so a handler reacting to an event
    inherits that event's chain. `along_with`: inserts of the same change (a search
    entry, say) sent in the same statement, one round trip fewer each.
    """
    event_values: dict[str, Any] = {
        "event_id": event_id or new_id(),
        "workspace_id": workspace_id,
        "event_type": str(event_type),
        "actor_id": actor_id,
        "target_id": target.id,
        "target_type": target.type,
        "node_id": target.visible_through,
        "timestamp": utcnow(),
        "version": version,
        "payload": validate_payload(event_type, payload),
        "correlation_id": correlation_id or context.correlation_id.get() or new_id().hex,
        "causation_id": causation_id or _context_causation(),
    }
    params = {f"e_{name}": value for name, value in event_values.items()}
    statement = APPEND
    owed = subscribers.names_for(event_type)
    if owed:
        statement, params["subscribers"] = APPEND_AND_OWE, owed
        session.info[DELIVERIES_OWED] = True
    for number, extra in enumerate(along_with):
        statement = statement.add_cte(extra.cte(f"along_with_{number}"))
    inserted: Event | None = await session.scalar(statement, params)
    guard.note_recorded(session.sync_session)
    if inserted is not None:
        return inserted
    existing: Event | None = await session.scalar(
        select(Event).where(Event.event_id == event_values["event_id"])
    )
    assert existing is not None  # the conflicting row is committed and visible now
    return existing


def _append_statement(*, owe_deliveries: bool) -> Select[Event]:
    """The append as one statement, built once (every write runs it).

    ON CONFLICT DO NOTHING makes a racing duplicate wait for the first and then skip; a
    skipped event owes no deliveries either, since they hang off the RETURNING rows.
    """
    # seq is an identity; position is assigned at commit (docs/live.md).
    columns = [c for c in Event.__table__.c if c.key not in ("seq", "position")]
    appended = (
        insert(Event)
        .values({c.key: bindparam(f"e_{c.key}", type_=c.type) for c in columns})
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(*Event.__table__.c)
        .cte("appended")
    )
    query = select(aliased(Event, appended))
    if not owe_deliveries:
        return query
    # One delivery row per subscriber name in the :subscribers array.
    owed = (
        func.unnest(bindparam("subscribers", type_=ARRAY(String)))
        .table_valued("subscriber")
        .render_derived(name="owed")
    )
    now = func.now()
    deliveries = insert(EventDelivery).from_select(
        ["event_id", "subscriber", "workspace_id", "attempts", "next_attempt_at", "created_at"],
        select(
            appended.c.event_id, owed.c.subscriber, appended.c.workspace_id, literal(0), now, now
        ).join_from(appended, owed, true()),
    )
    return query.add_cte(deliveries.cte("owed_deliveries"))


APPEND = _append_statement(owe_deliveries=False)
APPEND_AND_OWE = _append_statement(owe_deliveries=True)


def _context_causation() -> uuid.UUID | None:
    raw = context.causation_id.get()
    return uuid.UUID(raw) if raw else None
