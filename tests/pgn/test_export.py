"""Export modes, clip, and the corpus round trip import -> export -> import."""

from __future__ import annotations

import io

import chess
import chess.pgn
import pytest

from catachess.pgn import (
    ExportMode,
    MoveTree,
    clip,
    export_game,
    export_games,
    find_node,
    mainline,
    new_tree,
    parse_pgn,
    set_shapes,
    setup_headers,
    to_game,
)
from tests.pgn.helpers import GOOD_FILES, corpus_text, node_at, only_game, parse_file, shape_of


@pytest.mark.parametrize("name", GOOD_FILES)
def test_round_trip_keeps_tree_and_headers(name: str) -> None:
    games = parse_file(name)
    again = parse_pgn(export_games((game.headers, game.tree) for game in games))
    assert [shape_of(game.tree) for game in again] == [shape_of(game.tree) for game in games]
    assert [game.headers for game in again] == [game.headers for game in games]
    assert [list(game.headers) for game in again] == [list(game.headers) for game in games]


@pytest.mark.parametrize(
    "name", ["nested_variations.pgn", "custom_fen.pgn", "chess960.pgn", "results.pgn"]
)
def test_full_export_is_what_python_chess_writes(name: str) -> None:
    handle = io.StringIO(corpus_text(name))
    expected = []
    while (game := chess.pgn.read_game(handle)) is not None:
        expected.append(str(game.accept(chess.pgn.StringExporter())))
    games = parse_file(name)
    assert [export_game(game.headers, game.tree) for game in games] == expected


def test_commands_are_written_back_into_comments_in_the_order_written() -> None:
    text = export_game(*_headers_and_tree("commands.pgn"))
    assert "{ A solid choice. [%csl Gd5][%cal Gc4d5,Rd8h4] [%clk 0:02:59] }" in text
    assert "{ Pin. [%clk 1:02:03.25] }" in text
    assert "{ [%csl Re4,Bf6] [%clk 0:02:58] [%emt 0:00:01] }" in text


@pytest.mark.parametrize(
    "comment",
    [
        "[%clk 0:03:01] [%cal Gg8f6,Rd7d5]",
        "before [%cal Re2e4] between [%csl Ye5] after",
        "[%cal Re2e4][%csl Ye5]",
        "[%cal Re2e4] [%csl Ye5] [%cal Gd2d4]",
    ],
)
def test_order_inside_comments_is_kept(comment: str) -> None:
    [game] = parse_pgn(f"1. e4 {{ {comment} }} *")
    assert f"{{ {comment} }}" in export_game(game.headers, game.tree)


def test_shapes_keep_the_order_written() -> None:
    [game] = parse_pgn("1. e4 { [%cal Re2e4] [%csl Ye5] } *")
    [e4] = game.tree["children"]
    assert [shape["kind"] for shape in game.tree["nodes"][e4]["shapes"]] == ["arrow", "circle"]


def test_an_edit_drops_the_written_comment_and_export_follows_the_edit() -> None:
    [game] = parse_pgn("1. e4 { [%clk 0:03:01] [%cal Gg8f6] } *")
    [e4] = game.tree["children"]
    set_shapes(game.tree, e4, [])
    assert "{ [%clk 0:03:01] }" in export_game(game.headers, game.tree)


def test_no_comments_mode_keeps_variations_only() -> None:
    headers, tree = _headers_and_tree("nested_variations.pgn")
    text = export_game(headers, tree, ExportMode.NO_COMMENTS)
    assert "{" not in text and "$" not in text
    assert text.count("(") == 7
    [again] = parse_pgn(text)
    assert _moves_only(again.tree) == _moves_only(tree)


def test_no_comments_mode_drops_shapes_and_clocks() -> None:
    text = export_game(*_headers_and_tree("commands.pgn"), ExportMode.NO_COMMENTS)
    assert "[%" not in text and "{" not in text


def test_mainline_mode_keeps_comments_by_default() -> None:
    headers, tree = _headers_and_tree("nested_variations.pgn")
    text = export_game(headers, tree, ExportMode.MAINLINE)
    assert "(" not in text
    assert "{ Aiming at f7. }" in text and "$3" in text
    [again] = parse_pgn(text)
    assert [n["san"] for n in mainline(again.tree)] == [n["san"] for n in mainline(tree)]
    assert len(again.tree["nodes"]) == 16


def test_mainline_mode_without_comments() -> None:
    headers, tree = _headers_and_tree("nested_variations.pgn")
    text = export_game(headers, tree, ExportMode.MAINLINE, comments=False)
    assert "(" not in text and "{" not in text and "$" not in text
    assert " ".join(text.split()).endswith("7. Nc3 d5 8. exd5 Nxd5 1-0")


