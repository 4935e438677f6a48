"""Is this process ready for traffic: the database answers and its schema is current."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from catachess.db import migrate
from catachess.errors import AppError
from catachess.ops.diagnostics import describe

# A readiness probe must answer quickly even when the database hangs.
CHECK_TIMEOUT_SECONDS = 3.0


class NotReady(AppError):
    status = 503
    code = "not_ready"
    title = "Service unavailable"


class DatabaseUnavailable(Exception):
    """The database did not answer; the message is one line for an operator."""


@lru_cache
def expected_heads() -> frozenset[str]:
    """The Alembic heads this code ships (read once: the scripts do not change at runtime)."""
    return frozenset(migrate.head_revisions(""))


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at; raises DatabaseUnavailable when it does not answer.

    Reads Alembic's version table directly: Alembic's MigrationContext would log two INFO
    lines on every readiness probe.
    """
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), engine.connect() as connection:
            if not await connection.scalar(
                text("SELECT to_regclass('alembic_version') IS NOT NULL")
            ):
                return set()
            rows = await connection.scalars(text("SELECT version_num FROM alembic_version"))
            return set(rows.all())
    except (OSError, DBAPIError, TimeoutError) as error:
        raise DatabaseUnavailable(describe(error)) from error


async def check(engine: AsyncEngine) -> None:
    """Raise NotReady unless the database answers and is at every head of this code."""
    try:
        current = await current_revisions(engine)
    except DatabaseUnavailable as error:
        raise NotReady(f"the database does not answer: {error}") from None
    heads = expected_heads()
    if current != heads:
        raise NotReady(
            f"the database schema is at {sorted(current) or 'no revision'}, this code expects "
            f"{sorted(heads)}; run `catachess migrate`",
            current=sorted(current),
            expected=sorted(heads),
        )


async def check_url(url: str) -> None:
    """Connect once to `url`; raises DatabaseUnavailable with a one-line reason."""
    engine = create_async_engine(url, pool_size=1)
    try:
        await current_revisions(engine)
    finally:
        await engine.dispose()
