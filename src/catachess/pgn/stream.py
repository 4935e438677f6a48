"""Reading a large PGN file game by game, reporting the games it cannot import.

The API refuses a whole request for one bad game (all or nothing); the command-line
import of a collection instead skips such games and reports each one. A game that
passes a limit is read to its end without being built, so the next game starts where
it should.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.queues import Queue
from typing import TextIO, cast

import chess

from catachess.pgn.errors import PgnError, PgnLimitExceeded, PgnWarning
from catachess.pgn.limits import DEFAULT_LIMITS, PgnLimits
from catachess.pgn.parse import ParsedGame, _LineReader, _read_game, _TreeBuilder


def iter_games_or_errors(
    handle: TextIO, limits: PgnLimits = DEFAULT_LIMITS
) -> Iterator[ParsedGame | PgnError | PgnWarning]:
    """Every game of a PGN stream, a game that cannot be imported as its `PgnError`, and
    the warnings about leftovers between games (as `iter_games` gives them).

    For the command-line import, which skips bad games and reports them instead of
    refusing the file: reading goes on with the next game. Per-game limits apply;
    `max_games` and `max_bytes` do not (the caller streams the file).
    """
    reader = _LineReader(handle)
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
    if number == 0:
        yield PgnError("no games found", code="empty")


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


# The reading process of the command-line import (studies.bulk_import): python-chess parses
# in pure Python, so a thread parsing the next study held the GIL the storing of the
# current one needed; in a process of its own, the parse runs on the other core.


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A game that cannot be imported (its `PgnError`, as it crosses between processes)."""

    game_number: int | None
    line: int | None
    message: str


Read = ParsedGame | Unreadable | PgnWarning


class _Unfed(Exception):
    """The importing process could not read the file (an empty block says so)."""


class _QueuedLines:
    """A text stream whose lines arrive in blocks through a queue (None: the end; an empty
    block: the file could not be read), as chess.pgn.read_game reads it (readline only)."""

    def __init__(self, blocks: Queue[list[str] | None]) -> None:
        self._blocks = blocks
        self._block: list[str] = []
        self._at = 0
        self._ended = False

    def readline(self) -> str:
        while self._at == len(self._block):
            if self._ended:
                return ""
            block = self._blocks.get()
            if block is None:
                self._ended = True
                return ""
            if not block:
                raise _Unfed
            self._block, self._at = block, 0
        line = self._block[self._at]
        self._at += 1
        return line


def read_studies(
    blocks: Queue[list[str] | None],
    studies: Queue[list[Read] | BaseException | None],
    limits: PgnLimits,
    games_per_study: int,
) -> None:
    """The reading process: lines in (`blocks`), one study's worth of games at a time out
    (`studies`: the items up to and including the `games_per_study`-th game, as
    iter_games_or_errors gives them; None at the end; an exception if reading failed)."""
    try:
        read: list[Read] = []
        games = 0
        for item in iter_games_or_errors(cast(TextIO, _QueuedLines(blocks)), limits):
            if isinstance(item, PgnError):
                read.append(Unreadable(item.game_number, item.line, item.message))
            else:
                read.append(item)
                games += isinstance(item, ParsedGame)
            if games == games_per_study:
                studies.put(read)
                read, games = [], 0
        if read:
            studies.put(read)
        studies.put(None)
    except BaseException as error:  # reported to the importing process, which stops
        studies.put(RuntimeError(f"reading failed: {error!r}"))
