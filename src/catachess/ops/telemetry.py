"""OpenTelemetry tracing, on only when the standard OTEL_* variables ask for it.

Spans: one per HTTP request (FastAPI instrumentation; an incoming `traceparent`
continues the caller's trace), one per SQL statement (SQLAlchemy instrumentation), one
per maintenance job, and whatever other code opens with `span(name)`. Every span opened
with `span()` and every request span carries the request's correlation id.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.util.types import AttributeValue
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess import context
from catachess.ops import metrics

log = logging.getLogger(__name__)

TRACER_NAME = "catachess"
CORRELATION_ATTRIBUTE = "catachess.correlation_id"

# The provider our own spans use while an app that traces is running; None: the global one
# (a no-op unless something configured it), so span() costs next to nothing when off.
_provider: TracerProvider | None = None


def enabled_by_environment(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the standard variables ask for traces (an OTLP endpoint or an exporter)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporters:
        return exporters != "none"
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def _exporter(name: str) -> SpanExporter | None:
    if name == "otlp":
        # OTLP over HTTP/protobuf; it reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout).
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        return ConsoleSpanExporter()
    if name != "none":
        log.warning("OTEL_TRACES_EXPORTER %r is not supported here (otlp, console, none)", name)
    return None


def provider_from_environment(environ: Mapping[str, str] = os.environ) -> TracerProvider | None:
    """A provider exporting where OTEL_* says, or None when tracing is off.

    The SDK itself reads OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and OTEL_TRACES_SAMPLER.
    """
    if not enabled_by_environment(environ):
        return None
    has_name = "OTEL_SERVICE_NAME" in environ or "service.name=" in environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    )
    provider = TracerProvider(
        resource=Resource.create({} if has_name else {SERVICE_NAME: "catachess"})
    )
    for name in (environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(","):
        exporter = _exporter(name.strip().lower())
        if exporter is not None:
            provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """Request spans; must run before the app serves its first request."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # The per-message send/receive spans add cost and say nothing the request span does not.
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        exclude_spans=["receive", "send"],
        server_request_hook=lambda span, scope: redact_request_span(
            span, scope, metrics.UNMATCHED_ROUTE
        ),
    )


# Request-span attributes the instrumentation fills from the raw target. A path may hold
# a secret (POST /share-links/{token}/accept) and a query may hold anything, so they say
# the route template instead, as the span name, logs and metrics do: blank when the span
# starts (the route is not matched yet), the template once it is (ops.middleware).
URL_ATTRIBUTES = ("http.target", "http.url", "url.path", "url.full", "url.query")


def redact_request_span(span: trace.Span, scope: Mapping[str, Any], template: str) -> None:
    """Replace the raw path and query in a request span by `template`."""
    if not span.is_recording():
        return
    recorded = getattr(span, "attributes", None) or {}
    for name in URL_ATTRIBUTES:
        if name not in recorded:
            continue
        if name == "url.query":
            span.set_attribute(name, "")
        elif name in ("http.url", "url.full"):
            span.set_attribute(name, f"{scope.get('scheme', 'http')}://{_host(scope)}{template}")
        else:
            span.set_attribute(name, template)


def _host(scope: Mapping[str, Any]) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else "localhost"


def start(engine: AsyncEngine, provider: TracerProvider) -> None:
    """SQL statement spans on this engine, and our own spans on `provider`."""
    global _provider
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # The instrumentation declares SQLAlchemy < 2.1 and, without skip_dep_check, silently
    # records nothing on 2.1 (see shared FACTS); the event hooks it uses work on 2.1.
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
    _provider = provider


def stop() -> None:
    global _provider
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().uninstrument()
    _provider = None


def tracing_sql() -> bool:
    """Whether SQL statements are being traced (db.raw then sends them through SQLAlchemy)."""
    return _provider is not None


def tracer() -> trace.Tracer:
    return (_provider or trace.get_tracer_provider()).get_tracer(TRACER_NAME)


@contextmanager
def span(name: str, **attributes: AttributeValue) -> Iterator[trace.Span]:
    """A child span of the current one (or a new trace), carrying the correlation id."""
    correlation_id = context.correlation_id.get()
    if correlation_id is not None:
        attributes.setdefault(CORRELATION_ATTRIBUTE, correlation_id)
    with tracer().start_as_current_span(name, attributes=attributes) as current:
        yield current
