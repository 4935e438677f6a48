"""Helpers of the idempotency tests: extra apps with other settings, server processes, Redis."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.app import create_app
from catachess.config import Settings

PROBLEM = "application/problem+json"


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


async def count(engine: AsyncEngine, sql: str, **params: Any) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text(sql), params) or 0)


async def workspaces_of(engine: AsyncEngine, user_id: str) -> int:
    return await count(
        engine,
        "SELECT count(*) FROM nodes WHERE created_by = :user AND kind = 'workspace'",
        user=user_id,
    )


async def events_named(engine: AsyncEngine, event_type: str, actor_id: str) -> int:
    return await count(
        engine,
        "SELECT count(*) FROM events WHERE event_type = :type AND actor_id = :actor",
        type=event_type,
        actor=actor_id,
    )


@asynccontextmanager
async def an_app(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the test database with some settings changed."""
    app = create_app(settings.model_copy(update=overrides), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """CATACHESS_TEST_REDIS_URL (scripts/test starts one), else a throwaway redis-server."""
    given = os.environ.get("CATACHESS_TEST_REDIS_URL")
    if given:
        yield given
        return
    server = shutil.which("redis-server")
    assert server, "redis-server is needed for the Redis tests (scripts/test installs it)"
    with tempfile.TemporaryDirectory(prefix="catachess-test-redis-") as directory:
        sock = f"{directory}/redis.sock"
        process = subprocess.Popen(
            [server, "--port", "0", "--unixsocket", sock, "--save", "", "--dir", directory],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not Path(sock).exists():
            assert process.poll() is None and time.monotonic() < deadline, "no redis-server"
            time.sleep(0.01)
        try:
            yield f"unix://{sock}"
        finally:
            process.terminate()
            process.wait()


class ServerProcess:
    """`uvicorn catachess.asgi:app` in its own process on a Unix socket, as in production."""

    def __init__(self, database_url: str, directory: Path, name: str) -> None:
        self.socket = str(directory / f"{name}.sock")
        self.log_path = directory / f"{name}.log"
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"REDIS_URL", "CATACHESS_TEST_REDIS_URL"}
        }
        env.update(
            DATABASE_URL=database_url,
            CATACHESS_FAULT_HOOKS="1",
            MAINTENANCE_INTERVAL="0",
            LOG_LEVEL="WARNING",
            XDG_RUNTIME_DIR=env.get("XDG_RUNTIME_DIR", "/tmp"),
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "catachess.asgi:app", "--uds", self.socket],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.client = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=self.socket), base_url="http://server"
        )

    async def ready(self) -> ServerProcess:
        """Wait until the server answers /health (it migrates and opens its pool first)."""
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log_path.read_text()
            assert time.monotonic() < deadline, "server did not start"
            try:
                if (await self.client.get("/health")).status_code == 200:
                    return self
            except httpx.TransportError:
                await asyncio.sleep(0.05)

    def died_by_sigkill(self) -> bool:
        return self.process.wait(timeout=30) == -9

    async def stop(self) -> None:
        await self.client.aclose()
        if self.process.poll() is None:
            self.process.kill()  # a throwaway server: no graceful shutdown to wait for
            self.process.wait(timeout=30)


StartServer = Callable[[str], Awaitable[ServerProcess]]


@pytest.fixture
async def servers(database_url: str) -> AsyncIterator[StartServer]:
    """Start server processes on the test database: `await servers("a")`."""
    started: list[ServerProcess] = []
    # Short: a Unix socket path must fit in 108 bytes.
    with tempfile.TemporaryDirectory(prefix="cc-") as directory:

        async def start(name: str) -> ServerProcess:
            server = ServerProcess(database_url, Path(directory), name)
            started.append(server)
            return await server.ready()

        try:
            yield start
        finally:
            for server in started:
                await server.stop()
