"""Queries of the outbox: claiming due deliveries, marking them, dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Integer,
    Row,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catachess.db.base import utcnow
from catachess.events.models import Event, EventDelivery

PENDING = EventDelivery.delivered_at.is_(None) & EventDelivery.dead_at.is_(None)


@dataclass(frozen=True)
class Claim:
    """A delivery claimed by one relay for one attempt; (id, attempt) identifies the claim."""

    delivery_id: int
    attempt: int


async def claim_due(
    session: AsyncSession, subscribers: list[str], *, limit: int, lease: timedelta
) -> list[Claim]:
    """Claim up to `limit` due deliveries of these subscribers for one attempt each.

    SKIP LOCKED lets several relays claim side by side without waiting on each other. The
    claim counts the attempt and pushes next_attempt_at one lease ahead before any handler
    runs, so a process that dies mid-delivery leaves a row that is due again after the
    lease (and a handler that kills its process every time still reaches the dead letters).
    """
    due = (
        select(EventDelivery.id)
        .where(
            PENDING,
            EventDelivery.next_attempt_at <= func.now(),
            EventDelivery.subscriber.in_(subscribers),
        )
        .order_by(EventDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    rows = await session.execute(
        update(EventDelivery)
        .where(EventDelivery.id.in_(due))
        .values(attempts=EventDelivery.attempts + 1, next_attempt_at=func.now() + lease)
        .returning(EventDelivery.id, EventDelivery.attempts)
    )
    return [Claim(delivery_id, attempt) for delivery_id, attempt in rows]


# The claims of a batch as two arrays: one statement whatever the batch's size, prepared
# once per connection (an IN list is a new statement, compiled and planned again, for
# every size: two of each batch's exchanges were a PREPARE under load).
_CLAIMED = (
    func.unnest(
        cast(bindparam("delivery_ids"), ARRAY(BigInteger)),
        cast(bindparam("attempts"), ARRAY(Integer)),
    )
    .table_valued("id", "attempt")
    .render_derived(name="claimed")
)
# Each claim's row, looked up by primary key and locked. Statistics lag behind a backlog
# (it builds up between two ANALYZEs, while they still describe a quiet outbox of a few
# pending rows), and with them a plain join of the claims hashed every pending row for
# every batch: working off a backlog took quadratic time. So each claim is a LATERAL
# lookup (its LIMIT keeps it from being pulled up into a join the planner may turn
# around, as in sharing.repository.one_by_one), and whether the row is still pending is
# asked after it: in the lookup, that condition would let the planner scan the index of
# pending rows instead of the key.
_CLAIMED_ROW = aliased(
    EventDelivery,
    select(EventDelivery)
    .where(EventDelivery.id == _CLAIMED.c.id, EventDelivery.attempts == _CLAIMED.c.attempt)
    .limit(1)
    .with_for_update()
    .subquery()
    .lateral("claimed_row"),
)
_LOCK_CLAIMED = (
    select(_CLAIMED_ROW, Event)
    .select_from(_CLAIMED)
    .join(_CLAIMED_ROW, true())
    .join(Event, Event.event_id == _CLAIMED_ROW.event_id)
    .where(_CLAIMED_ROW.delivered_at.is_(None), _CLAIMED_ROW.dead_at.is_(None))
    .order_by(Event.seq, _CLAIMED_ROW.id)
)
_MARK_DELIVERED = (
    update(EventDelivery)
    .where(EventDelivery.id == any_(bindparam("delivery_ids", type_=ARRAY(BigInteger))))
    .values(delivered_at=bindparam("delivered_at"))
    .execution_options(synchronize_session=False)
)


async def lock_claimed(
    session: AsyncSession, claims: list[Claim]
) -> Sequence[Row[EventDelivery, Event]]:
    """Lock the claimed deliveries that are still ours, with their events, in log order.

    A plain FOR UPDATE, not SKIP LOCKED: another relay's claim statement may hold a lock
    on one of these rows for a moment (it locks a due-looking row, then finds it leased),
    and skipping it would strand the row until its lease ends. Waiting is short and cannot
    deadlock, since every relay locks in the same order (by id). A claim whose lease ran
    out and that another relay re-claimed has a higher attempt number and is left out.
    """
    ordered = sorted(claims, key=lambda claim: claim.delivery_id)
    parameters = {
        "delivery_ids": [claim.delivery_id for claim in ordered],
        "attempts": [claim.attempt for claim in ordered],
    }
    return (await session.execute(_LOCK_CLAIMED, parameters)).all()


def mark_delivered(delivery: EventDelivery) -> None:
    delivery.delivered_at = utcnow()


async def mark_all_delivered(session: AsyncSession, delivery_ids: list[int]) -> None:
    """Mark these deliveries delivered, in one statement (a batch that ran without a
    failure); the loaded instances are not updated (the batch's session ends here)."""
    if delivery_ids:
        parameters = {"delivery_ids": delivery_ids, "delivered_at": utcnow()}
        await session.execute(_MARK_DELIVERED, parameters)


def mark_failed(
    delivery: EventDelivery, error: str, *, max_attempts: int, retry_in: timedelta
) -> None:
    """Count a failed attempt: retry after `retry_in`, or dead-letter after the last one."""
    delivery.last_error = error[:4000]
    if delivery.attempts >= max_attempts:
        delivery.dead_at = utcnow()
    else:
        delivery.next_attempt_at = utcnow() + retry_in


async def list_dead(session: AsyncSession, *, limit: int) -> Sequence[Row[EventDelivery, Event]]:
    """Dead letters, newest first, with their events."""
    return (
        await session.execute(
            select(EventDelivery, Event)
            .join(Event, Event.event_id == EventDelivery.event_id)
            .where(EventDelivery.dead_at.is_not(None))
            .order_by(EventDelivery.dead_at.desc(), EventDelivery.id.desc())
            .limit(limit)
        )
    ).all()


async def retry_dead(session: AsyncSession, delivery_ids: list[int] | None) -> list[int]:
    """Put dead letters (all, or the given ids) back in line with a fresh attempt budget."""
    query = update(EventDelivery).where(EventDelivery.dead_at.is_not(None))
    if delivery_ids is not None:
        query = query.where(EventDelivery.id.in_(delivery_ids))
    rows = await session.execute(
        query.values(dead_at=None, attempts=0, next_attempt_at=func.now()).returning(
            EventDelivery.id
        )
    )
    return sorted(rows.scalars())


async def delete_delivered_before(session: AsyncSession, cutoff: datetime, *, limit: int) -> int:
    """Forget up to `limit` deliveries completed before `cutoff` (the events stay)."""
    old = (
        select(EventDelivery.id)
        .where(EventDelivery.delivered_at < cutoff)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(delete(EventDelivery).where(EventDelivery.id.in_(old)))
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_at: datetime | None
    dead: int


async def outbox_stats(session: AsyncSession) -> OutboxStats:
    """Backlog figures for operators (metrics, CLI): both counts use partial indexes."""
    pending, oldest = (
        await session.execute(
            select(func.count(), func.min(EventDelivery.created_at)).where(PENDING)
        )
    ).one()
    dead = await session.scalar(select(func.count()).where(EventDelivery.dead_at.is_not(None)))
    return OutboxStats(pending=int(pending), oldest_pending_at=oldest, dead=int(dead or 0))
