"""Engine and session factory; the embedded PostgreSQL when no DATABASE_URL is set."""

from __future__ import annotations

import atexit
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from catachess.config import Settings
from catachess.db.embedded import alive, handle_pids, pgdata_of
from catachess.db.raw import READ_ONLY

log = logging.getLogger(__name__)

# Keeps the embedded server referenced for the life of the process; pgserver stops it
# when the last process using that data directory exits.
_embedded: dict[Path, object] = {}


def _runtime_dir() -> None:
    """pgserver asks platformdirs for a runtime dir; give it a private one (no warning)."""
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"catachess-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the pgserver-bundled PostgreSQL under data_dir and return its URL."""
    _runtime_dir()
    import pgserver  # lazily: only the embedded default needs it

    pgdata = pgdata_of(data_dir)
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    if pgdata not in _embedded:
        _embedded[pgdata] = pgserver.get_server(str(pgdata))  # type: ignore[attr-defined]
        # atexit runs hooks last-registered first: this one, before pgserver's stop, drops
        # server workers that died by signal, so pgserver sees this process as the last.
        atexit.register(_forget_dead_handles, pgdata)
    log.info("embedded PostgreSQL running in %s", pgdata)
    return f"postgresql+asyncpg://postgres@/postgres?host={pgdata}"


@contextmanager
def throwaway_database(url: str | None = None, *, revision: str = "heads") -> Iterator[str]:
    """A database migrated to `revision`, for tests and benchmarks: `url` when given, else
    a fresh pgserver cluster in a temporary directory, stopped and removed afterwards."""
    from catachess.db import migrate

    if url:
        migrate.upgrade(url, revision)
        yield url
        return
    _runtime_dir()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="catachess-pg-") as directory:
        server = pgserver.get_server(Path(directory), cleanup_mode="stop")  # type: ignore[attr-defined]
        temporary = f"postgresql+asyncpg://postgres@/postgres?host={directory}"
        try:
            migrate.upgrade(temporary, revision)
            yield temporary
        finally:
            server.cleanup()


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver stops its server when the last process using it exits, counting users in
    .handle_pids.json; a process that was killed never removes itself, and the server
    would then never stop. Drop pids that are no longer alive."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    handles.write_text(json.dumps([pid for pid in handle_pids(pgdata) if alive(pid)]))


def resolve_database_url(settings: Settings) -> str:
    return settings.database_url or embedded_database_url(settings.data_dir)


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 10.0) -> AsyncEngine:
    # orjson for JSON/JSONB columns: a chapter's move tree is one document of up to a few
    # MB, and the standard json module spends 5x longer encoding and decoding it.
    # No pre-ping: it cost a round trip on every request (docs/performance.md). A
    # connection that died (PostgreSQL restarted) fails the one request that meets it,
    # and SQLAlchemy then drops every connection of the pool opened before the failure.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # A request that waits longer gets 503 + Retry-After (catachess.problems).
        pool_timeout=pool_timeout,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for read routes: autocommit, so no BEGIN and COMMIT round trips.

    Same pool and event listeners as `engine`. Under READ COMMITTED each statement of a
    transaction takes its own snapshot anyway, so a read that holds no locks sees what it
    would see inside BEGIN/COMMIT; a write must never run here (routing checks).
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
        info={READ_ONLY: True},  # db.raw may then borrow a pool connection per statement
    )
