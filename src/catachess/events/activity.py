"""The activity feed: a subscriber that turns node events into lines of a workspace's feed.

Each line records an `activity.recorded` event of its own, caused by the node event, so
every change to the tree leaves a causation chain of depth two in the log.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db.raw import Prebuilt
from catachess.events import service as events
from catachess.events.models import ActivityEntry, Event
from catachess.events.service import Target
from catachess.events.subscribers import subscriber
from catachess.events.types import ActivityRecorded, EventType
from catachess.nodes.models import Node

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


# The names a feed line shows, read in one statement: the actor's, and the node's now.
_NAMES = Prebuilt(
    select(
        select(User.display_name)
        .where(User.id == bindparam("actor_id", type_=User.id.type))
        .scalar_subquery(),
        select(Node.name)
        .where(Node.id == bindparam("node_id", type_=Node.id.type))
        .scalar_subquery(),
    ),
    "actor_id",
    "node_id",
)
_ENTRY_COLUMNS = [c for c in ActivityEntry.__table__.c if c.key != "seq"]
# A feed line's INSERT, sent in the statement of its activity.recorded event.
_NEW_ENTRY = (
    insert(ActivityEntry)
    .values({c.key: bindparam(f"a_{c.key}", type_=c.type) for c in _ENTRY_COLUMNS})
    .on_conflict_do_nothing(index_elements=["event_id"])
)


@subscriber("activity", event_types=VERBS.keys())
async def add_activity_entry(session: AsyncSession, event: Event) -> None:
    """Write the feed line of a node event and record `activity.recorded` (idempotent):
    two round trips, one that reads the names and one that writes the line and its event."""
    if event.workspace_id is None:
        return
    names = await _NAMES.fetchrow(session, actor_id=event.actor_id, node_id=event.target_id)
    actor_name, node_name = names if names is not None else (None, None)
    entry_id = uuid.uuid5(ACTIVITY_IDS, f"entry:{event.event_id}")
    summary = summarize(event, actor_name, node_name)
    entry = {
        "id": entry_id,
        "workspace_id": event.workspace_id,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "node_id": event.target_id,
        "node_kind": event.target_type,
        "actor_id": event.actor_id,
        "summary": summary,
        "occurred_at": event.timestamp,
    }
    # A redelivered event finds its line and its event already there: both ids derive
    # from the event, so the insert skips and record() returns the stored event.
    await events.record(
        session,
        EventType.activity_recorded,
        actor_id=None,
        target=Target(entry_id, "activity_entry", event.target_id),
        workspace_id=event.workspace_id,
        version=None,
        payload=ActivityRecorded(
            entry_id=entry_id,
            node_id=event.target_id,
            source_event_type=event.event_type,
            summary=summary,
        ),
        event_id=uuid.uuid5(ACTIVITY_IDS, f"recorded:{event.event_id}"),
        along_with=[
            events.Companion(
                "activity_entry", _NEW_ENTRY, {f"a_{key}": value for key, value in entry.items()}
            )
        ],
    )
