"""Correlation ids: from X-Correlation-ID, else traceparent, else new; echoed and stored."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.app import create_app
from catachess.config import Settings
from tests.events.support import count
from tests.factories import a_user, events_of

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


async def _create_workspace(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=headers)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"X-Correlation-ID": "req-42.a:b_c"}, "req-42.a:b_c"),
        ({"traceparent": TRACEPARENT}, TRACE_ID),
        ({"X-Correlation-ID": "wins", "traceparent": TRACEPARENT}, "wins"),
    ],
    ids=["x-correlation-id", "traceparent", "x-correlation-id-before-traceparent"],
)
async def test_correlation_id_comes_from_the_request(
    client: httpx.AsyncClient, engine: AsyncEngine, given: dict[str, str], expected: str
) -> None:
    alice = await a_user(client, "alice")
    response = await _create_workspace(client, {**alice.headers, **given})
    assert response.status_code == 201
    assert response.headers["x-correlation-id"] == expected
    [event] = await events_of(client, engine, response.json()["id"])
    assert event["correlation_id"] == expected


async def test_a_request_without_one_gets_a_new_correlation_id(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    first = await _create_workspace(client, alice.headers)
    second = await _create_workspace(client, alice.headers)
    generated = first.headers["x-correlation-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert generated != second.headers["x-correlation-id"]
    [event] = await events_of(client, engine, first.json()["id"])
    assert event["correlation_id"] == generated


@pytest.mark.parametrize(
    "header",
    [
        {"X-Correlation-ID": "has spaces"},
        {"X-Correlation-ID": "x" * 65},
        {"X-Correlation-ID": "<script>"},
        {"traceparent": "00-not-a-trace-01"},
        {"traceparent": f"00-{'0' * 32}-00f067aa0ba902b7-01"},
        {"traceparent": f"00-{TRACE_ID}-{'0' * 16}-01"},
    ],
    ids=["spaces", "too-long", "markup", "garbage-traceparent", "zero-trace-id", "zero-span-id"],
)
async def test_a_malformed_header_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, engine: AsyncEngine, header: dict[str, str]
) -> None:
    alice = await a_user(client, "alice")
    response = await _create_workspace(client, {**alice.headers, **header})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_header"
    assert await count(engine, "SELECT count(*) FROM nodes") == 0


async def test_errors_echo_the_correlation_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/users/me", headers={"X-Correlation-ID": "who-am-i"})
    assert response.status_code == 401
    assert response.headers["x-correlation-id"] == "who-am-i"


@pytest.mark.parametrize("observe_requests", [True, False], ids=["observed", "plain"])
async def test_the_echoed_id_replaces_one_the_endpoint_set(
    settings: Settings, observe_requests: bool
) -> None:
    app = create_app(settings, migrate_on_start=False, observe_requests=observe_requests)

    async def own_header() -> Response:
        response = Response("ok", headers={"X-Correlation-ID": "the-endpoint-s"})
        response.raw_headers.append((b"x-correlation-id", b"and-another"))
        return response

    app.add_api_route("/own-header", own_header)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.get("/own-header", headers={"X-Correlation-ID": "mine-1"})
    assert response.status_code == 200
    assert response.headers.get_list("x-correlation-id") == ["mine-1"]
