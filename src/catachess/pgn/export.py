"""Move-tree documents to PGN text, written by python-chess's StringExporter.

A tree becomes a chess.pgn.Game (moves from their UCI, annotations written back into
the comments by python-chess) and python-chess writes it, with its default columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

import chess
import chess.pgn

from catachess.pgn.annotations import annotate, compose_comment, without_evals
from catachess.pgn.position import fen
from catachess.pgn.tree import MoveNode, MoveTree, find_node, tree_from


class ExportMode(StrEnum):
    FULL = "full"  # everything
    NO_COMMENTS = "no_comments"  # variations, without comments, NAGs, shapes, clocks
    MAINLINE = "mainline"  # main line only; comments kept unless asked otherwise


Headers = Literal["all", "roster"]
# The Seven Tag Roster, and the tags without which the moves or the board would be read
# differently (a set-up position; the chapter's orientation, which has its own switch).
ROSTER = ("Event", "Site", "Date", "Round", "White", "Black", "Result")
_KEPT_WITH_ROSTER = (*ROSTER, "SetUp", "FEN", "Variant", "Orientation")


@dataclass(frozen=True)
class ExportOptions:
    """What an export writes; each switch is independent, as Lichess's export switches.

    comments: comment text (before and after moves, and the game's), with NAGs.
    variations: every line, or the main line only. clocks: `[%clk]`. shapes: arrows and
    circles (`[%cal]`/`[%csl]`). evals: `[%eval]`. orientation: the chapter's
    `[Orientation]` tag (written by the studies layer). headers: every tag, or the Seven
    Tag Roster (with SetUp/FEN when the game does not start from the initial position).
    """

    comments: bool = True
    variations: bool = True
    clocks: bool = True
    shapes: bool = True
    evals: bool = True
    orientation: bool = True
    headers: Headers = "all"

    @classmethod
    def of(
        cls,
        mode: ExportMode | str = "full",
        *,
        comments: bool | None = None,
        variations: bool | None = None,
        clocks: bool | None = None,
        shapes: bool | None = None,
        evals: bool | None = None,
        orientation: bool | None = None,
        headers: Headers | None = None,
    ) -> ExportOptions:
        """The options of a mode, then each switch that is given (None: the mode's).

        `no_comments` drops every annotation; `mainline` drops variations, and with
        comments=false every annotation too (the meaning `comments` had with it before the
        switches, kept for the clients that use it)."""
        mode = ExportMode(mode)
        base = cls()
        if mode is ExportMode.NO_COMMENTS or (mode is ExportMode.MAINLINE and comments is False):
            base = replace(base, comments=False, clocks=False, shapes=False, evals=False)
        if mode is ExportMode.MAINLINE:
            base = replace(base, variations=False)
        return cls(
            comments=base.comments if comments is None else comments,
            variations=base.variations if variations is None else variations,
            clocks=base.clocks if clocks is None else clocks,
            shapes=base.shapes if shapes is None else shapes,
            evals=base.evals if evals is None else evals,
            orientation=base.orientation if orientation is None else orientation,
            headers=base.headers if headers is None else headers,
        )

    @property
    def annotations(self) -> bool:
        """Whether every annotation is written (a comment may then be kept as written)."""
        return self.comments and self.clocks and self.shapes and self.evals


FULL_EXPORT = ExportOptions()


def export_game(
    headers: Mapping[str, str],
    tree: MoveTree,
    options: ExportOptions | ExportMode = FULL_EXPORT,
    *,
    comments: bool = True,
) -> str:
    """One game as PGN text (no trailing newline).

    `options` may be a mode (with `comments`, which then means what ExportOptions.of says)."""
    if not isinstance(options, ExportOptions):
        options = ExportOptions.of(options, comments=None if comments else False)
    game = to_game(headers, tree, options)
    exporter = chess.pgn.StringExporter(variations=options.variations, comments=True)
    return game.accept(exporter)


def export_games(
    games: Iterable[tuple[Mapping[str, str], MoveTree]],
    options: ExportOptions | ExportMode = FULL_EXPORT,
    *,
    comments: bool = True,
) -> str:
    """Several games as one PGN file: games separated by a blank line, final newline."""
    text = "\n\n".join(
        export_game(headers, tree, options, comments=comments) for headers, tree in games
    )
    return text + "\n" if text else ""


def to_game(
    headers: Mapping[str, str], tree: MoveTree, options: ExportOptions = FULL_EXPORT
) -> chess.pgn.Game:
    """The tree as a python-chess game, holding what `options` asks for."""
    tags = setup_headers(headers, tree)
    if options.headers == "roster":
        tags = {tag: value for tag, value in tags.items() if tag in _KEPT_WITH_ROSTER}
    game = chess.pgn.Game(tags)
    if options.comments:
        game.comment = tree["comment"]
    nodes = tree["nodes"]
    pending: list[tuple[chess.pgn.GameNode, list[str]]] = [(game, tree["children"])]
    while pending:
        parent, children = pending.pop()
        for child_id in children if options.variations else children[:1]:
            node = nodes[child_id]
            child = parent.add_variation(chess.Move.from_uci(node["uci"]))
            if options.comments:
                child.starting_comment = node["starting_comment"]
                child.nags.update(node["nags"])
            if options.annotations:
                annotate(
                    child,
                    node["comment"],
                    node["shapes"],
                    node["clock"],
                    node.get("comment_pgn"),
                )
            else:
                child.comment = _comment(node, options)
            if node["children"]:
                pending.append((child, node["children"]))
    return game


def _comment(node: MoveNode, options: ExportOptions) -> str:
    """The comment after a move with only the parts `options` keeps."""
    text, evals = without_evals(node["comment"])
    if options.comments:
        kept = node["comment"] if options.evals else text
    else:
        kept = " ".join(evals) if options.evals else ""
    return compose_comment(
        kept,
        node["shapes"] if options.shapes else [],
        node["clock"] if options.clocks else None,
    )


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
