"""Finding 2 with REDIS_URL: the login counters live in Redis, shared by every process."""

from __future__ import annotations

import redis.asyncio as aioredis

from catachess.auth.throttle import REDIS_PREFIX, account_key
from catachess.config import Settings
from tests.factories import a_user
from tests.idempotency.conftest import redis_url  # noqa: F401 (the fixture)
from tests.security.test_login_flood import served


async def test_finding_2_login_counters_live_in_redis_when_it_is_set(
    settings: Settings,
    redis_url: str,  # noqa: F811
) -> None:
    async with served(settings, redis_url=redis_url, login_max_per_account=3) as (_, client):
        alice = await a_user(client, "alice")
        wrong = {"email": alice.email, "password": "not the password"}
        answers = [await client.post("/auth/login", json=wrong) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        assert int(answers[-1].headers["retry-after"]) > 0
    redis = aioredis.Redis.from_url(redis_url)
    try:
        key = REDIS_PREFIX + account_key(alice.email)
        assert int(await redis.get(key) or 0) == 4
        assert 0 < await redis.ttl(key) <= settings.login_window
        await redis.delete(key)
    finally:
        await redis.aclose()
