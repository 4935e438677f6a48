"""The closed list of event types and the payload each one carries."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventType(enum.StrEnum):
    user_registered = "user.registered"
    user_logged_in = "user.logged_in"
    node_created = "node.created"
    node_renamed = "node.renamed"
    node_moved = "node.moved"
    node_trashed = "node.trashed"
    node_restored = "node.restored"
    node_purged = "node.purged"
    acl_granted = "acl.granted"
    acl_revoked = "acl.revoked"
    share_link_created = "share_link.created"
    share_link_revoked = "share_link.revoked"
    share_link_accepted = "share_link.accepted"
    activity_recorded = "activity.recorded"


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserRegistered(Payload):
    email: str


class UserLoggedIn(Payload):
    token_id: uuid.UUID
    expires_at: str


class NodeCreated(Payload):
    kind: str
    name: str
    parent_id: uuid.UUID | None


class NodeRenamed(Payload):
    old_name: str
    new_name: str


class NodeMoved(Payload):
    old_parent_id: uuid.UUID | None
    new_parent_id: uuid.UUID
    subtree_size: int


class NodeTrashed(Payload):
    name: str
    parent_id: uuid.UUID | None
    node_count: int


class NodeRestored(Payload):
    parent_id: uuid.UUID
    node_count: int
    restored_to_root: bool
    renamed_to: str | None


class NodePurged(Payload):
    name: str
    node_count: int
    reason: str


class AclGranted(Payload):
    user_id: uuid.UUID
    role: str
    previous_role: str | None
    via_share_link: uuid.UUID | None = None


class AclRevoked(Payload):
    user_id: uuid.UUID
    role: str


class ShareLinkCreated(Payload):
    link_id: uuid.UUID
    role: str
    expires_at: str | None


class ShareLinkRevoked(Payload):
    link_id: uuid.UUID


class ShareLinkAccepted(Payload):
    link_id: uuid.UUID
    user_id: uuid.UUID
    role: str


class ActivityRecorded(Payload):
    entry_id: uuid.UUID
    node_id: uuid.UUID
    source_event_type: str
    summary: str


PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.user_registered: UserRegistered,
    EventType.user_logged_in: UserLoggedIn,
    EventType.node_created: NodeCreated,
    EventType.node_renamed: NodeRenamed,
    EventType.node_moved: NodeMoved,
    EventType.node_trashed: NodeTrashed,
    EventType.node_restored: NodeRestored,
    EventType.node_purged: NodePurged,
    EventType.acl_granted: AclGranted,
    EventType.acl_revoked: AclRevoked,
    EventType.share_link_created: ShareLinkCreated,
    EventType.share_link_revoked: ShareLinkRevoked,
    EventType.share_link_accepted: ShareLinkAccepted,
    EventType.activity_recorded: ActivityRecorded,
}


def validate_payload(event_type: EventType, payload: Payload | dict[str, Any]) -> dict[str, Any]:
    """Check a payload against its event type's model and return its JSON form."""
    model = PAYLOADS[event_type]
    if not isinstance(payload, model):
        payload = model.model_validate(payload)
    return payload.model_dump(mode="json")
