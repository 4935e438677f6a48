"""Reading a large PGN file game by game, reporting the games it cannot import.

The API refuses a whole request for one bad game (all or nothing); the command-line
import of a collection instead skips such games and reports each one. A game that
passes a limit is read to its end without being built, so the next game starts where
it should.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Generator, Iterator
from typing import TextIO

import chess

from catachess.pgn.errors import PgnError, PgnLimitExceeded, PgnWarning
from catachess.pgn.limits import DEFAULT_LIMITS, PgnLimits
from catachess.pgn.parse import ParsedGame, PgnPart, _LineReader, _read_game, _TreeBuilder


def iter_games_or_errors(
    handle: TextIO, limits: PgnLimits = DEFAULT_LIMITS
) -> Iterator[ParsedGame | PgnError | PgnWarning]:
    """Every game of a PGN stream, a game that cannot be imported as its `PgnError`, and
    the warnings about leftovers between games (as `iter_games` gives them).

    For the command-line import, which skips bad games and reports them instead of
    refusing the file: reading goes on with the next game. Per-game limits apply;
    `max_games` and `max_bytes` do not (the caller streams the file).
    """
    if not (yield from _games_or_errors(_LineReader(handle), limits)):
        yield PgnError("no games found", code="empty")


def read_part_or_errors(
    part: PgnPart, limits: PgnLimits = DEFAULT_LIMITS
) -> list[ParsedGame | PgnError | PgnWarning]:
    """`iter_games_or_errors` of a part (`iter_parts`): game numbers count from 1 in the
    part, and a part without games is no error (the caller knows if the file had any)."""
    reader = _LineReader(io.StringIO(part.text, newline=None), part.first_line)
    return list(_games_or_errors(reader, limits))


def _games_or_errors(
    reader: _LineReader, limits: PgnLimits
) -> Generator[ParsedGame | PgnError | PgnWarning, None, int]:
    """The items of `iter_games_or_errors`; returns how many games and errors it read."""
    number = 0
    while True:
        reader.start_game()
        builder = _ReadOnward(reader, limits, number + 1)
        if not _read_game(reader, builder):
            break
        try:
            item = builder.parsed_game()
        except PgnError as error:
            number += 1
            yield error
        else:
            number += isinstance(item, ParsedGame)
            yield item
    return number


class _Stopped(Exception):
    """A limit was passed: the rest of the game is read but no longer built."""


class _ReadOnward(_TreeBuilder):
    """A builder that, past a limit, keeps the limit error and lets python-chess read to
    the end of the game without building it, so that the next game starts where it
    should (raising would leave the stream in the middle of this game)."""

    def __init__(self, reader: _LineReader, limits: PgnLimits, number: int) -> None:
        super().__init__(reader, limits, number)
        self.stopped: PgnLimitExceeded | None = None

    def _exceeded(self, name: str, value: int) -> None:
        self.stopped = PgnLimitExceeded(
            name, value, game_number=self.number, line=self.reader.line_number
        )
        raise _Stopped

    def visit_board(self, board: chess.Board) -> None:
        if self.stopped is None:
            super().visit_board(board)

    def visit_move(self, board: chess.Board, move: chess.Move) -> None:
        if self.stopped is None:
            with contextlib.suppress(_Stopped):
                super().visit_move(board, move)

    def begin_variation(self) -> None:
        if self.stopped is None:
            with contextlib.suppress(_Stopped):
                super().begin_variation()

    def end_variation(self) -> None:
        if self.stopped is None:
            super().end_variation()

    def visit_comment(self, comment: str) -> None:
        if self.stopped is None:
            with contextlib.suppress(_Stopped):
                super().visit_comment(comment)

    def visit_nag(self, nag: int) -> None:
        if self.stopped is None:
            super().visit_nag(nag)

    def handle_error(self, error: Exception) -> None:
        if self.stopped is None:
            super().handle_error(error)

    def parsed_game(self) -> ParsedGame | PgnWarning:
        if self.stopped is not None:
            raise self.stopped
        return super().parsed_game()
