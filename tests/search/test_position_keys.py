"""The positions index hashes FENs without building boards: it must agree with python-chess."""

from pathlib import Path

import chess
import chess.polyglot
import pytest

from catachess.pgn import PgnError, parse_pgn
from catachess.search.positions import key_of_fen, normalized

PGN_DIR = Path(__file__).parent.parent / "data" / "pgn"
BENCH = Path(__file__).parent.parent.parent / "bench" / "data" / "world-matches-heavy64.pgn"


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Pure tests: no database."""


def signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


@pytest.mark.parametrize("path", [*sorted(PGN_DIR.glob("*.pgn")), BENCH], ids=lambda p: p.name)
def test_key_of_every_stored_move_matches_python_chess(path: Path) -> None:
    try:
        games = parse_pgn(path.read_text())
    except PgnError:  # the fixtures of parse errors
        pytest.skip("not a readable PGN")
    for game in games:
        for fen in [game.tree["fen"], *(node["fen"] for node in game.tree["nodes"].values())]:
            board = chess.Board(fen, chess960=game.tree["chess960"])
            key = key_of_fen(fen)
            assert key.zobrist == signed(chess.polyglot.zobrist_hash(board)), fen
            assert key.key == " ".join(board.fen().split()[:4])
            assert normalized(fen) == fen  # stored FENs are already as python-chess writes


@pytest.mark.parametrize(
    ("given", "same_as"),
    [
        # Move counters do not matter; an en-passant square with no capture is dropped.
        (
            "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1",
            "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 5 40",
        ),
        # Shredder castling letters are the same rights as KQkq.
        ("r3k2r/8/8/8/8/8/8/R3K2R w HAha - 0 1", "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"),
    ],
)
def test_normalized_fens_share_a_key(given: str, same_as: str) -> None:
    assert key_of_fen(normalized(given)).key == key_of_fen(normalized(same_as)).key
    assert key_of_fen(normalized(given)).zobrist == key_of_fen(normalized(same_as)).zobrist


def test_castling_rights_and_en_passant_make_different_positions() -> None:
    base = "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"
    keys = {
        key_of_fen(normalized(fen)).zobrist
        for fen in (base, base.replace("KQkq", "Kkq"), base.replace(" w ", " b "))
    }
    assert len(keys) == 3
    with_ep = "rnbqkbnr/ppp1p1pp/8/3pPp2/8/8/PPPP1PPP/RNBQKBNR w KQkq f6 0 3"
    assert key_of_fen(normalized(with_ep)).key.endswith(" f6")
    assert (
        key_of_fen(normalized(with_ep)).zobrist
        != key_of_fen(normalized(with_ep.replace(" f6 ", " - "))).zobrist
    )
