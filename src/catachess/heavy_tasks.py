"""The work catachess.heavy sends to its worker processes: PGN in, compact results out.

A worker imports this module and what it needs (python-chess, orjson, the pure
catachess.pgn and search modules), never the app or the database layer. Results are
made cheap to send back: a chapter's tree as one JSON text (what the database stores
anyway), its positions for the search index as COPY data, never millions of small
objects, whose unpickling in the server would hold the GIL as long as the parse itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import orjson

from catachess.db.embedded import alive
from catachess.pgn import (
    ExportOptions,
    MoveTree,
    ParsedGame,
    PgnError,
    PgnLimits,
    PgnPart,
    PgnWarning,
    clip,
    count_nodes,
    export_game,
    read_part,
    read_part_or_errors,
)
from catachess.search.tree_rows import comments_of, position_ids, positions_of

# Stands for a row's (workspace, study, chapter) ids in `PreparedGame.positions`: the
# server learns them only when it places the game in a study (COPY text never holds it).
IDS = b"\x01"


@dataclass(frozen=True, slots=True)
class PreparedGame:
    """A parsed game as the server stores it: the tree as JSON, its index rows made."""

    number: int
    line: int
    headers: dict[str, str]
    result: str
    start_fen: str
    node_count: int
    tree_json: str
    comments: list[tuple[str, str, int, str | None]]  # (move id, text, ply, SAN)
    # search_positions rows in COPY text format, each "IDS<move>\t<ply>\t<zobrist>\t<key>\n"
    positions: bytes


@dataclass(frozen=True, slots=True)
class PreparedPgn:
    games: list[PreparedGame]
    warnings: list[PgnWarning]


def _copy_text(value: str) -> str:
    """A value as COPY's text format writes it (move ids and keys never need it, but a
    wrong byte there would corrupt the whole COPY)."""
    if any(c in value for c in "\\\t\n\r"):
        value = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")).replace(
            "\r", "\\r"
        )
    return value


def position_copy_rows(tree: MoveTree) -> bytes:
    """The tree's search_positions rows (without their ids) as COPY text."""
    lines = [
        f"{_copy_text(move_id)}\t{ply}\t{zobrist}\t{_copy_text(key)}\n"
        for move_id, ply, zobrist, key in positions_of(tree, position_ids(tree))
    ]
    return IDS + IDS.join(line.encode() for line in lines) if lines else b""


def prepare(game: ParsedGame) -> PreparedGame:
    tree = game.tree
    return PreparedGame(
        number=game.number,
        line=game.line,
        headers=game.headers,
        result=game.result,
        start_fen=tree["fen"],
        node_count=count_nodes(tree),
        tree_json=orjson.dumps(tree).decode(),
        comments=[
            (move_id, text, ply, san) for move_id, (text, ply, san) in comments_of(tree).items()
        ],
        positions=position_copy_rows(tree),
    )


def parse_part(part: PgnPart, limits: PgnLimits) -> PreparedPgn:
    """Every game of a part of a PGN text (`split_pgn`), prepared for storing (PgnError:
    none is); game numbers count from 1 in the part."""
    parsed = read_part(part, limits)
    return PreparedPgn([prepare(game) for game in parsed.games], parsed.warnings)


def read_part_prepared(
    part: PgnPart, limits: PgnLimits
) -> list[PreparedGame | PgnError | PgnWarning]:
    """The games of a part of a PGN file (`iter_parts`), prepared for storing, those that
    cannot be imported as their `PgnError`, and the warnings between them (the
    command-line import); game numbers count from 1 in the part."""
    return [
        prepare(item) if isinstance(item, ParsedGame) else item
        for item in read_part_or_errors(part, limits)
    ]


# What an export reads of a chapter: its [tag, value] pairs, orientation, and tree (as
# JSON text when it crosses to a worker process).
ExportedChapter = tuple[list[list[str]], str, str | MoveTree]


def chapter_text(
    chapter: ExportedChapter, options: ExportOptions, from_move: str | None = None
) -> str:
    """One chapter as a PGN game; `from_move` clips it to start after that move
    (PgnError, TreeEditError: the caller names the problem)."""
    pairs, orientation, tree_json = chapter
    headers = {tag: value for tag, value in pairs}
    # The board orientation is the chapter's (PATCH can turn it), written as Lichess
    # writes it; a white board without an Orientation tag stays without one.
    tagged = "Orientation" in headers
    headers.pop("Orientation", None)
    if options.orientation and (orientation == "black" or tagged):
        headers["Orientation"] = orientation
    tree = cast(MoveTree, orjson.loads(tree_json)) if isinstance(tree_json, str) else tree_json
    if from_move is not None:
        headers, tree = clip(headers, tree, from_move)
    return export_game(headers, tree, options) + "\n\n"


def games_text(chapters: Sequence[ExportedChapter], options: ExportOptions) -> str:
    """Several chapters as one PGN text, games in the given order."""
    return "".join(chapter_text(chapter, options) for chapter in chapters)


def exit_with(server: int) -> None:
    """A worker's initializer: exit when the server process that started it is gone. A
    server killed outright (SIGKILL, the OOM killer) cannot stop its pool, whose workers
    would otherwise wait for work forever (and keep the fork server alive)."""

    def watch() -> None:
        while alive(server):
            time.sleep(WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="watch-server", daemon=True).start()


WATCH_SECONDS = 1.0


def loaded_modules() -> list[str]:
    """The modules a worker has imported (tests check that the app is not among them)."""
    return sorted(sys.modules)
