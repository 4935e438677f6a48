"""Run every registered job once, each on exactly one process at a time.

Each job holds a PostgreSQL session-level advisory lock on a dedicated connection while
it runs: another process asking for it at the same time skips the job for this tick, and
a runner that dies releases the lock with its connection (no timeout guessing). Each run
that held the lock is counted in /metrics, traced, logged, and recorded in
`maintenance_runs` for `catachess maintenance status`.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import time
from dataclasses import dataclass

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.maintenance import repository
from catachess.maintenance.registry import JOBS, Job
from catachess.ops import metrics, telemetry
from catachess.ops.diagnostics import describe

log = structlog.get_logger(__name__)

# Modules whose import registers jobs; each domain adds its own line.
JOB_MODULES: list[str] = [
    "catachess.auth.jobs",
    "catachess.nodes.trash.jobs",
    "catachess.studies.jobs",
    "catachess.history.jobs",
    "catachess.events.jobs",
    "catachess.idempotency.jobs",
    "catachess.live.jobs",
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
    error: str | None = None


def load_jobs() -> dict[str, Job]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS


def ran_on() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def _run_batches(
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    settings: Settings,
    stop: asyncio.Event | None,
) -> tuple[int, int, str | None]:
    """Batches until one comes back short; a failing batch is rolled back and ends the run."""
    items = batches = 0
    try:
        while batches < MAX_BATCHES and not (stop is not None and stop.is_set()):
            async with sessions() as session, session.begin():
                handled = await job.run(session, settings, job.batch_size)
            batches += 1
            items += handled
            if handled < job.batch_size:
                break
    except Exception as error:
        log.exception("maintenance job failed", job=job.name, items=items, batches=batches)
        return items, batches, describe(error)
    return items, batches, None


async def run_job(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    job: Job,
    settings: Settings,
    stop: asyncio.Event | None = None,
) -> JobResult:
    """Run one job unless another process holds it; `stop` ends it between batches."""
    with telemetry.span(f"maintenance {job.name}", **{"catachess.job": job.name}) as span:
        started_at = utcnow()
        started = time.perf_counter()
        async with engine.connect() as lock_connection:
            acquired = await lock_connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": job.lock_key}
            )
            await lock_connection.commit()
            if not acquired:
                metrics.maintenance_runs.labels(job.name, "skipped").inc()
                span.set_attribute("catachess.job.skipped", True)
                log.debug("maintenance job running elsewhere", job=job.name)
                return JobResult(job.name, False, 0, 0, time.perf_counter() - started)
            try:
                items, batches, error = await _run_batches(sessions, job, settings, stop)
                seconds = time.perf_counter() - started
                async with sessions() as session, session.begin():
                    await repository.save_run(
                        session,
                        job=job.name,
                        started_at=started_at,
                        finished_at=utcnow(),
                        items=items,
                        batches=batches,
                        duration_seconds=seconds,
                        ran_on=ran_on(),
                        error=error,
                    )
            finally:
                await lock_connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": job.lock_key}
                )
                await lock_connection.commit()
        metrics.maintenance_runs.labels(job.name, "failed" if error else "ran").inc()
        metrics.maintenance_items.labels(job.name).inc(items)
        metrics.maintenance_duration.labels(job.name).observe(seconds)
        span.set_attribute("catachess.job.items", items)
        if error is None:
            metrics.maintenance_last_success.labels(job.name).set_to_current_time()
            # A tick with nothing to do is the common case; only work done is worth INFO.
            (log.info if items else log.debug)(
                "maintenance job ran",
                job=job.name,
                items=items,
                batches=batches,
                duration_ms=round(seconds * 1000, 2),
            )
        return JobResult(job.name, True, items, batches, seconds, error)


async def run_all(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    stop: asyncio.Event | None = None,
) -> list[JobResult]:
    """Run each job once (one tick), skipping those another process is running.

    A job that cannot even start (database gone) is logged and reported as failed; the
    other jobs still get their turn.
    """
    results = []
    for job in load_jobs().values():
        if stop is not None and stop.is_set():
            break
        try:
            results.append(await run_job(engine, sessions, job, settings, stop))
        except Exception as error:
            log.exception("maintenance job could not run", job=job.name)
            metrics.maintenance_runs.labels(job.name, "failed").inc()
            results.append(JobResult(job.name, False, 0, 0, 0.0, describe(error)))
    return results
