"""Reading the PGN corpus: everything python-chess reads ends up in the tree."""

from __future__ import annotations

import io

import chess
import pytest

from catachess.pgn import (
    ParsedGame,
    PgnError,
    PgnLimitExceeded,
    PgnLimits,
    count_nodes,
    iter_games,
    iter_games_or_errors,
    mainline,
    max_variation_depth,
    parse_pgn,
)
from catachess.pgn.parse import _Board
from tests.pgn.helpers import (
    GOOD_FILES,
    check_links,
    corpus_text,
    node_at,
    only_game,
    parse_file,
    sans,
)


@pytest.mark.parametrize("name", GOOD_FILES)
def test_corpus_file_parses_into_linked_trees(name: str) -> None:
    for game in parse_file(name):
        check_links(game.tree)


def test_nested_variations_keep_every_line_and_depth() -> None:
    tree = only_game("nested_variations.pgn").tree
    assert count_nodes(tree) == 35
    assert max_variation_depth(tree) == 5
    assert [node["san"] for node in mainline(tree)][:6] == ["e4", "e5", "Nf3", "Nc6", "Bc4", "Bc5"]
    assert sans(tree, [0, 0, 0, 1, 0, 1, 0, 1, 1, 1]) == [
        "e4", "e5", "Nf3", "d6", "d4", "exd4", "Nxd4", "g6", "c4", "Nf6",
    ]  # fmt: skip
    assert node_at(tree, [0, 0, 0, 1, 0, 1, 0, 1, 1, 1])["nags"] == [6]


def test_comments_before_and_after_moves() -> None:
    tree = only_game("nested_variations.pgn").tree
    assert tree["comment"] == "The Italian Game, with lines inside lines inside lines."
    assert node_at(tree, [0, 0, 0, 1])["comment"] == "Philidor"
    assert node_at(tree, [0, 0, 0, 1, 0, 1, 0, 1])["starting_comment"] == "Also good:"
    assert node_at(tree, [0, 0, 0, 0, 0])["comment"] == "Aiming at f7."


def test_nags_from_dollar_signs_and_suffixes() -> None:
    tree = only_game("nested_variations.pgn").tree
    nags = {node["san"]: node["nags"] for node in mainline(tree)}
    assert nags["e4"] == [1]
    assert nags["Bc4"] == [3]
    assert nags["Bc5"] == [2]
    assert nags["c3"] == [6]  # ?!
    assert nags["d4"] == [4]  # ??
    assert nags["exd4"] == [1]  # !
    assert nags["cxd4"] == [3]  # !!
    assert nags["Bb4+"] == [5]  # !?
    assert nags["d5"] == [13]
    assert node_at(tree, [0, 0, 0, 0, 0, 1, 0, 0])["nags"] == [14]


def test_shapes_clock_and_unknown_commands() -> None:
    nodes = list(mainline(only_game("commands.pgn").tree))
    d4, d5, c4, e6, nc3, nf6, bg5, be7 = nodes
    assert d4["clock"] == d5["clock"] == 180.0 and d4["comment"] == ""
    assert c4["clock"] == 178.5 and c4["comment"] == "[%eval 0.21]"
    assert e6["comment"] == "A solid choice."
    assert e6["shapes"] == [
        {"kind": "circle", "square": "d5", "color": "G"},
        {"kind": "arrow", "from": "c4", "to": "d5", "color": "G"},
        {"kind": "arrow", "from": "d8", "to": "h4", "color": "R"},
    ]
    assert nc3["shapes"] == [{"kind": "arrow", "from": "c3", "to": "d5", "color": "Y"}]
    assert [shape["color"] for shape in nf6["shapes"]] == ["R", "B"]
    assert nf6["comment"] == "[%emt 0:00:01]"
    assert bg5["clock"] == 3723.25 and bg5["comment"] == "Pin."
    assert be7["clock"] == 175.0


