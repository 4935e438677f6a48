"""Maintenance jobs of live pages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.live import repository
from catachess.maintenance.registry import job


@job("presence.expire", batch_size=1_000)
async def expire_presence(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete presence rows of pages that stopped sending heartbeats (no longer listed)."""
    return await repository.delete_expired_presence(session, settings.presence_ttl, batch_size)
