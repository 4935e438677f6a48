"""The optional Redis fast path: completed results cached after commit.

PostgreSQL stays the source of truth (the record commits with the effect); Redis only
answers replays without a database round trip. Entries are written after commit and
expire with their record, so Redis never knows a result PostgreSQL does not (a clock
skew between this host and the database only moves that expiry by the skew). Any Redis
failure is counted and logged, and the request carries on against PostgreSQL; after a
failure Redis is left alone for a few seconds so an outage does not add a timeout to
every request.

There is deliberately no Redis in-flight lock: the PostgreSQL advisory lock is needed
anyway for correctness (Redis may lose a lock on failover), costs the same one round
trip, and is released the instant its holder dies, whereas a Redis lock would outlive
a crashed process until its timeout and answer the client's retries with 409.
"""

from __future__ import annotations

import base64
import logging
import time
from datetime import UTC, datetime

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from catachess.idempotency import metrics
from catachess.idempotency.service import Scope, StoredResult

log = logging.getLogger(__name__)

PREFIX = "catachess:idempotency:v1:"
# Redis answers in well under a millisecond; a slower answer means trouble.
TIMEOUT_SECONDS = 0.25
# After a failure, requests skip Redis this long instead of each waiting for a timeout.
PAUSE_AFTER_FAILURE_SECONDS = 5.0


class ReplayCache:
    def __init__(self, client: Redis) -> None:
        self.client = client
        self._paused_until = 0.0

    @classmethod
    def from_url(cls, url: str) -> ReplayCache:
        return cls(
            Redis.from_url(
                url,
                socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),
            )
        )

    async def get(self, scope: Scope, key: str) -> StoredResult | None:
        """The cached result of this key, or None (absent, or Redis unavailable)."""
        if self._paused():
            return None
        try:
            raw = await self.client.get(_name(scope, key))
        except (RedisError, OSError) as error:
            self._failed(error)
            return None
        if raw is None:
            return None
        metrics.CACHE_HITS.inc()
        return _decode(raw)

    async def put(self, scope: Scope, key: str, result: StoredResult) -> None:
        """Cache a committed result until its record expires."""
        if self._paused() or result.expires_at is None:
            return
        ttl_ms = int((result.expires_at - datetime.now(UTC)).total_seconds() * 1000)
        if ttl_ms <= 0:
            return
        try:
            await self.client.set(_name(scope, key), _encode(result), px=ttl_ms)
        except (RedisError, OSError) as error:
            self._failed(error)

    async def close(self) -> None:
        await self.client.aclose()

    def _paused(self) -> bool:
        return time.monotonic() < self._paused_until

    def _failed(self, error: Exception) -> None:
        metrics.CACHE_ERRORS.inc()
        self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
        log.warning("idempotency cache unavailable, using PostgreSQL only: %s", error)


def _name(scope: Scope, key: str) -> str:
    # Hashed: a fixed-length name whatever characters the client's key holds.
    return PREFIX + scope.digest(key).hex()


def _encode(result: StoredResult) -> bytes:
    assert result.expires_at is not None
    return orjson.dumps(
        {
            "fingerprint": result.fingerprint,
            "status_code": result.status_code,
            "headers": result.headers,
            "body": base64.b64encode(result.body).decode(),
            "expires_at": result.expires_at.isoformat(),
        }
    )


def _decode(raw: bytes | str) -> StoredResult:
    data = orjson.loads(raw)
    return StoredResult(
        fingerprint=data["fingerprint"],
        status_code=data["status_code"],
        headers=tuple((name, value) for name, value in data["headers"]),
        body=base64.b64decode(data["body"]),
        expires_at=datetime.fromisoformat(data["expires_at"]),
    )
