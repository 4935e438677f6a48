"""CPU-bound request work (PGN parsing and writing) off the event loop, and bounded.

python-chess parses and writes PGN in pure Python: a 5 MB import of long games costs tens
of seconds of CPU. Run on the event loop, that stalls every other request of the process
(`/health` included) for as long. So such work runs in worker threads:

- at most `HEAVY_WORKERS` at a time per process (a capacity limiter), so a burst of
  imports and exports queues instead of taking every core and all the memory;
- at most `HEAVY_PER_USER` heavy requests at a time per user across every process (a
  transaction-level PostgreSQL advisory lock per slot, held until the request's
  transaction ends), so one account cannot fill the workers for everyone; one more
  answers 429 with Retry-After.

Threads share the GIL with the event loop, but CPython hands it over every few
milliseconds (sys.getswitchinterval), so the loop keeps answering; bench/hardening.py
measures `/health` while an import and three exports run.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import get_settings
from catachess.errors import TooManyRequests

T = TypeVar("T")

# Seconds a client is told to wait when all of its heavy slots are taken: imports and
# exports take seconds, not milliseconds.
RETRY_AFTER_SECONDS = 5

_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


class TooManyHeavyRequests(TooManyRequests):
    code = "too_many_heavy_requests"


def limiter() -> anyio.CapacityLimiter:
    """The process's heavy-work limiter (one per event loop: tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        found = _limiters[loop] = anyio.CapacityLimiter(get_settings().heavy_workers)
    return found


async def run(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a worker thread, at most HEAVY_WORKERS at a time."""
    return await anyio.to_thread.run_sync(function, *args, limiter=limiter())


def slot_key(user_id: uuid.UUID | None, slot: int) -> int:
    digest = hashlib.sha256(f"heavy\n{user_id}\n{slot}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim_slot(session: AsyncSession, user_id: uuid.UUID | None) -> None:
    """Take one of the user's HEAVY_PER_USER slots until this transaction ends, or 429.
    Anonymous readers (public and unlisted studies) share one set of slots."""
    slots = get_settings().heavy_per_user
    for slot in range(slots):
        taken = await session.scalar(
            select(func.pg_try_advisory_xact_lock(slot_key(user_id, slot)))
        )
        if taken:
            return
    raise TooManyHeavyRequests(
        f"you already run {slots} imports or exports at once (HEAVY_PER_USER); retry when "
        "one has finished",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        limit="heavy_per_user",
        limit_value=slots,
    )
