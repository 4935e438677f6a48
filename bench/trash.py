"""Trash, restore and purge cost a constant number of SQL statements, whatever the size.

Builds a folder subtree of ~100 and one of ~10,000 nodes (bulk SQL: sub-folders of 49
studies), then times DELETE /nodes/{id} (trash), POST /nodes/{id}/restore and
DELETE /nodes/{id}/purge on each, counting the statements each request sent to
PostgreSQL (a before_cursor_execute listener on the app's engine; authentication
included). The counts must be equal for both sizes; the times grow with the rows written.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.common import register, throwaway_database
from catachess.app import create_app
from catachess.config import Settings

ROUNDS = 3
PER_FOLDER = 49

FILL = text("""
WITH folders AS (
    SELECT gen_random_uuid() AS id, f AS n FROM generate_series(1, :folders) AS f
), inserted_folders AS (
    INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by,
                       created_at, updated_at)
    SELECT id, :ws, :root, 'folder', 'folder ' || n, :root_path || '/' || id, 1, :user,
           now(), now()
    FROM folders RETURNING id, path
)
INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by,
                   created_at, updated_at)
SELECT s.id, :ws, f.id, 'study', 'study ' || s.n, f.path || '/' || s.id, 1, :user, now(), now()
FROM inserted_folders f
CROSS JOIN LATERAL (
    SELECT gen_random_uuid() AS id, n FROM generate_series(1, :per_folder) AS n
    WHERE f.id IS NOT NULL  -- correlated, so every folder gets fresh ids
) s
""")


class StatementCounter:
    """Counts statements sent on an engine while armed."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


@asynccontextmanager
async def app_with_engine(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    app = create_app(Settings(DATABASE_URL=url), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client, app.state.engine


async def build(
    client: httpx.AsyncClient, engine: AsyncEngine, headers: dict[str, str], size: int
) -> str:
    """A folder at the root of a new workspace with about `size` nodes in its subtree."""
    ws = (
        await client.post(
            "/nodes", json={"kind": "workspace", "name": f"ws {size}"}, headers=headers
        )
    ).json()
    root = (
        await client.post(
            "/nodes",
            json={"kind": "folder", "name": "big", "parent_id": ws["id"]},
            headers=headers,
        )
    ).json()
    async with engine.begin() as connection:
        await connection.execute(
            FILL,
            {
                "folders": size // (PER_FOLDER + 1),
                "per_folder": PER_FOLDER,
                "ws": uuid.UUID(ws["id"]),
                "root": uuid.UUID(root["id"]),
                "root_path": f"{ws['id']}/{root['id']}",
                "user": uuid.UUID(ws["created_by"]),
            },
        )
        await connection.execute(text("ANALYZE nodes"))
    return str(root["id"])


async def measure(
    client: httpx.AsyncClient, counter: StatementCounter, method: str, url: str, headers: Any
) -> tuple[float, int, httpx.Response]:
    counter.count = 0
    started = time.perf_counter()
    response = await client.request(method, url, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text
    return elapsed, counter.count, response


async def lifecycle(
    client: httpx.AsyncClient, counter: StatementCounter, headers: Any, node: str
) -> dict[str, Any]:
    times: dict[str, list[float]] = {"trash": [], "restore": [], "purge": []}
    statements: dict[str, set[int]] = {"trash": set(), "restore": set(), "purge": set()}
    size = 0
    for last in [False] * (ROUNDS - 1) + [True]:
        seconds, count, response = await measure(
            client, counter, "DELETE", f"/nodes/{node}", headers
        )
        size = response.json()["node_count"]
        times["trash"].append(seconds)
        statements["trash"].add(count)
        second = ("DELETE", f"/nodes/{node}/purge") if last else ("POST", f"/nodes/{node}/restore")
        seconds, count, _ = await measure(client, counter, *second, headers)
        operation = "purge" if last else "restore"
        times[operation].append(seconds)
        statements[operation].add(count)
    return {"size": size, "times": times, "statements": statements}


async def main() -> None:
    with throwaway_database() as url:
        async with app_with_engine(url) as (client, engine):
            counter = StatementCounter(engine)
            headers = await register(client, "bench-trash")
            small_root = await build(client, engine, headers, 100)
            large_root = await build(client, engine, headers, 10_000)
            small = await lifecycle(client, counter, headers, small_root)
            large = await lifecycle(client, counter, headers, large_root)
    print(
        f"trash lifecycle of a folder subtree: {small['size']:,} vs {large['size']:,} nodes "
        f"(trash/restore: median of {ROUNDS}; purge: once)"
    )
    print(f"  {'operation':<9} {'small':>10} {'large':>10}   statements per request")
    constant = True
    for operation in ("trash", "restore", "purge"):
        t_small = statistics.median(small["times"][operation]) * 1000
        t_large = statistics.median(large["times"][operation]) * 1000
        counts = small["statements"][operation] | large["statements"][operation]
        constant &= len(counts) == 1
        shown = " / ".join(str(c) for c in sorted(counts))
        print(f"  {operation:<9} {t_small:7.1f} ms {t_large:7.1f} ms   {shown}")
    print(f"  same statement count for both sizes: {'yes' if constant else 'NO'}")


if __name__ == "__main__":
    asyncio.run(main())
