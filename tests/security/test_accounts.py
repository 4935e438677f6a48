"""Accounts a club can run: registration modes, password policy, password change,
sessions."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from tests.factories import a_user, a_workspace, events_of
from tests.security.test_login_flood import PROBLEM, served

PASSWORD = "correct horse battery"


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    answer = await client.post("/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_passwords_follow_the_policy(client: httpx.AsyncClient) -> None:
    cases = {
        "short1": "8 to 1024",
        " " * 12: "whitespace",
        "x" * 1025: "8 to 1024",
        "password123": "common",
        "Qwerty123": "common",
    }
    for password, reason in cases.items():
        answer = await client.post(
            "/auth/register",
            json={"email": "p@example.com", "password": password, "display_name": "P"},
        )
        assert answer.status_code == 422, password
        assert answer.headers["content-type"] == PROBLEM
        assert "password" in answer.json()["detail"] and reason in answer.json()["detail"]
    long_ok = "a long passphrase " * 50
    assert len(long_ok) <= 1024
    answer = await client.post(
        "/auth/register",
        json={"email": "p@example.com", "password": long_ok, "display_name": "P"},
    )
    assert answer.status_code == 201


async def test_registration_closed_and_invite_only(settings: Settings) -> None:
    body = {"email": "new@example.com", "password": PASSWORD, "display_name": "New"}
    async with served(settings, registration="closed") as (_, client):
        closed = await client.post("/auth/register", json=body)
        assert closed.status_code == 403 and closed.json()["code"] == "registration_closed"
    async with served(settings, registration="open") as (_, client):
        coach = await a_user(client, "coach")
        ws = await a_workspace(client, coach)
    async with served(settings, registration="invite") as (_, client):
        refused = await client.post("/auth/register", json=body)
        assert refused.status_code == 403
        invited = await client.post(
            f"/nodes/{ws['id']}/shares",
            json={"email": body["email"], "role": "viewer"},
            headers=coach.headers,
        )
        assert invited.status_code == 201
        assert (await client.post("/auth/register", json=body)).status_code == 201


async def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    other = await login(client, alice.email)
    wrong = await client.put(
        "/users/me/password",
        json={"current_password": "not it at all", "new_password": "a brand new secret"},
        headers=alice.headers,
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_password"
    weak = await client.put(
        "/users/me/password",
        json={"current_password": PASSWORD, "new_password": "password1"},
        headers=alice.headers,
    )
    assert weak.status_code == 422
    changed = await client.put(
        "/users/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new secret"},
        headers=alice.headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/users/me", headers=alice.headers)).status_code == 200
    assert (await client.get("/users/me", headers=other)).status_code == 401
    await login(client, alice.email, "a brand new secret")
    old = await client.post("/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert old.status_code == 401
    types = [e["event_type"] for e in await events_of(client, engine, alice.id)]
    assert "user.password_changed" in types


async def test_sessions_are_listed_and_one_can_be_revoked(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    other = await login(client, alice.email)
    listed = await client.get("/users/me/sessions", headers=alice.headers)
    assert listed.status_code == 200
    sessions = listed.json()["items"]
    assert len(sessions) == 2 and [s["current"] for s in sessions].count(True) == 1
    [theirs] = [s for s in sessions if not s["current"]]
    assert (
        await client.delete(f"/users/me/sessions/{theirs['id']}", headers=alice.headers)
    ).status_code == 204
    assert (await client.get("/users/me", headers=other)).status_code == 401
    assert (await client.get("/users/me", headers=alice.headers)).status_code == 200
    bob = await a_user(client, "bob")
    [mine] = (await client.get("/users/me/sessions", headers=alice.headers)).json()["items"]
    stolen = await client.delete(f"/users/me/sessions/{mine['id']}", headers=bob.headers)
    assert stolen.status_code == 404
