"""The event log stays indexed as it grows, and appending an event is cheap.

1. Lookups: GET /events by target and by correlation id (visibility checks included) in
   a log of 10,000 events and again after growing it to 1,000,000 (bulk SQL: half in the
   caller's workspace, half in 1,000 others). Prints both and the ratio (target < 2x).
2. Append cost: the same write (nodes.service.create_node + commit, in one session)
   with its event append (the event row and its outbox delivery) and without it (record()
   replaced by a no-op and the commit guard switched off), in alternating rounds. Prints
   the ratio of the median rounds and of the best rounds.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.common import median_seconds, register, throwaway_database
from catachess.app import create_app
from catachess.auth.models import User
from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.events import guard, relay
from catachess.events import service as events
from catachess.nodes import service as nodes
from catachess.nodes.models import NodeKind
from catachess.nodes.schemas import NodeCreate

SMALL, LARGE = 10_000, 1_000_000
ROUNDS = 10

# Filler events: ten per target, three per correlation id; even rows in the caller's
# workspace, odd rows spread over 1,000 workspaces the caller cannot read.
FILL = text("""
INSERT INTO events (event_id, workspace_id, event_type, actor_id, target_id, target_type,
                    timestamp, version, payload, correlation_id, causation_id)
SELECT gen_random_uuid(),
       CASE WHEN g % 2 = 0 THEN CAST(:ws AS uuid) ELSE md5('ws' || (g % 1000))::uuid END,
       'node.renamed', :actor, md5('t' || (g / 10))::uuid, 'study', now(), 1,
       '{"old_name": "a", "new_name": "b"}'::jsonb, 'fill-' || (g / 3), NULL
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g
""")


@asynccontextmanager
async def bench_client(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    # The relay is driven by hand so that no background delivery disturbs the timings.
    app = create_app(Settings(DATABASE_URL=url, EVENT_RELAY=False), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client, app


async def fill(engine: AsyncEngine, ws: str, actor: str, first: int, last: int) -> float:
    started = time.perf_counter()
    async with engine.begin() as connection:
        await connection.execute(
            FILL, {"ws": uuid.UUID(ws), "actor": uuid.UUID(actor), "first": first, "last": last}
        )
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE events"))
    return time.perf_counter() - started


async def lookups(
    client: httpx.AsyncClient, headers: dict[str, str], study_id: str
) -> tuple[float, float]:
    async def by_target() -> None:
        response = await client.get("/events", params={"target_id": study_id}, headers=headers)
        assert response.status_code == 200 and len(response.json()["items"]) == 10

    async def by_correlation() -> None:
        params = {"correlation_id": "bench-study"}
        response = await client.get("/events", params=params, headers=headers)
        assert response.status_code == 200 and len(response.json()["items"]) == 2

    return await median_seconds(by_target, 200), await median_seconds(by_correlation, 200)


async def append_cost(app: Any, user_id: str, ws_id: str) -> tuple[list[float], list[float]]:
    """Per-round medians of one create_node + commit, with and without the event append."""
    sessions = app.state.sessionmaker
    async with sessions() as session:
        user = await session.get(User, uuid.UUID(user_id))
    assert user is not None
    counter = iter(range(10**9))

    async def create_folder() -> None:
        body = NodeCreate(kind=NodeKind.folder, name=f"f{next(counter)}", parent_id=ws_id)
        async with sessions() as session:
            await nodes.create_node(session, user, body)
            await session.commit()

    async def no_event(*args: Any, **kwargs: Any) -> None:
        return None

    with_event: list[float] = []
    without: list[float] = []
    real_record = events.record
    for _ in range(ROUNDS):  # alternate, so drift on a shared machine hits both alike
        with_event.append(await median_seconds(create_folder, 50))
        guard.uninstall()
        events.record = no_event  # type: ignore[assignment]
        try:
            without.append(await median_seconds(create_folder, 50))
        finally:
            events.record = real_record
            guard.install()
    return with_event, without


async def timed(label: str, work: Callable[[], Awaitable[float]]) -> None:
    print(f"  {label}: {await work():.1f} s")


async def main() -> None:
    with throwaway_database() as url:
        engine = create_async_engine(url)
        async with bench_client(url) as (client, app):
            headers = await register(client, "bench-events")
            me = (await client.get("/users/me", headers=headers)).json()
            ws = (
                await client.post(
                    "/nodes", json={"kind": "workspace", "name": "W"}, headers=headers
                )
            ).json()
            study = (
                await client.post(
                    "/nodes",
                    json={"kind": "study", "name": "S0", "parent_id": ws["id"]},
                    headers={**headers, "X-Correlation-ID": "bench-study"},
                )
            ).json()
            for n in range(1, 10):
                await client.patch(f"/nodes/{study['id']}", json={"name": f"S{n}"}, headers=headers)
            await relay.drain(make_sessionmaker(engine), app.state.settings)

            print(f"events: filling {SMALL:,} events")
            await timed("fill", lambda: fill(engine, ws["id"], me["id"], 1, SMALL))
            small = await lookups(client, headers, study["id"])
            print(f"events: growing the log to {LARGE:,} events (bulk INSERT … SELECT)")
            await timed("fill", lambda: fill(engine, ws["id"], me["id"], SMALL + 1, LARGE))
            large = await lookups(client, headers, study["id"])
            with_event, without = await append_cost(app, me["id"], ws["id"])
        await engine.dispose()

    print("event lookups: GET /events (visibility included), median of 200")
    for name, t_small, t_large in (
        ("by target (10 events)     ", small[0], large[0]),
        ("by correlation (2 events) ", small[1], large[1]),
    ):
        print(
            f"  {name} {SMALL:>9,}: {t_small * 1000:6.2f} ms   {LARGE:,}: "
            f"{t_large * 1000:6.2f} ms   ratio {t_large / t_small:.2f}x (target < 2x)"
        )
    print(f"event append cost: create_node + commit, {ROUNDS} alternating rounds of 50")
    for label, pick in (("median round", statistics.median), ("best round", min)):
        plain, appended = pick(without), pick(with_event)
        print(
            f"  {label:12}: without the event {plain * 1000:5.2f} ms, with the event and its "
            f"outbox delivery {appended * 1000:5.2f} ms, ratio {appended / plain:.2f}x"
        )


if __name__ == "__main__":
    asyncio.run(main())
