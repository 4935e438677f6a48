"""A test-only job for the two-process test, imported only inside the server processes
(importing it registers the job in that process).

When armed it records one effect, then waits on an advisory lock the test holds (the
"gate"), then disarms. If two processes could run it at once, both would record an
effect while the first waits at the gate.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.events import guard
from catachess.maintenance.registry import job
from catachess.maintenance.runner import ran_on
from tests.maintenance.gate import GATE_KEY, JOB_NAME


@job(JOB_NAME, batch_size=10)
async def gated(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Record one effect while armed, holding on at the test's gate before disarming."""
    guard.upkeep(session.sync_session, "test bookkeeping tables, not domain data")
    if not await session.scalar(text("SELECT bool_or(armed) FROM test_gated_switch")):
        return 0
    await session.execute(text("INSERT INTO test_gated_effects VALUES (:p)"), {"p": ran_on()})
    await session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": GATE_KEY})
    await session.execute(text("UPDATE test_gated_switch SET armed = false"))
    return 1
