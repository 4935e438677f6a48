"""Replace a move and replay what followed it on the new position (lila #11844).

A mistyped move twenty moves back should not mean typing the game again: the move is
replaced in place (its id, comment, NAGs and shapes stay), and every move after it is
played again, by its SAN, on the new position. A move that is no longer legal there (or
has become ambiguous, or repeats a sibling) is cut together with everything after it;
the caller learns which moves were kept and which were cut.
"""

from __future__ import annotations

from typing import NamedTuple

import chess

from catachess.pgn.edit import _parse_move
from catachess.pgn.errors import IllegalMove
from catachess.pgn.position import fen
from catachess.pgn.tree import MoveTree, board_at, find_node, iter_subtree


class Replaced(NamedTuple):
    old_san: str
    kept: list[str]  # moves after the replaced one, replayed, in tree order
    cut: list[str]  # moves removed, in tree order


def replace_move(tree: MoveTree, move_id: str, move: str) -> Replaced:
    """Play `move` instead of `move_id` (SAN or UCI) and replay the moves after it.

    Raises IllegalMove when `move` is illegal where `move_id` was played, is the same
    move, or is already a sibling (promote or delete that one instead). The tree is
    changed in place only when nothing is raised.
    """
    node = find_node(tree, move_id)
    board = board_at(tree, node["parent"])
    played = _parse_move(board, move)
    uci = board.uci(played)
    if uci == node["uci"]:
        raise IllegalMove(move, board.fen(), "the same move as the one it would replace")
    siblings = (
        tree["children"] if node["parent"] is None else tree["nodes"][node["parent"]]["children"]
    )
    if any(tree["nodes"][s]["uci"] == uci for s in siblings if s != move_id):
        raise IllegalMove(move, board.fen(), "already played here as a variation")
    old_san = node["san"]
    node["san"], node["uci"] = board.san(played), uci
    board.push(played)
    node["fen"] = fen(board)
    kept: list[str] = []
    cut: list[str] = []
    # Parents before children: each child is replayed on its parent's new position.
    stack = [(move_id, board)]
    while stack:
        parent_id, parent_board = stack.pop()
        parent = tree["nodes"][parent_id]
        seen: set[str] = set()
        survivors: list[str] = []
        for child_id in parent["children"]:
            child = tree["nodes"][child_id]
            replayed = _replay(parent_board, child["san"])
            if replayed is None or parent_board.uci(replayed) in seen:
                cut.extend(each["id"] for each in iter_subtree(tree, child_id))
                continue
            seen.add(parent_board.uci(replayed))
            child_board = parent_board.copy(stack=False)
            child["san"] = child_board.san(replayed)
            child["uci"] = child_board.uci(replayed)
            child_board.push(replayed)
            child["fen"] = fen(child_board)
            kept.append(child_id)
            survivors.append(child_id)
            stack.append((child_id, child_board))
        parent["children"] = survivors
    for each in cut:
        del tree["nodes"][each]
    return Replaced(old_san, kept, cut)


def _replay(board: chess.Board, san: str) -> chess.Move | None:
    """The move `san` names on `board`, or None when it is illegal or ambiguous there."""
    try:
        return board.parse_san(san)
    except ValueError:
        return None
