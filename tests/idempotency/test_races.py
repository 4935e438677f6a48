"""Concurrent requests with one key: one runs, the others replay or get 409."""

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.idempotency import http as idempotency_http
from catachess.idempotency.keys import request_fingerprint
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


async def _wait_until_a_statement_waits_for_a_lock(engine: AsyncEngine) -> None:
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    while True:
        async with engine.connect() as connection:
            if await connection.scalar(query):
                return
        await asyncio.sleep(0.01)


async def test_first_run_committing_during_the_claim_is_replayed_not_run_again(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The window between the claim's snapshot and its lock, made deterministic.

    A first run's record is inserted but not yet committed, without the key's lock (as if
    its holder had committed and released the lock right after our snapshot). The claim
    takes the lock, then waits on the record's uniqueness; the commit lands; the claim must
    see the now-committed record and replay it instead of running the request again.
    """
    alice = await a_user(client, "alice")
    key, body = new_key(), b'{"kind":"workspace","name":"Openings"}'
    headers = {**keyed(alice.headers, key), "Content-Type": "application/json"}
    async with engine.connect() as first_run:
        await first_run.execute(
            text("""
                INSERT INTO idempotency_records (user_id, operation, key, fingerprint,
                    completed, status_code, headers, body, created_at, expires_at)
                VALUES (:user_id, 'POST /nodes', :key, :fingerprint, true, 201,
                     '[["content-type", "application/json"]]', '{"first": "run"}',
                     now(), now() + interval '1 hour')
            """),
            {
                "user_id": alice.id,
                "key": key,
                "fingerprint": request_fingerprint("POST", "/nodes", "", body),
            },
        )
        retry = asyncio.create_task(client.post("/nodes", content=body, headers=headers))
        await asyncio.wait_for(_wait_until_a_statement_waits_for_a_lock(engine), timeout=10)
        await first_run.commit()
    answer = await retry
    assert answer.status_code == 201 and answer.headers["idempotent-replayed"] == "true"
    assert answer.content == b'{"first": "run"}'
    assert await workspaces_of(engine, alice.id) == 0


async def test_middleware_removed_would_fail_the_retry_tests(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proof tests observe effects, so they catch a hook that is not wired in."""

    async def no_idempotency(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(idempotency_http, "begin", no_idempotency)
    # and its one-statement path for keyed writes (begin_as_caller) is never taken
    monkeypatch.setattr(idempotency_http, "key_to_claim_as_caller", lambda *_, **__: None)
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
