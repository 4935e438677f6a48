"""FEN of a python-chess board, fast enough to store one for every move of an import.

Every node of the tree document carries the FEN after its move. python-chess's
`Board.fen()` builds the piece placement square by square (64 `piece_at` calls, ~25 µs),
which alone costs as much as parsing the move. `fen` below writes the same string from
python-chess's piece bitboards, rank by rank from a table, in ~4 µs; the castling and
en-passant fields still come from python-chess (`castling_xfen`, `has_legal_en_passant`).
Tests compare it with `Board.fen()` on random positions, Chess960 included.
"""

from __future__ import annotations

import chess


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
    """Exactly `board.board_fen()`: the piece placement field.

    Each rank's text comes from a table keyed by that rank's byte of every piece bitboard
    (`_Ranks`): a move changes one or two ranks, so the rest are found, not written."""
    white = board.occupied_co[chess.WHITE]
    ranks = [
        _RANKS[key]
        for key in zip(
            board.pawns.to_bytes(8, "little"),
            board.knights.to_bytes(8, "little"),
            board.bishops.to_bytes(8, "little"),
            board.rooks.to_bytes(8, "little"),
            board.queens.to_bytes(8, "little"),
            board.kings.to_bytes(8, "little"),
            white.to_bytes(8, "little"),
            strict=True,
        )
    ]
    ranks.reverse()  # FEN lists rank 8 first
    return "/".join(ranks)


class _Ranks(dict[tuple[int, ...], str]):
    """One rank of a FEN placement by its bytes of the six piece bitboards and of the
    white pieces' (bit n: file n), written once."""

    def __missing__(self, key: tuple[int, ...]) -> str:
        if len(self) > 100_000:
            self.clear()
        *pieces, white = key
        cells, empty = [], 0
        for file in range(8):
            bit = 1 << file
            found = next((index for index, mask in enumerate(pieces) if mask & bit), None)
            if found is None:
                empty += 1
                continue
            if empty:
                cells.append(str(empty))
                empty = 0
            symbol = chess.piece_symbol(found + 1)  # piece types count from PAWN = 1
            cells.append(symbol.upper() if white & bit else symbol)
        if empty:
            cells.append(str(empty))
        text = self[key] = "".join(cells)
        return text


_RANKS = _Ranks()


def impossible(board: chess.Board) -> list[str]:
    """Why no game can reach `board`, in python-chess's words (`Board.status()` flags,
    e.g. "too many kings", "opposite check"); empty when the position is valid."""
    status = board.status()
    return [
        (flag.name or "").lower().replace("_", " ")
        for flag in chess.Status
        if flag and flag.name and flag in status
    ]
