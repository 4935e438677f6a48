"""Reading a large chapter costs one query for the chapter, whatever its size."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import chess
import chess.pgn
import httpx
from sqlalchemy import event

from tests.factories import a_user, a_workspace
from tests.studies.helpers import engine_of, import_study, mainline


def long_game(plies: int, variation_moves: int, seed: int) -> str:
    """A legal game of `plies` main-line moves plus `variation_moves` in 10-move variations."""
    rng = random.Random(seed)
    while True:
        game = chess.pgn.Game()
        node: chess.pgn.GameNode = game
        board = chess.Board()
        line = [game]
        while len(line) <= plies and not board.is_game_over(claim_draw=False):
            node = node.add_main_variation(rng.choice(list(board.legal_moves)))
            board.push(node.move)
            line.append(node)
        if len(line) > plies:
            break
    added = 0
    for start in range(1, plies, plies // (variation_moves // 10 + 1)):
        if added >= variation_moves:
            break
        branch, board = line[start], line[start].board()
        for _ in range(min(10, variation_moves - added)):
            moves = [m for m in board.legal_moves if m not in {v.move for v in branch.variations}]
            if not moves or board.is_game_over():
                break
            branch = branch.add_variation(rng.choice(moves))
            board.push(branch.move)
            added += 1
    assert added == variation_moves
    return str(game)


@contextmanager
def statements(client: httpx.AsyncClient) -> Iterator[list[str]]:
    """SQL statements the app runs while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sync_engine = engine_of(client).sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


async def test_reading_a_500_move_chapter_is_one_query_for_the_chapter(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, long_game(300, 200, seed=7)))["studies"][0]
    [summary] = study["chapters"]
    assert summary["node_count"] == 500
    url = f"/studies/{study['id']}/chapters/{summary['id']}"
    with statements(client) as seen:
        response = await client.get(url, headers=alice.headers)
    assert response.status_code == 200
    assert len(mainline(response.json()["tree"])) == 300
    # The bearer-token lookup goes to asyncpg past SQLAlchemy (catachess.db.raw), so the
    # statements seen here are the permission check and the chapter itself.
    app_queries = [s for s in seen if "api_tokens" not in s and s.strip().startswith("SELECT")]
    assert len(seen) == 2 and len(app_queries) == 2, seen
    assert sum("FROM chapters" in s for s in app_queries) == 1
