"""Edits of the move tree: each one validated by python-chess, limited, and undone on error."""

from __future__ import annotations

import copy

import chess
import pytest

from catachess.pgn import (
    IllegalMove,
    InvalidAnnotation,
    MoveNotFound,
    MoveTree,
    PgnLimitExceeded,
    PgnLimits,
    add_move,
    cut_at,
    delete_from,
    export_game,
    mainline,
    max_variation_depth,
    new_tree,
    parse_pgn,
    promote,
    set_comment,
    set_nags,
    set_shapes,
    setup_headers,
    variation_to_tree,
)
from tests.pgn.helpers import check_links, node_at, only_game, shape_of


def play(tree: MoveTree, *moves: str, after: str | None = None) -> list[str]:
    """Add a line of moves; returns their ids."""
    ids = []
    for move in moves:
        after = add_move(tree, after, move).move_id
        ids.append(after)
    return ids


def round_trips(tree: MoveTree) -> bool:
    [again] = parse_pgn(export_game(setup_headers({}, tree), tree))
    return shape_of(again.tree) == shape_of(tree)


# add_move


def test_add_move_in_san_from_the_start() -> None:
    tree = new_tree()
    added = add_move(tree, None, "e4")
    assert added.created
    node = tree["nodes"][added.move_id]
    assert (node["san"], node["uci"], node["parent"]) == ("e4", "e2e4", None)
    assert node["fen"] == "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"
    assert tree["children"] == [added.move_id]
    assert len(added.move_id) == 8


def test_add_move_in_uci_gets_canonical_san() -> None:
    tree = new_tree()
    ids = play(tree, "e2e4", "e7e5", "d1h5", "b8c6", "f1c4", "g8f6", "h5f7")
    assert [tree["nodes"][i]["san"] for i in ids] == [
        "e4",
        "e5",
        "Qh5",
        "Nc6",
        "Bc4",
        "Nf6",
        "Qxf7#",
    ]


def test_add_move_castling_and_promotion_in_uci() -> None:
    tree = new_tree("4k3/P7/8/8/8/8/8/4K2R w K - 0 1")
    castled = add_move(tree, None, "e1g1")
    assert tree["nodes"][castled.move_id]["san"] == "O-O"
    promoted = add_move(tree, None, "a7a8q")
    assert tree["nodes"][promoted.move_id]["san"] == "a8=Q+"


def test_add_move_in_chess960_accepts_san_and_king_takes_rook_uci() -> None:
    tree = only_game("chess960.pgn").tree
    before_castling = list(mainline(tree))[-2]
    existing = add_move(tree, before_castling["id"], "d1b1")
    assert not existing.created  # 9. O-O-O is already there
    assert add_move(tree, before_castling["id"], "O-O-O") == existing


def test_adding_an_existing_move_returns_it() -> None:
    tree = new_tree()
    first = add_move(tree, None, "e4")
    again = add_move(tree, None, "e2e4")
    assert again.move_id == first.move_id and not again.created
    assert len(tree["nodes"]) == 1


def test_second_move_at_a_position_is_a_variation() -> None:
    tree = new_tree()
    e4, e5 = play(tree, "e4", "e5")
    c5 = add_move(tree, e4, "c5").move_id
    assert tree["nodes"][e4]["children"] == [e5, c5]
    check_links(tree)


@pytest.mark.parametrize(
    ("move", "reason"),
    [
        ("Nf6", "illegal move"),
        ("e2e5", "illegal move"),
        ("hello", "unreadable move"),
        ("--", "null move"),
        ("0000", "null move"),
    ],
)
def test_add_move_refuses(move: str, reason: str) -> None:
    tree = new_tree()
    with pytest.raises(IllegalMove) as caught:
        add_move(tree, None, move)
    assert (caught.value.move, caught.value.fen, caught.value.reason) == (
        move,
        chess.STARTING_FEN,
        reason,
    )
    assert caught.value.code == "illegal_move"
    assert tree["nodes"] == {}


def test_add_ambiguous_move() -> None:
    tree = new_tree()
    last = play(tree, "Nf3", "Nf6", "d4", "d5")[-1]
    with pytest.raises(IllegalMove, match='ambiguous move "Nd2"'):
        add_move(tree, last, "Nd2")


