"""Concurrent requests with one key: one runs, the others replay or get 409."""

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.idempotency import http as idempotency_http
from tests.factories import a_user, a_workspace
from tests.idempotency.conftest import (
    PROBLEM,
    an_app,
    events_named,
    keyed,
    new_key,
    workspaces_of,
)

WORKSPACE = {"kind": "workspace", "name": "Openings"}


async def test_50_concurrent_identical_keyed_posts_create_one_workspace_and_one_event(
    settings: Settings, engine: AsyncEngine
) -> None:
    # 25 + 25 overflow connections: every request runs its own transaction at once.
    async with an_app(settings, db_pool_size=25) as client:
        alice = await a_user(client, "alice")
        headers = keyed(alice.headers, new_key())
        answers = await asyncio.gather(
            *(client.post("/nodes", json=WORKSPACE, headers=headers) for _ in range(50))
        )
    created = [a for a in answers if a.status_code == 201]
    in_flight = [a for a in answers if a.status_code == 409]
    assert len(created) + len(in_flight) == 50, {a.status_code for a in answers}
    assert len({a.content for a in created}) == 1
    assert [a.headers.get("idempotent-replayed") for a in created].count(None) == 1
    for answer in in_flight:
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["code"] == "request_in_flight"
    assert await workspaces_of(engine, alice.id) == 1
    assert await events_named(engine, "node.created", alice.id) == 1


async def _wait_until_a_key_is_held(engine: AsyncEngine) -> None:
    """Poll until some transaction holds an idempotency key's advisory lock."""
    query = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
    while True:
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        await asyncio.sleep(0.01)


async def test_same_key_while_the_first_request_runs_is_409_with_retry_after(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    headers = keyed(alice.headers, new_key())
    async with engine.connect() as blocker:
        # Hold the node's row lock: the keyed rename claims its key, then waits for it.
        await blocker.execute(
            text("SELECT id FROM nodes WHERE id = :id FOR UPDATE"), {"id": ws["id"]}
        )
        first = asyncio.create_task(
            client.patch(f"/nodes/{ws['id']}", json={"name": "Renamed"}, headers=headers)
        )
        await asyncio.wait_for(_wait_until_a_key_is_held(engine), timeout=10)
        second = await client.patch(f"/nodes/{ws['id']}", json={"name": "Renamed"}, headers=headers)
        assert second.status_code == 409
        assert second.headers["retry-after"] == "1"
        assert second.json()["code"] == "request_in_flight"
        await blocker.rollback()
    assert (await first).status_code == 200
    retry = await client.patch(f"/nodes/{ws['id']}", json={"name": "Renamed"}, headers=headers)
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    assert await events_named(engine, "node.renamed", alice.id) == 1


async def test_middleware_removed_would_fail_the_retry_tests(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proof tests observe effects, so they catch a hook that is not wired in."""

    async def no_idempotency(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(idempotency_http, "begin", no_idempotency)
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    await client.post("/nodes", json=WORKSPACE, headers=headers)
    retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert "idempotent-replayed" not in retry.headers
    assert await workspaces_of(engine, alice.id) == 2  # what the tests above would see


async def test_every_write_route_runs_in_the_transactional_unit_of_work(
    client: httpx.AsyncClient,
) -> None:
    """Keys are honoured wherever a write is mounted: no path prefix list to fall out of date.

    Only TransactionalRoute documents the key headers (or the refusal), so an operation
    without either is a write that bypasses the unit of work.
    """
    spec = (await client.get("/openapi.json")).json()
    writes = {
        f"{method.upper()} {path}": operation
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method.upper() in idempotency_http.WRITE_METHODS
    }
    assert "POST /nodes" in writes
    unguarded = [
        name
        for name, operation in writes.items()
        if "x-idempotency-key" not in operation
        and "Idempotency-Key" not in {p["name"] for p in operation.get("parameters", [])}
    ]
    assert unguarded == []
