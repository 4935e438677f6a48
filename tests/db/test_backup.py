"""`catachess backup` / `catachess restore`: every row back after everything was purged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import TABLES
from tests.factories import a_user, a_workspace
from tests.studies.helpers import GAME, engine_of, import_study

CATACHESS = str(Path(sys.executable).parent / "catachess")
CHECKED = ("users", "nodes", "chapters", "events", "idempotency_records", "grants")


def catachess(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url.replace("+asyncpg", "")}
    return subprocess.run(
        [CATACHESS, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


async def snapshot(engine: AsyncEngine) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {}
    async with engine.connect() as connection:
        for table in CHECKED:
            result = await connection.execute(
                text(f"SELECT to_jsonb(t)::text FROM {table} t ORDER BY 1")
            )
            rows[table] = list(result.scalars())
    return rows


async def test_backup_purge_restore_brings_every_row_back(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await import_study(client, alice, ws, GAME)
    keyed = await client.post(
        "/nodes",
        json={"kind": "folder", "name": "Keyed", "parent_id": ws["id"]},
        headers={**alice.headers, "Idempotency-Key": "backup-test-1"},
    )
    assert keyed.status_code == 201
    before = await snapshot(engine)
    assert all(before[table] for table in CHECKED)
    backup = tmp_path / "catachess.dump"
    made = catachess(database_url, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {TABLES} CASCADE"))
    assert not any((await snapshot(engine)).values())
    try:
        restored = catachess(database_url, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
    finally:
        # Restore recreated the tables: pooled connections must not reuse statements
        # prepared against the old ones.
        await engine.dispose()
        await engine_of(client).dispose()
    assert await snapshot(engine) == before
    replay = await client.post(
        "/nodes",
        json={"kind": "folder", "name": "Keyed", "parent_id": ws["id"]},
        headers={**alice.headers, "Idempotency-Key": "backup-test-1"},
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert (await client.get(f"/nodes/{ws['id']}", headers=alice.headers)).status_code == 200


async def test_restore_of_a_broken_file_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    before = await snapshot(engine)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really")
    result = catachess(database_url, "restore", str(broken))
    assert result.returncode == 1 and "restore failed" in result.stderr
    assert await snapshot(engine) == before
