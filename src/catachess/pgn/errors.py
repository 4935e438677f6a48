"""Errors of the pgn package: values a caller can turn into a precise client answer.

Nothing here knows about HTTP. The server maps `PgnLimitExceeded` to 413/422 naming the
limit, every other `PgnError` to 422, and the `TreeEditError` family to 404/422.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


def _restored(kind: type[ValueError], args: tuple[object, ...], fields: dict[str, object]) -> Any:
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(fields)
    return error


class _Picklable(ValueError):
    """Pickled with its fields, not through `__init__` (whose arguments differ from
    `args`): the errors cross from catachess.heavy's worker processes to the server."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, (type(self), self.args, self.__dict__))


class PgnError(_Picklable):
    """PGN text we refuse, located as precisely as the input allows.

    `game_number` and `line` are 1-based; `token` is the offending text as written.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        game_number: int | None = None,
        line: int | None = None,
        token: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.game_number = game_number
        self.line = line
        self.token = token
        super().__init__(self._located(message))

    def renumbered(self, offset: int) -> PgnError:
        """This error with its game number `offset` games further on: a part of a text
        read apart (`read_part`) numbers its games from 1."""
        if self.game_number is None or offset == 0:
            return self
        moved = copy.copy(self)
        moved.game_number = self.game_number + offset
        moved.args = (moved._located(moved.message),)
        return moved

    def _located(self, message: str) -> str:
        where = []
        if self.game_number is not None:
            where.append(f"game {self.game_number}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where)}: {message}" if where else message


@dataclass(frozen=True, slots=True)
class PgnWarning:
    """Text between games that holds nothing to import (a lone result token, a comment
    outside any game): skipped, and reported so that nothing disappears silently."""

    code: str  # "stray_result" or "stray_comment"
    message: str
    line: int
    token: str


class PgnLimitExceeded(PgnError):
    """An import or an edit would pass one of `PgnLimits`; names the limit and its value."""

    def __init__(
        self,
        limit_name: str,
        limit_value: int,
        *,
        game_number: int | None = None,
        line: int | None = None,
    ) -> None:
        self.limit_name = limit_name
        self.limit_value = limit_value
        super().__init__(
            f"limit {limit_name}={limit_value} exceeded",
            code="limit_exceeded",
            game_number=game_number,
            line=line,
        )


class TreeEditError(_Picklable):
    """An edit of a move tree that cannot be applied; the tree is left unchanged."""

    code = "invalid_edit"


class MoveNotFound(TreeEditError):
    code = "move_not_found"

    def __init__(self, move_id: str) -> None:
        self.move_id = move_id
        super().__init__(f"no move with id {move_id!r} in this chapter")


class IllegalMove(TreeEditError):
    """`move` (SAN or UCI as given) cannot be played in `fen`; `reason` says why."""

    code = "illegal_move"

    def __init__(self, move: str, fen: str, reason: str) -> None:
        self.move = move
        self.fen = fen
        self.reason = reason
        super().__init__(f'{reason} "{move}" in position {fen}')


class InvalidAnnotation(TreeEditError):
    """A comment, NAG or shape that the tree does not accept."""

    code = "invalid_annotation"

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"invalid {field} {value!r}: {reason}")


class InvalidPosition(TreeEditError):
    """A FEN that python-chess cannot set up, or a position no game can reach
    (`reasons` are the flags of python-chess's `Board.status()`)."""

    code = "invalid_fen"

    def __init__(self, fen: str, reason: str, reasons: list[str] | None = None) -> None:
        self.fen = fen
        self.reason = reason
        self.reasons = reasons or [reason]
        super().__init__(f"invalid FEN {fen!r}: {reason}")
