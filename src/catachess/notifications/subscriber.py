"""The `notifications` subscriber: in-app notifications made from events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.events.models import Event
from catachess.events.subscribers import subscriber
from catachess.notifications import service


@subscriber("notifications", event_types=service.SOURCES)
async def make_notifications(session: AsyncSession, event: Event) -> None:
    await service.notify(session, event)
