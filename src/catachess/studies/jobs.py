"""Maintenance jobs of studies: stored exports expire."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.events import guard
from catachess.maintenance.registry import job
from catachess.studies import repository


@job("exports.expire", batch_size=200)
async def expire_exports(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete stored exports past their expiry (EXPORT_RETENTION_HOURS after creation)."""
    # Exports carry their content, so batches stay small: 200 rows per transaction.
    guard.upkeep(session.sync_session, "expired exports")
    return await repository.delete_expired_exports(session, utcnow(), batch_size)
