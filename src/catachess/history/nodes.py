"""A node's history: renames, moves, shares and trash/restore, read from the event log.

The log already holds every change of a node (G2); this gives its readers those events
with a line in words. Sharing events keep the event log's own rule: only the people who
may manage the node's shares (admins) see them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.events import reads
from catachess.events.models import Event
from catachess.events.repository import EventFilter
from catachess.sharing import access
from catachess.sharing.policy import Action


def _words(event: Event) -> str:
    payload: dict[str, Any] = event.payload
    kind = event.event_type
    if kind == "node.created":
        return f"created the {payload.get('kind', 'node')} “{payload.get('name', '')}”"
    if kind == "node.renamed":
        return f"renamed “{payload['old_name']}” to “{payload['new_name']}”"
    if kind == "node.moved":
        size = payload.get("subtree_size", 1)
        return "moved it to another folder" + (f" ({size} nodes)" if size > 1 else "")
    if kind == "node.trashed":
        return f"moved it to the trash ({payload.get('node_count', 1)} nodes)"
    if kind == "node.restored":
        where = " to the workspace root" if payload.get("restored_to_root") else ""
        renamed = f" as “{payload['renamed_to']}”" if payload.get("renamed_to") else ""
        return f"restored it from the trash{where}{renamed}"
    if kind == "node.purged":
        return "purged it from the trash"
    if kind == "acl.granted":
        return f"shared it with a member as {payload['role']}"
    if kind == "acl.revoked":
        return f"stopped sharing it with a member ({payload['role']})"
    if kind == "share_link.created":
        return f"created a share link ({payload['role']})"
    if kind == "share_link.revoked":
        return "revoked a share link"
    if kind == "share_link.accepted":
        return f"someone joined through a share link as {payload['role']}"
    return kind


async def node_history(
    session: AsyncSession, user: User, node_id: uuid.UUID, *, cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The events of a readable node, newest first, each with a line in words."""
    await access.require(session, user.id, node_id, Action.read)
    page = await reads.list_events(
        session,
        user,
        EventFilter(target_id=node_id),
        cursor=cursor,
        limit=limit,
        newest_first=True,
    )
    items = [
        {
            "event_id": event.event_id,
            "event_type": event.event_type,
            "actor_id": event.actor_id,
            "timestamp": event.timestamp,
            "version": event.version,
            "correlation_id": event.correlation_id,
            "summary": _words(event),
            "payload": event.payload,
        }
        for event in page.items
    ]
    return items, page.next_cursor
