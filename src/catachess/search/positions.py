"""Position keys for the positions index (pure: python-chess only).

A position is found by its polyglot Zobrist hash (a signed 64-bit integer, PostgreSQL's
bigint) and confirmed by its exact key: piece placement, side to move, castling rights
and the en-passant square when a capture there is legal. Move counters are not part of
either, so the same position reached at another move number is the same position. A
hash collision can therefore never return a wrong position.
"""

from __future__ import annotations

from dataclasses import dataclass

import chess
import chess.polyglot

_SIGN = 1 << 63


@dataclass(frozen=True)
class PositionKey:
    zobrist: int  # signed 64-bit
    key: str  # "board side castling ep", e.g. "rnbqkbnr/... w KQkq -"
    ply: int  # half-moves played to reach it, from the FEN's counters


def board_of(fen: str) -> chess.Board:
    """A board for `fen` (ValueError if it is not a position). Parsed in Chess960 mode,
    which reads both KQkq and Shredder/X-FEN castling, so standard and 960 positions
    come out the same way whichever notation wrote them."""
    return chess.Board(fen, chess960=True)


def key_of(board: chess.Board) -> PositionKey:
    ep = (
        chess.square_name(board.ep_square)
        if board.ep_square and board.has_legal_en_passant()
        else "-"
    )
    side = "w" if board.turn else "b"
    castling = board.castling_xfen()
    unsigned = chess.polyglot.zobrist_hash(board)
    signed = unsigned - (1 << 64) if unsigned >= _SIGN else unsigned
    ply = 2 * (board.fullmove_number - 1) + (0 if board.turn else 1)
    return PositionKey(signed, f"{board.board_fen()} {side} {castling} {ep}", max(ply, 0))


def key_of_fen(fen: str) -> PositionKey:
    return key_of(board_of(fen))
