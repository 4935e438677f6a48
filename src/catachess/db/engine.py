"""Engine and session factory; the embedded PostgreSQL when no DATABASE_URL is set."""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from catachess.config import Settings

log = logging.getLogger(__name__)

# Keeps the embedded server referenced for the life of the process; pgserver stops it
# when the last process using that data directory exits.
_embedded: dict[Path, object] = {}


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the pgserver-bundled PostgreSQL under data_dir and return its URL."""
    import pgserver  # lazily: only the embedded default needs it

    pgdata = (data_dir / "pgdata").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    if pgdata not in _embedded:
        _embedded[pgdata] = pgserver.get_server(str(pgdata))  # type: ignore[attr-defined]
    log.info("embedded PostgreSQL running in %s", pgdata)
    return f"postgresql+asyncpg://postgres@/postgres?host={pgdata}"


def resolve_database_url(settings: Settings) -> str:
    return settings.database_url or embedded_database_url(settings.data_dir)


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # orjson for JSON/JSONB columns: a chapter's move tree is one document of up to a few
    # MB, and the standard json module spends 5x longer encoding and decoding it.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
