"""A test-only job for the two-process test, imported only inside the server processes.

When armed it records one effect, then waits on an advisory lock the test holds (the
"gate"), then disarms. If two processes could run it at once, both would record an
effect while the first waits at the gate.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import Settings
from catachess.maintenance.registry import job
from catachess.maintenance.runner import ran_on

NAME = "test.gated"
GATE_KEY = 7_399_000_001

CREATE_TABLES = [
    "CREATE TABLE IF NOT EXISTS test_gated_switch (armed boolean NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_gated_effects (ran_on text NOT NULL)",
]
DROP_TABLES = ["DROP TABLE IF EXISTS test_gated_switch", "DROP TABLE IF EXISTS test_gated_effects"]


@job(NAME, batch_size=10)
async def gated(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Record one effect while armed, holding on at the test's gate before disarming."""
    if not await session.scalar(text("SELECT bool_or(armed) FROM test_gated_switch")):
        return 0
    await session.execute(text("INSERT INTO test_gated_effects VALUES (:p)"), {"p": ran_on()})
    await session.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": GATE_KEY})
    await session.execute(text("UPDATE test_gated_switch SET armed = false"))
    return 1
