"""position.fen writes exactly what python-chess's Board.fen() writes."""

from __future__ import annotations

import chess
from hypothesis import given, settings
from hypothesis import strategies as st

from catachess.pgn.position import fen


@settings(max_examples=50, deadline=None)
@given(
    start=st.one_of(st.none(), st.integers(min_value=0, max_value=959)),
    choices=st.lists(st.integers(min_value=0, max_value=10_000), max_size=120),
)
def test_fen_equals_python_chess_along_random_games(start: int | None, choices: list[int]) -> None:
    board = chess.Board() if start is None else chess.Board.from_chess960_pos(start)
    assert fen(board) == board.fen()
    for choice in choices:
        moves = list(board.legal_moves)
        if not moves:
            break
        board.push(moves[choice % len(moves)])
        assert fen(board) == board.fen()


def test_fen_of_en_passant_castling_and_promotion_positions() -> None:
    for text in [
        "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3",  # legal e.p.
        "rnbqkbnr/pppp1ppp/8/8/3Pp3/8/PPP1PPPP/RNBQKBNR b KQkq - 0 2",
        "r3k2r/8/8/8/8/8/8/R3K2R w Qk - 5 20",
        "4k3/1P6/8/8/8/8/6p1/4K3 w - - 0 60",
        "8/8/8/8/8/8/8/8 w - - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
    ]:
        board = chess.Board(text)
        assert fen(board) == board.fen() == text
    shredder = chess.Board(
        "rkrbbqnn/pppppppp/8/8/8/8/PPPPPPPP/RKRBBQNN w CAca - 0 1", chess960=True
    )
    assert fen(shredder) == shredder.fen()
