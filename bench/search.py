"""Search stays fast as the index grows, for owners and for readers of a sliver.

1. Text: GET /search?q=marshall (1,000 matching comments, a page of 20, access filter
   included) over a workspace of 10,000 indexed comments and over one of 1,000,000 (bulk
   SQL), each in its own PostgreSQL cluster, measured in alternating rounds so that drift
   on a shared machine hits both alike. Prints both medians and the ratio (target <= 2x),
   and the same for the search-as-you-type form (prefix).
2. Positions: GET /search/positions?fen=… over 10,000 indexed positions and over
   1,000,000 (bulk SQL), alternating likewise. Ratio target <= 2x.
3. Import: POST /studies with the 64 heaviest games of world-matches.pgn (bench/data),
   with the search indexing and with it switched off, in alternating rounds. Ratio
   target <= 1.3x.
4. A reader of 1 % of the large workspace (viewer on 1 of its 100 folders) against its
   owner, same query. Ratio target <= 2x.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench import unindexed
from bench.common import app_client, median_seconds, register, throwaway_database
from catachess import heavy, heavy_tasks
from catachess.db.engine import throwaway_database as database
from catachess.search import indexing

SMALL, LARGE = 10_000, 1_000_000
FOLDERS = 100
NEEDLES = 1_000  # comments that contain "Marshall", spread over every folder
REPEAT = 60  # requests per figure and side, in ROUNDS alternating rounds
ROUNDS = 5
IMPORT_ROUNDS = 5
HEAVY = Path(__file__).parent / "data" / "world-matches-heavy64.pgn"
GAME = """[Event "Bench"]\n[Site "?"]\n[Date "2020.01.01"]\n[Round "?"]\n[White "A"]
[Black "B"]\n[Result "*"]\n\n1. e4 { open } e5 2. Nf3 Nc6 3. Bb5 a6 *\n"""
AFTER_E4 = "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1"

# Filler comments: prose from a small vocabulary plus a word that repeats every 50,000
# rows; the first NEEDLES rows also say "Marshall". Each row belongs to the chapter of
# folder g % 100.
FILL_COMMENTS = text("""
INSERT INTO search_entries (workspace_id, kind, node_id, chapter_id, move_id, ply, san,
                            body, tsv)
SELECT c.workspace_id, 'comment', c.study_id, c.id, 'm' || g, 1, 'e4', t.body,
       to_tsvector('english', t.body)
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
JOIN LATERAL (SELECT (CASE WHEN g <= :needles THEN 'Marshall gambit: ' ELSE '' END)
     || (ARRAY['the knight', 'a strong pawn', 'this endgame', 'the open file',
               'black defends', 'white attacks'])[1 + g % 6]
     || ' keeps the ' || (ARRAY['centre', 'initiative', 'pressure', 'balance'])[1 + g % 4]
     || ' w' || (g % 50000) AS body) t ON true
