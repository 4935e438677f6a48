"""Argon2id password hashing: off the event loop, bounded, and the same cost for everyone.

Argon2 is deliberately slow and memory-hard (ARGON2_MEMORY_KIB per hash, 64 MiB by
default): a flood of logins run all at once would take every core and gigabytes of RAM.
At most ARGON2_MAX_CONCURRENT hashes run at a time per process; up to ARGON2_MAX_WAITING
more wait their turn, and beyond that the request is refused at once with 503 and
Retry-After (the memory stays bounded, and a client retries later).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from catachess.config import get_settings
from catachess.errors import ServiceUnavailable

T = TypeVar("T")


class HashingBusy(ServiceUnavailable):
    code = "password_hashing_busy"


_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


@lru_cache
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1)


def _current() -> PasswordHasher:
    settings = get_settings()
    return _hasher(settings.argon2_memory_kib, settings.argon2_time_cost)


@lru_cache
def _dummy_hash(memory_kib: int, time_cost: int) -> str:
    return _hasher(memory_kib, time_cost).hash("not-a-password")


def dummy_hash() -> str:
    """Verified against when the e-mail is unknown. Made with the configured parameters,
    so an unknown e-mail costs what a wrong password costs and timing reveals nothing."""
    settings = get_settings()
    return _dummy_hash(settings.argon2_memory_kib, settings.argon2_time_cost)


def limiter() -> anyio.CapacityLimiter:
    """The process's hashing limiter (one per event loop: tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = _limiters.get(loop)
    if found is None:
        found = _limiters[loop] = anyio.CapacityLimiter(get_settings().argon2_max_concurrent)
    return found


async def _bounded(function: Callable[..., T], *args: object) -> T:
    slots = limiter()
    if slots.available_tokens == 0 and (
        slots.statistics().tasks_waiting >= get_settings().argon2_max_waiting
    ):
        raise HashingBusy(
            "too many password checks are in progress; retry in a moment",
            headers={"Retry-After": "1"},
        )
    return await anyio.to_thread.run_sync(function, *args, limiter=slots)


async def hash_password(password: str) -> str:
    return await _bounded(_current().hash, password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        # No account: the same work against a hash of the same cost, and always False.
        return _current().verify(password_hash or dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; None (unknown account) costs the same and is False."""
    return await _bounded(_verify, password_hash, password)
