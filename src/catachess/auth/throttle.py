"""Login rate limits per account and per client address, shared by every process.

Each login attempt takes a ticket from two fixed-window counters, one for the e-mail
and one for the client address, *before* the password is verified: under a flood of
concurrent attempts the counters still stop everything past the limit, and the Argon2
work they would cost is never spent. A successful login clears its account's counter;
the address counter runs out its window (a club behind one NAT gets a larger limit).

State lives in PostgreSQL (`login_attempts`, one row per key, updated with one upsert in a
transaction of its own, so a failed login still counts), or in Redis when REDIS_URL is set
(INCR + EXPIRE); a Redis failure falls back to PostgreSQL.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.auth.models import LoginAttempt
from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.errors import TooManyRequests

log = logging.getLogger(__name__)

REDIS_PREFIX = "catachess:login:v1:"


class LoginThrottled(TooManyRequests):
    code = "login_throttled"


@dataclass(frozen=True)
class Ticket:
    key: str
    attempts: int  # in the current window, this one included
    retry_after: int  # seconds until the window ends


def account_key(email: str) -> str:
    # Hashed: the table and Redis need not hold the e-mail addresses people typed.
    return "account:" + hashlib.sha256(email.lower().encode()).hexdigest()


def address_key(address: str) -> str:
    return f"address:{address}"


_TAKE = text("""
    INSERT INTO login_attempts AS a (key, window_started_at, attempts)
    SELECT k, now(), 1 FROM unnest(CAST(:keys AS varchar[])) AS k
    ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN a.window_started_at <= now() - make_interval(secs => :window)
                        THEN 1 ELSE a.attempts + 1 END,
        window_started_at = CASE WHEN a.window_started_at <= now() - make_interval(secs => :window)
                                 THEN now() ELSE a.window_started_at END
    RETURNING key, attempts,
        CEIL(EXTRACT(EPOCH FROM a.window_started_at + make_interval(secs => :window) - now()))
""")


class Throttle:
    """Fixed-window counters in PostgreSQL, or in Redis when one is configured."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], redis: Redis | None = None
    ) -> None:
        self.sessions = sessions
        self.redis = redis

    async def take(self, keys: list[str], window: int) -> list[Ticket]:
        if self.redis is not None:
            try:
                return await self._take_redis(keys, window)
            except RedisError as error:
                log.warning("login throttle: Redis failed (%s); using PostgreSQL", error)
        async with self.sessions() as session, session.begin():
            rows = await session.execute(_TAKE, {"keys": keys, "window": window})
            found = {key: Ticket(key, attempts, max(1, int(left))) for key, attempts, left in rows}
        return [found[key] for key in keys]

    async def _take_redis(self, keys: list[str], window: int) -> list[Ticket]:
        assert self.redis is not None
        async with self.redis.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.incr(REDIS_PREFIX + key)
                pipe.expire(REDIS_PREFIX + key, window, nx=True)
                pipe.ttl(REDIS_PREFIX + key)
            results = await pipe.execute()
        return [
            Ticket(key, int(results[3 * i]), max(1, int(results[3 * i + 2])))
            for i, key in enumerate(keys)
        ]

    async def clear(self, key: str) -> None:
        if self.redis is not None:
            try:
                await self.redis.delete(REDIS_PREFIX + key)
                return
            except RedisError as error:
                log.warning("login throttle: Redis failed (%s); using PostgreSQL", error)
        async with self.sessions() as session, session.begin():
            await session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


async def admit_login(throttle: Throttle, settings: Settings, email: str, address: str) -> str:
    """Count this attempt; 429 with Retry-After when the account or the address is over
    its limit. Returns the account key (cleared after a successful login)."""
    account, by_address = account_key(email), address_key(address)
    tickets = await throttle.take([account, by_address], settings.login_window)
    limits = {account: settings.login_max_per_account, by_address: settings.login_max_per_address}
    over = [ticket for ticket in tickets if ticket.attempts > limits[ticket.key]]
    if over:
        wait = max(ticket.retry_after for ticket in over)
        what = "this account" if any(t.key == account for t in over) else "your address"
        raise LoginThrottled(
            f"too many login attempts for {what}; retry in {wait} s",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )
    return account


async def count_stale(session: AsyncSession, window: int) -> int:
    cutoff = utcnow() - timedelta(seconds=window)
    count = await session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.window_started_at < cutoff)
    )
    return count or 0


async def delete_stale(session: AsyncSession, window: int, limit: int) -> int:
    """Delete up to `limit` counters whose window ended (maintenance)."""
    cutoff = utcnow() - timedelta(seconds=window)
    stale = (
        select(LoginAttempt.key)
        .where(LoginAttempt.window_started_at < cutoff)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    deleted = await session.scalars(
        delete(LoginAttempt).where(LoginAttempt.key.in_(stale)).returning(LoginAttempt.key)
    )
    return len(deleted.all())
