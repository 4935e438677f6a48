"""The runner in one process: bounded batches, last-run records, metrics, failures, the loop."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import registry, runner
from catachess.maintenance.loop import MaintenanceLoop
from catachess.maintenance.registry import Job
from catachess.maintenance.status import job_statuses
from tests.factories import a_user


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


async def expire_tokens_of_new_users(
    client: httpx.AsyncClient, engine: AsyncEngine, count: int
) -> None:
    for index in range(count):
        await a_user(client, f"expired{index}")
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE api_tokens SET expires_at = :past"), {"past": utcnow() - timedelta(1)}
        )


def tokens_job(batch_size: int) -> Job:
    return dataclasses.replace(runner.load_jobs()["tokens.expire"], batch_size=batch_size)


async def test_expired_tokens_are_deleted_in_bounded_batches(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await expire_tokens_of_new_users(client, engine, 5)
    keeper = await a_user(client, "keeper")
    items_before = metric("catachess_maintenance_items_total", job="tokens.expire")

    result = await runner.run_job(engine, sessions, tokens_job(batch_size=2), settings)

    assert (result.ran, result.items, result.batches, result.error) == (True, 5, 3, None)
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM api_tokens")) == 1
    assert (await client.get("/users/me", headers=keeper.headers)).status_code == 200
    assert metric("catachess_maintenance_items_total", job="tokens.expire") == items_before + 5


async def test_status_shows_the_last_run_and_the_backlog(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await expire_tokens_of_new_users(client, engine, 3)
    before = {s.name: s for s in await job_statuses(sessions, settings)}
    assert before["tokens.expire"].last_run is None
    assert before["tokens.expire"].backlog == 3

    await runner.run_all(engine, sessions, settings)

    after = {s.name: s for s in await job_statuses(sessions, settings)}
    run = after["tokens.expire"].last_run
    assert run is not None and after["tokens.expire"].backlog == 0
    assert (run.items, run.batches, run.error) == (3, 1, None)
    assert run.ran_on == runner.ran_on()
    assert run.started_at <= run.finished_at and run.duration_seconds >= 0


async def test_a_job_held_elsewhere_is_skipped_and_counted_as_skipped(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    job = tokens_job(batch_size=10)
    skipped_before = metric("catachess_maintenance_runs_total", job=job.name, outcome="skipped")
    async with engine.connect() as other_process:
        await other_process.execute(text("SELECT pg_advisory_lock(:k)"), {"k": job.lock_key})
        result = await runner.run_job(engine, sessions, job, settings)
        await other_process.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": job.lock_key})
    assert not result.ran
    skipped = metric("catachess_maintenance_runs_total", job=job.name, outcome="skipped")
    assert skipped == skipped_before + 1


async def test_a_failing_job_is_recorded_and_the_others_still_run(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(session: AsyncSession, settings: Settings, batch_size: int) -> int:
        await session.execute(text("SELECT 1 / 0"))
        return 0

    runner.load_jobs()
    monkeypatch.setitem(registry.JOBS, "test.broken", Job("test.broken", broken, 10, "broken"))
    failed_before = metric("catachess_maintenance_runs_total", job="test.broken", outcome="failed")

    results = {r.name: r for r in await runner.run_all(engine, sessions, settings)}

    assert results["test.broken"].error is not None
    assert results["test.broken"].error == "DivisionByZeroError: division by zero"
    assert results["tokens.expire"].ran and results["tokens.expire"].error is None
    statuses = {s.name: s for s in await job_statuses(sessions, settings)}
    broken_run = statuses["test.broken"].last_run
    assert broken_run is not None and broken_run.error == results["test.broken"].error
    failed = metric("catachess_maintenance_runs_total", job="test.broken", outcome="failed")
    assert failed == failed_before + 1


async def test_the_serve_loop_runs_a_tick_at_start_and_stops_without_waiting_the_interval(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticked = asyncio.Event()

    async def signal_tick(session: AsyncSession, settings: Settings, batch_size: int) -> int:
        ticked.set()
        return 0

    runner.load_jobs()
    monkeypatch.setitem(registry.JOBS, "test.tick", Job("test.tick", signal_tick, 10, "tick"))
    loop = MaintenanceLoop(
        engine, sessions, settings.model_copy(update={"maintenance_interval": 3600})
    )
    loop.start()
    await asyncio.wait_for(ticked.wait(), timeout=5)
    await asyncio.wait_for(loop.stop(), timeout=5)
    assert loop._task is not None and loop._task.done() and not loop._task.cancelled()
