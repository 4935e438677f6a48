"""Edits of a move-tree document, each checked by python-chess and by the limits.

Every edit changes the tree it is given in place (the server loads the document, edits,
stores it) and returns the ids of the moves it touched, for the event it records. An
edit that raises leaves the tree unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import chess
import chess.engine
import chess.pgn

from catachess.pgn.annotations import has_commands
from catachess.pgn.checks import UNSTORABLE
from catachess.pgn.errors import IllegalMove, InvalidAnnotation, PgnLimitExceeded
from catachess.pgn.export import setup_headers
from catachess.pgn.limits import DEFAULT_LIMITS, PgnLimits
from catachess.pgn.nags import glyphs_of, nag_of
from catachess.pgn.position import fen
from catachess.pgn.tree import (
    Arrow,
    Circle,
    MoveNode,
    MoveTree,
    Shape,
    ShapeColor,
    board_at,
    children_of,
    fen_before,
    find_node,
    iter_subtree,
    max_variation_depth,
    new_node_id,
    path_to,
    tree_from,
    variation_depth,
)


class AddedMove(NamedTuple):
    move_id: str
    created: bool  # False: the move was already there and nothing changed


def add_move(
    tree: MoveTree, parent_id: str | None, move: str, limits: PgnLimits = DEFAULT_LIMITS
) -> AddedMove:
    """Play `move` (SAN or UCI) after `parent_id` (None: from the start position).

    A move already present there is not added twice (as on Lichess): its id is returned.
    """
    board = board_at(tree, parent_id)
    played = _parse_move(board, move)
    siblings = children_of(tree, parent_id)
    uci = board.uci(played)
    for sibling_id in siblings:
        if tree["nodes"][sibling_id]["uci"] == uci:
            return AddedMove(sibling_id, created=False)
    _check_room(tree, parent_id, is_variation=bool(siblings), limits=limits)
    node_id = new_node_id(tree["nodes"])
    san = board.san(played)
    board.push(played)
    tree["nodes"][node_id] = _new_node(node_id, parent_id, san, uci, fen(board))
    siblings.append(node_id)
    return AddedMove(node_id, created=True)


def _parse_move(board: chess.Board, text: str) -> chess.Move:
    """The legal move written as SAN or as UCI, or `IllegalMove` saying which it is not."""
    text = text.strip()
    try:
        move = board.parse_san(text)
    except chess.AmbiguousMoveError:
        raise IllegalMove(text, board.fen(), "ambiguous move") from None
    except ValueError as san_error:
        # Not legal SAN; UCI such as "e1g1" or "g1f3" also reads as (illegal) SAN.
        try:
            move = board.parse_uci(text)
        except chess.IllegalMoveError:
            raise IllegalMove(text, board.fen(), "illegal move") from None
        except ValueError:
            # "unreadable": neither SAN nor UCI.
            reason = (
                "illegal move"
                if isinstance(san_error, chess.IllegalMoveError)
                else "unreadable move"
            )
            raise IllegalMove(text, board.fen(), reason) from None
    if not move:
        # "--" and "0000" parse as null moves: not a move a study can add.
        raise IllegalMove(text, board.fen(), "null move")
    return move


def _check_room(
    tree: MoveTree, parent_id: str | None, *, is_variation: bool, limits: PgnLimits
) -> None:
    # limits.max_nodes_per_chapter and limits.max_variation_depth, for one more move.
    if len(tree["nodes"]) >= limits.max_nodes_per_chapter:
        raise PgnLimitExceeded("max_nodes_per_chapter", limits.max_nodes_per_chapter)
    if is_variation:
        depth = 0 if parent_id is None else variation_depth(tree, parent_id)
        if depth + 1 > limits.max_variation_depth:
            raise PgnLimitExceeded("max_variation_depth", limits.max_variation_depth)


def _new_node(node_id: str, parent_id: str | None, san: str, uci: str, after: str) -> MoveNode:
    return {
        "id": node_id,
        "parent": parent_id,
        "san": san,
        "uci": uci,
        "fen": after,
        "comment": "",
        "starting_comment": "",
        "nags": [],
        "glyphs": [],
        "shapes": [],
        "clock": None,
        "children": [],
    }


def delete_from(tree: MoveTree, move_id: str) -> list[str]:
    """Remove `move_id` and every move after it; returns the removed ids, `move_id` first."""
    node = find_node(tree, move_id)
    removed = [each["id"] for each in iter_subtree(tree, move_id)]
    children_of(tree, node["parent"]).remove(move_id)
    for each in removed:
        del tree["nodes"][each]
    return removed


def promote(
    tree: MoveTree, move_id: str, *, to_mainline: bool, limits: PgnLimits = DEFAULT_LIMITS
) -> list[str]:
    """Make the line of `move_id` the main line of its branch, or of the whole game.

    One step (`to_mainline=False`): at the nearest branch point above `move_id` the line
    becomes the first child. `to_mainline=True`: at every branch point up to the start,
    so `move_id` ends on the game's main line. Returns the moves made first children
    (nearest first); empty when `move_id` is already where it would be moved.
    """
    moved: list[tuple[list[str], str, list[str]]] = []  # (siblings, node, order before)
    for node in reversed(path_to(tree, move_id)):
        siblings = children_of(tree, node["parent"])
        if siblings[0] != node["id"]:
            moved.append((siblings, node["id"], list(siblings)))
            if not to_mainline:
                break
    for siblings, node_id, _ in moved:
        siblings.remove(node_id)
        siblings.insert(0, node_id)
    # limits.max_variation_depth: the former main line is now a variation, and so is
    # everything nested in it.
    if moved and max_variation_depth(tree) > limits.max_variation_depth:
        for siblings, _, before in moved:
            siblings[:] = before
        raise PgnLimitExceeded("max_variation_depth", limits.max_variation_depth)
    return [node_id for _, node_id, _ in moved]


def set_comment(
    tree: MoveTree, move_id: str | None, text: str, limits: PgnLimits = DEFAULT_LIMITS
) -> list[str]:
    """Set (or clear, with "") the comment after `move_id`, or before the first move."""
    node = None if move_id is None else find_node(tree, move_id)
    # A PGN comment ends at the first "}" and PGN has no escape for it: refuse rather
    # than store a text that export would change (python-chess drops the brace).
    if "}" in text:
        raise InvalidAnnotation("comment", text, 'PGN comments cannot hold "}"')
    text = text.strip()
    # limits.max_comment_length
    if len(text) > limits.max_comment_length:
        raise PgnLimitExceeded("max_comment_length", limits.max_comment_length)
    if UNSTORABLE.search(text):
        raise InvalidAnnotation("comment", text, "holds a NUL character or a lone surrogate")
    if node is None:
        tree["comment"] = text
        return []
    if has_commands(text):
        raise InvalidAnnotation("comment", text, "arrows, circles and clocks are not text")
    if node["comment"] != text:
        node["comment"] = text
        node.pop("comment_pgn", None)
    return [node["id"]]


def set_nags(tree: MoveTree, move_id: str, nags: Iterable[int | str]) -> list[str]:
    """Replace the NAGs of `move_id`: numbers 1..255, "$n", or symbols such as "!?",
    "+-", "∞" (duplicates collapse)."""
    node = find_node(tree, move_id)
    given = []
    for value in nags:
        nag = nag_of(value)
        if nag is None or not 1 <= nag <= 255:
            raise InvalidAnnotation(
                "NAG", value, 'must be a number from 1 to 255 or a symbol such as "!?" or "+-"'
            )
        given.append(nag)
    node["nags"] = sorted(set(given))
    node["glyphs"] = glyphs_of(node["nags"])
    return [move_id]


# A year: beyond any game's clock; python-chess writes the hours of a clock unbounded.
MAX_CLOCK_SECONDS = 366 * 24 * 3600


def set_clock(tree: MoveTree, move_id: str, seconds: float | None) -> list[str]:
    """Set (or clear, with None) the `[%clk]` of `move_id`: seconds left after the move."""
    node = find_node(tree, move_id)
    if seconds is not None:
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_CLOCK_SECONDS:
            raise InvalidAnnotation("clock", seconds, "must be 0 to 31622400 seconds")
        # Millisecond precision, as [%clk] is written.
        seconds = round(seconds, 3)
    if node["clock"] != seconds:
        node["clock"] = seconds
        node.pop("comment_pgn", None)
    return [move_id]


def set_eval(
    tree: MoveTree,
    move_id: str,
    *,
    pawns: float | None = None,
    mate: int | None = None,
    depth: int | None = None,
) -> list[str]:
    """Set (or clear, with neither `pawns` nor `mate`) the `[%eval]` of `move_id`, from
    White's point of view, in its comment text (python-chess's GameNode.set_eval)."""
    node = find_node(tree, move_id)
    if pawns is not None and mate is not None:
        raise InvalidAnnotation("eval", {"pawns": pawns, "mate": mate}, "give pawns or mate")
    score: chess.engine.PovScore | None = None
    if pawns is not None:
        if not math.isfinite(pawns) or abs(pawns) > 1000:
            raise InvalidAnnotation("eval", pawns, "pawns must be within -1000..1000")
        score = chess.engine.PovScore(chess.engine.Cp(round(pawns * 100)), chess.WHITE)
    elif mate is not None:
        if mate == 0 or abs(mate) > 1000:
            raise InvalidAnnotation("eval", mate, "mate must be a nonzero move count")
        score = chess.engine.PovScore(chess.engine.Mate(mate), chess.WHITE)
    scratch = chess.pgn.Game()
    scratch.comment = node["comment"]
    scratch.set_eval(score, depth)
    text = scratch.comment.strip()
    if text != node["comment"]:
        node["comment"] = text
        node.pop("comment_pgn", None)
    return [move_id]


def set_shapes(
    tree: MoveTree,
    move_id: str,
    shapes: Iterable[Mapping[str, Any]],
    limits: PgnLimits = DEFAULT_LIMITS,
) -> list[str]:
    """Replace the arrows and circles of `move_id` (empty clears them)."""
    node = find_node(tree, move_id)
    checked = [_checked_shape(shape) for shape in shapes]
    # limits.max_shapes_per_move
    if len(checked) > limits.max_shapes_per_move:
        raise PgnLimitExceeded("max_shapes_per_move", limits.max_shapes_per_move)
    # In the order given: export writes them in that order and an import reads them so.
    if node["shapes"] != checked:
        node["shapes"] = checked
        node.pop("comment_pgn", None)
    return [move_id]


def _checked_shape(shape: Mapping[str, Any]) -> Shape:
    color = _checked_color(shape.get("color"))
    kind = shape.get("kind")
    if kind == "circle":
        return Circle(kind="circle", square=_checked_square(shape.get("square")), color=color)
    if kind == "arrow":
        tail, head = _checked_square(shape.get("from")), _checked_square(shape.get("to"))
        if tail == head:
            raise InvalidAnnotation("arrow", dict(shape), "from and to must differ")
        return Arrow({"kind": "arrow", "from": tail, "to": head, "color": color})
    raise InvalidAnnotation("shape kind", kind, 'must be "arrow" or "circle"')


def _checked_square(square: object) -> str:
    if not isinstance(square, str) or square not in chess.SQUARE_NAMES:
        raise InvalidAnnotation("square", square, "must be a square name such as e4")
    return square


_COLORS: dict[str, ShapeColor] = {"G": "G", "R": "R", "Y": "Y", "B": "B"}


def _checked_color(color: object) -> ShapeColor:
    if not isinstance(color, str) or color not in _COLORS:
        raise InvalidAnnotation("color", color, f"must be one of {sorted(_COLORS)}")
    return _COLORS[color]


def variation_to_tree(
    tree: MoveTree, move_id: str, headers: Mapping[str, str] | None = None
) -> tuple[dict[str, str], MoveTree]:
    """A new game from the position before `move_id`, its line as the main line.

    For "turn a variation into a chapter": `tree` is unchanged; the new tree copies
    `move_id` and everything after it, keeping their ids; the headers are `headers` (or
    the Seven Tag Roster) with SetUp/FEN of the new start.
    """
    node = find_node(tree, move_id)
    new = tree_from(tree, fen_before(tree, node), [move_id])
    return setup_headers(headers or {}, new), new


def cut_at(tree: MoveTree, move_id: str) -> list[str]:
    """Make the position after `move_id` the start of the tree, in place.

    Keeps the moves after `move_id` (with their ids) and removes all others; returns the
    removed ids. The chapter's headers then need `setup_headers(headers, tree)`.
    """
    node = find_node(tree, move_id)
    kept = tree_from(tree, node["fen"], node["children"])
    removed = [each for each in tree["nodes"] if each not in kept["nodes"]]
    kept["comment"] = ""
    tree.update(kept)
    return removed
