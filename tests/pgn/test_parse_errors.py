"""Bad PGN is refused with the game, line and token; limits are named with their value."""

from __future__ import annotations

import pytest

from catachess.pgn import PgnError, PgnLimitExceeded, PgnLimits, parse_pgn
from tests.pgn.helpers import corpus_text


def error_of(text: str, limits: PgnLimits | None = None) -> PgnError:
    with pytest.raises(PgnError) as caught:
        parse_pgn(text) if limits is None else parse_pgn(text, limits)
    return caught.value


@pytest.mark.parametrize(
    ("name", "code", "game_number", "line", "token"),
    [
        ("bad_illegal_move.pgn", "illegal_move", 2, 21, "Nf6"),
        ("bad_ambiguous_move.pgn", "ambiguous_move", 1, 4, "Nd2"),
        ("bad_broken_tag.pgn", "broken_tag", 1, 3, '[White "A" extra]'),
        ("bad_unclosed_parenthesis.pgn", "unbalanced_parentheses", 1, 4, "("),
        ("bad_stray_parenthesis.pgn", "unbalanced_parentheses", 1, 4, ")"),
        ("bad_garbage.pgn", "garbage", 1, 5, "lorem"),
        ("bad_not_pgn.pgn", "garbage", 1, 1, "This"),
        ("bad_unterminated_comment.pgn", "unterminated_comment", 1, 4, "{ best by test"),
    ],
)
def test_bad_file_names_game_line_and_token(
    name: str, code: str, game_number: int, line: int, token: str
) -> None:
    error = error_of(corpus_text(name))
    assert (error.code, error.game_number, error.line, error.token) == (
        code,
        game_number,
        line,
        token,
    )
    assert str(error).startswith(f"game {game_number}, line {line}: ")


def test_illegal_move_message_names_move_and_position() -> None:
    error = error_of(corpus_text("bad_illegal_move.pgn"))
    assert str(error) == (
        'game 2, line 21: illegal move "Nf6" in position '
        "rnbq1rk1/ppp1bppp/4pn2/3p2B1/2PP4/2N1PN2/PP3PPP/R2QKB1R b KQ - 2 6"
    )


def test_empty_input_is_refused() -> None:
    error = error_of(corpus_text("bad_empty.pgn"))
    assert error.code == "empty"
    assert error.game_number is None
    assert str(error) == "no games found"


def test_invalid_fen_names_the_fen_tag_line() -> None:
    error = error_of('[Event "x"]\n[SetUp "1"]\n[FEN "8/8/8/8 w - - 0 1"]\n\n1. e4 *\n')
    assert (error.code, error.line, error.token) == ("invalid_fen", 3, "8/8/8/8 w - - 0 1")


@pytest.mark.parametrize("variant", ["Atomic", "No such chess"])
def test_variants_other_than_chess960_are_refused(variant: str) -> None:
    error = error_of(f'[Event "x"]\n[Variant "{variant}"]\n\n1. e4 *\n')
    assert (error.code, error.line, error.token) == ("unsupported_variant", 2, variant)


def test_nag_above_255_is_refused() -> None:
    error = error_of("1. e4 $1\n2... e5 $300 *")
    assert (error.code, error.line, error.token) == ("invalid_nag", 2, "$300")


def test_tag_inside_movetext_means_a_missing_blank_line() -> None:
    error = error_of('[Event "a"]\n\n1. e4 e5\n[Event "b"]\n\n1. d4 *\n')
    assert (error.code, error.line, error.token) == ("garbage", 4, "[Event")
    assert "blank line" in error.message


def test_earliest_problem_of_a_game_wins() -> None:
    error = error_of("1. e4 ) e5\n2. Nf6 *")
    assert (error.code, error.line) == ("unbalanced_parentheses", 1)


@pytest.mark.parametrize(
    "movetext",
    [
        "1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# += 1-0",  # check signs, evaluation symbols
        "1.e4 d5 2.exd5 e5 3.dxe6 e.p. 1/2",  # no spaces after numbers, "e.p.", "1/2"
        "1. e4 ; a rest-of-line comment\n% an escape line\n1... e5 *",
    ],
)
def test_what_pgn_writers_put_between_moves_is_not_garbage(movetext: str) -> None:
    [game] = parse_pgn(movetext)
    assert len(game.tree["nodes"]) >= 2


