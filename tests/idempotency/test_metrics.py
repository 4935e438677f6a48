"""Prometheus metrics on /metrics: keyed requests, replays, 422, 409, records, hit ratio."""

import uuid

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.idempotency.keys import lock_key, scope_digest
from tests.factories import a_user
from tests.idempotency.conftest import keyed, new_key

WORKSPACE = {"kind": "workspace", "name": "Openings"}
LABELS = {"method": "POST", "route": "/nodes"}


def _value(name: str) -> float:
    return REGISTRY.get_sample_value(name, LABELS) or 0.0


async def test_keyed_replay_mismatch_and_conflict_are_counted_per_route(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    names = [
        f"catachess_idempotency_{name}_total"
        for name in ("keyed_requests", "replays", "mismatches", "conflicts")
    ]
    before = [_value(name) for name in names]
    alice = await a_user(client, "alice")
    key, busy = new_key(), new_key()
    await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, key))
    await client.post(
        "/nodes", json={"kind": "workspace", "name": "X"}, headers=keyed(alice.headers, key)
    )
    async with engine.connect() as other_process:
        # Hold the key's lock the way a request running elsewhere does.
        digest = scope_digest(uuid.UUID(alice.id), "POST /nodes", busy)
        await other_process.execute(
            text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(digest)}
        )
        conflict = await client.post("/nodes", json=WORKSPACE, headers=keyed(alice.headers, busy))
        assert conflict.status_code == 409
    after = [_value(name) for name in names]
    assert [a - b for a, b in zip(after, before, strict=True)] == [4, 1, 1, 1]
    exposed = (await client.get("/metrics")).text
    for name in [*names, "catachess_idempotency_hit_ratio", "catachess_idempotency_records"]:
        assert name in exposed
    assert 'catachess_idempotency_replays_total{method="POST",route="/nodes"}' in exposed
    assert 0 < (REGISTRY.get_sample_value("catachess_idempotency_hit_ratio") or 0) <= 1
