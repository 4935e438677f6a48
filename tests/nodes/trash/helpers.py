"""Trash actions over HTTP and direct checks of the node table's trash invariants."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor


async def trash(
    client: httpx.AsyncClient, actor: Actor, node: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.delete(f"/nodes/{node['id']}", headers={**actor.headers, **headers})


async def restore(
    client: httpx.AsyncClient, actor: Actor, node: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.post(f"/nodes/{node['id']}/restore", headers={**actor.headers, **headers})


async def purge(
    client: httpx.AsyncClient, actor: Actor, node: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.delete(f"/nodes/{node['id']}/purge", headers={**actor.headers, **headers})


async def trashed(client: httpx.AsyncClient, actor: Actor, node: dict[str, Any]) -> None:
    response = await trash(client, actor, node)
    assert response.status_code == 200, response.text


async def trash_ids(client: httpx.AsyncClient, actor: Actor) -> list[str]:
    response = await client.get("/trash", headers=actor.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(text(sql), params)
        return [dict(row._mapping) for row in result]


async def node_row(engine: AsyncEngine, node_id: str) -> dict[str, Any] | None:
    found = await rows(engine, "SELECT * FROM nodes WHERE id = :id", id=node_id)
    return found[0] if found else None


# Each query lists the rows that break one invariant of the tree and the trash.
INVARIANTS = {
    "path is parent's path plus own id": """
        SELECT n.id FROM nodes n LEFT JOIN nodes p ON p.id = n.parent_id
        WHERE n.path <> CASE WHEN n.parent_id IS NULL THEN n.id::text
                             ELSE p.path || '/' || n.id::text END""",
    "live node under a trashed parent": """
        SELECT n.id FROM nodes n JOIN nodes p ON p.id = n.parent_id
        WHERE n.trashed_at IS NULL AND p.trashed_at IS NOT NULL""",
    "trash columns set together": """
        SELECT id FROM nodes
        WHERE (trashed_at IS NULL) <> (trash_root_id IS NULL)
           OR (trashed_at IS NULL) <> (trashed_by IS NULL)""",
    "trashed node outside its root's subtree": """
        SELECT n.id FROM nodes n JOIN nodes r ON r.id = n.trash_root_id
        WHERE n.path <> r.path AND n.path NOT LIKE r.path || '/%'""",
    "trashed node whose root is not a trashed root": """
        SELECT n.id FROM nodes n LEFT JOIN nodes r ON r.id = n.trash_root_id
        LEFT JOIN trash_entries e ON e.node_id = n.trash_root_id
        WHERE n.trash_root_id IS NOT NULL
          AND (r.id IS NULL OR e.node_id IS NULL OR r.trash_root_id <> r.id)""",
    "trash entry of a node that is not a trashed root": """
        SELECT e.node_id FROM trash_entries e JOIN nodes n ON n.id = e.node_id
        WHERE n.trash_root_id IS DISTINCT FROM n.id""",
}


async def assert_tree_consistent(engine: AsyncEngine) -> None:
    broken = {name: await rows(engine, sql) for name, sql in INVARIANTS.items()}
    assert {name: found for name, found in broken.items() if found} == {}
