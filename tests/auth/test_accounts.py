import hashlib

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from tests.factories import a_folder, a_user, a_workspace
from tests.idempotency.conftest import an_app

PROBLEM = "application/problem+json"


async def test_register_login_and_read_me(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    me = await client.get("/users/me", headers=alice.headers)
    assert me.status_code == 200
    assert me.json()["id"] == alice.id
    assert me.json()["email"] == alice.email


async def test_email_is_unique_regardless_of_case(client: httpx.AsyncClient) -> None:
    body = {"email": "Bob@Example.com", "password": "long enough pw", "display_name": "Bob"}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    again = await client.post("/auth/register", json={**body, "email": "bob@example.COM"})
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["code"] == "email_taken"


async def test_short_password_is_refused_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/register", json={"email": "c@example.com", "password": "short", "display_name": "C"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "body.password" in response.json()["detail"]


async def test_a_display_name_with_a_nul_byte_is_refused_not_a_500(
    client: httpx.AsyncClient,
) -> None:
    # Found by the fuzz gate: PostgreSQL refuses NUL in text, so it must never reach it.
    body = {"email": "n@example.com", "password": "long enough pw", "display_name": "a\x00b"}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 422
    assert "body.display_name" in response.json()["detail"]


async def test_malformed_json_body_is_a_problem_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_wrong_password_is_401(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    response = await client.post(
        "/auth/login", json={"email": alice.email, "password": "nope-nope"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    unknown = await client.post(
        "/auth/login", json={"email": "ghost@example.com", "password": "nope-nope"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == response.json()["detail"]


async def test_missing_or_bad_token_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/users/me")).status_code == 401
    bad = await client.get("/users/me", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"
    assert bad.headers["content-type"] == PROBLEM


async def test_only_hashes_are_stored(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    async with engine.connect() as connection:
        password_hash = await connection.scalar(
            text("SELECT password_hash FROM users WHERE id = :id"), {"id": alice.id}
        )
        token_hashes = (await connection.scalars(text("SELECT token_hash FROM api_tokens"))).all()
    assert password_hash.startswith("$argon2id$")
    assert alice.token not in token_hashes
    assert hashlib.sha256(alice.token.encode()).hexdigest() in token_hashes


async def test_registration_and_login_record_events(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    async with engine.connect() as connection:
        types = (
            await connection.scalars(
                text("SELECT event_type FROM events WHERE target_id = :id ORDER BY seq"),
                {"id": alice.id},
            )
        ).all()
    assert types == ["user.registered", "user.logged_in"]


async def test_logout_revokes_only_that_token(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    second = await client.post(
        "/auth/login", json={"email": alice.email, "password": "correct horse battery"}
    )
    other = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert (await client.post("/auth/logout", headers=alice.headers)).status_code == 204
    assert (await client.get("/users/me", headers=alice.headers)).status_code == 401
    assert (await client.post("/auth/logout", headers=alice.headers)).status_code == 401
    assert (await client.get("/users/me", headers=other)).status_code == 200
    async with engine.connect() as connection:
        types = (
            await connection.scalars(
                text("SELECT event_type FROM events WHERE target_id = :id ORDER BY seq"),
                {"id": alice.id},
            )
        ).all()
    assert types[-1] == "user.logged_out"


async def test_finding_10_logout_with_another_token_and_the_same_key_runs_again(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    login = await client.post(
        "/auth/login", json={"email": alice.email, "password": "correct horse battery"}
    )
    second = {"Authorization": f"Bearer {login.json()['access_token']}"}
    key = {"Idempotency-Key": "logout-1"}

    first = await client.post("/auth/logout", headers={**alice.headers, **key})
    again = await client.post("/auth/logout", headers={**second, **key})

    assert first.status_code == again.status_code == 204
    assert "idempotent-replayed" not in again.headers
    assert (await client.get("/users/me", headers=second)).status_code == 401


async def test_finding_10_auto_keyed_logout_with_another_token_runs_again(
    settings: Settings,
) -> None:
    async with an_app(settings, idempotency_auto_key=True) as auto:
        alice = await a_user(auto, "alice")
        login = await auto.post(
            "/auth/login", json={"email": alice.email, "password": "correct horse battery"}
        )
        second = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (await auto.post("/auth/logout", headers=alice.headers)).status_code == 204
        again = await auto.post("/auth/logout", headers=second)
        assert again.status_code == 204 and "idempotent-replayed" not in again.headers
        assert (await auto.get("/users/me", headers=second)).status_code == 401


async def test_a_disabled_account_whose_token_is_left_reads_and_creates_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """GET /nodes/{id} authenticates inside the statement that loads the node
    (sharing.repository.CALLER_AND_NODE), POST /nodes before its body: both refuse a
    disabled account as every other route does, even with its token row still there."""
    alice = await a_user(client, "alice")
    workspace = await a_workspace(client, alice)
    folder = await a_folder(client, alice, workspace)
    assert (await client.get(f"/nodes/{folder['id']}", headers=alice.headers)).status_code == 200
    async with engine.begin() as connection:  # disabled, tokens not revoked
        await connection.execute(
            text("UPDATE users SET disabled_at = now() WHERE id = :id"), {"id": alice.id}
        )
    read = await client.get(f"/nodes/{folder['id']}", headers=alice.headers)
    assert read.status_code == 401, read.text
    body = {"kind": "folder", "name": "after", "parent_id": workspace["id"]}
    created = await client.post("/nodes", json=body, headers=alice.headers)
    assert created.status_code == 401, created.text
    workspaces = await client.post(
        "/nodes", json={"kind": "workspace", "name": "w"}, headers=alice.headers
    )
    assert workspaces.status_code == 401, workspaces.text
