"""Small factories that read like the domain: a_user, a_workspace, shared_with …"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx

_counter = itertools.count(1)


@dataclass
class Actor:
    id: str
    email: str
    token: str
    headers: dict[str, str] = field(default_factory=dict)


async def a_user(client: httpx.AsyncClient, name: str = "user") -> Actor:
    email = f"{name}{next(_counter)}@example.com"
    password = "correct horse battery"
    created = await client.post(
        "/auth/register", json={"email": email, "password": password, "display_name": name}
    )
    assert created.status_code == 201, created.text
    login = await client.post("/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    return Actor(
        id=created.json()["id"],
        email=email,
        token=token,
        headers={"Authorization": f"Bearer {token}"},
    )


async def a_node(
    client: httpx.AsyncClient, actor: Actor, kind: str, name: str, parent: dict[str, Any] | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"kind": kind, "name": name}
    if parent is not None:
        body["parent_id"] = parent["id"]
    response = await client.post("/nodes", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    node: dict[str, Any] = response.json()
    return node


async def a_workspace(
    client: httpx.AsyncClient, owner: Actor, name: str = "Openings"
) -> dict[str, Any]:
    return await a_node(client, owner, "workspace", name, None)


async def a_folder(
    client: httpx.AsyncClient, actor: Actor, parent: dict[str, Any], name: str = "Sicilian"
) -> dict[str, Any]:
    return await a_node(client, actor, "folder", name, parent)


async def a_study(
    client: httpx.AsyncClient, actor: Actor, parent: dict[str, Any], name: str = "Najdorf"
) -> dict[str, Any]:
    return await a_node(client, actor, "study", name, parent)


async def shared_with(
    client: httpx.AsyncClient, granter: Actor, node: dict[str, Any], grantee: Actor, role: str
) -> None:
    response = await client.post(
        f"/nodes/{node['id']}/shares",
        json={"user_id": grantee.id, "role": role},
        headers=granter.headers,
    )
    assert response.status_code in (200, 201), response.text


async def events_of(client: httpx.AsyncClient, engine: Any, target_id: str) -> list[dict[str, Any]]:
    """Events stored for a target, oldest first (read straight from the log table)."""
    from sqlalchemy import text

    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT * FROM events WHERE target_id = :t ORDER BY seq"), {"t": target_id}
        )
        return [dict(row._mapping) for row in rows]