def test_add_move_after_an_unknown_move() -> None:
    with pytest.raises(MoveNotFound) as caught:
        add_move(new_tree(), "nope", "e4")
    assert caught.value.move_id == "nope"


def test_add_move_respects_max_nodes() -> None:
    tree = new_tree()
    play(tree, "e4", "e5")
    with pytest.raises(PgnLimitExceeded) as caught:
        add_move(tree, None, "d4", PgnLimits(max_nodes_per_chapter=2))
    assert (caught.value.limit_name, caught.value.limit_value) == ("max_nodes_per_chapter", 2)
    assert len(tree["nodes"]) == 2


def test_add_move_respects_max_variation_depth() -> None:
    tree = new_tree()
    e4 = add_move(tree, None, "e4").move_id
    d4 = add_move(tree, None, "d4").move_id  # depth 1
    d5 = add_move(tree, d4, "d5").move_id
    limits = PgnLimits(max_variation_depth=1)
    add_move(tree, d5, "c4", limits)  # continues the variation: still depth 1
    with pytest.raises(PgnLimitExceeded, match="max_variation_depth=1"):
        add_move(tree, d4, "Nf6", limits)  # a variation inside the variation
    assert add_move(tree, e4, "c5", limits).created  # depth 1 again


# delete_from


def test_delete_from_removes_the_move_and_all_after_it() -> None:
    tree = only_game("nested_variations.pgn").tree
    d6 = node_at(tree, [0, 0, 0, 1])
    removed = delete_from(tree, d6["id"])
    assert removed[0] == d6["id"] and len(removed) == 16
    assert len(tree["nodes"]) == 35 - 16
    assert not set(removed) & set(tree["nodes"])
    assert len(node_at(tree, [0, 0, 0])["children"]) == 1
    check_links(tree)
    assert round_trips(tree)


def test_delete_the_first_move() -> None:
    tree = new_tree()
    play(tree, "e4", "e5")
    removed = delete_from(tree, tree["children"][0])
    assert len(removed) == 2 and tree["children"] == [] and tree["nodes"] == {}


def test_delete_unknown_move() -> None:
    with pytest.raises(MoveNotFound):
        delete_from(new_tree(), "nope")


# promote


def test_promote_one_step() -> None:
    tree = new_tree()
    e4, e5, _ = play(tree, "e4", "e5", "Nf3")
    c5, nc3 = play(tree, "c5", "Nc3", after=e4)
    f3 = add_move(tree, c5, "f3").move_id  # a variation inside the c5 line
    assert promote(tree, f3, to_mainline=False) == [f3]
    assert tree["nodes"][c5]["children"] == [f3, nc3]
    assert tree["nodes"][e4]["children"] == [e5, c5]  # one step only
    assert promote(tree, nc3, to_mainline=False) == [nc3]  # back
    assert promote(tree, nc3, to_mainline=False) == [c5]  # nearest branch is now at e4
    assert tree["nodes"][e4]["children"] == [c5, e5]


def test_promote_to_mainline_all_the_way_up() -> None:
    tree = new_tree()
    e4, _ = play(tree, "e4", "e5")
    c5 = add_move(tree, e4, "c5").move_id
    f3 = add_move(tree, c5, "Nf3").move_id
    g3 = add_move(tree, c5, "g3").move_id
    assert promote(tree, g3, to_mainline=True) == [g3, c5]
    assert [node["id"] for node in mainline(tree)] == [e4, c5, g3]
    assert tree["nodes"][c5]["children"] == [g3, f3]
    assert round_trips(tree)


def test_promote_on_the_main_line_changes_nothing() -> None:
    tree = new_tree()
    last = play(tree, "e4", "e5")[-1]
    assert promote(tree, last, to_mainline=True) == []


