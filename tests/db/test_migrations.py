"""The migrations produce exactly the schema the models declare."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.db import migrate
from catachess.db.models import Base


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_models_match_migrations(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_database_is_at_every_head(engine: AsyncEngine, database_url: str) -> None:
    async with engine.connect() as connection:
        current = await connection.run_sync(migrate.current_revisions)
    assert current == migrate.head_revisions(database_url)
