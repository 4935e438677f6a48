"""Position keys for the positions index (pure: python-chess only).

A position is found by its polyglot Zobrist hash (python-chess's POLYGLOT_RANDOM_ARRAY,
as `chess.polyglot.zobrist_hash` combines it; stored as a signed 64-bit integer,
PostgreSQL's bigint) and confirmed by its exact key: piece placement, side to move,
castling rights and the en-passant square when a capture there is legal. Move counters
are part of neither, so the same position reached at another move number is the same
position, and a hash collision can never return a wrong position.

Indexing a move tree hashes every move, so the hash is computed from the FEN that
python-chess stored for the move (X-FEN castling, en passant only when legal) without
building a board: parsing a FEN into a `chess.Board` cost as much as parsing the PGN.
A FEN from a user goes through `normalized` (python-chess) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import chess
from chess.polyglot import POLYGLOT_RANDOM_ARRAY as RANDOM

_SIGN = 1 << 63
_PIECE_INDEX = {
    symbol: 2 * (piece_type - 1) + (1 if symbol.isupper() else 0)
    for piece_type, symbol in zip(chess.PIECE_TYPES, "pnbrqk", strict=True)
    for symbol in (symbol, symbol.upper())
}
_FILES = "abcdefgh"


@dataclass(frozen=True)
class PositionKey:
    zobrist: int  # signed 64-bit
    key: str  # "board side castling ep", e.g. "rnbqkbnr/... w KQkq -"
    ply: int  # half-moves played to reach it, from the FEN's move number and side


def normalized(fen: str) -> str:
    """`fen` as python-chess writes it (ValueError if it is not a position). Read in
    Chess960 mode, which takes both KQkq and Shredder/X-FEN castling, and written with
    X-FEN castling and the en-passant square only when a capture there is legal."""
    return chess.Board(fen, chess960=True).fen()


def key_of_fen(fen: str) -> PositionKey:
    """The key of a FEN that python-chess wrote (a stored move, or `normalized`)."""
    fields = fen.split()
    count = len(fields)
    placement = fields[0]
    side = fields[1] if count > 1 else "w"
    castling = fields[2] if count > 2 else "-"
    ep = fields[3] if count > 3 else "-"
    rows = placement.split("/")
    zobrist = 0
    for table, row in zip(_ROW_HASHES, rows, strict=False):
        zobrist ^= table[row]
    if castling != "-":
        zobrist ^= _castling_hash(castling, rows)
    if ep != "-":
        zobrist ^= RANDOM[772 + _FILES.index(ep[0])]
    if side == "w":
        zobrist ^= RANDOM[780]
    signed = zobrist - (1 << 64) if zobrist >= _SIGN else zobrist
    number = int(fields[5]) if count > 5 and fields[5].isdigit() else 1
    ply = max(2 * (number - 1) + (1 if side == "b" else 0), 0)
    return PositionKey(signed, f"{placement} {side} {castling} {ep}", ply)


class _RowHash(dict[str, int]):
    """The hash of one rank of a FEN placement by the rank's text, computed once: a move
    changes one or two ranks, so the others come back from here."""

    def __init__(self, rank: int) -> None:
        super().__init__()
        self.rank = rank

    def __missing__(self, row: str) -> int:
        if len(self) > 50_000:
            self.clear()
        found = self[row] = _row(self.rank, row)[0]
        return found


# In the order of a FEN placement: rank 8 first.
_ROW_HASHES = [_RowHash(rank) for rank in range(7, -1, -1)]
_CASTLING_HASHES: dict[tuple[str, str, str], int] = {}


def _castling_hash(castling: str, rows: list[str]) -> int:
    """The castling part of the hash: a right counts when its king is on its back rank.
    With one king a side, that reads the back ranks only, so it is cached on them."""
    placement = "".join(rows)
    if placement.count("K") != 1 or placement.count("k") != 1:
        return _castling_of_kings(castling, rows)
    key = (castling, rows[0], rows[7])
    found = _CASTLING_HASHES.get(key)
    if found is None:
        if len(_CASTLING_HASHES) > 10_000:
            _CASTLING_HASHES.clear()
        found = _CASTLING_HASHES[key] = _castling_of_kings(castling, rows)
    return found


def _castling_of_kings(castling: str, rows: list[str]) -> int:
    zobrist = 0
    kings: dict[str, int] = {}
    for rank, row in enumerate(rows):
        for symbol, file in _row(7 - rank, row)[1]:
            kings[symbol] = 8 * (7 - rank) + file
    for char in castling:
        white = char.isupper()
        square = kings.get("K" if white else "k", -1)
        king_rank, king_file = divmod(square, 8)
        if square < 0 or king_rank != (0 if white else 7):
            continue
        upper = char.upper()
        kingside = upper == "K" or (upper != "Q" and _FILES.index(upper.lower()) > king_file)
        zobrist ^= RANDOM[768 + (0 if kingside else 1) + (0 if white else 2)]
    return zobrist


@lru_cache(maxsize=65536)
def _row(rank: int, row: str) -> tuple[int, tuple[tuple[str, int], ...]]:
    """The hash of one rank of a FEN placement, and where its kings stand."""
    zobrist, file, kings = 0, 0, []
    for char in row:
        if char.isdigit():
            file += int(char)
            continue
        zobrist ^= RANDOM[64 * _PIECE_INDEX[char] + 8 * rank + file]
        if char in "Kk":
            kings.append((char, file))
        file += 1
    return zobrist, tuple(kings)


def ply_of(fen: str) -> int:
    """Half-moves played to reach `fen`, from its side to move and move number."""
    fields = fen.split()
    number = int(fields[5]) if len(fields) > 5 and fields[5].isdigit() else 1
    return max(2 * (number - 1) + (1 if len(fields) > 1 and fields[1] == "b" else 0), 0)
