"""Request and response bodies of studies, chapters and the move tree."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from catachess.nodes.schemas import Description, NodeName, NodeRead
from catachess.pgn import ExportOptions

# The export switches (as on Lichess); each one left out takes the mode's value.
SWITCHES = {
    "comments": "comment text and NAGs (with mode=mainline, false also drops clocks, "
    "shapes and evals unless they are given)",
    "variations": "every variation, or the main line only",
    "clocks": "[%clk] clock annotations",
    "shapes": "arrows and circles ([%cal]/[%csl])",
    "evals": "[%eval] evaluations",
    "orientation": "the chapter's [Orientation] tag",
    "headers": "all: every tag; roster: the Seven Tag Roster (and SetUp/FEN)",
}

Orientation = Literal["white", "black"]
ShapeColor = Literal["G", "R", "Y", "B"]
Fen = Annotated[str, Field(min_length=1, max_length=120, description="a FEN position")]


class StudyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NodeName
    parent_id: uuid.UUID = Field(description="the folder or workspace to create the study in")
    pgn: str | None = Field(
        default=None,
        description="PGN text; one chapter per game, in file order (limits: docs/pgn.md)",
    )


class ChaptersCreate(BaseModel):
    """PGN text (one chapter per game) or a FEN (one empty chapter)."""

    model_config = ConfigDict(extra="forbid")

    pgn: str | None = None
    fen: Fen | None = None
    name: NodeName | None = Field(
        default=None, description="names a FEN chapter or a one-game import"
    )
    orientation: Orientation | None = None

    @model_validator(mode="after")
    def _pgn_or_fen(self) -> ChaptersCreate:
        if (self.pgn is None) == (self.fen is None):
            raise ValueError("give exactly one of pgn or fen")
        return self


class ChapterUpdate(BaseModel):
    """Rename (name), reorder (position, 0-based), turn the board (orientation), describe
    (description) and/or edit the PGN tags (headers), as one version step."""

    model_config = ConfigDict(extra="forbid")

    name: NodeName | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    orientation: Orientation | None = None
    description: Description | None = None
    headers: dict[str, str | None] | None = Field(
        default=None,
        max_length=64,
        description='tags to set ({"White": "Carlsen"}) or remove ({"Annotator": null}); '
        "the Seven Tag Roster cannot be removed, FEN/SetUp/Variant follow the position",
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> ChapterUpdate:
        fields = (self.name, self.position, self.orientation, self.description)
        if all(field is None for field in fields) and not self.headers:
            raise ValueError("give name, position, orientation, description or headers")
        return self


class ChapterSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    study_id: uuid.UUID
    name: str
    description: str = Field(description="Markdown shown with the chapter")
    position: int = Field(description="0-based order in the study")
    orientation: Orientation
    start_fen: str
    node_count: int = Field(description="moves in the tree, variations included")
    version: int
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class ArrowShape(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Literal["arrow"]
    from_: str = Field(alias="from", pattern="^[a-h][1-8]$")
    to: str = Field(pattern="^[a-h][1-8]$")
    color: ShapeColor


class CircleShape(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["circle"]
    square: str = Field(pattern="^[a-h][1-8]$")
    color: ShapeColor


Shape = Annotated[ArrowShape | CircleShape, Field(discriminator="kind")]


class MoveNode(BaseModel):
    """One move of the tree; `children[0]` continues its line, the rest are variations."""

    model_config = ConfigDict(extra="forbid")

    id: str
    parent: str | None = Field(description="null: played from the start position")
    san: str
    uci: str
    fen: str = Field(description="position after the move")
    comment: str
    starting_comment: str = Field(description="before the move (a variation's first move)")
    nags: list[int]
    glyphs: list[str] = Field(default=[], description='symbol of each NAG ("!", "±", "$22")')
    shapes: list[Shape] = Field(description="in the order they were drawn or written")
    clock: float | None = Field(description="[%clk] in seconds")
    children: list[str]
    comment_pgn: str | None = Field(
        default=None,
        description="the comment as written in the imported PGN, where its commands and "
        "text are in an order export would not reproduce; an edit of comment, shapes "
        "or clock drops it",
    )


class MoveTree(BaseModel):
    """The whole move tree: nodes in one flat map, each naming its children by id."""

    model_config = ConfigDict(extra="forbid")

    format: int
    fen: str = Field(description="start position")
    chess960: bool
    comment: str = Field(description="before the first move")
    children: list[str] = Field(description="first moves; [0] is the main line")
    nodes: dict[str, MoveNode]


class ChapterRead(ChapterSummary):
    headers: list[tuple[str, str]] = Field(description="PGN tags in order, as [tag, value]")
    tree: MoveTree


class StudyRead(NodeRead):
    chapters: list[ChapterSummary]
    star_count: int = 0
    starred: bool = Field(default=False, description="whether you starred it")


class StudyClone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID = Field(description="a folder or workspace you may edit")
    name: NodeName | None = Field(
        default=None, description='default: the source\'s name, numbered ("Name (2)") on a clash'
    )
    with_discussions: bool = Field(default=False, description="copy the threads too")


class FolderDuplicated(BaseModel):
    node: NodeRead = Field(description="the new folder (your role on it)")
    node_count: int = Field(description="nodes created: the folder and every live node below")
    chapter_count: int


class ChaptersCopy(BaseModel):
    """Chapters of another study to append here, in this order."""

    model_config = ConfigDict(extra="forbid")

    source_study_id: uuid.UUID
    chapter_ids: list[uuid.UUID] = Field(min_length=1, max_length=640)
    move: bool = Field(
        default=False, description="remove them from the source (needs editor there)"
    )
    with_discussions: bool = Field(
        default=False, description="copy their threads (moved chapters always take theirs)"
    )


class StarState(BaseModel):
    star_count: int
    starred: bool


class StarredStudy(NodeRead):
    starred_at: datetime


class StarredPage(BaseModel):
    items: list[StarredStudy]
    next_cursor: str | None


class ImportWarning(BaseModel):
    """Text between games that held nothing to import and was skipped."""

    model_config = ConfigDict(from_attributes=True)

    code: Literal["stray_result", "stray_comment"]
    message: str
    line: int = Field(description="1-based line in the PGN text")
    token: str = Field(description="the skipped text (shortened)")


class StudyImport(BaseModel):
    """Every study and chapter an import created; large imports fill several studies."""

    studies: list[StudyRead]
    game_count: int
    chapter_count: int
    warnings: list[ImportWarning] = Field(
        default_factory=list,
        description="what was skipped between games: lone result tokens, comments",
    )


class ExportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node_id: uuid.UUID = Field(description="a study (one .pgn) or a folder/workspace (.zip)")
    mode: Literal["full", "no_comments", "mainline"] = "full"
    comments: bool | None = Field(default=None, description=SWITCHES["comments"])
    variations: bool | None = Field(default=None, description=SWITCHES["variations"])
    clocks: bool | None = Field(default=None, description=SWITCHES["clocks"])
    shapes: bool | None = Field(default=None, description=SWITCHES["shapes"])
    evals: bool | None = Field(default=None, description=SWITCHES["evals"])
    orientation: bool | None = Field(default=None, description=SWITCHES["orientation"])
    headers: Literal["all", "roster"] | None = Field(default=None, description=SWITCHES["headers"])

    def options(self) -> ExportOptions:
        return ExportOptions.of(
            self.mode, **self.model_dump(exclude={"node_id", "mode"}, exclude_none=True)
        )


class ExportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    node_id: uuid.UUID
    requested_by: uuid.UUID
    status: str
    format: Literal["pgn", "zip"]
    mode: str
    comments: bool
    options: dict[str, bool | str] = Field(
        description="every switch as the export applied it (empty for exports stored before "
        "the switches)"
    )
    filename: str
    study_count: int
    chapter_count: int
    size_bytes: int
    created_at: datetime
    expires_at: datetime
    download_url: str
