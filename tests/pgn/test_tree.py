"""Helpers on the tree document."""

from __future__ import annotations

import chess
import orjson
import pytest
from pydantic import TypeAdapter

from catachess.pgn import (
    InvalidPosition,
    MoveNotFound,
    MoveTree,
    board_at,
    count_nodes,
    find_node,
    iter_subtree,
    mainline,
    max_variation_depth,
    new_tree,
    parse_pgn,
    path_to,
    variation_depth,
)
from tests.pgn.helpers import node_at, only_game


def test_helpers_on_nested_variations() -> None:
    tree = only_game("nested_variations.pgn").tree
    deep = node_at(tree, [0, 0, 0, 1, 0, 1, 0, 1, 1, 1])
    assert count_nodes(tree) == 35
    assert max_variation_depth(tree) == 5
    assert variation_depth(tree, deep["id"]) == 5
    assert variation_depth(tree, node_at(tree, [0, 0, 0, 0])["id"]) == 0
    assert [node["san"] for node in path_to(tree, deep["id"])] == [
        "e4", "e5", "Nf3", "d6", "d4", "exd4", "Nxd4", "g6", "c4", "Nf6",
    ]  # fmt: skip
    assert len(list(mainline(tree))) == 16
    d6 = node_at(tree, [0, 0, 0, 1])
    subtree = list(iter_subtree(tree, d6["id"]))
    assert subtree[0] is d6 and len(subtree) == 16
    assert find_node(tree, d6["id"]) is d6
    assert board_at(tree, d6["id"]).fen() == d6["fen"]
    assert board_at(tree, None).fen() == chess.STARTING_FEN


def test_mainline_after_a_move() -> None:
    tree = only_game("custom_fen.pgn").tree
    first = node_at(tree, [1])
    assert [node["san"] for node in mainline(tree, first["id"])] == ["Kd2", "Ke5"]


def test_find_unknown_move() -> None:
    with pytest.raises(MoveNotFound, match="nope"):
        find_node(new_tree(), "nope")
    with pytest.raises(MoveNotFound):
        path_to(new_tree(), "nope")


def test_new_tree_from_fen() -> None:
    tree = new_tree("4k3/8/8/8/8/8/8/4K2R w K - 0 1")
    assert tree["fen"] == "4k3/8/8/8/8/8/8/4K2R w K - 0 1"
    assert tree["chess960"] is False
    assert new_tree("brqkrnnb/pppppppp/8/8/8/8/PPPPPPPP/BRQKRNNB w KQkq - 0 1", chess960=True)[
        "chess960"
    ]
    with pytest.raises(InvalidPosition):
        new_tree("not a fen")


def test_document_is_plain_json_of_constant_nesting() -> None:
    # 300 plies of main line: a nested layout would be 600 levels deep (orjson stops at 255).
    moves = " ".join(["Nf3 Nf6 Ng1 Ng8"] * 75)
    [game] = parse_pgn(moves + " *")
    assert count_nodes(game.tree) == 300
    assert orjson.loads(orjson.dumps(game.tree)) == game.tree


def test_document_validates_as_a_pydantic_response_model() -> None:
    tree = only_game("commands.pgn").tree
    assert TypeAdapter(MoveTree).validate_python(tree) == tree
