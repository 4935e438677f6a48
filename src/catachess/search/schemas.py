"""Response bodies of search."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Place(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str


class MovePlace(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description='the move; "" is the comment before the first move')
    san: str | None
    ply: int | None = Field(description="half-moves played to reach the position after it")


class SearchHit(BaseModel):
    kind: Literal["node", "chapter", "comment", "post"]
    score: float = Field(description="ts_rank of the match (0 without q)")
    snippet: str = Field(description="a fragment of the matching text, as written")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) character offsets of the matched words in snippet"
    )
    snippet_html: str = Field(description="snippet HTML-escaped, matches in <mark>")
    breadcrumb: list[Place] = Field(description="from the highest node you may read down")
    node: Place = Field(description="the node found (kind node), else the study")
    chapter: Place | None = None
    move: MovePlace | None = None
    thread_id: uuid.UUID | None = None
    post_id: uuid.UUID | None = None


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None


class PositionHit(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    study: Place
    chapter: Place
    move_id: str | None = Field(description="null: the chapter's own starting position")
    ply: int
    san: str | None
    line: list[str] = Field(description="SAN of the moves from the chapter's start to here")
    fen: str
    breadcrumb: list[Place]


class PositionPage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str = Field(description="the position searched: placement, side, castling, en passant")
    items: list[PositionHit]
    next_cursor: str | None
