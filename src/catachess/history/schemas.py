"""Response and request bodies of history endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catachess.studies.schemas import ChapterSummary, MoveNode, MoveTree


class Author(BaseModel):
    id: uuid.UUID
    display_name: str | None


class HistoryEntry(BaseModel):
    version: int
    chapter_id: uuid.UUID
    kind: str = Field(description="created, the event type of an edit, restored, undone, deleted …")
    author: Author | None = Field(description="null for versions the system wrote")
    created_at: datetime
    summary: str = Field(description='what changed, e.g. "added 12... Nxe4 and 3 moves"')
    correlation_id: str | None
    details: dict[str, Any]


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None


class ChapterVersionRead(BaseModel):
    """A chapter as it was at one version: the same headers and tree as a chapter read."""

    id: uuid.UUID
    study_id: uuid.UUID
    version: int
    kind: str
    author_id: uuid.UUID | None
    created_at: datetime = Field(description="when this version was written")
    name: str
    orientation: str
    start_fen: str
    node_count: int
    headers: list[tuple[str, str]]
    tree: MoveTree


class MoveRef(BaseModel):
    id: str
    san: str
    label: str = Field(description='the move as PGN writes it, e.g. "12... Nxe4"')


class ChapterDiff(BaseModel):
    """What changed between two versions, as the board shows it."""

    model_config = ConfigDict(extra="allow")

    from_version: int
    to_version: int
    moves_added: list[dict[str, Any]]
    moves_removed: list[dict[str, Any]]
    moves_replaced: list[dict[str, Any]]
    promoted: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    starting_comments: list[dict[str, Any]]
    nags: list[dict[str, Any]]
    shapes: list[dict[str, Any]]
    clocks: list[dict[str, Any]]
    chapter: dict[str, Any] = Field(description="name, orientation, headers, start_fen changes")


class Restored(BaseModel):
    chapter: ChapterSummary
    restored_version: int


class Undone(BaseModel):
    chapter: ChapterSummary
    undone_version: int = Field(description="your change that was taken back")
    restored_version: int


class MoveReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    move: str = Field(
        min_length=2,
        max_length=16,
        pattern=r"^[\x21-\x7e]+$",
        description="SAN (Nf3) or UCI (g1f3), played instead of the move",
    )


class MoveReplaced(BaseModel):
    chapter_id: uuid.UUID
    version: int
    move: MoveNode
    replaced: str = Field(description="the move that was there, as PGN writes it")
    kept: list[MoveRef] = Field(description="moves after it, replayed on the new position")
    cut: list[MoveRef] = Field(description="moves after it that were no longer legal")


class DeletedChapterRestored(BaseModel):
    chapter: ChapterSummary
    thread_count: int = Field(description="discussion threads that came back with it")


class StudyHistoryEntry(HistoryEntry):
    restorable: bool = Field(description="a deleted chapter that POST …/restore brings back")


class StudyHistoryPage(BaseModel):
    items: list[StudyHistoryEntry]
    next_cursor: str | None


class NodeHistoryEntry(BaseModel):
    event_id: uuid.UUID
    event_type: str
    actor_id: uuid.UUID | None
    timestamp: datetime
    version: int | None
    correlation_id: str
    summary: str = Field(description='e.g. "renamed “Najdorf” to “Najdorf 6.Bg5”"')
    payload: dict[str, Any]


class NodeHistoryPage(BaseModel):
    items: list[NodeHistoryEntry]
    next_cursor: str | None
