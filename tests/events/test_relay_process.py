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
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.events.support import count
from tests.factories import a_user, a_workspace

CATACHESS = str(Path(sys.executable).parent / "catachess")
DEADLINE = 30.0  # seconds for the relay process to start, deliver or stop


async def test_a_relay_process_delivers_what_other_processes_commit_as_they_notify(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    before = await a_workspace(client, alice, "Committed before the relay started")
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
        await _until(lambda: _feed_lines(engine, before["id"]), relay, log)
        await _until(lambda: _listening(engine), relay, log)
        after = await a_workspace(client, alice, "Committed while it listens")
        await _until(lambda: _feed_lines(engine, after["id"]), relay, log)
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


async def _listening(engine: AsyncEngine) -> bool:
    listeners = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %catachess_events%'"
    return await count(engine, listeners) == 1


async def _until(
    check: Callable[[], Awaitable[bool]], process: asyncio.subprocess.Process, log: Path
) -> None:
    """Wait for another process's work: poll `check` until it holds, or fail with its log."""
    deadline = time.monotonic() + DEADLINE
    while not await check():
        assert process.returncode is None, f"the relay exited:\n{_text(log)}"
        assert time.monotonic() < deadline, f"the relay did not get there:\n{_text(log)}"
        await asyncio.sleep(0.05)  # polling another process


def _text(log: Path) -> str:
    return log.read_text(errors="replace")