def test_clip_starts_at_the_position_after_the_move() -> None:
    headers, tree = _headers_and_tree("nested_variations.pgn")
    bc4 = node_at(tree, [0, 0, 0, 0, 0])
    before = shape_of(tree)
    clipped_headers, clipped = clip(headers, tree, bc4["id"])
    assert shape_of(tree) == before
    assert clipped_headers["SetUp"] == "1"
    assert clipped_headers["FEN"] == bc4["fen"] == clipped["fen"]
    assert clipped_headers["White"] == "Teacher"
    assert [node_at(clipped, [index])["san"] for index in (0, 1)] == ["Bc5", "Nf6"]
    assert set(clipped["nodes"]) < set(tree["nodes"])  # ids are kept
    text = export_game(clipped_headers, clipped)
    assert "\n\n3... Bc5 $2 ( 3... Nf6 $5 4. Ng5 d5 $14 ) 4. c3 $6" in text
    [again] = parse_pgn(text)
    assert shape_of(again.tree) == shape_of(clipped)


def test_clip_of_a_chess960_game_keeps_the_variant() -> None:
    headers, tree = _headers_and_tree("chess960.pgn")
    black_castles = list(mainline(tree))[13]
    clipped_headers, clipped = clip(headers, tree, black_castles["id"])
    assert clipped_headers["Variant"] == "Chess960"
    [again] = parse_pgn(export_game(clipped_headers, clipped))
    assert again.tree["chess960"] is True
    assert [n["uci"] for n in mainline(again.tree)][-1] == "d1b1"


def test_clip_at_the_last_move_gives_an_empty_game() -> None:
    headers, tree = _headers_and_tree("results.pgn")
    last = list(mainline(tree))[-1]
    clipped_headers, clipped = clip(headers, tree, last["id"])
    assert clipped["children"] == []
    text = export_game(clipped_headers, clipped)
    assert text.endswith(f'[FEN "{last["fen"]}"]\n[SetUp "1"]\n\n1-0')


def test_setup_headers_follow_the_tree() -> None:
    tree = new_tree("8/8/8/4k3/8/8/4P3/4K3 w - - 0 1")
    assert setup_headers({"White": "Me"}, tree) | {} == {
        "Event": "?", "Site": "?", "Date": "????.??.??", "Round": "?",
        "White": "Me", "Black": "?", "Result": "*",
        "FEN": "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1", "SetUp": "1",
    }  # fmt: skip
    wrong = {"SetUp": "1", "FEN": chess.STARTING_FEN}
    assert setup_headers(wrong, tree)["FEN"] == tree["fen"]
    assert "FEN" not in setup_headers({"SetUp": "1", "FEN": "broken"}, new_tree())


def test_tags_describing_the_start_are_kept_as_written() -> None:
    headers = {"SetUp": "1", "FEN": chess.STARTING_FEN, "Variant": "Standard"}
    assert setup_headers(headers, new_tree()).items() >= headers.items()


def test_export_of_an_empty_tree() -> None:
    assert export_game({}, new_tree()) == (
        '[Event "?"]\n[Site "?"]\n[Date "????.??.??"]\n[Round "?"]\n'
        '[White "?"]\n[Black "?"]\n[Result "*"]\n\n*'
    )


def test_export_games_separates_games_with_a_blank_line() -> None:
    games = parse_file("results.pgn")
    text = export_games((game.headers, game.tree) for game in games)
    assert text.count("\n\n[Event ") == 3
    assert text.endswith(" 1. c4 *\n") or text.endswith("\n1. c4 *\n")
    assert export_games([]) == ""


def test_to_game_is_a_python_chess_game() -> None:
    headers, tree = _headers_and_tree("custom_fen.pgn")
    game = to_game(headers, tree)
    assert game.board().fen() == tree["fen"]
    assert [node.san() for node in game.mainline()] == [n["san"] for n in mainline(tree)]
    assert game.end().board().fen() == list(mainline(tree))[-1]["fen"]


def _headers_and_tree(name: str) -> tuple[dict[str, str], MoveTree]:
    game = parse_file(name)[0]
    return game.headers, game.tree


def _moves_only(tree: MoveTree) -> list[object]:
    nodes = tree["nodes"]

    def line(children: list[str]) -> list[object]:
        return [(nodes[c]["uci"], line(nodes[c]["children"])) for c in children]

    return line(tree["children"])


def test_find_node_of_clip_result() -> None:
    headers, tree = _headers_and_tree("custom_fen.pgn")
    first = node_at(tree, [0])
    _, clipped = clip(headers, tree, first["id"])
    assert find_node(clipped, first["children"][0])["parent"] is None
    assert only_game("custom_fen.pgn").tree["fen"] == tree["fen"]
