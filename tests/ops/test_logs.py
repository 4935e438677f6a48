"""Every request writes one structured log line with the fields an operator needs."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message

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


async def test_a_refused_keyed_write_names_its_user(client: httpx.AsyncClient) -> None:
    """A key reused for another request (422) is refused after the statement that checked
    the token and the key together (idempotency.http.begin_as_caller): the line still
    names the caller."""
    owner = await a_user(client, "owner")
    headers = {**owner.headers, "Idempotency-Key": "log-me"}
    await client.post("/nodes", json={"kind": "workspace", "name": "A"}, headers=headers)
    with request_lines() as lines:
        reused = await client.post(
            "/nodes", json={"kind": "workspace", "name": "B"}, headers=headers
        )
    assert reused.status_code == 422
    [line] = lines
    assert (line["status"], line["route"], line["user_id"]) == (422, "/nodes", owner.id)


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


REQUEST_FIELDS = {
    "method": "GET",
    "route": "/nodes/{node_id}",
    "status": 200,
    "duration_ms": 1.25,
    "user_id": "5b0e4a52-2f4b-4d7e-9c55-0d1f1a5d2a10",
    "correlation_id": "trace-me-42",
}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z")


@contextmanager
def configured(settings: Settings, **update: str) -> Iterator[io.StringIO]:
    """Logging configured as the server does, on a stream of its own; restored after."""
    stream = io.StringIO()
    logs.configure(settings.model_copy(update=update), stream=stream)
    try:
        yield stream
    finally:
        logs.configure(settings)


@pytest.mark.parametrize("level", [logging.INFO, logging.ERROR], ids=["info", "error"])
@pytest.mark.parametrize("json_lines", [True, False], ids=["json", "console"])
def test_the_request_line_is_the_line_structlog_writes(
    settings: Settings, json_lines: bool, level: int
) -> None:
    """log_event writes to our handlers without a LogRecord; a handler of another kind
    gets the record structlog's logger makes. Both must render the same line, and that
    line must be what structlog's own bound logger writes."""
    log_format = "json" if json_lines else "console"
    reference = io.StringIO()
    stock = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=logs.formatter(json=json_lines).foreign_pre_chain,
        processors=logs.formatter(json=json_lines).processors,
    )
    other_kind = logging.StreamHandler(reference)
    other_kind.setFormatter(stock)
    access = logging.getLogger("catachess.access")
    with configured(settings, log_format=log_format, log_level="INFO") as ours:
        logging.getLogger().addHandler(other_kind)
        try:
            logs.log_event(access, level, {**REQUEST_FIELDS, "event": "request"})
            fast, via_record = ours.getvalue(), reference.getvalue()
            bound = structlog.get_logger("catachess.access")
            (bound.error if level == logging.ERROR else bound.info)("request", **REQUEST_FIELDS)
            by_structlog = reference.getvalue()[len(via_record) :]
        finally:
            logging.getLogger().removeHandler(other_kind)
    assert fast == via_record and fast.count("\n") == 1
    assert TIMESTAMP.sub("T", fast) == TIMESTAMP.sub("T", by_structlog)
    if json_lines:
        line = json.loads(fast)
        assert list(line) == [*REQUEST_FIELDS, "event", "level", "logger", "timestamp"]
        assert line["level"] == logging.getLevelName(level).lower()
    else:
        assert "request" in fast and "route=/nodes/{node_id}" in fast


async def test_log_level_warning_drops_request_lines_but_keeps_5xx_ones(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"log_level": "WARNING"}), migrate_on_start=False)

    async def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/explode", explode)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                with request_lines() as lines:
                    assert (await client.get("/health")).status_code == 200
                    assert (await client.get("/explode")).status_code == 500
    finally:
        logs.configure(settings)
    assert [(line["route"], line["level"]) for line in lines] == [("/explode", "error")]


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The ASGI scope a server would pass for this request."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }


async def test_a_client_gone_mid_body_is_a_499_line_not_a_server_error(
    settings: Settings, engine: AsyncEngine
) -> None:
    """A dropped connection mid-upload is the client's doing: before, the body's
    ClientDisconnect reached the catch-all handler, which logged a traceback and counted
    a 500 that no one had caused."""
    app = create_app(settings, migrate_on_start=False)
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            owner = await a_user(client, "owner")
        arriving: list[Message] = [
            {"type": "http.request", "body": b'{"kind": "work', "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> Message:
            return arriving.pop(0)

        headers = [
            (b"authorization", owner.headers["Authorization"].encode()),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
        ]
        with request_lines() as lines:
            await app(http_scope("POST", "/nodes", headers), receive, send)
    [line] = lines
    assert (line["route"], line["status"], line["level"]) == ("/nodes", 499, "info")
    assert line["user_id"] == owner.id
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 499
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM nodes")) == 0


async def test_a_request_cancelled_before_its_answer_is_a_499_line(settings: Settings) -> None:
    app = create_app(settings, migrate_on_start=False)
    entered = asyncio.Event()

    async def hang() -> None:
        entered.set()
        await asyncio.Event().wait()

    app.add_api_route("/hang", hang)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        raise AssertionError(f"nothing is sent: {message}")

    async with app.router.lifespan_context(app):
        with request_lines() as lines:
            request = asyncio.create_task(app(http_scope("GET", "/hang", []), receive, send))
            await entered.wait()
            request.cancel()
            with pytest.raises(asyncio.CancelledError):
                await request
    [line] = lines
    assert (line["route"], line["status"], line["level"]) == ("/hang", 499, "info")
