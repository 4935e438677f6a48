"""Finding 2: a login flood must not take everyone down; finding 9: no timing oracle."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from argon2 import extract_parameters
from fastapi import FastAPI

from catachess.app import create_app
from catachess.auth import passwords
from catachess.config import Settings, get_settings
from tests.factories import a_user

PROBLEM = "application/problem+json"
PASSWORD = "correct horse battery"


@asynccontextmanager
async def served(
    settings: Settings, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings.model_copy(update=overrides), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


async def until(condition: Any, what: str) -> None:
    """Let the other tasks run until `condition()` holds (no clock involved)."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"never happened: {what}")


async def test_finding_2_a_flood_of_wrong_passwords_is_throttled_never_a_500(
    settings: Settings,
) -> None:
    async with served(settings, login_max_per_account=5, login_max_per_address=10_000) as (
        _,
        client,
    ):
        alice = await a_user(client, "alice")
        wrong = {"email": alice.email, "password": "not the password"}
        flood = [client.post("/auth/login", json=wrong) for _ in range(120)]
        *answers, me = await asyncio.gather(*flood, client.get("/users/me", headers=alice.headers))

        statuses = Counter(answer.status_code for answer in answers)
        assert set(statuses) <= {401, 429, 503}, statuses
        assert statuses[401] <= 5, statuses
        assert me.status_code == 200
        throttled = [answer for answer in answers if answer.status_code == 429]
        assert throttled
        for answer in throttled:
            assert answer.headers["content-type"] == PROBLEM
            assert answer.json()["code"] == "login_throttled"
            assert int(answer.headers["retry-after"]) > 0
        # The right password does not get through a throttled account either.
        right = await client.post("/auth/login", json={"email": alice.email, "password": PASSWORD})
        assert right.status_code == 429


async def test_finding_2_the_address_limit_covers_many_accounts(settings: Settings) -> None:
    async with served(settings, login_max_per_account=100, login_max_per_address=8) as (_, client):
        answers = [
            await client.post(
                "/auth/login", json={"email": f"guess{n}@example.com", "password": "whatever1"}
            )
            for n in range(10)
        ]
        assert [a.status_code for a in answers] == [401] * 8 + [429] * 2


async def test_finding_2_a_successful_login_clears_its_accounts_counter(settings: Settings) -> None:
    async with served(settings, login_max_per_account=3, login_max_per_address=10_000) as (
        _,
        client,
    ):
        alice = await a_user(client, "alice")
        for _ in range(5):
            for password in ("typo typo typo", PASSWORD):
                answer = await client.post(
                    "/auth/login", json={"email": alice.email, "password": password}
                )
                assert answer.status_code in (200, 401), answer.text


async def test_finding_2_passwords_are_verified_with_no_database_connection_held(
    settings: Settings,
) -> None:
    async with served(settings, db_pool_size=1) as (app, client):
        users = [await a_user(client, f"u{n}") for n in range(3)]
        slots = passwords.limiter()
        holders = [object() for _ in range(int(slots.total_tokens))]
        for holder in holders:  # every hashing slot taken: logins queue, as in a flood
            await slots.acquire_on_behalf_of(holder)
        logins = [
            asyncio.create_task(
                client.post("/auth/login", json={"email": u.email, "password": PASSWORD})
            )
            for u in users
        ]
        try:
            await until(lambda: slots.statistics().tasks_waiting == len(users), "logins queued")
            assert app.state.engine.pool.checkedout() == 0
            me = await client.get("/users/me", headers=users[0].headers)
            assert me.status_code == 200
        finally:
            for holder in holders:
                slots.release_on_behalf_of(holder)
        assert [(await login).status_code for login in logins] == [200, 200, 200]


async def test_finding_2_an_exhausted_pool_is_503_with_retry_after(settings: Settings) -> None:
    async with served(settings, db_pool_size=1, db_pool_timeout=0.2) as (app, client):
        alice = await a_user(client, "alice")
        engine = app.state.engine
        async with engine.connect(), engine.connect():  # pool_size 1 + 1 overflow: all of it
            answer = await client.get("/users/me", headers=alice.headers)
        assert answer.status_code == 503
        assert answer.headers["content-type"] == PROBLEM
        assert int(answer.headers["retry-after"]) >= 1
        assert (await client.get("/users/me", headers=alice.headers)).status_code == 200


async def test_finding_2_hashing_beyond_the_queue_is_503_not_unbounded_memory(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGON2_MAX_WAITING", "2")
    get_settings.cache_clear()
    try:
        async with served(settings, login_max_per_address=10_000) as (_, client):
            slots = passwords.limiter()
            holders = [object() for _ in range(int(slots.total_tokens))]
            for holder in holders:
                await slots.acquire_on_behalf_of(holder)
            body = {"email": "someone@example.com", "password": "whatever1"}
            queued = [asyncio.create_task(client.post("/auth/login", json=body)) for _ in range(2)]
            try:
                await until(lambda: slots.statistics().tasks_waiting == 2, "two logins queued")
                refused = await client.post("/auth/login", json=body)
                assert refused.status_code == 503
                assert refused.headers["retry-after"] == "1"
                assert refused.json()["code"] == "password_hashing_busy"
            finally:
                for holder in holders:
                    slots.release_on_behalf_of(holder)
            assert [(await q).status_code for q in queued] == [401, 401]
    finally:
        get_settings.cache_clear()


async def test_finding_9_an_unknown_email_costs_the_configured_argon2_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "2048")
    monkeypatch.setenv("ARGON2_TIME_COST", "2")
    get_settings.cache_clear()
    try:
        parameters = extract_parameters(passwords.dummy_hash())
        assert (parameters.memory_cost, parameters.time_cost) == (2048, 2)
        real = extract_parameters(await passwords.hash_password("some password 1"))
        assert (real.memory_cost, real.time_cost) == (parameters.memory_cost, parameters.time_cost)
    finally:
        get_settings.cache_clear()
