"""Request and response bodies of notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catachess.notifications.models import Kind


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: Kind
    summary: str
    actor_id: uuid.UUID | None
    node_id: uuid.UUID | None = Field(description="the study or node it is about")
    workspace_id: uuid.UUID | None
    link: dict[str, Any] = Field(description="thread_id, post_id, chapter_id, move_id, role …")
    event_id: uuid.UUID = Field(description="the event it tells about")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class UnreadCount(BaseModel):
    unread_count: int


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[uuid.UUID] = Field(default=[], max_length=500, description="these notifications")
    up_to: uuid.UUID | None = Field(
        default=None, description="and every notification up to this one (inclusive)"
    )

    @model_validator(mode="after")
    def _something(self) -> MarkRead:
        if not self.ids and self.up_to is None:
            raise ValueError("give ids, up_to, or both")
        return self


class MarkedRead(BaseModel):
    marked: list[uuid.UUID]
    unread_count: int


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[Kind, bool] = Field(
        description="kind → receive it; omitted kinds keep their setting (PUT)"
    )
