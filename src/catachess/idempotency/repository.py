"""Every SQL statement of idempotency (Core, not ORM: they sit on every keyed request)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.idempotency.models import IdempotencyRecord

records = cast(Table, IdempotencyRecord.__table__)


@dataclass(frozen=True)
class StoredRow:
    fingerprint: str
    status_code: int | None
    headers: list[list[str]]
    body: bytes
    expires_at: datetime


def _is(user_id: uuid.UUID, operation: str, key: str) -> ColumnElement[bool]:
    return and_(
        records.c.user_id == user_id,
        records.c.operation == operation,
        records.c.key == key,
        records.c.expires_at > func.now(),
    )


_RESULT_COLUMNS = (
    records.c.fingerprint,
    records.c.status_code,
    records.c.headers,
    records.c.body,
    records.c.expires_at,
)


def _row(values: tuple[object, ...]) -> StoredRow:
    fingerprint, status_code, headers, body, expires_at = values
    return StoredRow(fingerprint, status_code, headers, body, expires_at)  # type: ignore[arg-type]


async def get_live_or_try_lock(
    session: AsyncSession, user_id: uuid.UUID, operation: str, key: str, lock: int
) -> tuple[StoredRow | None, bool]:
    """The live record if there is one; otherwise try the key's transaction lock.

    One round trip. The lock is only asked for when no record is visible, so replays
    never queue behind each other; it is held until the transaction ends (or its
    connection dies), which is what makes a dead request's key reclaimable at once.
    """
    one = select(literal(1).label("one")).subquery()
    statement = select(
        *_RESULT_COLUMNS,
        case(
            (records.c.key.is_(None), func.pg_try_advisory_xact_lock(bindparam("lock"))),
            else_=False,
        ).label("locked"),
    ).select_from(one.outerjoin(records, _is(user_id, operation, key)))
    found = (await session.execute(statement, {"lock": lock})).one()
    if found.fingerprint is not None:
        return _row(tuple(found)[:5]), False
    return None, bool(found.locked)


async def get_live(
    session: AsyncSession, user_id: uuid.UUID, operation: str, key: str
) -> StoredRow | None:
    found = (
        await session.execute(select(*_RESULT_COLUMNS).where(_is(user_id, operation, key)))
    ).first()
    return _row(tuple(found)) if found is not None else None


async def insert_result(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    operation: str,
    key: str,
    fingerprint: str,
    status_code: int | None,
    headers: list[list[str]],
    body: bytes,
    ttl_seconds: int,
) -> datetime | None:
    """Insert the result, or overwrite an expired record of the same key; its expiry.

    None means a live record exists, which the caller's lock and re-check rule out.
    """
    now = func.now()
    statement = insert(records).values(
        user_id=user_id,
        operation=operation,
        key=key,
        fingerprint=fingerprint,
        status_code=status_code,
        headers=headers,
        body=body,
        created_at=now,
        expires_at=now + func.make_interval(0, 0, 0, 0, 0, 0, ttl_seconds),
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[records.c.user_id, records.c.operation, records.c.key],
        set_={
            name: statement.excluded[name]
            for name in (
                "fingerprint",
                "status_code",
                "headers",
                "body",
                "created_at",
                "expires_at",
            )
        },
        where=records.c.expires_at <= now,
    ).returning(records.c.expires_at)
    expires_at: datetime | None = await session.scalar(upsert)
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