def test_refused_input_reports_only_the_first_bad_game() -> None:
    text = corpus_text("bad_garbage.pgn") + "\n" + corpus_text("bad_illegal_move.pgn")
    assert error_of(text).code == "garbage"


def test_limit_error_is_a_pgn_error_naming_limit_and_value() -> None:
    error = error_of("1. e4 *", PgnLimits(max_bytes=5))
    assert isinstance(error, PgnLimitExceeded)
    assert (error.limit_name, error.limit_value, error.code) == ("max_bytes", 5, "limit_exceeded")
    assert str(error) == "limit max_bytes=5 exceeded"


def test_max_bytes_counts_utf8_bytes() -> None:
    text = '[Event "' + "é" * 60 + '"]\n\n*\n'
    assert len(text) < 100 < len(text.encode())
    with pytest.raises(PgnLimitExceeded):
        parse_pgn(text, PgnLimits(max_bytes=100))


def test_max_games() -> None:
    text = corpus_text("results.pgn")
    assert len(parse_pgn(text, PgnLimits(max_games=4))) == 4
    with pytest.raises(PgnLimitExceeded) as caught:
        parse_pgn(text, PgnLimits(max_games=3))
    assert (caught.value.limit_name, caught.value.limit_value) == ("max_games", 3)
    assert (caught.value.game_number, caught.value.line) == (4, 36)


def test_max_nodes_per_chapter() -> None:
    text = corpus_text("nested_variations.pgn")
    parse_pgn(text, PgnLimits(max_nodes_per_chapter=35))
    with pytest.raises(PgnLimitExceeded) as caught:
        parse_pgn(text, PgnLimits(max_nodes_per_chapter=34))
    assert (caught.value.limit_name, caught.value.game_number) == ("max_nodes_per_chapter", 1)


def test_max_variation_depth() -> None:
    text = corpus_text("nested_variations.pgn")
    parse_pgn(text, PgnLimits(max_variation_depth=5))
    with pytest.raises(PgnLimitExceeded) as caught:
        parse_pgn(text, PgnLimits(max_variation_depth=4))
    assert (caught.value.limit_name, caught.value.limit_value) == ("max_variation_depth", 4)
    assert caught.value.line == 13


def test_variation_depth_is_checked_while_reading_deep_nesting() -> None:
    # 10,000 nested variations: refused at the 65th, long before the end of the text.
    text = "1. e4 " + "( 1. d4 " * 10_000 + ")" * 10_000 + " *"
    with pytest.raises(PgnLimitExceeded, match="max_variation_depth=64"):
        parse_pgn(text)


def test_max_comment_length() -> None:
    text = "1. e4 { " + "x" * 50 + " } *"
    parse_pgn(text, PgnLimits(max_comment_length=50))
    with pytest.raises(PgnLimitExceeded, match="max_comment_length=49"):
        parse_pgn(text, PgnLimits(max_comment_length=49))


def test_max_shapes_per_move() -> None:
    text = corpus_text("commands.pgn")
    parse_pgn(text, PgnLimits(max_shapes_per_move=3))
    with pytest.raises(PgnLimitExceeded, match="max_shapes_per_move=2"):
        parse_pgn(text, PgnLimits(max_shapes_per_move=2))


def test_unclosed_parenthesis_beats_the_result_token_it_swallows() -> None:
    error = error_of('[White "A"]\n\n1. e4 e5 (1... c5 2. Nf3 1-0\n')
    assert (error.code, error.line, error.token) == ("unbalanced_parentheses", 3, "(")


@pytest.mark.parametrize(
    ("text", "line", "token"),
    [
        ('[White "A\x00"]\n\n1. e4 *\n', 1, "U+0000"),
        ("1. e4 { a\x00b } *\n", 1, "U+0000"),
        ('[White "A"]\n\n1. e4 e5\n2. Nf3 { \ud800 } *\n', 4, "U+D800"),
    ],
)
def test_characters_that_cannot_be_stored_are_refused(text: str, line: int, token: str) -> None:
    error = error_of(text)
    assert (error.code, error.game_number, error.line, error.token) == (
        "invalid_character",
        1,
        line,
        token,
    )
