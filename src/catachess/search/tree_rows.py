"""What the search index reads of a move tree: its comments and its positions (pure:
python-chess only, so catachess.heavy's worker processes compute them without the app)."""

from __future__ import annotations

from collections.abc import Iterable

import chess

from catachess.pgn import MoveTree
from catachess.search.positions import key_of_fen, ply_of

START_MOVE = ""  # move_id of a chapter's own start (its pre-game comment, a custom start)


def comments_of(tree: MoveTree) -> dict[str, tuple[str, int, str | None]]:
    """move id -> (text, ply, SAN) of every comment in the tree."""
    found: dict[str, tuple[str, int, str | None]] = {}
    if tree["comment"].strip():
        found[START_MOVE] = (tree["comment"], ply_of(tree["fen"]), None)
    for node in tree["nodes"].values():
        written = " ".join(
            part for part in (node["starting_comment"], node["comment"]) if part.strip()
        )
        if written:
            found[node["id"]] = (written, ply_of(node["fen"]), node["san"])
    return found


def positions_of(tree: MoveTree, move_ids: Iterable[str]) -> list[tuple[str, int, int, str]]:
    """(move id, ply, zobrist, key) of the position after each move ("": the start)."""
    found = []
    nodes = tree["nodes"]
    for move_id in move_ids:
        fen = tree["fen"] if move_id == START_MOVE else nodes[move_id]["fen"]
        key = key_of_fen(fen)
        found.append((move_id, key.ply, key.zobrist, key.key))
    return found


def position_ids(tree: MoveTree) -> list[str]:
    """Moves whose positions are indexed, plus the start when it is not the usual one."""
    custom = tree["fen"] != chess.STARTING_FEN or tree["chess960"]
    return ([START_MOVE] if custom else []) + list(tree["nodes"])
