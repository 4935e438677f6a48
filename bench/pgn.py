"""PGN import, export and chapter reads against python-chess doing the same work alone.

(a) Import of a 64-game study of real annotated games, the 64 heaviest of
    bench/data/world-matches.pgn (bench/data/world-matches-heavy64.pgn: variations and
    comments), through the API (POST /studies: JSON body, parse, store 64 chapters with
    their events, history and search index, commit) vs python-chess `read_game` over the
    same text. Target <= 2.5x.
(b) Export of that study (GET /studies/{id}/pgn) vs python-chess `str(game)` of the same
    games. Target <= 2x.
(c) Reading a chapter of 300 main-line moves and 200 variation moves: SQL statements
    and latency of GET /studies/{id}/chapters/{chapter_id} (a game generated with
    python-chess from a fixed seed, so every run measures the same text).

bench/pgn_import.py measures the whole world-matches.pgn (580 games) the same way,
through the command line and both API routes.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import chess
import chess.pgn
from sqlalchemy import event

from bench.common import app_client, median_seconds, register, throwaway_database

Run = Callable[[], Awaitable[object]]

SEED = 20261125
HEAVY = Path(__file__).parent / "data" / "world-matches-heavy64.pgn"


def random_line(board: chess.Board, rng: random.Random, length: int) -> list[chess.Move]:
    line: list[chess.Move] = []
    board = board.copy()
    for _ in range(length):
        moves = list(board.legal_moves)
        if not moves:
            break
        line.append(rng.choice(moves))
        board.push(line[-1])
    return line


def long_chapter(rng: random.Random) -> str:
    """300 main-line plies (legal, no early end) and 200 variation moves."""
    while True:
        line = random_line(chess.Board(), rng, 300)
        board = chess.Board()
        for move in line:
            board.push(move)
        if len(line) == 300:
            break
    game = chess.pgn.Game()
    nodes: list[chess.pgn.GameNode] = [game]
    for move in line:
        nodes.append(nodes[-1].add_main_variation(move))
    added = 0
    for start in itertools.count(5, 14):
        if added >= 200:
            break
        alternatives = [m for m in nodes[start].board().legal_moves if m != line[start]]
        branch: chess.pgn.GameNode = nodes[start].add_variation(alternatives[0])
        added += 1
        for extra in random_line(branch.board(), rng, min(9, 200 - added)):
            branch = branch.add_main_variation(extra)
            added += 1
    return str(game)


async def paired_medians(ours: Run, theirs: Run, repeat: int) -> tuple[float, float]:
    """Median times of two runs measured alternately, so that load from other processes on
    the machine weighs on both sides alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for index in range(repeat + 1):
        for run, seconds in ((ours, samples[0]), (theirs, samples[1])):
            started = time.perf_counter()
            await run()
            if index > 0:  # the first round warms up
                seconds.append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1])


def read_all(text: str) -> list[chess.pgn.Game]:
    handle = io.StringIO(text)
    games = []
    while (game := chess.pgn.read_game(handle)) is not None:
        games.append(game)
    return games


async def main() -> None:
    text = HEAVY.read_text(encoding="utf-8")
    games = read_all(text)
    moves = sum(1 for game in games for _ in _all_nodes(game))
    print(
        f"{HEAVY.name}: {len(games)} games, {moves} moves with variations, "
        f"{len(text) / 1024:.0f} KiB"
    )
    with throwaway_database() as url:
        async with app_client(url) as client:
            headers = await register(client, "bench-pgn")
            ws = (
                await client.post(
                    "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
                )
            ).json()
            names = (f"study {n}" for n in itertools.count())
            study_ids: list[str] = []

            async def import_study() -> None:
                response = await client.post(
                    "/studies",
                    json={"name": next(names), "parent_id": ws["id"], "pgn": text},
                    headers=headers,
                )
                assert response.status_code == 201, response.text
                assert response.json()["chapter_count"] == 64
                study_ids.append(response.json()["studies"][0]["id"])

            async def parse_alone() -> None:
                read_all(text)

            t_import, t_parse = await paired_medians(import_study, parse_alone, 7)

            async def export_study() -> None:
                response = await client.get(f"/studies/{study_ids[0]}/pgn", headers=headers)
                assert response.status_code == 200

            async def write_alone() -> None:
                "\n\n".join(str(game) for game in games)

            t_export, t_write = await paired_medians(export_study, write_alone, 7)

            long_text = long_chapter(random.Random(SEED))
            chapter = await client.post(
                "/studies",
                json={"name": "long", "parent_id": ws["id"], "pgn": long_text},
                headers=headers,
            )
            long_study = chapter.json()["studies"][0]
            [summary] = long_study["chapters"]
            chapter_url = f"/studies/{long_study['id']}/chapters/{summary['id']}"
            statements: list[str] = []

            def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(statement)

            async def read_chapter() -> None:
                response = await client.get(chapter_url, headers=headers)
                assert response.status_code == 200

            sync_engine = client._transport.app.state.engine.sync_engine  # type: ignore[attr-defined]
            event.listen(sync_engine, "before_cursor_execute", record)
            await read_chapter()
            event.remove(sync_engine, "before_cursor_execute", record)
            t_read = await median_seconds(read_chapter, 50)

    print("(a) import of 64 games: POST /studies vs python-chess read_game (median of 7)")
    print(f"  catachess import:      {t_import * 1000:8.1f} ms")
    print(f"  python-chess read_game: {t_parse * 1000:7.1f} ms")
    print(f"  ratio: {t_import / t_parse:.2f}x (target <= 2.5x)")
    print("(b) export of that study: GET /studies/{id}/pgn vs python-chess str(game)")
    print(f"  catachess export:      {t_export * 1000:8.1f} ms")
    print(f"  python-chess str(game): {t_write * 1000:7.1f} ms")
    print(f"  ratio: {t_export / t_write:.2f}x (target <= 2x)")
    print(f"(c) chapter read, {summary['node_count']} moves (300 main line + variations)")
    app_statements = [s for s in statements if "api_tokens" not in s]
    print(
        f"  SQL statements: {len(statements)} "
        f"({len(app_statements)} besides the bearer-token lookup; target 1-2)"
    )
    print(f"  latency: {t_read * 1000:.2f} ms (median of 50)")


def _all_nodes(game: chess.pgn.Game) -> list[chess.pgn.GameNode]:
    stack: list[chess.pgn.GameNode] = list(game.variations)
    seen = []
    while stack:
        node = stack.pop()
        seen.append(node)
        stack.extend(node.variations)
    return seen


if __name__ == "__main__":
    asyncio.run(main())
