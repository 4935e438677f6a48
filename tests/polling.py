"""Waiting for work done elsewhere: another process, or a task beside the test."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

WAIT_SECONDS = 30.0


async def eventually(
    condition: Callable[[], Awaitable[bool]], what: str, *, seconds: float = WAIT_SECONDS
) -> None:
    """Poll another process's progress (no fixed sleeps: returns as soon as it holds)."""
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.05)
