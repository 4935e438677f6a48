"""Move-tree documents to PGN text, written by python-chess's StringExporter.

A tree becomes a chess.pgn.Game (moves from their UCI, annotations written back into
the comments by python-chess) and python-chess writes it, with its default columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

import chess
import chess.pgn

from catachess.pgn.annotations import annotate
from catachess.pgn.position import fen
from catachess.pgn.tree import MoveTree, find_node, tree_from


class ExportMode(StrEnum):
    FULL = "full"  # everything
    NO_COMMENTS = "no_comments"  # variations, without comments, NAGs, shapes, clocks
    MAINLINE = "mainline"  # main line only; comments kept unless asked otherwise


def export_game(
    headers: Mapping[str, str],
    tree: MoveTree,
    mode: ExportMode = ExportMode.FULL,
    *,
    comments: bool = True,
) -> str:
    """One game as PGN text (no trailing newline). `comments` only matters for MAINLINE."""
    mode = ExportMode(mode)  # also accepts the plain string, e.g. from a query parameter
    variations = mode is not ExportMode.MAINLINE
    annotated = mode is ExportMode.FULL or (mode is ExportMode.MAINLINE and comments)
    game = to_game(headers, tree, variations=variations, annotations=annotated)
    exporter = chess.pgn.StringExporter(variations=variations, comments=annotated)
    return game.accept(exporter)


def export_games(
    games: Iterable[tuple[Mapping[str, str], MoveTree]],
    mode: ExportMode = ExportMode.FULL,
    *,
    comments: bool = True,
) -> str:
    """Several games as one PGN file: games separated by a blank line, final newline."""
    text = "\n\n".join(
        export_game(headers, tree, mode, comments=comments) for headers, tree in games
    )
    return text + "\n" if text else ""


def to_game(
    headers: Mapping[str, str],
    tree: MoveTree,
    *,
    variations: bool = True,
    annotations: bool = True,
) -> chess.pgn.Game:
    """The tree as a python-chess game; without variations it holds the main line only."""
    game = chess.pgn.Game(setup_headers(headers, tree))
    if annotations:
        game.comment = tree["comment"]
    nodes = tree["nodes"]
    pending: list[tuple[chess.pgn.GameNode, list[str]]] = [(game, tree["children"])]
    while pending:
        parent, children = pending.pop()
        for child_id in children if variations else children[:1]:
            node = nodes[child_id]
            child = parent.add_variation(chess.Move.from_uci(node["uci"]))
            if annotations:
                child.starting_comment = node["starting_comment"]
                child.nags.update(node["nags"])
                annotate(
                    child,
                    node["comment"],
                    node["shapes"],
                    node["clock"],
                    node.get("comment_pgn"),
                )
            if node["children"]:
                pending.append((child, node["children"]))
    return game


def setup_headers(headers: Mapping[str, str], tree: MoveTree) -> dict[str, str]:
    """`headers` with the Seven Tag Roster and with SetUp/FEN/Variant matching the tree.

    Tags that already describe the tree's start position are kept as written; otherwise
    python-chess's Game.setup rewrites them, so the tree is what decides the position.
    """
    tags = chess.pgn.Headers()  # the Seven Tag Roster's defaults, then the given tags
    tags.update(headers)
    try:
        board = tags.board()
    except ValueError:
        board = None
    if (
        type(board) is not chess.Board  # none, or a variant the tree cannot be
        or fen(board) != tree["fen"]
        or board.chess960 != tree["chess960"]
    ):
        game = chess.pgn.Game(tags)
        game.setup(chess.Board(tree["fen"], chess960=tree["chess960"]))
        tags = game.headers
    return dict(tags)


def clip(
    headers: Mapping[str, str], tree: MoveTree, move_id: str
) -> tuple[dict[str, str], MoveTree]:
    """A game starting at the position after `move_id`, with every move that follows it.

    The tree is a copy (`tree` is unchanged) and keeps the node ids; the headers get
    SetUp "1" and the FEN of that position.
    """
    node = find_node(tree, move_id)
    clipped = tree_from(tree, node["fen"], node["children"])
    return setup_headers(headers, clipped), clipped