def test_promote_refused_when_it_would_nest_too_deep() -> None:
    tree = only_game("nested_variations.pgn").tree
    before = copy.deepcopy(tree)
    _, d6 = node_at(tree, [0, 0, 0])["children"]
    # The main line holds a variation of depth 1; promoting d6 (whose line nests 5 deep)
    # leaves the deepest line at 4, but demotes Nc6 and its variation to depth 2.
    promote(tree, d6, to_mainline=True, limits=PgnLimits(max_variation_depth=5))
    assert max_variation_depth(tree) == 4
    tree = copy.deepcopy(before)
    deep = node_at(tree, [0, 0, 0, 1, 0, 1, 0, 1, 1, 1])
    with pytest.raises(PgnLimitExceeded, match="max_variation_depth=1"):
        promote(tree, deep["id"], to_mainline=True, limits=PgnLimits(max_variation_depth=1))
    assert tree == before


def test_promote_unknown_move() -> None:
    with pytest.raises(MoveNotFound):
        promote(new_tree(), "nope", to_mainline=True)


# set_comment, set_nags, set_shapes


def test_set_and_clear_comment() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    assert set_comment(tree, e4, "  Best by test  ") == [e4]
    assert tree["nodes"][e4]["comment"] == "Best by test"
    assert round_trips(tree)
    set_comment(tree, e4, "")
    assert tree["nodes"][e4]["comment"] == ""


def test_comment_with_a_closing_brace_is_refused_not_silently_changed() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    set_comment(tree, e4, "kept")
    for move_id in (e4, None):
        with pytest.raises(InvalidAnnotation, match='cannot hold "}"'):
            set_comment(tree, move_id, "a } brace")
    assert (tree["nodes"][e4]["comment"], tree["comment"]) == ("kept", "")


def test_set_comment_before_the_first_move() -> None:
    tree = new_tree()
    assert set_comment(tree, None, "An opening survey.") == []
    assert tree["comment"] == "An opening survey."
    assert round_trips(tree)


def test_set_comment_refuses_commands_and_long_text() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    with pytest.raises(InvalidAnnotation, match="comment"):
        set_comment(tree, e4, "look [%cal Ge2e4]")
    with pytest.raises(PgnLimitExceeded, match="max_comment_length=5"):
        set_comment(tree, e4, "too long", PgnLimits(max_comment_length=5))
    with pytest.raises(MoveNotFound):
        set_comment(tree, "nope", "x")
    assert tree["nodes"][e4]["comment"] == ""


def test_unknown_commands_stay_comment_text() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    set_comment(tree, e4, "[%eval 0.3] good")
    assert round_trips(tree)


def test_set_nags() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    assert set_nags(tree, e4, [14, 1, 1]) == [e4]
    assert tree["nodes"][e4]["nags"] == [1, 14]
    assert round_trips(tree)
    set_nags(tree, e4, [])
    assert tree["nodes"][e4]["nags"] == []


def test_set_nags_takes_the_symbols_players_type_and_gives_glyphs() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    set_nags(tree, e4, ["!?", "+-", "$14", "13", "∞", 146])
    node = tree["nodes"][e4]
    assert node["nags"] == [5, 13, 14, 18, 146]
    assert node["glyphs"] == ["!?", "∞", "⩲", "+−", "N"]
    set_nags(tree, e4, ["!", "??", "=", "-+", "+/-", "=+"])
    assert node["glyphs"] == ["!", "??", "=", "⩱", "±", "−+"]
    assert round_trips(tree)


@pytest.mark.parametrize("nag", [0, 256, -1, True, 1.0, "!!!", "$", "$1000", ""])
def test_set_nags_refuses(nag: object) -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    with pytest.raises(InvalidAnnotation, match="NAG"):
        set_nags(tree, e4, [1, nag])  # type: ignore[list-item]
    assert tree["nodes"][e4]["nags"] == []


def test_set_shapes_keeps_the_order_given() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    shapes = [
        {"kind": "arrow", "from": "g1", "to": "f3", "color": "G"},
        {"kind": "circle", "square": "e4", "color": "R", "extra": "ignored"},
    ]
    assert set_shapes(tree, e4, shapes) == [e4]
    assert tree["nodes"][e4]["shapes"] == [
        {"kind": "arrow", "from": "g1", "to": "f3", "color": "G"},
        {"kind": "circle", "square": "e4", "color": "R"},
    ]
    assert round_trips(tree)
    assert "{ [%cal Gg1f3][%csl Re4] }" in export_game({}, tree)


