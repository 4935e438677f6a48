"""Every SQL statement of idempotency."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    DateTime,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from catachess.auth.repository import CALLER_BY_TOKEN, USER_COLUMNS
from catachess.db.raw import Prebuilt
from catachess.idempotency.models import IdempotencyRecord

records = cast(Table, IdempotencyRecord.__table__)


@dataclass(frozen=True)
class StoredRow:
    fingerprint: str
    status_code: int | None
    headers: list[list[str]]
    body: bytes
    expires_at: datetime


# The hot-path statements are prebuilt text, compiled once and sent to asyncpg directly
# (db.raw): building and cache-keying an equivalent Core construct, and SQLAlchemy's work
# around each execution, cost more CPU per request than the round trip itself
# (bench/idempotency.py, docs/performance.md). Their writes need no note to the commit
# guard (events.guard): idempotency_records is event-exempt bookkeeping.
_RESULT_TYPES: dict[str, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    "fingerprint": String,
    "status_code": SmallInteger,
    "headers": JSONB,
    "body": LargeBinary,
    "expires_at": DateTime(timezone=True),
}


# One round trip decides a keyed request:
# - a completed live record visible to this statement's snapshot is returned (replay or
#   422), and then no lock is asked for, so replays never queue behind each other;
# - otherwise the key's advisory lock is tried (not granted: another transaction runs
#   the key: 409); the lock lasts until this transaction ends or its connection dies;
# - with the lock, a placeholder row (completed = false) is inserted; it stays invisible
#   to everyone else until it commits together with the result. ON CONFLICT sees rows
#   committed after the snapshot: an expired or uncompleted record is taken over, a live
#   one (committed by the previous holder between our snapshot and our lock) is left
#   alone and `claimed` comes back NULL, and the caller reads it with a fresh snapshot.
# CASE, not AND, fixes the order: the planner may reorder AND-ed conditions.
# `owner` and `lock` are SQL: the owner's id and the lock's key (keys.lock_key of it);
# `caller`, when given, is a statement whose one row (or none) is the key's owner.
def _claim_sql(owner: str, lock: str, caller: str | None = None) -> str:
    unknown = "NOT EXISTS (SELECT FROM caller) OR " if caller else ""
    return f"""
    WITH {f"caller AS ({caller}), " if caller else ""}live AS (
        SELECT fingerprint, status_code, headers, body, expires_at
        FROM idempotency_records
        WHERE user_id = {owner} AND operation = :operation AND key = :key
            AND completed AND expires_at > now()
    ), lock AS (
        SELECT CASE WHEN {unknown}EXISTS (SELECT FROM live) THEN NULL
                    ELSE pg_try_advisory_xact_lock({lock}) END AS locked
    ), claim AS (
        INSERT INTO idempotency_records AS r
            (user_id, operation, key, fingerprint, completed, status_code, headers, body,
             created_at, expires_at)
        SELECT {owner}, CAST(:operation AS varchar), CAST(:key AS varchar),
               CAST(:fingerprint AS varchar), false, NULL, '[]', '',
               now(), now() + make_interval(secs => :ttl_seconds)
        FROM lock WHERE locked
        ON CONFLICT (user_id, operation, key) DO UPDATE SET
            fingerprint = excluded.fingerprint, completed = false, status_code = NULL,
            headers = '[]', body = '', created_at = excluded.created_at,
            expires_at = excluded.expires_at
        WHERE r.expires_at <= now() OR NOT r.completed
        RETURNING true AS claimed
    )
    SELECT {"caller.*, " if caller else ""}live.*, lock.locked, claim.claimed
    FROM lock {"LEFT JOIN caller ON true " if caller else ""}LEFT JOIN live ON true
        LEFT JOIN claim ON true
"""


_CLAIM_PARAMETERS = ("operation", "key", "fingerprint", "ttl_seconds")
_CLAIM = Prebuilt(
    text(_claim_sql("CAST(:user_id AS uuid)", ":lock")).columns(
        **_RESULT_TYPES, locked=Boolean, claimed=Boolean
    ),
    "user_id",
    "lock",
    *_CLAIM_PARAMETERS,
)
# The same claim for the bearer of a token (auth.repository.CALLER_BY_TOKEN, the caller's
# user row first; none for an unknown token, and then nothing is locked or claimed): a
# keyed write authenticates and claims in one round trip. The lock's key is
# keys.lock_key(keys.scope_digest(...)) computed by PostgreSQL (sha256, first 8 bytes).
_CALLER_ID = "(SELECT id FROM caller)"
_CALLER_LOCK = (
    "('x' || left(encode(sha256(convert_to(CAST(" + _CALLER_ID + " AS text) || E'\\n' || "
    "CAST(:operation AS varchar) || E'\\n' || CAST(:key AS varchar), 'UTF8')), 'hex'), 16))"
    "::bit(64)::bigint"
)
_CALLER_COLUMNS = tuple(column.key for column in USER_COLUMNS)
_CLAIM_AS_CALLER = Prebuilt(
    text(_claim_sql(_CALLER_ID, _CALLER_LOCK, str(CALLER_BY_TOKEN.compile()))).columns(
        *USER_COLUMNS, **_RESULT_TYPES, locked=Boolean, claimed=Boolean
    ),
    "digest",
    "now",
    *_CLAIM_PARAMETERS,
)
_KEY = ("user_id", "operation", "key")

_GET_LIVE = Prebuilt(
    text("""
    SELECT fingerprint, status_code, headers, body, expires_at
    FROM idempotency_records
    WHERE user_id = :user_id AND operation = :operation AND key = :key
        AND completed AND expires_at > now()
