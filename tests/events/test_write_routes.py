"""Every write route of the foundation records at least one event, in the request's chain.

New routes are held to the same rule by the commit guard (test_same_transaction.py):
a transaction that changes domain tables without an event cannot commit.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.app import create_app
from catachess.config import Settings
from tests.factories import a_user, a_workspace

PASSWORD = "correct horse battery"


async def _events_with(engine: AsyncEngine, correlation_id: str) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.scalars(
            text("SELECT event_type FROM events WHERE correlation_id = :c ORDER BY seq"),
            {"c": correlation_id},
        )
        return list(rows)


async def test_every_foundation_write_route_records_an_event(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    calls: dict[tuple[str, str], httpx.Response] = {}

    async def call(method: str, template: str, url: str, actor: Any = None, **kw: Any) -> Any:
        headers = {**(actor.headers if actor else {}), "X-Correlation-ID": f"route-{len(calls)}"}
        response = await client.request(method, url, headers=headers, **kw)
        assert response.status_code < 300, (template, response.text)
        calls[(method, template)] = response
        return response.json() if response.content else None

    email = "carol-routes@example.com"
    await call(
        "POST",
        "/auth/register",
        "/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "carol"},
    )
    await call("POST", "/auth/login", "/auth/login", json={"email": email, "password": PASSWORD})
    folder = await call(
        "POST",
        "/nodes",
        "/nodes",
        alice,
        json={"kind": "folder", "name": "F", "parent_id": ws["id"]},
    )
    await call("PATCH", "/nodes/{node_id}", f"/nodes/{folder['id']}", alice, json={"name": "G"})
    await call(
        "POST",
        "/nodes/{node_id}/shares",
        f"/nodes/{ws['id']}/shares",
        alice,
        json={"user_id": bob.id, "role": "viewer"},
    )
    await call(
        "DELETE", "/nodes/{node_id}/shares/{user_id}", f"/nodes/{ws['id']}/shares/{bob.id}", alice
    )
    link = await call(
        "POST", "/nodes/{node_id}/share-links", f"/nodes/{ws['id']}/share-links", alice,
        json={"role": "viewer"},
    )  # fmt: skip
    await call("POST", "/share-links/{token}/accept", f"/share-links/{link['token']}/accept", bob)
    await call("DELETE", "/share-links/{link_id}", f"/share-links/{link['id']}", alice)

    paths = create_app(settings, migrate_on_start=False).openapi()["paths"]
    routes = {(method.upper(), path) for path, operations in paths.items() for method in operations}
    assert set(calls) <= routes, "a scenario names a route that does not exist"
    for (method, template), response in calls.items():
        correlation = response.headers["x-correlation-id"]
        assert await _events_with(engine, correlation), f"{method} {template} recorded no event"
