"""Request and response bodies of move-tree edits."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catachess.nodes.schemas import NodeName
from catachess.studies.schemas import MoveNode, Shape


class MoveAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="the move to play after; null plays from the start position",
    )
    move: str = Field(
        min_length=2,
        max_length=16,
        pattern=r"^[\x21-\x7e]+$",
        description="SAN (Nf3) or UCI (g1f3)",
    )


class Promotion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["mainline", "up"] = Field(
        default="mainline", description="mainline: to the main line; up: one step up"
    )


class CommentSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(description="the text after the move; empty clears it")


class NagsSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nags: list[int | Annotated[str, Field(max_length=8)]] = Field(
        max_length=32,
        description='NAG numbers 1..255, "$n", or symbols ("!", "?!", "+-", "=", "∞" ...); '
        "empty clears",
    )


class ClockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clock: float | None = Field(
        ge=0, le=31_622_400, description="seconds left after the move ([%clk]); null clears"
    )


class EvalSet(BaseModel):
    """An engine evaluation from White's point of view: pawns or mate; neither clears it."""

    model_config = ConfigDict(extra="forbid")

    pawns: float | None = Field(default=None, ge=-1000, le=1000, description="e.g. 0.35")
    mate: int | None = Field(default=None, ge=-1000, le=1000, description="mate in n (< 0: Black)")
    depth: int | None = Field(default=None, ge=0, le=1000, description="search depth")

    @model_validator(mode="after")
    def _pawns_or_mate(self) -> EvalSet:
        if self.pawns is not None and self.mate is not None:
            raise ValueError("give pawns or mate, not both")
        if self.mate == 0:
            raise ValueError("mate must not be 0")
        return self


class ShapesSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shapes: list[Shape] = Field(description="arrows and circles; empty clears")


class Cut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    move_id: str = Field(
        min_length=1, max_length=32, description="the chapter will start after this move"
    )


class VariationToChapter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NodeName | None = Field(
        default=None,
        description="default: '<chapter>: <move>', e.g. 'Anderssen - Dufresne: 2... d6'. "
        "The new chapter keeps the source's Event, Site, Date, Round, White and Black tags; "
        'its Result is "*" and other tags are not copied',
    )


class MoveEdit(BaseModel):
    """The chapter's new version and the moves the edit touched."""

    chapter_id: uuid.UUID
    version: int
    move: MoveNode | None = Field(description="the added or edited move, when there is one")
    move_ids: list[str] = Field(description="every move id the edit affected")
