"""The move-tree document: one chapter's moves, variations and annotations as one JSON value.

The document is the single source of truth of a chapter (stored as one JSONB column) and
is also what a chapter read returns. Nodes live in one flat map keyed by their id and
name their children by id, so the JSON nesting stays constant however long the game is:
children nested inside children would make a 300-ply game 600 levels deep, beyond what
JSON encoders (orjson stops at 255) and recursive code accept.

A node's `children` are ordered: the first continues the line it is on (the main line
of that branch), the others are variations in PGN order. The *variation depth* of a node
is the number of variations entered on the way to it from the start, i.e. the nesting of
parentheses around it in PGN.
"""

from __future__ import annotations

import secrets
from collections.abc import Container, Iterator
from typing import Literal, NotRequired

import chess

# typing_extensions' TypedDict: pydantic (response models) refuses typing's before 3.12.
from typing_extensions import TypedDict

from catachess.pgn.errors import InvalidPosition, MoveNotFound
from catachess.pgn.position import impossible

FORMAT_VERSION = 1

ShapeColor = Literal["G", "R", "Y", "B"]
"""Brush letters of `[%cal]`/`[%csl]`: green, red, yellow, blue (as Lichess draws them)."""

Arrow = TypedDict("Arrow", {"kind": Literal["arrow"], "from": str, "to": str, "color": ShapeColor})


class Circle(TypedDict):
    kind: Literal["circle"]
    square: str
    color: ShapeColor


Shape = Arrow | Circle


class MoveNode(TypedDict):
    id: str
    parent: str | None  # None: the move is played from the start position
    san: str
    uci: str
    fen: str  # position after the move
    comment: str  # after the move, without its [%cal]/[%csl]/[%clk] commands
    starting_comment: str  # before the move; PGN only has it for a variation's first move
    nags: list[int]  # sorted, unique, 1..255
    glyphs: list[str]  # the symbol of each NAG ("!", "±" ...), for display
    shapes: list[Shape]  # in the order the author drew or wrote them
    clock: float | None  # [%clk], seconds left after the move, millisecond precision
    children: list[str]
    # The comment as written in the imported PGN, kept only where export would place
    # its commands and text differently; an edit of comment, shapes or clock drops it.
    comment_pgn: NotRequired[str]


class MoveTree(TypedDict):
    format: int
    fen: str  # start position
    chess960: bool
    comment: str  # before the first move, kept as written (commands included)
    children: list[str]
    nodes: dict[str, MoveNode]


# 6 random bytes are 8 URL-safe characters (48 bits): collisions are rare and retried.
_ID_BYTES = 6


def new_node_id(taken: Container[str]) -> str:
    """A fresh random node id not in `taken`."""
    while True:
        node_id = secrets.token_urlsafe(_ID_BYTES)
        if node_id not in taken:
            return node_id


class IdPool:
    """Fresh node ids in bulk, for building whole trees (one random draw per 64 ids)."""

    def __init__(self) -> None:
        self._ids: list[str] = []

    def take(self, taken: Container[str]) -> str:
        """A fresh random node id not in `taken`."""
        while True:
            if not self._ids:
                drawn = secrets.token_urlsafe(_ID_BYTES * 64)
                self._ids = [drawn[start : start + 8] for start in range(0, len(drawn), 8)]
            node_id = self._ids.pop()
            if node_id not in taken:
                return node_id


def new_tree(fen: str = chess.STARTING_FEN, *, chess960: bool = False) -> MoveTree:
    """An empty tree starting at `fen`, as python-chess sets it up."""
    try:
        board = chess.Board(fen, chess960=chess960)
    except ValueError as error:
        raise InvalidPosition(fen, str(error)) from None
    board.chess960 = board.chess960 or board.has_chess960_castling_rights()
    reasons = impossible(board)
    if reasons:
        # A position no game reaches would take no move at all (python-chess generates
        # none from it), so the chapter would be a dead end.
        raise InvalidPosition(fen, "impossible position: " + ", ".join(reasons), reasons)
    return {
        "format": FORMAT_VERSION,
        "fen": board.fen(),
        "chess960": board.chess960,
        "comment": "",
        "children": [],
        "nodes": {},
    }


