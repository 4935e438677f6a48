"""Trash retention: the maintenance job that purges what stayed in the trash too long."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.maintenance.registry import job
from catachess.nodes.trash import service


# One purge can delete a large subtree, so a batch is a few roots, not hundreds.
@job("trash.retention", batch_size=20)
async def purge_expired_trash(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Purge trashed subtrees older than TRASH_RETENTION_DAYS, each with its node.purged."""
    return await service.purge_expired(
        session, timedelta(days=settings.trash_retention_days), batch_size
    )
