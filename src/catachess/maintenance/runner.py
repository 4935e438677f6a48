"""Run every registered job once, each on exactly one process at a time.

Each job holds a PostgreSQL session-level advisory lock on a dedicated connection while
it runs: another process asking for it at the same time skips the job for this tick, and
a runner that dies releases the lock with its connection (no timeout guessing).
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.maintenance.registry import JOBS, Job

log = logging.getLogger(__name__)

# Modules whose import registers jobs; each domain adds its own line.
JOB_MODULES: list[str] = [
    "catachess.idempotency.jobs",
]

# Upper bound on batches per job per tick, so one tick always ends.
MAX_BATCHES = 1_000


@dataclass(frozen=True)
class JobResult:
    name: str
    ran: bool  # False: another process held the lock
    items: int
    batches: int
    seconds: float


def load_jobs() -> dict[str, Job]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS


async def run_job(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], job: Job, settings: Settings
) -> JobResult:
    started = time.perf_counter()
    async with engine.connect() as lock_connection:
        acquired = await lock_connection.scalar(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": job.lock_key}
        )
        await lock_connection.commit()
        if not acquired:
            return JobResult(job.name, False, 0, 0, time.perf_counter() - started)
        items = batches = 0
        try:
            while batches < MAX_BATCHES:
                async with sessions() as session, session.begin():
                    handled = await job.run(session, settings, job.batch_size)
                batches += 1
                items += handled
                if handled < job.batch_size:
                    break
        finally:
            await lock_connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": job.lock_key}
            )
            await lock_connection.commit()
    seconds = time.perf_counter() - started
    log.info(
        "maintenance job %s handled %d items in %d batches (%.3f s)",
        job.name,
        items,
        batches,
        seconds,
    )
    return JobResult(job.name, True, items, batches, seconds)


async def run_all(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> list[JobResult]:
    """Run each job once (one tick), skipping those another process is running."""
    return [await run_job(engine, sessions, job, settings) for job in load_jobs().values()]