JOIN chapters c ON c.id = (CAST(:chapters AS uuid[]))[1 + g % :folders]
""")

# Filler positions: random hashes and keys, in the same chapters.
FILL_POSITIONS = text("""
INSERT INTO search_positions (workspace_id, study_id, chapter_id, move_id, ply, zobrist, key)
SELECT c.workspace_id, c.study_id, c.id, 'p' || g, g % 200,
       ('x' || substr(md5(g::text), 1, 16))::bit(64)::bigint, md5(g::text)
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
JOIN chapters c ON c.id = (CAST(:chapters AS uuid[]))[1 + g % :folders]
""")


async def fill(engine: AsyncEngine, statement: Any, table: str, params: dict[str, Any]) -> float:
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(statement, params)
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(f"VACUUM ANALYZE {table}"))
    return time.perf_counter() - started


Query = tuple[str, dict[str, Any], dict[str, str]]  # path, parameters, headers


async def sample(client: httpx.AsyncClient, query: Query, repeat: int) -> tuple[list[float], int]:
    """Wall times of `repeat` requests (after one warm-up), and the items of the last."""
    path, params, headers = query
    found = 0
    times = []
    for n in range(repeat + 1):
        started = time.perf_counter()
        response = await client.get(path, params=params, headers=headers)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        found = len(response.json()["items"])
        if n:
            times.append(elapsed)
    return times, found


def queries(owner: dict[str, str], reader: dict[str, str]) -> dict[str, Query]:
    return {
        "words": ("/search", {"q": "marshall gambit"}, owner),
        "prefix": ("/search", {"q": "marsh", "prefix": "true"}, owner),
        "reader": ("/search", {"q": "marshall gambit"}, reader),
        "position": ("/search/positions", {"fen": AFTER_E4}, owner),
    }


async def side_by_side(
    small: tuple[httpx.AsyncClient, dict[str, Query]],
    large: tuple[httpx.AsyncClient, dict[str, Query]],
) -> tuple[dict[str, tuple[float, int]], dict[str, tuple[float, int]]]:
    """Median and items of each query on both sides, measured in alternating rounds."""
    times: dict[tuple[int, str], list[float]] = {}
    found: dict[tuple[int, str], int] = {}
    for _ in range(ROUNDS):
        for key in small[1]:
            for side, (client, named) in enumerate((small, large)):
                got, found[side, key] = await sample(client, named[key], REPEAT // ROUNDS)
                times.setdefault((side, key), []).extend(got)
    small_figures, large_figures = (
        {key: (statistics.median(times[side, key]), found[side, key]) for key in small[1]}
        for side in (0, 1)
    )
    return small_figures, large_figures


async def import_cost(
    client: httpx.AsyncClient, owner: dict[str, str], ws: str
) -> tuple[float, float]:
    pgn = HEAVY.read_text()
    counter = iter(range(10**6))

    async def run() -> None:
        body = {"name": f"Heavy {next(counter)}", "parent_id": ws, "pgn": pgn}
        response = await client.post("/studies", json=body, headers=owner)
        assert response.status_code == 201, response.text
        assert response.json()["chapter_count"] == 64

    async def skip(*_args: Any) -> None:
        return None

    # Every entry point of an import's indexing, and the worker's making of the rows (an
    # API import's parse runs in a worker process: bench.unindexed stands in for it).
    names = ("chapters_added", "prepared_chapters_added")
    real = {name: getattr(indexing, name) for name in names}
    real_run = heavy.run

    async def run_unindexed(function: Callable[..., Any], *args: object) -> Any:
        if function is heavy_tasks.parse_part:
            function = unindexed.parse_part
        return await real_run(function, *args)

    with_index: list[float] = []
    without: list[float] = []
    for _ in range(IMPORT_ROUNDS):  # alternate, so drift on a shared machine hits both alike
        with_index.append(await median_seconds(run, 3))
        for name in names:
            setattr(indexing, name, skip)
        heavy.run = run_unindexed  # type: ignore[assignment]
        try:
            without.append(await median_seconds(run, 3))
        finally:
            heavy.run = real_run  # type: ignore[assignment]
            for name, function in real.items():
                setattr(indexing, name, function)
    return statistics.median(with_index), statistics.median(without)


async def timed(label: str, work: Callable[[], Awaitable[float]]) -> None:
    print(f"  {label}: {await work():.1f} s")


def ms(value: float) -> str:
    return f"{value * 1000:7.2f} ms"


async def workspace(
    client: httpx.AsyncClient,
) -> tuple[dict[str, str], dict[str, str], str, dict[str, Any]]:
    """Owner, reader (viewer of 1 of the FOLDERS folders), workspace id, fill parameters."""
    owner = await register(client, "bench-owner")
    reader = await register(client, "bench-reader")
    reader_id = (await client.get("/users/me", headers=reader)).json()["id"]
    ws = (
        await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=owner)
    ).json()
    chapters: list[uuid.UUID] = []
    for n in range(FOLDERS):
        folder = (
            await client.post(
                "/nodes",
                json={"kind": "folder", "name": f"F{n}", "parent_id": ws["id"]},
                headers=owner,
            )
        ).json()
        if n == 0:
            share = {"user_id": reader_id, "role": "viewer"}
            await client.post(f"/nodes/{folder['id']}/shares", json=share, headers=owner)
        study = (
            await client.post(
                "/studies",
                json={"name": f"S{n}", "parent_id": folder["id"], "pgn": GAME},
                headers=owner,
            )
        ).json()
        chapters.append(uuid.UUID(study["studies"][0]["chapters"][0]["id"]))
    return owner, reader, ws["id"], {"chapters": chapters, "folders": FOLDERS, "needles": NEEDLES}


async def filled(engine: AsyncEngine, params: dict[str, Any], size: int) -> None:
    """`size` comments and `size` positions, in the workspace's chapters."""
    grow = {**params, "first": 1, "last": size}
    await timed("comments", lambda: fill(engine, FILL_COMMENTS, "search_entries", grow))
    await timed("positions", lambda: fill(engine, FILL_POSITIONS, "search_positions", grow))


async def main() -> None:
    with throwaway_database() as url, database() as small_url:
        engine, small_engine = create_async_engine(url), create_async_engine(small_url)
        async with app_client(url) as client, app_client(small_url) as small_client:
            owner, reader, ws, params = await workspace(client)
            s_owner, s_reader, _, s_params = await workspace(small_client)
            print(f"search: filling {SMALL:,} comments and positions (small cluster)")
            await filled(small_engine, s_params, SMALL)
            print(f"search: filling {LARGE:,} comments and positions (bulk SQL, large cluster)")
            await filled(engine, params, LARGE)
            print(f"search: {REPEAT} requests per query and side, {ROUNDS} alternating rounds")
            small, large = await side_by_side(
                (small_client, queries(s_owner, s_reader)), (client, queries(owner, reader))
            )
            print(f"search: importing 64 heavy games, {IMPORT_ROUNDS} alternating rounds of 3")
            indexed, plain = await import_cost(client, owner, ws)
        await engine.dispose()
        await small_engine.dispose()

    print(f"search (median of {REPEAT}; each figure includes the access filter):")
    for label, key in (
        ("text q='marshall gambit' (1,000 matches, page of 20)", "words"),
        ("as you type q='marsh' prefix                      ", "prefix"),
        ("position after 1.e4 (100 matches, page of 20)     ", "position"),
    ):
        (t_small, n_small), (t_large, n_large) = small[key], large[key]
        print(
            f"  {label} {SMALL:>9,}: {ms(t_small)} ({n_small})   {LARGE:,}: {ms(t_large)} "
            f"({n_large})   ratio {t_large / t_small:.2f}x (target <= 2x)"
        )
    (t_owner, n_owner), (t_reader, n_reader) = large["words"], large["reader"]
    print(
        f"  reader of 1 % (1 of 100 folders) vs owner, {LARGE:,} comments: reader "
        f"{ms(t_reader)} ({n_reader} results), owner {ms(t_owner)} ({n_owner}), ratio "
        f"{t_reader / t_owner:.2f}x (target <= 2x)"
    )
    print(
        f"  import of 64 heavy games (world-matches): with indexing {indexed * 1000:.0f} ms, "
        f"without {plain * 1000:.0f} ms, ratio {indexed / plain:.2f}x (target <= 1.3x)"
    )


if __name__ == "__main__":
    asyncio.run(main())
