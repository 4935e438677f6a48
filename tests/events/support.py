"""Helpers of the event tests: direct looks at the outbox, and time passing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def time_passes(engine: AsyncEngine) -> None:
    """Make every pending delivery due now, as if its lease or backoff had run out."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE event_deliveries SET next_attempt_at = now() - interval '1 second' "
                "WHERE delivered_at IS NULL AND dead_at IS NULL"
            )
        )


async def deliveries_of(engine: AsyncEngine, subscriber_name: str) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT * FROM event_deliveries WHERE subscriber = :s ORDER BY id"),
            {"s": subscriber_name},
        )
        return [dict(row._mapping) for row in rows]


async def count(engine: AsyncEngine, sql: str, **params: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text(sql), params) or 0)
