"""The maintenance loop of a server process: every job once per MAINTENANCE_INTERVAL.

Every process runs the loop; the runner's per-job advisory lock makes each job run on
one of them per tick. Stopping lets the current batch finish and claims no new one.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.maintenance import runner

log = structlog.get_logger(__name__)

# How long shutdown waits for a batch in progress before cancelling it (its transaction
# then rolls back and the next tick, here or elsewhere, does that work again).
STOP_GRACE_SECONDS = 10.0


class MaintenanceLoop:
    def __init__(
        self,
        engine: AsyncEngine,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
    ) -> None:
        self.engine = engine
        self.sessions = sessions
        self.settings = settings
        self.interval = settings.maintenance_interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="catachess-maintenance")

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await runner.run_all(self.engine, self.sessions, self.settings, self._stop)
            except Exception:
                # The loop outlives a bad tick (database restarting, a job's bug).
                log.exception("maintenance tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Ask the loop to stop after the current batch; cancel it if that takes too long."""
        self._stop.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, timeout=grace)
        except TimeoutError:
            log.warning("maintenance batch cancelled at shutdown", grace_seconds=grace)
