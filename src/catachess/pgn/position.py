"""FEN of a python-chess board, fast enough to store one for every move of an import.

Every node of the tree document carries the FEN after its move. python-chess's
`Board.fen()` builds the piece placement square by square (64 `piece_at` calls, ~25 µs),
which alone costs as much as parsing the move. `fen` below writes the same string from
python-chess's piece bitboards in ~7 µs; the castling and en-passant fields still come
from python-chess (`castling_xfen`, `has_legal_en_passant`). Tests compare it with
`Board.fen()` on random positions, Chess960 included.
"""

from __future__ import annotations

import chess

# Runs of empty squares, longest first, as FEN digits.
_EMPTY_RUNS = [("1" * length, str(length)) for length in range(8, 1, -1)]


def fen(board: chess.Board) -> str:
    """Exactly `board.fen()` for a `chess.Board` (standard or Chess960)."""
    ep_square = board.ep_square
    en_passant = (
        chess.SQUARE_NAMES[ep_square]
        if ep_square is not None and board.has_legal_en_passant()
        else "-"
    )
    turn = "w" if board.turn == chess.WHITE else "b"
    # castling_xfen also weighs kings and other rooks; skip it only when no right is left.
    castling = board.castling_xfen() if board.castling_rights else "-"
    return (
        f"{board_fen(board)} {turn} {castling} {en_passant} "
        f"{board.halfmove_clock} {board.fullmove_number}"
    )


def board_fen(board: chess.BaseBoard) -> str:
    """Exactly `board.board_fen()`: the piece placement field."""
    cells = ["1"] * 64
    black, white = board.occupied_co  # indexed by color: BLACK is 0
    for pieces, white_symbol, black_symbol in (
        (board.pawns, "P", "p"),
        (board.knights, "N", "n"),
        (board.bishops, "B", "b"),
        (board.rooks, "R", "r"),
        (board.queens, "Q", "q"),
        (board.kings, "K", "k"),
    ):
        # FEN lists rank 8 first: square ^ 56 mirrors the rank.
        for square in chess.scan_forward(pieces & white):
            cells[square ^ 56] = white_symbol
        for square in chess.scan_forward(pieces & black):
            cells[square ^ 56] = black_symbol
    row = "".join(cells)
    placement = "/".join(
        (row[0:8], row[8:16], row[16:24], row[24:32], row[32:40], row[40:48], row[48:56], row[56:])
    )
    for run, digit in _EMPTY_RUNS:
        if run in placement:
            placement = placement.replace(run, digit)
    return placement


def impossible(board: chess.Board) -> list[str]:
    """Why no game can reach `board`, in python-chess's words (`Board.status()` flags,
    e.g. "too many kings", "opposite check"); empty when the position is valid."""
    status = board.status()
    return [
        (flag.name or "").lower().replace("_", " ")
        for flag in chess.Status
        if flag and flag.name and flag in status
    ]
