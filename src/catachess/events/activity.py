"""The activity feed: a subscriber that turns node events into lines of a workspace's feed.

Each line records an `activity.recorded` event of its own, caused by the node event, so
every change to the tree leaves a causation chain of depth two in the log.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import any_, bindparam, literal, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db import arrays
from catachess.events import service as events
from catachess.events.models import ActivityEntry, Event
from catachess.events.service import NewEvent, Target
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


# The names feed lines show, read in one statement: the actors', and the nodes' now.
_NAMES = union_all(
    select(literal("actor"), User.id, User.display_name).where(
        User.id == any_(bindparam("actor_ids", type_=ARRAY(User.id.type)))
    ),
    select(literal("node"), Node.id, Node.name).where(
        Node.id == any_(bindparam("node_ids", type_=ARRAY(Node.id.type)))
    ),
)


_ENTRY = [c for c in ActivityEntry.__table__.c if c.key != "seq"]
# Feed lines from column arrays, sent in the statement of their activity.recorded events.
_NEW_ENTRIES = (
    insert(ActivityEntry)
    .from_select([c.key for c in _ENTRY], arrays.unnest_rows(_ENTRY, "a_"))
    .on_conflict_do_nothing(index_elements=["event_id"])
)


async def add_activity_entries(session: AsyncSession, sources: list[Event]) -> None:
    """Write the feed lines of node events and record their `activity.recorded` events
    (idempotent): two statements for any number of events, one that reads the names and
    one that writes the lines with their events."""
    sources = [event for event in sources if event.workspace_id is not None]
    if not sources:
        return
    rows = await session.execute(
        _NAMES,
        {
            "actor_ids": list({event.actor_id for event in sources if event.actor_id}),
            "node_ids": list({event.target_id for event in sources}),
        },
    )
    names: dict[tuple[str, uuid.UUID | None], str] = {(kind, id_): name for kind, id_, name in rows}
    entries = []
    recorded = []
    for event in sources:
        entry_id = uuid.uuid5(ACTIVITY_IDS, f"entry:{event.event_id}")
        summary = summarize(
            event, names.get(("actor", event.actor_id)), names.get(("node", event.target_id))
        )
        entries.append(
            {
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
        )
        recorded.append(
            NewEvent(
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
                # Derived from the node event: a redelivery finds both stored and skips.
                event_id=uuid.uuid5(ACTIVITY_IDS, f"recorded:{event.event_id}"),
                correlation_id=event.correlation_id,
                causation_id=event.event_id,
            )
        )
    await events.record_many(
        session,
        EventType.activity_recorded,
        recorded,
        along_with=[
            events.Companion(
                "activity_entries", _NEW_ENTRIES, arrays.arrays_of(_ENTRY, "a_", entries)
            )
        ],
    )


@subscriber("activity", event_types=VERBS.keys(), many=add_activity_entries)
async def add_activity_entry(session: AsyncSession, event: Event) -> None:
    """The feed line of one node event (add_activity_entries of one)."""
    await add_activity_entries(session, [event])
