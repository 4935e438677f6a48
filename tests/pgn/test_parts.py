"""Issue 17: an import's text is cut into parts that worker processes read apart; read
part by part (game numbers shifted back), every text gives exactly what reading it whole
gives: the same games, warnings, errors, lines and game numbers, for the API's reader
(all or nothing) and the command line's (skips bad games)."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from catachess.pgn import (
    DEFAULT_LIMITS,
    ParsedGame,
    ParsedPgn,
    PgnError,
    PgnLimits,
    PgnWarning,
    iter_games_or_errors,
    iter_parts,
    read_part,
    read_part_or_errors,
    read_pgn,
    split_pgn,
)
from tests.pgn.helpers import CORPUS, shape_of
from tests.pgn.test_fidelity import BROADCAST_ROUND, LONE_RESULTS

# Pieces that move where python-chess starts and ends a game: tag sections without moves
# (a blank line, then the next tags), tagless games, leftovers between games, comments
# and "%" lines across blank lines, a BOM, \r\n and lone \r line ends, no final newline.
PIECES = [
    *(path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.pgn"))),
    BROADCAST_ROUND,
    LONE_RESULTS,
    '[Event "A"]\n[White "x"]\n\n[Black "y"]\n\n1. e4 e5 *\n',
    "1. e4 e5 2. Nf3 *\n",
    "1. d4 {a comment\n\nover a blank line} d5 *\n",
    "{ a comment between games }\n",
    "% an escaped line\n; a rest-of-line comment\n",
    "1-0\n",
    '\ufeff[Event "BOM"]\n\n1. c4 *\n',
    '[Event "CRLF"]\r\n[White "w"]\r\n\r\n1. e4 (1. d4 d5) e5 *\r\n',
    '[Event "CR"]\r\r1. e4 *\r',
    '[Event "no newline"]\n\n1. f4 *',
    '[Event "limit"]\n\n1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 *\n',
    "garbage words only\n",
    '[Event "illegal"]\n\n1. e4 e5 2. Ke3 *\n',
]
SEPARATORS = ["\n\n", "\n", "", "\n\n\n"]
LIMITS = PgnLimits(max_nodes_per_chapter=6)


def texts(count: int, seed: int) -> list[str]:
    chance = random.Random(seed)
    return [
        "".join(
            chance.choice(PIECES) + chance.choice(SEPARATORS) for _ in range(chance.randint(1, 8))
        )
        for _ in range(count)
    ]


def whole(text: str) -> ParsedPgn | PgnError:
    try:
        return read_pgn(text, LIMITS)
    except PgnError as error:
        return error


def in_parts(text: str, games_per_part: int, limits: PgnLimits = LIMITS) -> ParsedPgn | PgnError:
    """The API's way (studies.service.parsing_heavy, in one process)."""
    try:
        parts = split_pgn(text, limits, parts=10**6, max_part_games=games_per_part)
    except PgnError as error:
        return error
    joined = ParsedPgn([], [])
    for part in parts:
        before = len(joined.games)
        try:
            parsed = read_part(part, limits)
        except PgnError as error:
            return error.renumbered(before)
        for game in parsed.games:
            game.number += before
        joined.games += parsed.games
        joined.warnings += parsed.warnings
    if not joined.games:
        return PgnError("no games found", code="empty")
    return joined


def view(result: ParsedPgn | PgnError) -> object:
    if isinstance(result, PgnError):
        return (type(result), result.args, result.__dict__)
    return ([view_item(game) for game in result.games], result.warnings)


@pytest.mark.parametrize("seed", range(4))
def test_reading_in_parts_gives_what_reading_whole_gives(seed: int) -> None:
    for text in texts(60, seed):
        expected = view(whole(text))
        for games_per_part in (1, 2, 3):
            assert view(in_parts(text, games_per_part)) == expected, text


def cli_whole(text: str) -> list[object]:
    # The command line reads its file with universal newlines (studies.cli).
    handle = io.StringIO(text, newline=None)
    return [view_item(item) for item in iter_games_or_errors(handle, LIMITS)]


def cli_in_parts(text: str, games_per_part: int) -> list[object]:
    """The command line's way (studies.bulk_import, in one process)."""
    items: list[object] = []
    numbered = 0
    for part in iter_parts(io.StringIO(text, newline=None), games_per_part):
        before = numbered
        for item in read_part_or_errors(part, LIMITS):
            if isinstance(item, PgnError):
                item = item.renumbered(before)
            elif isinstance(item, ParsedGame):
                item.number += before
            numbered += not isinstance(item, PgnWarning)
            items.append(view_item(item))
    if numbered == 0:
        items.append(view_item(PgnError("no games found", code="empty")))
    return items


def view_item(item: ParsedGame | PgnError | PgnWarning) -> object:
    """Comparable: a game without its (random) move ids."""
    if isinstance(item, ParsedGame):
        return (item.number, item.line, item.headers, shape_of(item.tree), item.result)
    return view(item) if isinstance(item, PgnError) else item


@pytest.mark.parametrize("seed", range(4))
def test_the_cli_reading_in_parts_gives_what_reading_whole_gives(seed: int) -> None:
    for text in texts(60, seed + 100):
        expected = cli_whole(text)
        for games_per_part in (1, 2, 3):
            assert cli_in_parts(text, games_per_part) == expected, text


def test_the_bench_file_in_parts_is_the_file_whole() -> None:
    text = (Path(__file__).parents[2] / "bench" / "data" / "world-matches-heavy64.pgn").read_text(
        encoding="utf-8"
    )
    parts = split_pgn(text, parts=5)
    assert [part.games for part in parts] == [13, 13, 13, 13, 12]
    assert view(in_parts(text, 13, DEFAULT_LIMITS)) == view(read_pgn(text))


def test_parts_are_cut_where_games_start_and_hold_every_line() -> None:
    text = "{ before }\n\n" + LONE_RESULTS + "\n\n"
    parts = split_pgn(text, parts=2)
    assert [(part.first_line, part.games) for part in parts] == [(1, 1), (9, 1)]
    assert "".join(part.text for part in parts) == text
    assert parts[1].text.startswith('[Event "B"]')


def test_a_text_without_games_is_one_part_and_still_refused_whole() -> None:
    [part] = split_pgn("1-0\n\n{ nothing }\n", parts=4)
    assert part.games == 0
    assert view(in_parts("1-0\n\n{ nothing }\n", 1)) == view(whole("1-0\n\n{ nothing }\n"))


def test_split_refuses_past_max_games_before_reading_a_move() -> None:
    with pytest.raises(PgnError) as caught:
        split_pgn(BROADCAST_ROUND, PgnLimits(max_games=2), parts=3)
    assert (caught.value.code, caught.value.game_number, caught.value.line) == (
        "limit_exceeded",
        3,
        11,
    )


def test_a_renumbered_error_names_its_game_in_the_whole_text() -> None:
    error = PgnError("illegal move", code="illegal_move", game_number=2, line=40, token="Ke3")
    moved = error.renumbered(64)
    assert (moved.game_number, str(moved)) == (66, "game 66, line 40: illegal move")
    assert error.game_number == 2  # the original is unchanged
