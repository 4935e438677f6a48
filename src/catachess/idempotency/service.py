"""Run an operation once per (scope, key): the API layer and non-HTTP callers share this.

The guarantee comes from three PostgreSQL facts, not from timing:
- the result is written in the caller's transaction, so it commits with the effect or
  not at all (a crash between commit and response leaves a record to replay);
- a running operation holds a transaction-level advisory lock on its key, so a second
  one (any process) is refused at once, and the lock vanishes when its holder commits,
  rolls back or dies;
- a failed operation rolls back and leaves nothing, so a retry runs it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.db.base import utcnow
from catachess.idempotency import repository
from catachess.idempotency.errors import IdempotencyKeyReused, RequestInFlight
from catachess.idempotency.keys import MAX_KEY_LENGTH, lock_key, scope_digest
from catachess.idempotency.models import ANONYMOUS

MAX_OPERATION_LENGTH = 300


@dataclass(frozen=True)
class Scope:
    """Whose key it is and for what: keys never cross users or operations."""

    user_id: uuid.UUID | None
    operation: str  # "POST /nodes" for HTTP, a dotted name such as "pgn.import" otherwise

    def __post_init__(self) -> None:
        if not 1 <= len(self.operation) <= MAX_OPERATION_LENGTH:
            raise ValueError(f"operation must have 1-{MAX_OPERATION_LENGTH} characters")

    @property
    def owner(self) -> uuid.UUID:
        return self.user_id or ANONYMOUS

    def digest(self, key: str) -> bytes:
        return scope_digest(self.owner, self.operation, key)


@dataclass(frozen=True)
class StoredResult:
    """What the first run produced, replayed byte for byte."""

    fingerprint: str
    status_code: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    expires_at: datetime | None = None


async def claim(
    session: AsyncSession, scope: Scope, key: str, fingerprint: str, *, ttl_seconds: int
) -> StoredResult | None:
    """Claim `key` for this transaction (None: run the work, then `complete`), or the stored
    result of the finished first run.

    Raises RequestInFlight (409) while another transaction runs the same key, and
    IdempotencyKeyReused (422) when the stored run had another fingerprint.
    """
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValueError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")
    found = await repository.claim(
        session,
        user_id=scope.owner,
        operation=scope.operation,
        key=key,
        fingerprint=fingerprint,
        lock=lock_key(scope.digest(key)),
        ttl_seconds=ttl_seconds,
    )
    return claimed(found, fingerprint)


async def claim_as_caller(
    session: AsyncSession,
    token_digest: str,
    operation: str,
    key: str,
    fingerprint: str,
    *,
    ttl_seconds: int,
) -> tuple[Sequence[Any], repository.Claim] | None:
    """`claim` for the bearer of a token, checked in the same round trip: the caller's
    user row (auth.repository.USER_COLUMNS) and the claim, to be read by `claimed`
    once the caller is known; None when the token is not valid (nothing claimed)."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValueError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")
    return await repository.claim_as_caller(
        session,
        digest=token_digest,
        now=utcnow(),
        operation=operation,
        key=key,
        fingerprint=fingerprint,
        ttl_seconds=ttl_seconds,
    )


def claimed(found: repository.Claim, fingerprint: str) -> StoredResult | None:
    """None: the key is claimed; else the finished first run's result (RequestInFlight
    while another transaction runs it, IdempotencyKeyReused for another request)."""
    if found.claimed:
        return None
    if found.stored is None:
        raise RequestInFlight(
            "another request with this idempotency key is still running; retry shortly"
        )
    stored = found.stored
    result = StoredResult(
        fingerprint=stored.fingerprint,
        status_code=stored.status_code,
        headers=tuple((name, value) for name, value in stored.headers),
        body=stored.body,
        expires_at=stored.expires_at,
    )
    ensure_same_request(result, fingerprint)
    return result


def ensure_same_request(stored: StoredResult, fingerprint: str) -> None:
    """422 when a key comes back with a different request than the one it first ran."""
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "this idempotency key was used for a different request (method, path or body); "
            "use a new key for a new request"
        )


async def complete(
    session: AsyncSession, scope: Scope, key: str, result: StoredResult
) -> StoredResult:
    """Store the result of a claimed key in the caller's transaction; it becomes visible
    with the effect."""
    expires_at = await repository.store_result(
        session,
        user_id=scope.owner,
        operation=scope.operation,
        key=key,
        status_code=result.status_code,
        headers=[list(header) for header in result.headers],
        body=result.body,
    )
    if expires_at is None:
        raise RuntimeError(f"idempotency key {key!r} was not claimed in this transaction")
    return StoredResult(
        result.fingerprint, result.status_code, result.headers, result.body, expires_at
    )


@dataclass(frozen=True)
class Outcome:
    value: Any
    replayed: bool


async def run_once(
    session: AsyncSession,
    scope: Scope,
    key: str,
    fingerprint: str,
    work: Callable[[], Awaitable[Any]],
    *,
    ttl_seconds: int,
) -> Outcome:
    """Run `work` once for this key in the caller's transaction; later calls get its result.

    For non-HTTP callers (CLI import, jobs). `work` returns a JSON-serialisable value,
    which is stored; the caller commits, and an exception from `work` must roll back.
    """
    stored = await claim(session, scope, key, fingerprint, ttl_seconds=ttl_seconds)
    if stored is not None:
        return Outcome(orjson.loads(stored.body), replayed=True)
    body = orjson.dumps(await work())
    await complete(session, scope, key, StoredResult(fingerprint, None, (), body))
    # Decoded from the stored bytes, so a first run and its replays return equal values.
    return Outcome(orjson.loads(body), replayed=False)
