"""Maintenance: expired idempotency records are deleted in bounded batches."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.idempotency import metrics, repository
from catachess.maintenance.registry import job


@job("idempotency-expiry", batch_size=1000)
async def expire_records(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete idempotency records past their expiry (IDEMPOTENCY_TTL); never a locked one."""
    deleted = await repository.delete_expired(session, batch_size)
    if deleted < batch_size:  # the last batch of this run: refresh the stored-records gauge
        metrics.RECORDS.set(await repository.count(session))
    return deleted