def find_node(tree: MoveTree, move_id: str) -> MoveNode:
    """The node `move_id`, or `MoveNotFound`."""
    try:
        return tree["nodes"][move_id]
    except KeyError:
        raise MoveNotFound(move_id) from None


def children_of(tree: MoveTree, move_id: str | None) -> list[str]:
    """The child list of a node, or of the start position when `move_id` is None."""
    return tree["children"] if move_id is None else find_node(tree, move_id)["children"]


def fen_before(tree: MoveTree, node: MoveNode) -> str:
    """The position in which `node`'s move is played."""
    parent = node["parent"]
    return tree["fen"] if parent is None else tree["nodes"][parent]["fen"]


def board_at(tree: MoveTree, move_id: str | None) -> chess.Board:
    """A python-chess board of the position after `move_id` (the start when None)."""
    fen = tree["fen"] if move_id is None else find_node(tree, move_id)["fen"]
    return chess.Board(fen, chess960=tree["chess960"])


def path_to(tree: MoveTree, move_id: str) -> list[MoveNode]:
    """The moves from the start position up to and including `move_id`."""
    path = [find_node(tree, move_id)]
    while (parent := path[-1]["parent"]) is not None:
        path.append(tree["nodes"][parent])
    path.reverse()
    return path


def mainline(tree: MoveTree, after: str | None = None) -> Iterator[MoveNode]:
    """The main line from the start (or the line continuing after `after`)."""
    children = children_of(tree, after)
    while children:
        node = tree["nodes"][children[0]]
        yield node
        children = node["children"]


def iter_subtree(tree: MoveTree, move_id: str) -> Iterator[MoveNode]:
    """`move_id` and every move after it, parents before children."""
    nodes = tree["nodes"]
    stack = [find_node(tree, move_id)]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(nodes[child] for child in reversed(node["children"]))


def count_nodes(tree: MoveTree) -> int:
    """Number of moves in the tree, variations included."""
    return len(tree["nodes"])


def variation_depth(tree: MoveTree, move_id: str) -> int:
    """How many variations are entered on the way from the start to `move_id`."""
    nodes = tree["nodes"]
    depth = 0
    for node in path_to(tree, move_id):
        parent = node["parent"]
        siblings = tree["children"] if parent is None else nodes[parent]["children"]
        depth += siblings[0] != node["id"]
    return depth


def max_variation_depth(tree: MoveTree) -> int:
    """The deepest variation nesting anywhere in the tree (0 for a single line)."""
    nodes = tree["nodes"]
    deepest = 0
    stack = [(child, int(index > 0)) for index, child in enumerate(tree["children"])]
    while stack:
        node_id, depth = stack.pop()
        deepest = max(deepest, depth)
        for index, child in enumerate(nodes[node_id]["children"]):
            stack.append((child, depth + int(index > 0)))
    return deepest


def tree_from(tree: MoveTree, fen: str, first_moves: list[str]) -> MoveTree:
    """A new tree starting at `fen` with copies of the lines that begin at `first_moves`.

    `fen` must be the position before each of `first_moves`. Node ids are kept: they stay
    unique within the new tree, and a caller can tell which moves were copied.
    """
    nodes: dict[str, MoveNode] = {}
    for first in first_moves:
        for node in iter_subtree(tree, first):
            nodes[node["id"]] = copy_node(node)
        nodes[first]["parent"] = None
    return {
        "format": FORMAT_VERSION,
        "fen": fen,
        "chess960": tree["chess960"],
        "comment": "",
        "children": list(first_moves),
        "nodes": nodes,
    }


def copy_node(node: MoveNode) -> MoveNode:
    """A copy sharing no mutable part with `node`."""
    copied = node.copy()
    copied["nags"] = list(node["nags"])
    copied["glyphs"] = list(node.get("glyphs", []))
    copied["shapes"] = [shape.copy() for shape in node["shapes"]]
    copied["children"] = list(node["children"])
    return copied
