"""First request, replay, mismatch, bad keys, failures: the API semantics of G1."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.app import create_app
from catachess.config import Settings
from catachess.nodes import service as nodes_service
from tests.factories import a_folder, a_user, a_workspace
from tests.idempotency.conftest import (
    PROBLEM,
    count,
    events_named,
    keyed,
    new_key,
    workspaces_of,
)

WORKSPACE = {"kind": "workspace", "name": "Openings"}


async def test_retry_replays_status_body_and_headers_byte_for_byte(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    first = await client.post("/nodes", json=WORKSPACE, headers=headers)
    retry = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    for name in ("content-type", "location", "etag", "content-length"):
        assert retry.headers[name] == first.headers[name]
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await workspaces_of(engine, alice.id) == 1


async def test_replays_give_their_database_connection_back(settings: Settings) -> None:
    """A replay ends its read-only transaction after sending; the connection must return."""
    app = create_app(settings.model_copy(update={"db_pool_size": 1}), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            alice = await a_user(client, "alice")
            headers = keyed(alice.headers, new_key())
            for _ in range(5):  # more than the pool's 1 + 1 overflow connections
                assert (await client.post("/nodes", json=WORKSPACE, headers=headers)).is_success
            assert app.state.engine.pool.checkedout() == 0


async def test_replay_runs_nothing_and_publishes_no_event(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    await client.post("/nodes", json=WORKSPACE, headers=headers)
    events_before = await count(engine, "SELECT count(*) FROM events")
    for _ in range(3):
        assert (await client.post("/nodes", json=WORKSPACE, headers=headers)).status_code == 201
    assert await count(engine, "SELECT count(*) FROM events") == events_before
    assert await events_named(engine, "node.created", alice.id) == 1


async def test_body_with_other_key_order_and_spacing_is_the_same_request(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    headers = {**keyed(alice.headers, new_key()), "Content-Type": "application/json"}
    first = await client.post("/nodes", content=b'{"kind":"workspace","name":"W"}', headers=headers)
    retry = await client.post(
        "/nodes", content=b'{\n  "name" : "W", "kind": "workspace"\n}', headers=headers
    )
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert await workspaces_of(engine, alice.id) == 1


async def test_same_key_with_another_body_is_422_and_runs_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    await client.post("/nodes", json=WORKSPACE, headers=headers)
    other = await client.post("/nodes", json={**WORKSPACE, "name": "Endgames"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == PROBLEM
    assert other.json()["code"] == "idempotency_key_reused"
    assert await workspaces_of(engine, alice.id) == 1


async def test_same_key_on_another_path_of_the_route_is_422(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    one = await a_workspace(client, alice, "One")
    two = await a_workspace(client, alice, "Two")
    headers = keyed(alice.headers, new_key())
    renamed = await client.patch(f"/nodes/{one['id']}", json={"name": "Uno"}, headers=headers)
    assert renamed.status_code == 200
    other = await client.patch(f"/nodes/{two['id']}", json={"name": "Uno"}, headers=headers)
    assert other.status_code == 422


async def test_same_key_on_another_route_is_an_independent_operation(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    key = new_key()
    created = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    renamed = await client.patch(
        f"/nodes/{ws['id']}", json={"name": "Renamed"}, headers=keyed(alice.headers, key)
    )
    assert created.status_code == 201 and renamed.status_code == 200
    assert "idempotent-replayed" not in renamed.headers


@pytest.mark.parametrize(
    "key_headers",
    [
        {"Idempotency-Key": ""},
        {"Idempotency-Key": "k" * 256},
        {"Idempotency-Key": "ключ".encode()},
        {"Idempotency-Key": "a", "X-Idempotency-Key": "b"},
    ],
    ids=["empty", "256 chars", "non-ascii", "both headers differ"],
)
async def test_bad_key_is_400_and_runs_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, key_headers: dict[str, str | bytes]
) -> None:
    alice = await a_user(client, "alice")
    response = await client.post("/nodes", json=WORKSPACE, headers={**alice.headers, **key_headers})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "invalid_idempotency_key"
    assert await workspaces_of(engine, alice.id) == 0


async def test_seed_header_alias_is_the_same_key(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    key = new_key()
    first = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    retry = await client.post(
        "/nodes", json=WORKSPACE, headers={**alice.headers, "X-Idempotency-Key": key}
    )
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content
    assert await workspaces_of(engine, alice.id) == 1


async def test_failed_request_stores_nothing_and_its_retry_runs(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    taken = await a_folder(client, alice, ws, "Sicilian")
    headers = keyed(alice.headers, new_key())
    body = {"kind": "folder", "name": "Sicilian", "parent_id": ws["id"]}
    clash = await client.post("/nodes", json=body, headers=headers)
    assert clash.status_code == 409
    assert await count(engine, "SELECT count(*) FROM idempotency_records") == 0
    await client.patch(f"/nodes/{taken['id']}", json={"name": "Old"}, headers=alice.headers)
    retried = await client.post("/nodes", json=body, headers=headers)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers


async def test_invalid_body_stores_nothing_so_the_key_stays_free(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    invalid = await client.post("/nodes", json={"kind": "workspace"}, headers=headers)
    assert invalid.status_code == 422 and invalid.json()["code"] == "validation_failed"
    fixed = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert fixed.status_code == 201 and "idempotent-replayed" not in fixed.headers


async def test_server_error_stores_nothing_and_its_retry_runs(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, new_key())
    real_create = nodes_service.create_node

    async def create_then_fail(*args: Any) -> Any:
        await real_create(*args)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(nodes_service, "create_node", create_then_fail)
    failed = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert failed.status_code == 500
    monkeypatch.setattr(nodes_service, "create_node", real_create)
    retried = await client.post("/nodes", json=WORKSPACE, headers=headers)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers
    assert await workspaces_of(engine, alice.id) == 1


async def test_forbidden_request_is_not_stored_so_a_retry_after_sharing_runs(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    bob = await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    headers = keyed(bob.headers, new_key())
    body = {"kind": "folder", "name": "Bob's", "parent_id": ws["id"]}
    assert (await client.post("/nodes", json=body, headers=headers)).status_code == 404
    shared = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": bob.id, "role": "editor"},
        headers=alice.headers,
    )
    assert shared.status_code == 201
    retried = await client.post("/nodes", json=body, headers=headers)
    assert retried.status_code == 201 and "idempotent-replayed" not in retried.headers


async def test_same_key_from_two_users_gives_two_independent_results(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    bob = await a_user(client, "bob")
    key = new_key()
    alice_first = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    bob_first = await client.post("/nodes", json=WORKSPACE, headers=keyed(bob.headers, key))
    assert alice_first.status_code == bob_first.status_code == 201
    assert "idempotent-replayed" not in bob_first.headers
    assert bob_first.json()["id"] != alice_first.json()["id"]
    assert bob_first.json()["created_by"] == bob.id
    alice_retry = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    bob_retry = await client.post("/nodes", json=WORKSPACE, headers=keyed(bob.headers, key))
    assert alice_retry.content == alice_first.content
    assert bob_retry.content == bob_first.content
    assert await workspaces_of(engine, alice.id) == await workspaces_of(engine, bob.id) == 1


async def test_delete_with_key_replays_its_204(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    bob = await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": bob.id, "role": "viewer"},
        headers=alice.headers,
    )
    headers = keyed(alice.headers, new_key())
    first = await client.delete(f"/nodes/{ws['id']}/shares/{bob.id}", headers=headers)
    retry = await client.delete(f"/nodes/{ws['id']}/shares/{bob.id}", headers=headers)
    assert first.status_code == retry.status_code == 204
    assert retry.content == b"" and retry.headers["idempotent-replayed"] == "true"
    unkeyed = await client.delete(f"/nodes/{ws['id']}/shares/{bob.id}", headers=alice.headers)
    assert unkeyed.status_code == 404  # without the key the second delete does run


async def test_anonymous_registration_replays_for_the_same_body(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    body = {"email": "carol@example.com", "password": "correct horse battery", "display_name": "C"}
    headers = {"Idempotency-Key": new_key()}
    first = await client.post("/auth/register", json=body, headers=headers)
    retry = await client.post("/auth/register", json=body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content and retry.headers["idempotent-replayed"] == "true"
    other = await client.post(
        "/auth/register", json={**body, "email": "dave@example.com"}, headers=headers
    )
    assert other.status_code == 422
    assert await count(engine, "SELECT count(*) FROM users") == 1


async def test_login_refuses_a_key_so_no_token_is_ever_stored(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    login = {"email": alice.email, "password": "correct horse battery"}
    refused = await client.post("/auth/login", json=login, headers={"Idempotency-Key": new_key()})
    assert refused.status_code == 400
    assert refused.json()["code"] == "idempotency_key_refused"
    assert (await client.post("/auth/login", json=login)).status_code == 200
    assert await count(engine, "SELECT count(*) FROM idempotency_records") == 0


async def test_share_link_creation_refuses_a_key_so_its_token_is_never_stored(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    refused = await client.post(
        f"/nodes/{ws['id']}/share-links",
        json={"role": "viewer"},
        headers=keyed(alice.headers, new_key()),
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "idempotency_key_refused"


async def test_key_on_a_read_is_ignored(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    headers = keyed(alice.headers, "")  # malformed, but reads never look at it
    assert (await client.get("/users/me", headers=headers)).status_code == 200
    assert await count(engine, "SELECT count(*) FROM idempotency_records") == 0


async def test_openapi_documents_the_key_headers_on_writes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    create = spec["paths"]["/nodes"]["post"]
    names = {parameter["name"] for parameter in create["parameters"]}
    assert {"Idempotency-Key", "X-Idempotency-Key"} <= names
    assert {"400", "409", "422"} <= set(create["responses"])
    login = spec["paths"]["/auth/login"]["post"]
    assert "Idempotency-Key" not in {p["name"] for p in login.get("parameters", [])}


async def test_a_keyed_write_with_a_bad_token_is_refused_and_claims_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The token's check and the key's claim share one statement (begin_as_caller): a
    token that is not valid claims no key, so the key still runs for its real owner."""
    alice = await a_user(client, "alice")
    key = new_key()
    for token in ("not-a-token", alice.headers["Authorization"].removeprefix("Bearer ") + "x"):
        refused = await client.post(
            "/nodes", json=WORKSPACE, headers=keyed({"Authorization": f"Bearer {token}"}, key)
        )
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"] == PROBLEM
    assert await count(engine, "SELECT count(*) FROM idempotency_records") == 0
    first = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert await workspaces_of(engine, alice.id) == 1
