"""Errors of studies and chapters, and the translation of pgn-package errors into them.

The pgn package raises plain values (`PgnError`, `TreeEditError`); this module is the one
place that decides their HTTP status and the fields of the problem+json body.
"""

from __future__ import annotations

import uuid

from catachess.errors import AppError, Conflict, NotFound, PayloadTooLarge, Unprocessable
from catachess.pgn.errors import (
    IllegalMove,
    InvalidAnnotation,
    InvalidPosition,
    MoveNotFound,
    PgnError,
    PgnLimitExceeded,
    TreeEditError,
)


class StudyNotFound(NotFound):
    code = "study_not_found"

    def __init__(self, study_id: uuid.UUID) -> None:
        super().__init__(f"study {study_id} does not exist")


class ChapterNotFound(NotFound):
    code = "chapter_not_found"

    def __init__(self, chapter_id: uuid.UUID) -> None:
        # Also the answer for a chapter of another study: nested resources are only
        # reachable through their own parent.
        super().__init__(f"chapter {chapter_id} does not exist in this study")


class MoveNotInChapter(NotFound):
    code = "move_not_found"


class PgnTooLarge(PayloadTooLarge):
    code = "pgn_too_large"


class PgnInvalid(Unprocessable):
    code = "pgn_invalid"


class PgnLimitReached(Unprocessable):
    code = "pgn_limit_exceeded"


class DuplicateTooLarge(Unprocessable):
    code = "duplicate_too_large"


class DuplicateIntoItself(Conflict):
    code = "duplicate_into_itself"


class IllegalMoveError(Unprocessable):
    code = "illegal_move"


class InvalidEdit(Unprocessable):
    code = "invalid_edit"


class InvalidFen(Unprocessable):
    code = "invalid_fen"


def setting_of(limit_name: str) -> str:
    """The environment variable that sets a PgnLimits field (max_bytes -> PGN_MAX_BYTES)."""
    return f"PGN_{limit_name.upper()}"


def from_pgn_error(error: PgnError) -> AppError:
    """413 for the byte size, 422 naming the limit for other limits, 422 for bad PGN."""
    if isinstance(error, PgnLimitExceeded):
        kind = PgnTooLarge if error.limit_name == "max_bytes" else PgnLimitReached
        return kind(
            str(error),
            limit=error.limit_name,
            limit_value=error.limit_value,
            setting=setting_of(error.limit_name),
            game=error.game_number,
            line=error.line,
        )
    return PgnInvalid(
        str(error), error=error.code, game=error.game_number, line=error.line, token=error.token
    )


def from_edit_error(error: TreeEditError) -> AppError:
    """404 for an unknown move id, 422 naming the move, position or field otherwise."""
    if isinstance(error, MoveNotFound):
        return MoveNotInChapter(str(error), move_id=error.move_id)
    if isinstance(error, IllegalMove):
        return IllegalMoveError(
            str(error), move=error.move, fen=error.fen, reason=error.reason, field="move"
        )
    if isinstance(error, InvalidAnnotation):
        return InvalidEdit(str(error), field=error.field, reason=error.reason)
    if isinstance(error, InvalidPosition):
        return InvalidFen(
            str(error), field="fen", fen=error.fen, reason=error.reason, reasons=error.reasons
        )
    return InvalidEdit(str(error), error=error.code)
