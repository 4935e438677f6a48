"""IDEMPOTENCY_AUTO_KEY: an unkeyed write repeated within the window is one operation."""

import asyncio

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from tests.factories import a_user
from tests.idempotency.conftest import an_app, count, keyed, new_key, workspaces_of

WORKSPACE = {"kind": "workspace", "name": "Openings"}


async def test_auto_key_is_off_by_default(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    for _ in range(2):
        await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
    assert await workspaces_of(engine, alice.id) == 2


async def test_double_click_creates_one_resource(settings: Settings, engine: AsyncEngine) -> None:
    async with an_app(settings, idempotency_auto_key=True) as client:
        alice = await a_user(client, "alice")
        first = await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
        second = await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
    assert second.headers["idempotent-replayed"] == "true"
    assert second.content == first.content
    assert await workspaces_of(engine, alice.id) == 1


async def test_simultaneous_double_click_creates_one_resource(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with an_app(settings, idempotency_auto_key=True) as client:
        alice = await a_user(client, "alice")
        answers = await asyncio.gather(
            *(client.post("/nodes", json=WORKSPACE, headers=alice.headers) for _ in range(2))
        )
    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409])
    assert await workspaces_of(engine, alice.id) == 1


async def test_auto_key_lives_for_the_window_then_the_write_runs_again(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with an_app(settings, idempotency_auto_key=True, idempotency_auto_window=7) as client:
        alice = await a_user(client, "alice")
        await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
        lifetime = await count(
            engine, "SELECT extract(epoch FROM expires_at - created_at) FROM idempotency_records"
        )
        assert lifetime == 7
        async with engine.begin() as connection:  # the window has passed
            await connection.execute(
                text("UPDATE idempotency_records SET expires_at = now() - interval '1 s'")
            )
        later = await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
    assert "idempotent-replayed" not in later.headers
    assert await workspaces_of(engine, alice.id) == 2


async def test_different_writes_are_not_merged(settings: Settings, engine: AsyncEngine) -> None:
    async with an_app(settings, idempotency_auto_key=True) as client:
        alice = await a_user(client, "alice")
        bob = await a_user(client, "bob")
        await client.post("/nodes", json=WORKSPACE, headers=alice.headers)
        await client.post("/nodes", json={**WORKSPACE, "name": "Other"}, headers=alice.headers)
        await client.post("/nodes", json=WORKSPACE, headers=bob.headers)
    assert await workspaces_of(engine, alice.id) == 2
    assert await workspaces_of(engine, bob.id) == 1


async def test_explicit_key_wins_over_the_derived_one(
    settings: Settings, engine: AsyncEngine
) -> None:
    async with an_app(settings, idempotency_auto_key=True) as client:
        alice = await a_user(client, "alice")
        await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, new_key()))
        await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, new_key()))
    assert await workspaces_of(engine, alice.id) == 2


async def test_anonymous_writes_get_no_derived_key(settings: Settings, engine: AsyncEngine) -> None:
    body = {"email": "carol@example.com", "password": "correct horse battery", "display_name": "C"}
    async with an_app(settings, idempotency_auto_key=True) as client:
        assert (await client.post("/auth/register", json=body)).status_code == 201
        again = await client.post("/auth/register", json=body)
    assert again.status_code == 409 and again.json()["code"] == "email_taken"
    assert await count(engine, "SELECT count(*) FROM idempotency_records") == 0
