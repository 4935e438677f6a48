"""CPU-bound request work (PGN parsing and writing) off the event loop, and bounded.

python-chess parses and writes PGN in pure Python: a 5 MB import of long games costs tens
of seconds of CPU. Run on the event loop, that stalls every other request of the process
(`/health` included) for as long; run in a thread, it still holds the GIL the loop needs,
and `/health` waited hundreds of milliseconds at a time. So such work runs in a pool of
worker *processes* (`run`):

- at most `HEAVY_WORKERS` processes, and as many jobs at a time per event loop (a
  capacity limiter), so a burst of imports and exports queues instead of taking every
  core and all the memory;
- the pool starts on first use with the "forkserver" method (never a fork of this
  process, which runs an event loop and threads), and its workers import only the
  functions they run (`catachess.heavy_tasks`: python-chess, orjson, no app, no
  database); `shutdown` stops it (the app's lifespan, tests);
- what crosses to a worker and back is cheap to pickle: PGN text in, trees out as JSON
  text and index rows as COPY data, never millions of small objects (unpickling those
  would hold the GIL as long as the work itself);
- at most `HEAVY_PER_USER` heavy requests at a time per user across every process (a
  transaction-level PostgreSQL advisory lock per slot, held until the request's
  transaction ends), so one account cannot fill the workers for everyone; one more
  answers 429 with Retry-After.

`run_thread` is for work that cannot cross processes and releases the GIL (zlib).
bench/hardening.py measures `/health` while an import and three exports run.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import sys
import threading
import types
import uuid
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess import heavy_tasks
from catachess.config import get_settings
from catachess.errors import TooManyRequests

T = TypeVar("T")

# Seconds a client is told to wait when all of its heavy slots are taken: imports and
# exports take seconds, not milliseconds.
RETRY_AFTER_SECONDS = 5

_Limiters = weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter]
_limiters: _Limiters = weakref.WeakKeyDictionary()
_thread_limiters: _Limiters = weakref.WeakKeyDictionary()


class TooManyHeavyRequests(TooManyRequests):
    code = "too_many_heavy_requests"


def limiter(limiters: _Limiters = _limiters) -> anyio.CapacityLimiter:
    """The process's heavy-work limiter (one per event loop: tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = limiters.get(loop)
    if found is None:
        found = limiters[loop] = anyio.CapacityLimiter(get_settings().heavy_workers)
    return found


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_submitting = threading.Lock()
# Imported by the fork server once, so each worker starts with them loaded.
WORKER_MODULES = ["catachess.heavy_tasks"]


def pool() -> ProcessPoolExecutor:
    """The process's worker pool, started on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(WORKER_MODULES)
            _pool = ProcessPoolExecutor(
                get_settings().heavy_workers,
                mp_context=context,
                initializer=heavy_tasks.exit_with,
                initargs=(os.getpid(),),
            )
        return _pool


def shutdown() -> None:
    """Stop the pool (waiting for running jobs); the next `run` starts a new one."""
    global _pool
    with _pool_lock:
        stopping, _pool = _pool, None
    if stopping is not None:
        stopping.shutdown(wait=True)


@contextmanager
def _bare_main() -> Iterator[None]:
    """A new worker re-imports the parent's __main__ script (multiprocessing's "spawn"
    preparation): for `catachess serve` that is the command line, which imports the
    whole app. Workers start inside `submit`, so hide the script for that call (made
    in one thread at a time: `_submitting`)."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


async def run(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a worker process, at most HEAVY_WORKERS at a time.

    `function` must be importable by name from a module that does not import the app
    (catachess.heavy_tasks), and its arguments and result cheap to pickle."""
    async with limiter():
        # Submitting may start a worker (the first time, the fork server too) and wait
        # for it: in a thread, not on the event loop.
        future = await asyncio.to_thread(_submit, function, *args)
        return await asyncio.wrap_future(future)


def _submit(function: Callable[..., T], *args: object) -> Future[T]:
    with _submitting, _bare_main():
        return pool().submit(function, *args)


async def run_thread(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` in a worker thread, at most HEAVY_WORKERS at a time: for work
    that cannot be sent to another process and spends its time with the GIL released
    (zlib). Bounded apart from `run`: an import compresses the history of the games it
    stores while its next games are parsed, and must not wait for its own parse jobs."""
    return await anyio.to_thread.run_sync(
        partial(function, *args), limiter=limiter(_thread_limiters)
    )


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
