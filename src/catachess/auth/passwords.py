"""Argon2id password hashing, off the event loop (it is deliberately slow)."""

from __future__ import annotations

from functools import lru_cache

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from catachess.config import get_settings


@lru_cache
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(memory_cost=memory_kib, time_cost=time_cost, parallelism=1)


def _current() -> PasswordHasher:
    settings = get_settings()
    return _hasher(settings.argon2_memory_kib, settings.argon2_time_cost)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_current().hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _current().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(verify)


# Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
DUMMY_HASH = PasswordHasher(memory_cost=1024, time_cost=1, parallelism=1).hash("not-a-password")
