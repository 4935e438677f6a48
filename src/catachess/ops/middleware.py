"""One ASGI middleware observes every HTTP request: its metrics, its log line, its span.

It is CorrelationMiddleware's layer (so the correlation id is set) and sits outside the
router, and reads the route template the router leaves in `scope["route"]` after the
request was handled: label values and log fields are templates like `/nodes/{node_id}`,
never the raw path, which may carry ids or a share-link token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from opentelemetry import trace
from prometheus_client import Counter, Histogram
from sqlalchemy import inspect
from starlette.types import Message, Receive, Scope, Send

from catachess.correlation import CorrelationMiddleware, echo
from catachess.ops import logs, metrics, telemetry

access_log = logging.getLogger("catachess.access")


def route_template(scope: Scope) -> str:
    """The matched route's path template, or UNMATCHED_ROUTE."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    # Plain Starlette routes (/docs, /openapi.json) leave only their endpoint in the scope.
    endpoint = scope.get("endpoint")
    if endpoint is not None:
        for route in getattr(scope.get("app"), "routes", ()):
            if getattr(route, "endpoint", None) is endpoint:
                return str(route.path)
    return metrics.UNMATCHED_ROUTE


def user_id_of(scope: Scope) -> str | None:
    """The authenticated user's id, if the request authenticated one (see auth.deps)."""
    state = scope.get("state", {})
    if state.get("user_id") is not None:  # a read that loaded only the caller's id
        return str(state["user_id"])
    user: Any = state.get("user")
    if user is None:
        return None
    # The identity key survives the session's rollback and close, unlike the attributes.
    identity = inspect(user).identity
    return str(identity[0]) if identity else None


# nginx's status for a request whose client went away before the answer: logged and
# counted as what it is, not as a 5xx an operator would chase.
CLIENT_CLOSED_REQUEST = 499


class RequestObserver(CorrelationMiddleware):
    """CorrelationMiddleware that also observes the request, in the same ASGI layer (one
    coroutine and one wrapped `send` per request instead of two)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, correlation_id: str) -> None:
        started = time.perf_counter()
        span = trace.get_current_span()
        if span.is_recording():
            span.set_attribute(telemetry.CORRELATION_ATTRIBUTE, correlation_id)
        header = correlation_id.encode("latin-1")
        status = 500
        responded = False
        user_id: str | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status, responded, user_id
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                # The request span ends with the response body, so annotate it now.
                user_id = user_id_of(scope)
                if span.is_recording():
                    if user_id is not None:
                        span.set_attribute("enduser.id", user_id)
                    telemetry.redact_request_span(span, scope, route_template(scope))
                echo(message, header)
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except asyncio.CancelledError:
            # Cancelled before it answered (the server shutting down, a client's ASGI
            # transport giving up): nobody failed, nobody gets an answer.
            if not responded:
                status = CLIENT_CLOSED_REQUEST
            raise
        finally:
            # An exception reaches here before the outer error handler renders its 500.
            seconds = time.perf_counter() - started
            _record(scope, status, seconds, correlation_id, user_id or user_id_of(scope))


# The labelled series of each (method, route, status) seen: labels() hashes, validates
# and locks on every call; the label sets are few (see ops.metrics), so this stays small.
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def _record(
    scope: Scope,
    status: int,
    seconds: float,
    correlation_id: str,
    user_id: str | None,
) -> None:
    method = metrics.method_label(scope["method"])
    route = route_template(scope)
    series = _series.get((method, route, status))
    if series is None:
        labels = (method, route, str(status))
        series = _series[method, route, status] = (
            metrics.http_requests.labels(*labels),
            metrics.http_request_duration.labels(*labels),
        )
    series[0].inc()
    series[1].observe(seconds)
    event = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "user_id": user_id,
        "correlation_id": correlation_id,
        "event": "request",
    }
    logs.log_event(access_log, logging.ERROR if status >= 500 else logging.INFO, event)