@pytest.mark.parametrize(
    ("shape", "field"),
    [
        ({"kind": "circle", "square": "i9", "color": "G"}, "square"),
        ({"kind": "circle", "square": "e4", "color": "P"}, "color"),
        ({"kind": "arrow", "from": "e2", "to": "e2", "color": "G"}, "arrow"),
        ({"kind": "arrow", "from": "e2", "color": "G"}, "square"),
        ({"kind": "star", "square": "e4", "color": "G"}, "shape kind"),
    ],
)
def test_set_shapes_refuses(shape: dict[str, str], field: str) -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    with pytest.raises(InvalidAnnotation) as caught:
        set_shapes(tree, e4, [shape])
    assert caught.value.field == field
    assert tree["nodes"][e4]["shapes"] == []


def test_set_shapes_limit() -> None:
    tree = new_tree()
    [e4] = play(tree, "e4")
    circles = [{"kind": "circle", "square": name, "color": "G"} for name in ("a1", "a2", "a3")]
    with pytest.raises(PgnLimitExceeded, match="max_shapes_per_move=2"):
        set_shapes(tree, e4, circles, PgnLimits(max_shapes_per_move=2))


# variation_to_tree, cut_at


def test_variation_to_tree_starts_before_the_move() -> None:
    game = only_game("nested_variations.pgn")
    tree = game.tree
    before = copy.deepcopy(tree)
    nf3, d6 = node_at(tree, [0, 0, 0]), node_at(tree, [0, 0, 0, 1])
    headers, new = variation_to_tree(tree, d6["id"], game.headers)
    assert tree == before
    assert new["fen"] == nf3["fen"]
    assert new["children"] == [d6["id"]]
    assert len(new["nodes"]) == 16 and max_variation_depth(new) == 4
    assert (headers["SetUp"], headers["FEN"], headers["White"]) == ("1", nf3["fen"], "Teacher")
    check_links(new)
    [again] = parse_pgn(export_game(headers, new))
    assert shape_of(again.tree) == shape_of(new)
    assert export_game(headers, new).split("\n\n")[1].startswith("2... d6 { Philidor } 3. d4")


def test_variation_to_tree_without_headers() -> None:
    tree = new_tree()
    e4 = play(tree, "e4")[0]
    headers, new = variation_to_tree(tree, e4)
    assert "FEN" not in headers and headers["Event"] == "?"
    assert new["fen"] == chess.STARTING_FEN


def test_cut_at_makes_the_position_after_the_move_the_start() -> None:
    game = only_game("nested_variations.pgn")
    tree = game.tree
    all_ids = set(tree["nodes"])
    bc4 = node_at(tree, [0, 0, 0, 0, 0])
    kept = set(bc4["children"])
    removed = cut_at(tree, bc4["id"])
    assert tree["fen"] == bc4["fen"]
    assert tree["children"] == bc4["children"]
    assert tree["comment"] == ""
    assert set(removed) | set(tree["nodes"]) == all_ids
    assert bc4["id"] in removed and kept <= set(tree["nodes"])
    assert len(tree["nodes"]) == 14
    check_links(tree)
    headers = setup_headers(game.headers, tree)
    assert headers["FEN"] == bc4["fen"]
    [again] = parse_pgn(export_game(headers, tree))
    assert shape_of(again.tree) == shape_of(tree)


def test_cut_at_unknown_move() -> None:
    with pytest.raises(MoveNotFound):
        cut_at(new_tree(), "nope")


def test_edited_tree_keeps_moves_through_export() -> None:
    tree = new_tree()
    e4, e5 = play(tree, "e4", "e5")
    c5 = add_move(tree, e4, "c5").move_id
    set_nags(tree, c5, [5])
    set_shapes(tree, c5, [{"kind": "arrow", "from": "c7", "to": "c5", "color": "B"}])
    set_comment(tree, e5, "Symmetry.")
    play(tree, "Nf3", "Nc6", after=e5)
    assert round_trips(tree)
