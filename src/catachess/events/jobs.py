"""Maintenance jobs of the event machinery: redelivery and forgetting old deliveries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.events import deliveries, relay
from catachess.maintenance.registry import job


@job("event-redelivery", batch_size=100)
async def redeliver(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Deliver due outbox rows: new, failed and waiting for retry, or left by a dead process."""
    # Delivery needs transactions of its own (claim, then handle with the mark), so this
    # job runs one relay batch on the runner's engine instead of in the runner's session.
    sessions = async_sessionmaker(session.bind, expire_on_commit=False, autoflush=False)
    claimed = await relay.deliver_batch(
        sessions, settings.model_copy(update={"event_relay_batch": batch_size})
    )
    return claimed


@job("event-delivery-retention", batch_size=1000)
async def forget_old_deliveries(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete delivery rows completed more than EVENT_DELIVERY_RETENTION_DAYS ago."""
    cutoff = utcnow() - timedelta(days=settings.event_delivery_retention_days)
    return await deliveries.delete_delivered_before(session, cutoff, limit=batch_size)
