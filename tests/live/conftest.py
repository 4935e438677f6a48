"""Two real server processes on the test database, shared by the live tests of a module."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.servers import Server, running_servers

# Fast heartbeats and a small catch-up window, so tests see both without waiting.
LIVE_ENV = {"LIVE_HEARTBEAT": "0.5", "LIVE_CATCHUP_LIMIT": "12"}


@dataclass
class Pair:
    """Clients of two server processes: `a` streams, `b` takes the writes."""

    servers: list[Server]
    a: httpx.AsyncClient
    b: httpx.AsyncClient


@pytest.fixture(scope="module")
async def pair(database_url: str) -> AsyncIterator[Pair]:
    async with (
        running_servers(database_url, count=2, env=LIVE_ENV) as servers,
        httpx.AsyncClient(base_url=servers[0].base_url, timeout=10) as a,
        httpx.AsyncClient(base_url=servers[1].base_url, timeout=10) as b,
    ):
        yield Pair(servers, a, b)
