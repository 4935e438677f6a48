"""What `catachess maintenance status` shows: each job's last run and its backlog."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.maintenance import repository, runner
from catachess.maintenance.models import MaintenanceRun


@dataclass(frozen=True)
class JobStatus:
    name: str
    description: str
    last_run: MaintenanceRun | None
    backlog: int | None  # None: the job does not report one


async def job_statuses(
    sessions: async_sessionmaker[AsyncSession], settings: Settings
) -> list[JobStatus]:
    """Every registered job with its last recorded run and current backlog."""
    async with sessions() as session:
        runs = {run.job: run for run in await repository.list_runs(session)}
        statuses = []
        for job in runner.load_jobs().values():
            backlog = await job.backlog(session, settings) if job.backlog else None
            statuses.append(JobStatus(job.name, job.description, runs.get(job.name), backlog))
    return statuses
