"""Issue 17: the parse builds each move's FEN, SAN and UCI while python-chess reads the
game (the check suffix from the next position, the FEN from the bitboards); replayed with
python-chess, every stored FEN, SAN and UCI must be exactly what python-chess gives."""

from __future__ import annotations

import random
from pathlib import Path

import chess
import chess.pgn
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catachess.pgn import MoveTree, parse_pgn
from tests.pgn.helpers import CORPUS, GOOD_FILES, corpus_text

BENCH = Path(__file__).parent.parent.parent / "bench" / "data"


@pytest.fixture(autouse=True)
def clean_database() -> None:
    """Pure tests: no database."""


def replay(tree: MoveTree) -> int:
    """Check every move of `tree` against python-chess; the number of moves checked."""
    checked = 0
    stack = [
        (chess.Board(tree["fen"], chess960=tree["chess960"]), child) for child in tree["children"]
    ]
    while stack:
        board, node_id = stack.pop()
        node = tree["nodes"][node_id]
        move = board.parse_uci(node["uci"]) if node["uci"] != "0000" else chess.Move.null()
        assert board.uci(move) == node["uci"]
        assert node["san"] == board.san(move), (board.fen(), node["uci"])
        board.push(move)
        assert node["fen"] == board.fen()
        checked += 1
        stack.extend((board.copy(), child) for child in node["children"])
    return checked


@pytest.mark.parametrize("name", GOOD_FILES)
def test_every_move_of_the_corpus_is_what_python_chess_gives(name: str) -> None:
    for game in parse_pgn(corpus_text(name)):
        replay(game.tree)
    assert CORPUS.is_dir()


def test_every_move_of_the_world_championship_games_is_what_python_chess_gives() -> None:
    games = parse_pgn((BENCH / "world-matches-heavy64.pgn").read_text(encoding="utf-8"))
    assert sum(replay(game.tree) for game in games) > 10_000


def written(board: chess.Board, move: chess.Move, rng: random.Random) -> str:
    """The move as some PGN writer might: SAN, over-specified, long algebraic, 0-0."""
    san = board.san(move).rstrip("+#")
    choice = rng.randrange(6)
    if choice == 0:
        return board.uci(move) if not board.is_castling(move) else san
    if choice == 1 and san[0] in "NBRQK" and not board.is_castling(move):
        return san[0] + chess.SQUARE_NAMES[move.from_square] + san[-2:]
    if choice == 2 and san.startswith("O-O"):
        return san.replace("O", "0")
    if choice == 3 and "=" in san:
        return san.replace("=", "")
    if choice == 4 and "x" in san and san[0] in "NBRQK":
        return san.replace("x", "")  # python-chess reads a capture without its x
    return san


@settings(max_examples=60, deadline=None)
@given(
    start=st.one_of(st.none(), st.integers(min_value=0, max_value=959)),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_random_games_written_oddly_parse_to_python_chess_positions_and_sans(
    start: int | None, seed: int
) -> None:
    rng = random.Random(seed)
    board = chess.Board() if start is None else chess.Board.from_chess960_pos(start)
    game = chess.pgn.Game()
    if start is not None:
        game.setup(board)
    tokens = []
    for _ply in range(rng.randrange(40, 160)):
        moves = list(board.legal_moves)
        if not moves:
            break
        # Prefer the moves that are hard to write: castling, en passant, promotions.
        special = [
            m for m in moves if board.is_castling(m) or board.is_en_passant(m) or m.promotion
        ]
        move = rng.choice(special if special and rng.random() < 0.5 else moves)
        tokens.append(written(board, move, rng))
        board.push(move)
    headers = str(game).split("\n\n")[0]
    text = f"{headers}\n\n{' '.join(tokens)} *\n"
    [parsed] = parse_pgn(text)
    assert replay(parsed.tree) == len(tokens)