def test_custom_start_position() -> None:
    game = only_game("custom_fen.pgn")
    assert game.tree["fen"] == "8/8/8/4k3/8/8/4P3/4K3 b - - 3 40"
    assert game.headers["SetUp"] == "1"
    first = node_at(game.tree, [0])
    assert first["san"] == "Ke4"
    assert first["fen"] == "8/8/8/8/4k3/8/4P3/4K3 w - - 4 41"
    assert sans(game.tree, [1, 0, 0]) == ["Kd5", "Kd2", "Ke5"]
    assert sans(game.tree, [1, 1, 0]) == ["Kd5", "Kf2", "Ke4"]
    assert game.result == "1/2-1/2"


def test_chess960_castling() -> None:
    game = only_game("chess960.pgn")
    tree = game.tree
    assert tree["chess960"] is True
    moves = list(mainline(tree))
    black_castles = moves[13]
    assert (black_castles["san"], black_castles["uci"]) == ("O-O", "d8e8")
    white_castles = moves[-1]
    assert (white_castles["san"], white_castles["uci"]) == ("O-O-O", "d1b1")
    assert white_castles["fen"] == "brq2rkb/1p1ppppp/4nn2/p1p5/4PQ1N/3P1PPP/PPP5/B1KRRN1B b - - 1 9"
    assert game.headers["Variant"] == "Chess960"


def test_multi_game_file_numbers_lines_results_and_headers() -> None:
    games = parse_file("results.pgn")
    assert [game.number for game in games] == [1, 2, 3, 4]
    assert [game.line for game in games] == [2, 15, 25, 36]
    assert [game.result for game in games] == ["1-0", "0-1", "1/2-1/2", "*"]
    assert list(games[0].headers) == [
        "Event", "Site", "Date", "Round", "White", "Black", "Result",
        "WhiteTeam", "BlackTeam", "PlyCount",
    ]  # fmt: skip
    assert games[2].headers["Custom_Tag"] == 'with spaces, and \\"quotes\\"'
    assert node_at(games[0].tree, [0, 0, 0, 0, 0, 0, 0])["san"] == "Qxf7#"


def test_missing_tags_get_the_seven_tag_roster_and_movetext_result() -> None:
    [game] = parse_pgn("1. e4 e5 1-0")
    assert game.headers == {
        "Event": "?", "Site": "?", "Date": "????.??.??", "Round": "?",
        "White": "?", "Black": "?", "Result": "1-0",
    }  # fmt: skip
    assert game.result == "1-0"


def test_tags_without_moves_are_an_empty_game() -> None:
    [game] = parse_pgn('[Event "Empty chapter"]\n\n*\n')
    assert game.tree["children"] == []
    assert game.tree["fen"] == chess.STARTING_FEN


def test_windows_and_old_mac_line_ends_count_lines() -> None:
    text = (
        '[Event "a"]\r\n\r\n1. e4 *\r\n\r\n[Event "b"]\r\n\r\n1. d4 *\r\r[Event "c"]\r\r1. c4 *\r'
    )
    assert [game.line for game in parse_pgn(text)] == [1, 5, 9]


def test_byte_order_mark_is_ignored() -> None:
    [game] = parse_pgn('\ufeff[Event "BOM"]\n\n1. e4 *\n')
    assert game.headers["Event"] == "BOM"


def test_null_moves_are_kept_as_python_chess_reads_them() -> None:
    [game] = parse_pgn("1. e4 -- 2. d4 *")
    assert [(node["san"], node["uci"]) for node in mainline(game.tree)] == [
        ("e4", "e2e4"),
        ("--", "0000"),
        ("d4", "d2d4"),
    ]


def test_san_suffixes_match_python_chess_with_the_look_ahead_moved_to_the_next_position() -> None:
    """Issue 17: the check/mate suffix is read from the position python-chess reaches
    after the move, instead of Board.san pushing the move a second time."""
    text = "1. e4 e5 2. Bc4 Nc6 3. Qh5 Nf6 (3... g6 4. Qf3) 4. Qxf7# *"
    [game] = parse_pgn(text)
    expected = chess.pgn.read_game(io.StringIO(text))
    assert expected is not None
    assert [node["san"] for node in mainline(game.tree)] == [
        node.san() for node in expected.mainline()
    ]
    assert list(mainline(game.tree))[-1]["san"] == "Qxf7#"
    [checks] = parse_pgn("1. e4 f5 2. Qh5 g6 3. Qxg6 hxg6 4. Bd3 Rxh2 5. Rxh2 -- *")
    assert [node["san"] for node in mainline(checks.tree)][2:4] == ["Qh5+", "g6"]
    assert list(mainline(checks.tree))[-1]["san"] == "--"


