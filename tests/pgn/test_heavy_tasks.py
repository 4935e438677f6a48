"""What crosses between catachess.heavy's worker processes and the server (no database):
errors that survive pickling, and prepared games equal to what the server computed
itself before (the tree, its comments and positions, the first history snapshot)."""

from __future__ import annotations

import pickle

import orjson
import pytest

from catachess.heavy_tasks import IDS, parse_part, prepare
from catachess.history.recording import _snapshot_blobs, _snapshot_of_json
from catachess.history.state import decode, state_of
from catachess.pgn import (
    DEFAULT_LIMITS,
    IllegalMove,
    InvalidAnnotation,
    InvalidPosition,
    MoveNotFound,
    PgnError,
    PgnLimitExceeded,
    split_pgn,
)
from catachess.search.tree_rows import comments_of, position_ids, positions_of
from tests.pgn.helpers import GOOD_FILES, parse_file

ERRORS = [
    PgnError("bad token", code="syntax", game_number=2, line=7, token="Qxf9"),
    PgnLimitExceeded("max_games", 3, game_number=4, line=9),
    MoveNotFound("abcdefgh"),
    IllegalMove("e5", "8/8/8/8/8/8/8/8 w - - 0 1", "illegal move"),
    InvalidAnnotation("nags", [300], "out of range"),
    InvalidPosition("x", "not a FEN", ["no kings"]),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_pgn_errors_survive_the_trip_back_from_a_worker(error: Exception) -> None:
    # A worker's exception is pickled to the server; one that does not come back whole
    # would break the pool instead of answering 422.
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert back.args == error.args
    assert back.__dict__ == error.__dict__


@pytest.mark.parametrize("name", GOOD_FILES)
def test_a_prepared_game_holds_what_the_server_computed_from_the_tree(name: str) -> None:
    for game in parse_file(name):
        prepared = prepare(game)
        tree = game.tree
        assert orjson.loads(prepared.tree_json) == tree
        assert prepared.node_count == len(tree["nodes"])
        assert prepared.start_fen == tree["fen"]
        assert [(m, (t, p, s)) for m, t, p, s in prepared.comments] == list(
            comments_of(tree).items()
        )
        rows = [line.split(b"\t") for line in prepared.positions.split(IDS) if line]
        expected = positions_of(tree, position_ids(tree))
        assert [(m.decode(), int(p), int(z), k.decode().rstrip("\n")) for m, p, z, k in rows] == [
            (move_id, ply, zobrist, key) for move_id, ply, zobrist, key in expected
        ]


def test_the_snapshot_of_a_tree_given_as_json_is_that_of_the_tree() -> None:
    [part] = split_pgn('[Event "E"]\n[White "W"]\n\n1. e4 {a comment} (1. d4 d5) e5 2. Nf3 *\n')
    [game] = parse_part(part, DEFAULT_LIMITS).games
    headers = [[tag, value] for tag, value in game.headers.items()]
    tree = orjson.loads(game.tree_json)
    state = state_of("Name “quoted”", "black", headers, tree)
    made = _snapshot_of_json("Name “quoted”", "black", headers, game.tree_json.encode())
    assert decode(made["snapshot"]) == state
    assert made == _snapshot_blobs(state)
