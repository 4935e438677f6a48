"""The trash.retention maintenance job purges roots trashed more than TRASH_RETENTION_DAYS ago."""

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import runner
from catachess.maintenance.runner import JobResult
from tests.factories import a_folder, events_of
from tests.nodes.trash.helpers import node_row, rows, trash_ids, trashed
from tests.nodes.trash.test_trash import world


async def age(engine: AsyncEngine, node: dict[str, Any], days: int) -> None:
    """Pretend the node went to the trash `days` ago."""
    async with engine.begin() as connection:
        for table, column in (("nodes", "trash_root_id"), ("trash_entries", "node_id")):
            await connection.exec_driver_sql(
                f"UPDATE {table} SET trashed_at = now() - interval '{days} days' "
                f"WHERE {column} = '{node['id']}'"
            )


async def run_retention(
    engine: AsyncEngine, settings: Settings, *, batch_size: int | None = None
) -> JobResult:
    job = runner.load_jobs()["trash.retention"]
    if batch_size is not None:
        job = dataclasses.replace(job, batch_size=batch_size)
    return await runner.run_job(engine, make_sessionmaker(engine), job, settings)


async def test_retention_purges_only_what_is_older_than_the_setting(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["other"])
    await age(engine, w["sub"], 31)
    await age(engine, w["other"], 29)

    result = await run_retention(engine, settings)
    assert (result.ran, result.items) == (True, 1)
    assert await node_row(engine, w["sub"]["id"]) is None
    assert await node_row(engine, w["study"]["id"]) is None
    assert await trash_ids(client, alice) == [w["other"]["id"]]
    event = (await events_of(client, engine, w["sub"]["id"]))[-1]
    assert event["event_type"] == "node.purged" and event["actor_id"] is None
    assert event["payload"] == {
        "name": "Najdorf lines",
        "node_count": 2,
        "reason": "retention",
        "kept_in_trash": [],
    }
    # A longer retention setting keeps the 29-day-old entry, as the default one does.
    longer = Settings(DATABASE_URL=settings.database_url, TRASH_RETENTION_DAYS=90)
    await age(engine, w["other"], 60)
    assert (await run_retention(engine, longer)).items == 0
    assert await trash_ids(client, alice) == [w["other"]["id"]]


async def test_retention_works_in_bounded_batches(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    w = await world(client)
    folders = [await a_folder(client, w["alice"], w["other"], f"old {n}") for n in range(5)]
    for folder in folders:
        await trashed(client, w["alice"], folder)
        await age(engine, folder, 45)
    result = await run_retention(engine, settings, batch_size=2)
    assert (result.items, result.batches) == (5, 3)
    purged = await rows(engine, "SELECT count(*) AS n FROM events WHERE event_type = 'node.purged'")
    assert purged == [{"n": 5}]


@pytest.mark.parametrize(
    ("sub_days", "ws_days", "purged", "sub_reason"),
    [(40, 35, 2, "retention"), (35, 40, 1, "workspace_purged")],
)
async def test_retention_of_a_workspace_and_a_root_inside_it_in_one_batch(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    sub_days: int,
    ws_days: int,
    purged: int,
    sub_reason: str,
) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["sub"])
    await trashed(client, w["alice"], w["ws"])
    await age(engine, w["sub"], sub_days)
    await age(engine, w["ws"], ws_days)
    result = await run_retention(engine, settings)
    assert result.items == purged  # oldest first; a root purged with its workspace is done
    assert await rows(engine, "SELECT id FROM nodes") == []
    [sub_event] = [
        e
        for e in await events_of(client, engine, w["sub"]["id"])
        if e["event_type"] == "node.purged"
    ]
    assert sub_event["payload"]["reason"] == sub_reason
