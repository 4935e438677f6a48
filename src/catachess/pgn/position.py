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

Rows = tuple[str, ...]
"""A placement as 8 strings of 8 characters, rank 8 first, "1" for an empty square."""


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
    return placement_of(rows_of(board))


def rows_of(board: chess.BaseBoard) -> Rows:
    """The placement of `board` as rows."""
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
    return (
        row[0:8],
        row[8:16],
        row[16:24],
        row[24:32],
        row[32:40],
        row[40:48],
        row[48:56],
        row[56:],
    )


class _Compressed(dict[str, str]):
    """Rows as FEN writes them (runs of empty squares as digits), computed once: games
    share most of their rows."""

    def __missing__(self, row: str) -> str:
        found = row
        for run, digit in _EMPTY_RUNS:
            if run in found:
                found = found.replace(run, digit)
        if len(self) > 100_000:
            self.clear()
        self[row] = found
        return found


_COMPRESSED = _Compressed()


def placement_of(rows: Rows) -> str:
    """The piece placement field of a FEN."""
    return "/".join(map(_COMPRESSED.__getitem__, rows))


def rows_after(rows: Rows, move: chess.Move) -> Rows:
    """The placement after `move`, legal (or null) in a position whose placement is `rows`.

    Castling is recognised as python-chess does (the king moves two files, or onto its own
    rook, the Chess960 encoding); en passant as a pawn moving diagonally to an empty square.
    """
    if not move:
        return rows
    from_square, to_square = move.from_square, move.to_square
    from_row, from_file = 7 - (from_square >> 3), from_square & 7
    to_row, to_file = 7 - (to_square >> 3), to_square & 7
    changed = list(rows)
    start = list(changed[from_row])
    piece = start[from_file]
    if piece in "Kk":
        rook = "R" if piece == "K" else "r"
        if abs(to_file - from_file) > 1 or changed[to_row][to_file] == rook:
            # Castling: the rook stands on the target (Chess960 encoding) or in the corner.
            if changed[to_row][to_file] == rook:
                rook_file = to_file
            else:
                rook_file = 7 if to_file > from_file else 0
            kingside = to_file > from_file
            start[from_file] = "1"
            start[rook_file] = "1"
            start[6 if kingside else 2] = piece
            start[5 if kingside else 3] = rook
            changed[from_row] = "".join(start)
            return tuple(changed)
    elif piece in "Pp":
        if from_file != to_file and changed[to_row][to_file] == "1":
            # En passant: the captured pawn stands beside, on the rank the pawn left.
            start[to_file] = "1"
        if move.promotion:
            symbol = chess.PIECE_SYMBOLS[move.promotion] or ""
            piece = symbol.upper() if piece == "P" else symbol
    start[from_file] = "1"
    changed[from_row] = "".join(start)
    target = list(changed[to_row])
    target[to_file] = piece
    changed[to_row] = "".join(target)
    return tuple(changed)


_FILE_NAMES = "abcdefgh"


def san_from_rows(rows: Rows, move: chess.Move, token: str) -> str | None:
    """The SAN of `move` without its check suffix, as python-chess writes it, when it
    follows from the placement before it (`rows`) and the PGN token python-chess parsed;
    None when only the legal moves can tell (another piece of the kind may reach the square).

    A pawn or king move never needs a disambiguating square; a piece move written without
    one was parsed by python-chess as the only legal move of that kind to that square.
    """
    if not move:
        return "--"
    from_square, to_square = move.from_square, move.to_square
    from_file, to_file = from_square & 7, to_square & 7
    piece = rows[7 - (from_square >> 3)][from_file]
    kind = piece.upper()
    target = chess.SQUARE_NAMES[to_square]
    if kind == "P":
        if from_file != to_file:
            target = _FILE_NAMES[from_file] + "x" + target
        if move.promotion:
            target += "=" + (chess.PIECE_SYMBOLS[move.promotion] or "").upper()
        return target
    occupant = rows[7 - (to_square >> 3)][to_file]
    if kind == "K":
        rook = "R" if piece == "K" else "r"
        if abs(to_file - from_file) > 1 or occupant == rook:
            return "O-O" if to_file > from_file else "O-O-O"
    elif not (token[:1] == kind and len(token.replace("x", "").replace("-", "")) == 3):
        return None
    return kind + ("x" if occupant != "1" else "") + target


_CASTLING: dict[tuple[int, ...], str] = {}
_BACK_RANKS = chess.BB_RANK_1 | chess.BB_RANK_8


def fen_after_move(placement: str, board: chess.Board) -> str:
    """Exactly `board.fen()` for a board that has just played a move, given its placement.

    python-chess's castling field weighs the rights, the kings and the rooks on the back
    ranks (after a move the rights are already clean): cached on exactly those.
    """
    ep_square = board.ep_square
    en_passant = (
        chess.SQUARE_NAMES[ep_square]
        if ep_square is not None and board.has_legal_en_passant()
        else "-"
    )
    rights = board.castling_rights
    castling = "-"
    if rights:
        white = board.occupied_co[chess.WHITE]
        key = (
            rights,
            board.chess960,
            board.kings & ~board.promoted,
            board.kings & white,
            board.rooks & _BACK_RANKS,
            board.rooks & _BACK_RANKS & white,
        )
        found = _CASTLING.get(key)
        if found is None:
            if len(_CASTLING) > 10_000:
                _CASTLING.clear()
            found = _CASTLING[key] = board.castling_xfen()
        castling = found
    turn = "w" if board.turn == chess.WHITE else "b"
    clocks = f"{board.halfmove_clock} {board.fullmove_number}"
    return f"{placement} {turn} {castling} {en_passant} {clocks}"


def impossible(board: chess.Board) -> list[str]:
    """Why no game can reach `board`, in python-chess's words (`Board.status()` flags,
    e.g. "too many kings", "opposite check"); empty when the position is valid."""
    status = board.status()
    return [
        (flag.name or "").lower().replace("_", " ")
        for flag in chess.Status
        if flag and flag.name and flag in status
    ]
