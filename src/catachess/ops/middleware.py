"""One ASGI middleware observes every HTTP request: its metrics, its log line, its span.

It sits inside CorrelationMiddleware (so the correlation id is set) and outside the
router, and reads the route template the router leaves in `scope["route"]` after the
request was handled: label values and log fields are templates like `/nodes/{node_id}`,
never the raw path, which may carry ids or a share-link token.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from opentelemetry import trace
from sqlalchemy import inspect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catachess import context
from catachess.ops import metrics, telemetry

access_log = structlog.get_logger("catachess.access")


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


class RequestObserver:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Shared with request.state, so the user resolved by the endpoint is visible here.
        scope.setdefault("state", {})
        correlation_id = context.correlation_id.get()
        span = trace.get_current_span()
        if span.is_recording() and correlation_id is not None:
            span.set_attribute(telemetry.CORRELATION_ATTRIBUTE, correlation_id)
        status = 500
        user_id: str | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status, user_id
            if message["type"] == "http.response.start":
                status = message["status"]
                # The request span ends with the response body, so annotate it now.
                user_id = user_id_of(scope)
                if user_id is not None and span.is_recording():
                    span.set_attribute("enduser.id", user_id)
                telemetry.redact_request_span(span, scope, route_template(scope))
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            # An exception reaches here before the outer error handler renders its 500.
            seconds = time.perf_counter() - started
            self._record(scope, status, seconds, correlation_id, user_id or user_id_of(scope))

    def _record(
        self,
        scope: Scope,
        status: int,
        seconds: float,
        correlation_id: str | None,
        user_id: str | None,
    ) -> None:
        method = metrics.method_label(scope["method"])
        route = route_template(scope)
        status_label = str(status)
        metrics.http_requests.labels(method, route, status_label).inc()
        metrics.http_request_duration.labels(method, route, status_label).observe(seconds)
        log = access_log.error if status >= 500 else access_log.info
        log(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            user_id=user_id,
            correlation_id=correlation_id,
        )
