"""A relay that comes back to a backlog works it off in linear time.

A backlog builds up while no relay runs (an outage, a deploy) or behind a burst. For
each size of BACKLOGS, on a fresh database: that many folders created through the app
(POST /nodes, relay off), each owing its activity-feed line, then `relay.drain()` works
them off in batches. Printed per delivery: wall time, and CPU of this process and of
PostgreSQL. Target: a delivery behind the largest backlog costs at most 1.5x one behind
the smallest (the drain is linear in the backlog).

The planner's statistics of event_deliveries are taken once the outbox is quiet, before
the backlog builds up, and autovacuum is kept off that table: that is how they stand
between two ANALYZEs, and what made the drain quadratic before (docs/performance.md,
tenth pass). Settings: BENCH_BACKLOGS (default "2000,20000").
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import text

from bench.common import app_client, cpu_seconds, postmaster_pid, register, throwaway_database
from catachess.events import relay

BACKLOGS = [int(size) for size in os.environ.get("BENCH_BACKLOGS", "2000,20000").split(",")]
TARGET = 1.5


@dataclass(frozen=True)
class Drain:
    deliveries: int
    wall_us: float  # per delivery
    server_us: float
    postgres_us: float


async def backlog_drain(size: int) -> Drain:
    """Build a backlog of `size` feed deliveries on a fresh database and drain it."""
    with throwaway_database() as url:
        async with app_client(url) as client:
            auth = await register(client, "coach")
            workspace = await created(client, auth, {"kind": "workspace", "name": "Club"})
            app = client._transport.app  # type: ignore[attr-defined]
            sessions = app.state.sessionmaker
            await relay.drain(sessions, app.state.settings)
            async with app.state.engine.begin() as connection:
                await connection.execute(text("ANALYZE event_deliveries"))
                await connection.execute(
                    text("ALTER TABLE event_deliveries SET (autovacuum_enabled = false)")
                )
            for n in range(size):
                body = {"kind": "folder", "name": f"Game {n}", "parent_id": workspace}
                await created(client, auth, body)
            postgres = postmaster_pid(url)
            wall, server, database = time.perf_counter(), time.process_time(), cpu_seconds(postgres)
            delivered = await relay.drain(sessions, app.state.settings)
            wall = time.perf_counter() - wall
            server = time.process_time() - server
            database = cpu_seconds(postgres) - database
    assert delivered == size, f"drained {delivered} of {size}"
    return Drain(size, wall / size * 1e6, server / size * 1e6, database / size * 1e6)


async def created(client: httpx.AsyncClient, auth: dict[str, str], body: dict[str, str]) -> str:
    response = await client.post("/nodes", json=body, headers=auth)
    assert response.status_code == 201, response.text
    node_id: str = response.json()["id"]
    return node_id


async def main() -> None:
    drains = [await backlog_drain(size) for size in BACKLOGS]
    for drain in drains:
        print(
            f"backlog of {drain.deliveries:>6,} deliveries: {drain.wall_us:6.0f} us each"
            f" (CPU: this process {drain.server_us:.0f}, PostgreSQL {drain.postgres_us:.0f})"
        )
    ratio = drains[-1].wall_us / drains[0].wall_us
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(
        f"per delivery, backlog {drains[-1].deliveries:,} / {drains[0].deliveries:,}:"
        f" {ratio:.2f}x (target <= {TARGET}x: {verdict})"
    )


if __name__ == "__main__":
    import asyncio

    asyncio.run(main())
