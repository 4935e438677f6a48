"""/metrics: requests by route template (bounded labels), pool use, maintenance."""

from __future__ import annotations

import re
import uuid

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import runner
from tests.factories import a_user

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
Series = set[tuple[str, tuple[tuple[str, str], ...]]]


async def scrape(client: httpx.AsyncClient) -> dict[str, Series]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families: dict[str, Series] = {}
    for family in text_string_to_metric_families(response.text):
        families[family.name] = {
            (sample.name, tuple(sorted(sample.labels.items()))) for sample in family.samples
        }
    return families


def label_values(series: Series, label: str) -> set[str]:
    return {value for _, labels in series for key, value in labels if key == label}


async def value(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    text = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


async def test_requests_for_many_ids_add_no_label_values(client: httpx.AsyncClient) -> None:
    reader = await a_user(client, "reader")
    await client.get(f"/nodes/{uuid.uuid4()}", headers=reader.headers)
    await client.get(f"/no/such/{uuid.uuid4()}")
    await scrape(client)  # the scrape itself is a request too
    before = await scrape(client)

    for _ in range(20):
        await client.get(f"/nodes/{uuid.uuid4()}", headers=reader.headers)
        await client.get(f"/no/such/{uuid.uuid4()}")
    after = await scrape(client)

    requests = after["catachess_http_requests"]
    assert requests == before["catachess_http_requests"]
    assert (
        after["catachess_http_request_duration_seconds"]
        == (before["catachess_http_request_duration_seconds"])
    )
    routes = label_values(requests, "route")
    assert {"/nodes/{node_id}", "<unmatched>"} <= routes
    assert not [route for route in routes if UUID.search(route) or "such" in route]


async def test_a_request_is_counted_with_method_route_and_status(
    client: httpx.AsyncClient,
) -> None:
    # Anonymous reads exist (public studies): a missing node answers them 404.
    labels = {"method": "GET", "route": "/nodes/{node_id}", "status": "404"}
    count = "catachess_http_requests_total"
    before = await value(client, count, **labels)
    observed = await value(client, "catachess_http_request_duration_seconds_count", **labels)
    await client.get(f"/nodes/{uuid.uuid4()}")
    assert await value(client, count, **labels) == before + 1
    after = await value(client, "catachess_http_request_duration_seconds_count", **labels)
    assert after == observed + 1


async def test_an_unknown_method_gets_a_fixed_label(client: httpx.AsyncClient) -> None:
    await client.request("BREW", "/health")
    methods = label_values((await scrape(client))["catachess_http_requests"], "method")
    assert "OTHER" in methods and "BREW" not in methods


async def test_pool_gauge_counts_checked_out_connections(
    app_client: httpx.AsyncClient,
) -> None:
    engine: AsyncEngine = app_client._transport.app.state.engine  # type: ignore[attr-defined]
    idle = await value(app_client, "catachess_db_pool_checked_out")
    async with engine.connect(), engine.connect():
        assert await value(app_client, "catachess_db_pool_checked_out") == idle + 2
    assert await value(app_client, "catachess_db_pool_size") >= 1


async def test_maintenance_runs_appear_in_metrics(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    labels = {"job": "tokens.expire", "outcome": "ran"}
    before = await value(client, "catachess_maintenance_runs_total", **labels)
    await runner.run_all(engine, make_sessionmaker(engine), settings)
    assert await value(client, "catachess_maintenance_runs_total", **labels) == before + 1
    durations = await value(
        client, "catachess_maintenance_duration_seconds_count", job="tokens.expire"
    )
    assert durations >= 1
    assert (
        await value(
            client, "catachess_maintenance_last_success_timestamp_seconds", job="tokens.expire"
        )
        > 0
    )


async def test_repeated_requests_each_count_in_their_own_status_series(
    client: httpx.AsyncClient,
) -> None:
    # The observer keeps each (method, route, status) series it has seen: a repeat must
    # still count, and another status of the same route must not count in the first.
    owner = await a_user(client, "owner")
    workspace = await client.post(
        "/nodes", json={"kind": "workspace", "name": "W"}, headers=owner.headers
    )
    count = "catachess_http_requests_total"
    found = {"method": "GET", "route": "/nodes/{node_id}", "status": "200"}
    missing = {**found, "status": "404"}
    before = (await value(client, count, **found), await value(client, count, **missing))
    for _ in range(3):
        await client.get(f"/nodes/{workspace.json()['id']}", headers=owner.headers)
    await client.get(f"/nodes/{uuid.uuid4()}", headers=owner.headers)
    after = (await value(client, count, **found), await value(client, count, **missing))
    assert after == (before[0] + 3, before[1] + 1)
