"""Every request writes one structured log line with the fields an operator needs."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from catachess.app import create_app
from catachess.config import Settings
from catachess.ops import logs
from tests.factories import a_user, a_workspace


@contextmanager
def request_lines() -> Iterator[list[dict[str, Any]]]:
    """The request lines our JSON formatter writes inside the block, parsed at its end."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(json=True))
    root = logging.getLogger()
    root.addHandler(handler)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        parsed = (json.loads(line) for line in stream.getvalue().splitlines())
        lines.extend(line for line in parsed if line.get("event") == "request")


async def test_a_request_line_carries_correlation_user_route_status_and_duration(
    client: httpx.AsyncClient,
) -> None:
    owner = await a_user(client, "owner")
    workspace = await a_workspace(client, owner)
    with request_lines() as lines:
        response = await client.get(
            f"/nodes/{workspace['id']}",
            headers={**owner.headers, "X-Correlation-ID": "trace-me-42"},
        )
    assert response.status_code == 200
    [line] = lines
    assert line["correlation_id"] == "trace-me-42"
    assert line["user_id"] == owner.id
    assert line["route"] == "/nodes/{node_id}"
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "info")
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] > 0
    assert line["logger"] == "catachess.access" and "timestamp" in line
    assert workspace["id"] not in json.dumps(line)  # the template, never the raw path


async def test_a_failed_request_still_names_its_user_and_route(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    with request_lines() as lines:
        response = await client.get(f"/nodes/{uuid.uuid4()}", headers=owner.headers)
    assert response.status_code == 404
    [line] = lines
    assert (line["status"], line["route"], line["user_id"]) == (404, "/nodes/{node_id}", owner.id)
    assert line["correlation_id"] == response.headers["x-correlation-id"]


def test_auto_format_is_json_unless_the_stream_is_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert logs.wants_json("auto", io.StringIO())
    assert not logs.wants_json("auto", Terminal())
    assert logs.wants_json("json", Terminal())
    assert not logs.wants_json("console", io.StringIO())


def test_console_format_is_one_readable_line() -> None:
    record = logging.LogRecord(
        "catachess.test", logging.INFO, __file__, 1, "hello %s", ("you",), None
    )
    line = logs.formatter(json=False).format(record)
    assert "hello you" in line and "\n" not in line and not line.startswith("{")


async def test_an_unhandled_error_is_logged_as_one_error_line_with_status_500(
    settings: Settings,
) -> None:
    app = create_app(settings, migrate_on_start=False)

    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/explode", explode)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            with request_lines() as lines:
                response = await client.get("/explode", headers={"X-Correlation-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-correlation-id"] == "boom-1"
    [line] = lines
    assert (line["status"], line["route"], line["level"]) == (500, "/explode", "error")
    assert line["correlation_id"] == "boom-1"
