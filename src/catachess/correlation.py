"""Correlation ids: from X-Correlation-ID, else a W3C traceparent's trace id, else new.

A pure ASGI middleware so the id is set before anything else runs and is echoed on
every response, errors included. ops.middleware.RequestObserver is this middleware with
the request's metrics, log line and span added in the same layer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catachess import context
from catachess.errors import problem_body

HEADER = "x-correlation-id"
HEADER_BYTES = HEADER.encode()
CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


class MalformedHeader(ValueError):
    pass


def correlation_from(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The request's correlation id from its raw ASGI headers (names are lowercase there;
    the first of repeated headers counts); raises MalformedHeader rather than store junk."""
    given = traceparent = None
    for name, value in headers:  # one pass: no Headers object, no scan per name
        if name == HEADER_BYTES and given is None:
            given = value.decode("latin-1")
        elif name == b"traceparent" and traceparent is None:
            traceparent = value.decode("latin-1")
    if given is not None:
        if not CORRELATION_ID.match(given):
            raise MalformedHeader(
                "X-Correlation-ID must be 1-64 characters of letters, digits, '.', '_', ':' or '-'"
            )
        return given
    if traceparent is not None:
        match = TRACEPARENT.match(traceparent.strip())
        if not match or match.group(1) == "0" * 32 or match.group(2) == "0" * 16:
            raise MalformedHeader("traceparent is not a valid W3C trace context header")
        return match.group(1)
    return uuid.uuid4().hex


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            correlation_id = correlation_from(scope["headers"])
        except MalformedHeader as error:
            await _reject(scope, send, str(error))
            return
        token = context.correlation_id.set(correlation_id)
        # Also in request.state: the 500 handler runs outside this middleware, after the
        # context variable is reset, and must still echo the id.
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        try:
            await self.handle(scope, receive, send, correlation_id)
        finally:
            context.correlation_id.reset(token)

    async def handle(self, scope: Scope, receive: Receive, send: Send, correlation_id: str) -> None:
        """Run the app, echoing the id on its response (subclasses observe more here)."""
        header = correlation_id.encode("latin-1")

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                echo(message, header)
            await send(message)

        await self.app(scope, receive, send_with_header)


def echo(start: Message, correlation_id: bytes) -> None:
    """Set X-Correlation-ID on a response start, replacing any the app set (what
    starlette's MutableHeaders does, without building one per response)."""
    headers = start["headers"] = list(start.get("headers", ()))
    found = [i for i, (name, _) in enumerate(headers) if name == HEADER_BYTES]
    for index in reversed(found[1:]):
        del headers[index]
    if found:
        headers[found[0]] = (HEADER_BYTES, correlation_id)
    else:
        headers.append((HEADER_BYTES, correlation_id))


async def _reject(scope: Scope, send: Send, detail: str) -> None:
    body = orjson.dumps(
        problem_body(
            status=400,
            code="malformed_header",
            title="Bad request",
            detail=detail,
            instance=scope.get("path", ""),
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
