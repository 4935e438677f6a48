"""Maintenance job of the history: versions past HISTORY_RETENTION_DAYS are compacted.

For each chapter the oldest version kept is the first one written inside the window
(or, when every version is older, the current one): it becomes a snapshot and the rows
before it are deleted, so every kept version stays readable and restorable. A chapter
deleted before the window is forgotten. Without the setting nothing is removed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.events import guard
from catachess.history import repository
from catachess.history.service import state_at
from catachess.history.state import encode
from catachess.maintenance.registry import job


@job("history.retention", batch_size=50)
async def compact_history(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Compact chapter versions older than HISTORY_RETENTION_DAYS into snapshots."""
    if settings.history_retention_days is None:
        return 0
    # Bookkeeping of the history itself: the changes it records kept their events.
    guard.upkeep(session.sync_session, "history retention")
    cutoff = utcnow() - timedelta(days=settings.history_retention_days)
    handled = await repository.forget_deleted(session, cutoff, batch_size)
    for study_id, chapter_id, kept in await repository.list_compactable(
        session, cutoff, batch_size - handled
    ):
        state = (await state_at(session, study_id, chapter_id, kept)).state
        await repository.make_snapshot(session, chapter_id, kept, encode(state))
        await repository.delete_before(session, chapter_id, kept)
        handled += 1
    return handled
