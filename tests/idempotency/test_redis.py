"""REDIS_URL: a replay cache in front of PostgreSQL that never decides alone what ran."""

from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.idempotency.cache import PREFIX
from tests.factories import a_user
from tests.idempotency.conftest import an_app, keyed, new_key, workspaces_of

WORKSPACE = {"kind": "workspace", "name": "Openings"}


def _metric(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


async def test_committed_result_is_cached_until_its_record_expires(
    settings: Settings, redis_url: str, redis: Redis
) -> None:
    async with an_app(settings, redis_url=redis_url) as client:
        alice = await a_user(client, "alice")
        await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, new_key()))
    [name] = await redis.keys(PREFIX + "*")
    assert 0 < await redis.pttl(name) <= settings.idempotency_ttl * 1000


async def test_replay_is_served_from_redis(
    settings: Settings, redis_url: str, redis: Redis, engine: AsyncEngine
) -> None:
    async with an_app(settings, redis_url=redis_url) as client:
        alice = await a_user(client, "alice")
        headers = keyed(alice.headers, new_key())
        first = await client.post("/nodes", json=WORKSPACE, headers=headers)
        hits = _metric("catachess_idempotency_cache_hits_total")
        retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
        other = await client.post("/nodes", json={**WORKSPACE, "name": "X"}, headers=headers)
    assert retry.content == first.content and retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert other.status_code == 422
    assert _metric("catachess_idempotency_cache_hits_total") == hits + 2
    assert await workspaces_of(engine, alice.id) == 1


async def test_redis_miss_falls_back_to_the_durable_record(
    settings: Settings, redis_url: str, redis: Redis, engine: AsyncEngine
) -> None:
    async with an_app(settings, redis_url=redis_url) as client:
        alice = await a_user(client, "alice")
        headers = keyed(alice.headers, new_key())
        first = await client.post("/nodes", json=WORKSPACE, headers=headers)
        await redis.flushdb()  # e.g. Redis restarted without persistence
        retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert retry.content == first.content and retry.headers["idempotent-replayed"] == "true"
    assert await workspaces_of(engine, alice.id) == 1
    assert len(await redis.keys(PREFIX + "*")) == 1  # refilled by the replay


async def test_requests_keep_working_when_redis_is_down(
    settings: Settings, engine: AsyncEngine
) -> None:
    errors = _metric("catachess_idempotency_cache_errors_total")
    # Nothing listens on port 1: every Redis call fails at once.
    async with an_app(settings, redis_url="redis://127.0.0.1:1/0") as client:
        alice = await a_user(client, "alice")
        headers = keyed(alice.headers, new_key())
        first = await client.post("/nodes", json=WORKSPACE, headers=headers)
        retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert first.status_code == 201
    assert retry.content == first.content and retry.headers["idempotent-replayed"] == "true"
    assert _metric("catachess_idempotency_cache_errors_total") > errors
    assert await workspaces_of(engine, alice.id) == 1
