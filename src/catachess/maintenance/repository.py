"""Queries of the maintenance domain: the last-run records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.maintenance.models import MaintenanceRun


async def save_run(
    session: AsyncSession,
    *,
    job: str,
    started_at: datetime,
    finished_at: datetime,
    items: int,
    batches: int,
    duration_seconds: float,
    ran_on: str,
    error: str | None,
) -> None:
    """Replace the job's last-run record."""
    values = {
        "job": job,
        "started_at": started_at,
        "finished_at": finished_at,
        "items": items,
        "batches": batches,
        "duration_seconds": duration_seconds,
        "ran_on": ran_on,
        "error": error,
    }
    statement = insert(MaintenanceRun).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MaintenanceRun.job],
            set_={key: statement.excluded[key] for key in values if key != "job"},
        )
    )


async def list_runs(session: AsyncSession) -> list[MaintenanceRun]:
    return list((await session.scalars(select(MaintenanceRun))).all())
