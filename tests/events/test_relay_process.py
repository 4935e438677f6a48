"""`catachess relay`: the relay as a process of its own, next to servers that run none
(EVENT_RELAY=false), as docs/performance.md's ninth pass suggests for a loaded server.

The process is real (the installed command), and so are the other process's commits it
must notice: this test's app runs no relay, and the relay's poll is an hour away, so a
delivery after start-up can only come from the NOTIFY that every commit of events sends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.events.support import count
from tests.factories import a_user, a_workspace
from tests.polling import eventually

CATACHESS = str(Path(sys.executable).parent / "catachess")
DEADLINE = 30.0  # seconds for the relay process to start, deliver or stop


async def test_a_relay_process_delivers_what_other_processes_commit_as_they_notify(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    before = await a_workspace(client, alice, "Committed before the relay started")
    others = await _listeners(engine)  # a live hub of this test session's app, say
    log = tmp_path / "relay.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EVENT_RELAY_INTERVAL": "3600",
        "LOG_FORMAT": "json",
    }
    with log.open("wb") as output:
        relay = await asyncio.create_subprocess_exec(
            CATACHESS, "relay", env=environment, stdout=output, stderr=asyncio.subprocess.STDOUT
        )
    try:
        await _eventually(lambda: _feed_lines(engine, before["id"]), "its first batch", relay, log)
        await _eventually(lambda: _listening(engine, others), "it listens", relay, log)
        after = await a_workspace(client, alice, "Committed while it listens")
        await _eventually(lambda: _feed_lines(engine, after["id"]), "a NOTIFY", relay, log)
    finally:
        if relay.returncode is None:
            relay.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(relay.wait(), DEADLINE)
    assert code == 0, _text(log)
    owed = "SELECT count(*) FROM event_deliveries WHERE delivered_at IS NULL"
    assert await count(engine, owed) == 0


async def _feed_lines(engine: AsyncEngine, node_id: str) -> bool:
    lines = "SELECT count(*) FROM activity_entries WHERE node_id = CAST(:node AS uuid)"
    return await count(engine, lines, node=node_id) == 1


async def _listeners(engine: AsyncEngine) -> int:
    """Connections whose last statement was a LISTEN on the channel of committed events."""
    sql = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %catachess_events%'"
    return await count(engine, sql)


async def _listening(engine: AsyncEngine, others: int) -> bool:
    return await _listeners(engine) > others


async def _eventually(
    check: Callable[[], Awaitable[bool]],
    what: str,
    process: asyncio.subprocess.Process,
    log: Path,
) -> None:
    """`eventually`, failing at once with the relay's log if the relay has exited."""

    async def alive_and_done() -> bool:
        assert process.returncode is None, f"the relay exited:\n{_text(log)}"
        return await check()

    try:
        await eventually(alive_and_done, what, seconds=DEADLINE)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{_text(log)}") from None


def _text(log: Path) -> str:
    return log.read_text(errors="replace")
