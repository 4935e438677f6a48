"""Records expire after IDEMPOTENCY_TTL; the maintenance job deletes them, never a held one."""

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import runner
from tests.factories import a_user
from tests.idempotency.conftest import count, keyed, new_key, workspaces_of

WORKSPACE = {"kind": "workspace", "name": "Openings"}
RECORDS = "SELECT count(*) FROM idempotency_records"


async def _expire(engine: AsyncEngine, key: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE idempotency_records SET expires_at = now() - interval '1 s' WHERE key = :k"
            ),
            {"k": key},
        )


async def _run_expiry_job(engine: AsyncEngine, settings: Settings) -> runner.JobResult:
    job = runner.load_jobs()["idempotency-expiry"]
    return await runner.run_job(engine, make_sessionmaker(engine), job, settings)


async def test_record_expires_after_idempotency_ttl(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, new_key()))
    lifetime = await count(
        engine, "SELECT extract(epoch FROM expires_at - created_at) FROM idempotency_records"
    )
    assert lifetime == settings.idempotency_ttl == 86_400


async def test_expired_key_runs_again(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    key = new_key()
    first = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    await _expire(engine, key)
    again = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    replay = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    assert replay.content == again.content
    assert await workspaces_of(engine, alice.id) == 2


async def test_expiry_job_deletes_expired_records_only(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    old, fresh = new_key(), new_key()
    for key in (old, fresh):
        await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    await _expire(engine, old)
    result = await _run_expiry_job(engine, settings)
    assert (result.ran, result.items) == (True, 1)
    assert (
        await count(engine, "SELECT count(*) FROM idempotency_records WHERE key = :k", k=old) == 0
    )
    replay = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, fresh))
    assert replay.headers["idempotent-replayed"] == "true"
    assert REGISTRY.get_sample_value("catachess_idempotency_records") == 1


async def test_expiry_job_never_deletes_a_record_a_running_request_holds(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    key = new_key()
    await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    await _expire(engine, key)
    async with engine.connect() as request_in_flight:
        # What a request reusing the expired key holds while it overwrites the record.
        await request_in_flight.execute(
            text("SELECT key FROM idempotency_records WHERE key = :k FOR UPDATE"), {"k": key}
        )
        held = await _run_expiry_job(engine, settings)
        assert (held.ran, held.items) == (True, 0)
        assert await count(engine, RECORDS) == 1
        await request_in_flight.rollback()
    released = await _run_expiry_job(engine, settings)
    assert released.items == 1
    assert await count(engine, RECORDS) == 0