""").columns(**_RESULT_TYPES),
    *_KEY,
)

# Only unindexed columns change, so PostgreSQL can update the placeholder in place (HOT).
_STORE_RESULT = Prebuilt(
    text("""
    UPDATE idempotency_records
    SET completed = true, status_code = :status_code, headers = :headers, body = :body
    WHERE user_id = :user_id AND operation = :operation AND key = :key AND NOT completed
    RETURNING expires_at
""")
    .bindparams(bindparam("headers", type_=JSONB), bindparam("body", type_=LargeBinary))
    .columns(expires_at=DateTime(timezone=True)),
    *_KEY,
    "status_code",
    "headers",
    "body",
)


def _row(row: Sequence[Any]) -> StoredRow:
    """The first five columns: fingerprint, status_code, headers, body, expires_at."""
    return StoredRow(row[0], row[1], row[2], row[3], row[4])


@dataclass(frozen=True)
class Claim:
    stored: StoredRow | None  # a live record: replay it (or 422)
    claimed: bool  # True: the key is ours, run the operation and store its result


async def claim(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    operation: str,
    key: str,
    fingerprint: str,
    lock: int,
    ttl_seconds: int,
) -> Claim:
    """The live record of the key, or the key claimed for this transaction, or neither
    (another transaction holds it). One round trip in the common cases.
    """
    found = await _CLAIM.fetchrow(
        session,
        user_id=user_id,
        operation=operation,
        key=key,
        fingerprint=fingerprint,
        lock=lock,
        ttl_seconds=ttl_seconds,
    )
    assert found is not None  # the statement always returns its one row
    return await _claimed(session, user_id, operation, key, found)


async def claim_as_caller(
    session: AsyncSession,
    *,
    digest: str,
    now: datetime,
    operation: str,
    key: str,
    fingerprint: str,
    ttl_seconds: int,
) -> tuple[Sequence[Any], Claim] | None:
    """`claim` for the bearer of the token whose digest is given, in the same round trip
    as the token's check: the caller's user row (auth.repository.USER_COLUMNS) and the
    claim, or None for an unknown, expired or disabled token (nothing claimed)."""
    found = await _CLAIM_AS_CALLER.fetchrow(
        session,
        digest=digest,
        now=now,
        operation=operation,
        key=key,
        fingerprint=fingerprint,
        ttl_seconds=ttl_seconds,
    )
    assert found is not None  # the statement always returns its one row
    caller = found[: len(_CALLER_COLUMNS)]
    if caller[0] is None:
        return None
    claim = await _claimed(session, caller[0], operation, key, found[len(caller) :])
    return caller, claim


async def _claimed(
    session: AsyncSession, user_id: uuid.UUID, operation: str, key: str, found: Sequence[Any]
) -> Claim:
    """The Claim of a claim statement's row (the columns after the caller's, if any)."""
    fingerprint_found, locked, claimed = found[0], found[5], found[6]
    if fingerprint_found is not None:
        return Claim(_row(found), claimed=False)
    if locked and not claimed:
        # The previous holder committed between our snapshot and our lock: read it now.
        live = await _GET_LIVE.fetchrow(session, user_id=user_id, operation=operation, key=key)
        return Claim(_row(live) if live is not None else None, claimed=False)
    return Claim(None, claimed=bool(claimed))


async def store_result(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    operation: str,
    key: str,
    status_code: int | None,
    headers: list[list[str]],
    body: bytes,
) -> datetime | None:
    """Fill the claimed placeholder with the result; its expiry (None: no claim found)."""
    row = await _STORE_RESULT.fetchrow(
        session,
        user_id=user_id,
        operation=operation,
        key=key,
        status_code=status_code,
        headers=headers,
        body=body,
    )
    if row is None:
        return None
    expires_at: datetime = row[0]
    return expires_at


async def delete_expired(session: AsyncSession, limit: int) -> int:
    """Delete up to `limit` expired records, skipping any a running transaction has locked."""
    expired = (
        select(records.c.user_id, records.c.operation, records.c.key)
        .where(records.c.expires_at <= func.now())
        .order_by(records.c.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        delete(records)
        .where(tuple_(records.c.user_id, records.c.operation, records.c.key).in_(expired))
        .returning(records.c.key)
    )
    return len(result.all())


async def count(session: AsyncSession) -> int:
    total: int = await session.scalar(select(func.count()).select_from(records)) or 0
    return total
