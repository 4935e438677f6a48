"""Listing one folder's children must not slow down as the tree grows.

Builds a 1,000-node and a 100,000-node workspace (bulk SQL, same shape: folders of 50
studies), then times GET /nodes/{folder}/children on one folder of each and prints the
ratio (target: about 1.0, i.e. independent of tree size).
"""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import app_client, median_seconds, register, throwaway_database

FILL = text("""
WITH folders AS (
    SELECT gen_random_uuid() AS id, f AS n FROM generate_series(1, :folders) AS f
), inserted_folders AS (
    INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by,
                       created_at, updated_at)
    SELECT id, :ws, :ws, 'folder', 'folder ' || n, :ws_path || '/' || id, 1, :user, now(), now()
    FROM folders RETURNING id, path
)
INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by,
                   created_at, updated_at)
SELECT s.id, :ws, f.id, 'study', 'study ' || s.n, f.path || '/' || s.id, 1, :user, now(), now()
FROM inserted_folders f
CROSS JOIN LATERAL (
    SELECT gen_random_uuid() AS id, n FROM generate_series(1, :per_folder) AS n
    WHERE f.id IS NOT NULL  -- correlated, so every folder gets fresh ids
) s
""")


async def build(client: httpx.AsyncClient, url: str, headers: dict[str, str], size: int) -> str:
    """A workspace of `size` nodes; returns the id of one of its folders."""
    ws = (
        await client.post(
            "/nodes", json={"kind": "workspace", "name": f"ws {size}"}, headers=headers
        )
    ).json()
    per_folder = 49
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            FILL,
            {
                "folders": size // (per_folder + 1),
                "per_folder": per_folder,
                "ws": uuid.UUID(ws["id"]),
                "ws_path": ws["id"],
                "user": uuid.UUID(ws["created_by"]),
            },
        )
        await connection.execute(text("ANALYZE nodes"))
        folder = await connection.scalar(
            text(
                "SELECT id FROM nodes WHERE workspace_id = :ws AND kind = 'folder' "
                "ORDER BY name LIMIT 1 OFFSET 5"
            ),
            {"ws": uuid.UUID(ws["id"])},
        )
    await engine.dispose()
    return str(folder)


async def main() -> None:
    with throwaway_database() as url:
        async with app_client(url) as client:
            headers = await register(client, "bench-tree")
            small = await build(client, url, headers, 1_000)
            large = await build(client, url, headers, 100_000)

            async def list_small() -> None:
                response = await client.get(f"/nodes/{small}/children", headers=headers)
                assert response.status_code == 200 and len(response.json()["items"]) == 49

            async def list_large() -> None:
                response = await client.get(f"/nodes/{large}/children", headers=headers)
                assert response.status_code == 200 and len(response.json()["items"]) == 49

            t_small = await median_seconds(list_small, 200)
            t_large = await median_seconds(list_large, 200)
    print("tree listing: GET /nodes/{folder}/children, 49 children, median of 200")
    print(f"  workspace of   1,000 nodes: {t_small * 1000:7.2f} ms")
    print(f"  workspace of 100,000 nodes: {t_large * 1000:7.2f} ms")
    print(f"  ratio large/small: {t_large / t_small:.2f}x (target <= 1.2x)")


if __name__ == "__main__":
    asyncio.run(main())
