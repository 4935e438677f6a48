"""Request and response bodies of discussions."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catachess.text import Storable

# Bounded so one thread cannot grow an unbounded tree (and render as a wall of indents).
MAX_DEPTH = 4
MAX_BODY = 10_000

Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
    Storable,
]
Body = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY), Storable
]
MoveId = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class ReactionKind(enum.StrEnum):
    thumbs_up = "+1"
    thumbs_down = "-1"
    heart = "heart"
    laugh = "laugh"
    eyes = "eyes"
    rocket = "rocket"
    confused = "confused"


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    study_id: uuid.UUID
    chapter_id: uuid.UUID | None = None
    move_id: MoveId | None = Field(default=None, description="needs chapter_id")
    title: Title
    body: Body

    @model_validator(mode="after")
    def _move_needs_chapter(self) -> ThreadCreate:
        if self.move_id is not None and self.chapter_id is None:
            raise ValueError("move_id needs chapter_id")
        return self


class ThreadUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    resolved: bool | None = None
    pinned: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> ThreadUpdate:
        if self.title is None and self.resolved is None and self.pinned is None:
            raise ValueError("give title, resolved or pinned")
        return self


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body
    parent_post_id: uuid.UUID | None = Field(
        default=None, description=f"reply to a reply; nesting stops at depth {MAX_DEPTH}"
    )


class PostUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body


class ReactionCount(BaseModel):
    kind: ReactionKind
    count: int
    mine: bool


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    thread_id: uuid.UUID
    parent_post_id: uuid.UUID | None
    depth: int
    author_id: uuid.UUID
    body: str
    version: int
    created_at: datetime
    edited_at: datetime | None
    reactions: list[ReactionCount] = []


class ThreadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    study_id: uuid.UUID
    chapter_id: uuid.UUID | None
    move_id: str | None
    title: str
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    pinned_at: datetime | None
    pinned_by: uuid.UUID | None
    post_count: int


class ThreadDetail(ThreadRead):
    posts: list[PostRead] = Field(description="oldest first; nest them by parent_post_id")


class ThreadPage(BaseModel):
    items: list[ThreadRead]
    next_cursor: str | None


class RevisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    body: str
    written_at: datetime


class PostHistory(BaseModel):
    post_id: uuid.UUID
    current: PostRead
    revisions: list[RevisionRead] = Field(description="earlier texts, newest first")
