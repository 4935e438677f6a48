"""The activity feed: a subscriber that turns node events into lines of a workspace's feed.

Each line records an `activity.recorded` event of its own, caused by the node event, so
every change to the tree leaves a causation chain of depth two in the log.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import repository as users
from catachess.events import repository
from catachess.events import service as events
from catachess.events.models import ActivityEntry, Event
from catachess.events.service import Target
from catachess.events.subscribers import subscriber
from catachess.events.types import ActivityRecorded, EventType

# Namespace of the ids derived from a node event, so a redelivered event maps onto the
# line (and the activity.recorded event) an earlier delivery already wrote.
ACTIVITY_IDS = uuid.UUID("6f0c2a52-3f0e-4d55-9a57-2f3f6f1f8a10")

VERBS = {
    EventType.node_created: "created",
    EventType.node_renamed: "renamed",
    EventType.node_moved: "moved",
    EventType.node_trashed: "moved to the trash",
    EventType.node_restored: "restored",
    EventType.node_purged: "permanently deleted",
}


def summarize(event: Event, actor_name: str | None, current_name: str | None) -> str:
    """One human-readable line, e.g. 'alice renamed folder “A” to “B”'."""
    payload: dict[str, Any] = event.payload
    who = actor_name or "someone"
    name = payload.get("name") or payload.get("old_name") or current_name
    what = f"{event.target_type} “{name}”" if name else f"a {event.target_type}"
    line = f"{who} {VERBS[EventType(event.event_type)]} {what}"
    if event.event_type == EventType.node_renamed:
        line += f" to “{payload['new_name']}”"
    if payload.get("renamed_to"):
        line += f" as “{payload['renamed_to']}”"
    count = payload.get("node_count") or payload.get("subtree_size")
    if count and count > 1:
        line += f" ({count} items)"
    return line[:600]


@subscriber("activity", event_types=VERBS.keys())
async def add_activity_entry(session: AsyncSession, event: Event) -> None:
    """Write the feed line of a node event and record `activity.recorded` (idempotent)."""
    if event.workspace_id is None:
        return
    actor = await users.get_by_id(session, event.actor_id) if event.actor_id else None
    node_name = await repository.current_node_name(session, event.target_id)
    entry = ActivityEntry(
        id=uuid.uuid5(ACTIVITY_IDS, f"entry:{event.event_id}"),
        workspace_id=event.workspace_id,
        event_id=event.event_id,
        event_type=event.event_type,
        node_id=event.target_id,
        node_kind=event.target_type,
        actor_id=event.actor_id,
        summary=summarize(event, actor.display_name if actor else None, node_name),
        occurred_at=event.timestamp,
    )
    # A redelivered event finds its line and its event already there: both ids derive
    # from the event, so the insert skips and record() returns the stored event.
    await repository.add_activity_entry(session, entry)
    await events.record(
        session,
        EventType.activity_recorded,
        actor_id=None,
        target=Target(entry.id, "activity_entry", entry.node_id),
        workspace_id=entry.workspace_id,
        version=None,
        payload=ActivityRecorded(
            entry_id=entry.id,
            node_id=entry.node_id,
            source_event_type=entry.event_type,
            summary=entry.summary,
        ),
        event_id=uuid.uuid5(ACTIVITY_IDS, f"recorded:{event.event_id}"),
    )
