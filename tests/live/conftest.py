"""Two real server processes on the test database, shared by the live tests of a module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from tests.servers import Server, running_servers

# Fast heartbeats and a small catch-up window, so tests see both without waiting.
LIVE_ENV = {"LIVE_HEARTBEAT": "0.5", "LIVE_CATCHUP_LIMIT": "12"}
# With the relays running, notifications are made as in production (and study streams
# also carry activity lines, which is why the study tests run without them).
RELAY_ENV = {**LIVE_ENV, "EVENT_RELAY": "true", "EVENT_RELAY_INTERVAL": "0.2"}


@dataclass
class Pair:
    """Clients of two server processes: `a` streams, `b` takes the writes."""

    servers: list[Server]
    a: httpx.AsyncClient
    b: httpx.AsyncClient


@asynccontextmanager
async def two_servers(database_url: str, env: Mapping[str, str]) -> AsyncIterator[Pair]:
    async with (
        running_servers(database_url, count=2, env=env) as servers,
        httpx.AsyncClient(base_url=servers[0].base_url, timeout=10) as a,
        httpx.AsyncClient(base_url=servers[1].base_url, timeout=10) as b,
    ):
        yield Pair(servers, a, b)


@pytest.fixture(scope="module")
async def pair(database_url: str) -> AsyncIterator[Pair]:
    async with two_servers(database_url, LIVE_ENV) as servers:
        yield servers


@pytest.fixture(scope="module")
async def relaying_pair(database_url: str) -> AsyncIterator[Pair]:
    async with two_servers(database_url, RELAY_ENV) as servers:
        yield servers
