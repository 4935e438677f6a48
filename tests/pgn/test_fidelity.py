"""Issue 12, PGN items 1-3, 7, 8: real files import as a player expects, one policy."""

from __future__ import annotations

import io

import pytest

from catachess.pgn import (
    InvalidPosition,
    PgnError,
    PgnLimitExceeded,
    PgnLimits,
    PgnWarning,
    iter_games_or_errors,
    mainline,
    new_tree,
    parse_pgn,
    read_pgn,
)


def test_sibling_variations_then_a_move_number_import() -> None:
    [game] = parse_pgn("1. e4 (1. Nf3) (1. d4) 1... e5 *")
    assert [tree_node["san"] for tree_node in mainline(game.tree)] == ["e4", "e5"]
    assert [game.tree["nodes"][child]["san"] for child in game.tree["children"]] == [
        "e4",
        "Nf3",
        "d4",
    ]


def test_illegal_move_in_a_sibling_variation_is_a_422_not_a_crash() -> None:
    # The issue's own sample: 1. Bc4 is not legal from the start position. python-chess
    # skips the rest of that variation and its variation stack ran out of step with ours.
    with pytest.raises(PgnError) as caught:
        parse_pgn("1. e4 (1. Bc4) (1. d4) 1... e5 *")
    assert (caught.value.code, caught.value.token) == ("illegal_move", "Bc4")


def test_illegal_mainline_move_before_a_variation_is_a_422_not_a_crash() -> None:
    with pytest.raises(PgnError) as caught:
        parse_pgn("1. e4 e5 2. Ke3 (2. Nf3) 2... Nc6 *")
    assert caught.value.code == "illegal_move"


def test_the_cli_reader_survives_sibling_variations_too() -> None:
    items = list(iter_games_or_errors(io.StringIO("1. e4 (1. Bc4) (1. d4) 1... e5 *\n")))
    assert [type(item) for item in items] == [PgnError]


BROADCAST_ROUND = """[Event "Round 1"]
[White "Carlsen, Magnus"]
[Black "Caruana, Fabiano"]
[Result "*"]

[Event "Round 1"]
[White "Nepo, Ian"]
[Black "Ding, Liren"]
[Result "*"]

[Event "Round 1"]
[White "So, Wesley"]
[Black "Giri, Anish"]
[Result "*"]
"""


def test_tag_sections_without_moves_are_separate_games() -> None:
    games = parse_pgn(BROADCAST_ROUND)
    assert [game.headers["White"] for game in games] == [
        "Carlsen, Magnus",
        "Nepo, Ian",
        "So, Wesley",
    ]
    assert [game.line for game in games] == [1, 6, 11]
    assert all(not game.tree["nodes"] for game in games)


def test_tag_sections_without_moves_are_separate_games_for_the_cli() -> None:
    items = list(iter_games_or_errors(io.StringIO(BROADCAST_ROUND)))
    assert len(items) == 3 and not any(isinstance(item, PgnError) for item in items)


def test_tags_then_moves_after_one_blank_line_stay_one_game() -> None:
    [game] = parse_pgn('[Event "a"]\n[White "x"]\n\n1. e4 e5 *\n')
    assert game.headers["White"] == "x" and len(game.tree["nodes"]) == 2


LONE_RESULTS = '[Event "A"]\n\n1. e4 e5 1-0\n\n1-0\n\n[Event "B"]\n\n1. d4 d5 1/2-1/2\n\n1/2-1/2\n'


def test_lone_result_tokens_between_games_are_warnings_not_refusals() -> None:
    parsed = read_pgn(LONE_RESULTS)
    assert [game.headers["Event"] for game in parsed.games] == ["A", "B"]
    assert [game.number for game in parsed.games] == [1, 2]
    assert parsed.warnings == [
        PgnWarning("stray_result", "result token outside any game skipped", 5, "1-0"),
        PgnWarning("stray_result", "result token outside any game skipped", 11, "1/2-1/2"),
    ]


def test_a_comment_before_the_first_game_is_a_warning() -> None:
    parsed = read_pgn('{ ECO codes, pgn-extract }\n\n[Event "A"]\n\n1. e4 *\n')
    assert [game.headers["Event"] for game in parsed.games] == ["A"]
    assert parsed.warnings == [
        PgnWarning("stray_comment", "comment outside any game skipped", 1, "ECO codes, pgn-extract")
    ]


def test_the_cli_reader_reports_the_same_warnings() -> None:
    items = list(iter_games_or_errors(io.StringIO(LONE_RESULTS)))
    assert [type(item).__name__ for item in items] == [
        "ParsedGame",
        "PgnWarning",
        "ParsedGame",
        "PgnWarning",
    ]


def test_a_space_before_the_dot_of_a_move_number_is_read() -> None:
    [game] = parse_pgn('[ECO "A40"]\n\n1 .d4 Nf6 2 .c4 *\n')
    assert [node["san"] for node in mainline(game.tree)] == ["d4", "Nf6", "c4"]


def test_real_defects_are_still_refused() -> None:
    for text, code in [
        ('[Event "a"]\n\n1. e4 e5\n[Event "b"]\n\n1. d4 *\n', "garbage"),
        ("1. e4 { open\n", "unterminated_comment"),
        ("1. e4 (1. d4 *\n", "unbalanced_parentheses"),
        ("just some words\n", "garbage"),
    ]:
        with pytest.raises(PgnError) as caught:
            parse_pgn(text)
        assert caught.value.code == code


@pytest.mark.parametrize(
    ("fen", "reason"),
    [
        ("8/8/8/8/8/8/8/8 w - - 0 1", "empty"),
        ("4k3/8/8/8/8/8/8/K3K3 w - - 0 1", "too many kings"),
        ("P3k3/8/8/8/8/8/8/4K3 w - - 0 1", "pawns on backrank"),
        ("4k3/4R3/8/8/8/8/8/4K3 w - - 0 1", "opposite check"),
    ],
)
def test_impossible_positions_are_refused_naming_the_reason(fen: str, reason: str) -> None:
    with pytest.raises(InvalidPosition) as caught:
        new_tree(fen)
    assert caught.value.code == "invalid_fen" and reason in caught.value.reasons
    with pytest.raises(PgnError) as in_pgn:
        parse_pgn(f'[SetUp "1"]\n[FEN "{fen}"]\n\n*\n')
    assert in_pgn.value.code == "invalid_fen" and reason in in_pgn.value.message


def test_game_limit_is_checked_before_any_game_is_built() -> None:
    # Game 1 holds an illegal move: building it would fail first. Counting comes first,
    # so the answer is the limit, naming the first game past it.
    text = "1. e4 e5 2. Ke3 *\n\n" + "1. d4 *\n\n" * 3
    with pytest.raises(PgnLimitExceeded) as caught:
        parse_pgn(text, PgnLimits(max_games=3))
    assert (caught.value.limit_name, caught.value.game_number, caught.value.line) == (
        "max_games",
        4,
        7,
    )


def test_game_limit_does_not_count_leftovers() -> None:
    assert len(parse_pgn(LONE_RESULTS, PgnLimits(max_games=2))) == 2