def test_iter_games_streams_game_by_game() -> None:
    handle = io.StringIO(corpus_text("bad_illegal_move.pgn"))
    games = iter_games(handle)
    first = next(games)
    assert first.headers["Event"] == "Good game"
    # Only the first game has been read so far.
    assert handle.tell() < len(corpus_text("bad_illegal_move.pgn"))
    with pytest.raises(Exception, match="game 2"):
        next(games)


def test_several_comments_at_one_place_are_joined() -> None:
    [game] = parse_pgn("1. e4 { first } { second [%clk 0:00:10] } { [%clk 0:00:20] } *")
    [e4] = mainline(game.tree)
    assert (e4["comment"], e4["clock"]) == ("first second", 10.0)


def test_comment_before_a_main_line_move_goes_to_the_move_before() -> None:
    # PGN keeps a comment before a move only at the start of a variation; elsewhere a
    # re-read would attach it to the previous move, so the import does so already.
    [game] = parse_pgn("1. e4 ( ) { x } 1... e5 *")
    e4, e5 = mainline(game.tree)
    assert (e4["comment"], e5["starting_comment"]) == ("x", "")


def test_iter_games_or_errors_reports_bad_games_and_reads_on() -> None:
    text = (
        '[White "A"]\n\n1. e4 e5 *\n\n'
        '[White "B"]\n\n1. e4 e5 2. Ke3 *\n\n'
        '[White "C"]\n\n1. Nf3 Nf6 2. Ng1 Ng8 3. Nf3 Nf6 (3... d5 (3... c5)) *\n\n'
        '[White "D"]\n\n1. d4 *\n'
    )
    limits = PgnLimits(max_nodes_per_chapter=4, max_games=1)
    items = list(iter_games_or_errors(io.StringIO(text), limits))
    assert [type(item).__name__ for item in items] == [
        "ParsedGame",
        "PgnError",
        "PgnLimitExceeded",
        "ParsedGame",
    ]
    bad, limited, last = items[1], items[2], items[3]
    assert isinstance(bad, PgnError) and (bad.code, bad.game_number, bad.token) == (
        "illegal_move",
        2,
        "Ke3",
    )
    assert isinstance(limited, PgnLimitExceeded) and limited.limit_name == "max_nodes_per_chapter"
    assert limited.game_number == 3
    assert isinstance(last, ParsedGame) and last.headers["White"] == "D" and last.number == 4


def test_iter_games_or_errors_of_nothing_is_one_empty_error() -> None:
    [item] = list(iter_games_or_errors(io.StringIO("\n\n")))
    assert isinstance(item, PgnError) and item.code == "empty"


def test_the_reading_board_copies_as_python_chess_does_sharing_the_moves() -> None:
    """Issue 17: read_game copies the board with its move stack at every variation; the
    board the parse reads with shares the Move objects instead of copying each one, and
    is otherwise python-chess's copy (the position, and the stack it can pop)."""
    board, plain = _Board(), chess.Board()
    for san in ["e4", "e5", "Nf3", "Nc6", "Bb5", "a6"]:
        board.push_san(san)
        plain.push_san(san)
    for stack in (True, 2, 0, False):
        copied, expected = board.copy(stack=stack), plain.copy(stack=stack)
        assert type(copied) is _Board
        assert copied.move_stack == expected.move_stack
        assert copied.fen() == expected.fen()
        if copied.move_stack:
            assert copied.move_stack[-1] is board.move_stack[-1]
            assert copied.pop() == expected.pop()
            assert copied.fen() == expected.fen()
    assert board.fen() == plain.fen() and len(board.move_stack) == 6
