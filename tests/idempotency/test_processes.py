"""Real server processes: a crash between commit and response, and two servers on one DB."""

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user
from tests.idempotency.conftest import (
    StartServer,
    events_named,
    keyed,
    new_key,
    workspaces_of,
)

WORKSPACE = {"kind": "workspace", "name": "Openings"}


async def test_crash_between_commit_and_response_is_replayed_after_restart(
    client: httpx.AsyncClient, engine: AsyncEngine, servers: StartServer
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    doomed = await servers("doomed")
    with pytest.raises(httpx.TransportError):  # the connection drops: no response at all
        await doomed.client.post(
            "/nodes",
            json=WORKSPACE,
            headers={**headers, "X-Catachess-Fault": "kill-after-commit"},
        )
    assert doomed.died_by_sigkill()
    assert await workspaces_of(engine, alice.id) == 1  # the effect was committed
    restarted = await servers("restarted")
    retry = await restarted.client.post("/nodes", json=WORKSPACE, headers=headers)
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == f"/nodes/{retry.json()['id']}"
    assert await workspaces_of(engine, alice.id) == 1
    assert await events_named(engine, "node.created", alice.id) == 1


async def test_crash_before_commit_leaves_the_key_free_for_the_retry(
    client: httpx.AsyncClient, engine: AsyncEngine, servers: StartServer
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    doomed = await servers("doomed")
    with pytest.raises(httpx.TransportError):
        await doomed.client.post(
            "/nodes",
            json=WORKSPACE,
            headers={**headers, "X-Catachess-Fault": "kill-before-commit"},
        )
    assert doomed.died_by_sigkill()
    # The dead process's transaction (and its lock on the key) ended with its connection.
    retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert retry.status_code == 201 and "idempotent-replayed" not in retry.headers
    assert await workspaces_of(engine, alice.id) == 1


async def test_fault_header_is_inert_without_fault_hooks(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    headers = {**alice.headers, "X-Catachess-Fault": "kill-after-commit"}
    assert (await client.post("/nodes", json=WORKSPACE, headers=headers)).status_code == 201


async def test_retry_on_another_server_process_is_replayed(
    client: httpx.AsyncClient, engine: AsyncEngine, servers: StartServer
) -> None:
    alice = await a_user(client, "alice")
    one, two = await asyncio.gather(servers("one"), servers("two"))
    headers = keyed(alice.headers, new_key())
    first = await one.client.post("/nodes", json=WORKSPACE, headers=headers)
    retry = await two.client.post("/nodes", json=WORKSPACE, headers=headers)
    assert first.status_code == 201
    assert retry.content == first.content and retry.headers["idempotent-replayed"] == "true"
    for name in ("content-type", "location", "etag"):
        assert retry.headers[name] == first.headers[name]
    # Both processes at once with a fresh key: still one workspace.
    race = keyed(alice.headers, new_key())
    answers = await asyncio.gather(
        *(server.client.post("/nodes", json=WORKSPACE, headers=race) for server in [one, two] * 5)
    )
    assert {a.status_code for a in answers} <= {201, 409}
    assert len({a.content for a in answers if a.status_code == 201}) == 1
    assert await workspaces_of(engine, alice.id) == 2
