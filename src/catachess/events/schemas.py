"""Response bodies of the event read API and the activity feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catachess.events.models import Event


class TargetRead(BaseModel):
    id: uuid.UUID
    type: str = Field(description="user, workspace, folder, study, activity_entry, …")


class EventRead(BaseModel):
    """The unified envelope."""

    event_id: uuid.UUID
    event_type: str = Field(description="dotted, past tense, e.g. node.renamed")
    actor_id: uuid.UUID | None = Field(description="who caused it; null for the system")
    target: TargetRead
    workspace_id: uuid.UUID | None
    timestamp: datetime = Field(description="UTC")
    version: int | None = Field(description="the target's version after the change")
    payload: dict[str, Any] = Field(description="validated per event type")
    correlation_id: str
    causation_id: uuid.UUID | None = Field(description="the event this one reacted to")

    @classmethod
    def of(cls, event: Event) -> EventRead:
        return cls(
            event_id=event.event_id,
            event_type=event.event_type,
            actor_id=event.actor_id,
            target=TargetRead(id=event.target_id, type=event.target_type),
            workspace_id=event.workspace_id,
            timestamp=event.timestamp,
            version=event.version,
            payload=event.payload,
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
        )


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")


class ChainLink(EventRead):
    children: list[ChainLink] = Field(description="events this one caused, in log order")


class EventChain(BaseModel):
    correlation_id: str
    event_count: int
    truncated: bool = Field(description="true when the chain has more events than returned")
    roots: list[ChainLink] = Field(
        description="events with no cause among the ones you may read, in log order"
    )


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    node_id: uuid.UUID
    node_kind: str
    event_id: uuid.UUID
    event_type: str
    actor_id: uuid.UUID | None
    summary: str
    occurred_at: datetime


class ActivityPage(BaseModel):
    items: list[ActivityRead] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")
