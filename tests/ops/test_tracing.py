"""OpenTelemetry: one request is one connected trace; off unless OTEL_* asks for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from catachess.app import create_app
from catachess.config import Settings
from catachess.maintenance import runner
from catachess.ops import telemetry
from tests.factories import a_user, a_workspace

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@dataclass
class Traced:
    client: httpx.AsyncClient
    exporter: InMemorySpanExporter
    app_state: object


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[Traced]:
    """An app of its own that exports every span to memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(settings, migrate_on_start=False, tracer_provider=provider)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Traced(client, exporter, app.state)


def request_span(spans: tuple[ReadableSpan, ...], route: str) -> ReadableSpan:
    [span] = [
        s
        for s in spans
        if s.kind == SpanKind.SERVER and (s.attributes or {}).get("http.route") == route
    ]
    return span


def descends_from(
    span: ReadableSpan, ancestor: ReadableSpan, spans: tuple[ReadableSpan, ...]
) -> bool:
    by_id = {s.context.span_id: s for s in spans}
    current: ReadableSpan | None = span
    while current is not None and current.parent is not None:
        if current.parent.span_id == ancestor.context.span_id:
            return True
        current = by_id.get(current.parent.span_id)
    return False


def sql_spans(spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == SpanKind.CLIENT and "db.system" in (s.attributes or {})]


async def test_a_request_and_its_sql_statements_form_one_trace(traced: Traced) -> None:
    user = await a_user(traced.client, "traced")
    traced.exporter.clear()

    response = await traced.client.get("/users/me", headers=user.headers)

    assert response.status_code == 200
    spans = traced.exporter.get_finished_spans()
    request = request_span(spans, "/users/me")
    statements = sql_spans(spans)
    assert statements, [s.name for s in spans]
    for statement in statements:
        assert statement.context.trace_id == request.context.trace_id
        assert descends_from(statement, request, spans)
    attributes = request.attributes or {}
    assert attributes[telemetry.CORRELATION_ATTRIBUTE] == response.headers["x-correlation-id"]
    assert attributes["enduser.id"] == user.id


async def test_an_incoming_traceparent_continues_the_callers_trace(traced: Traced) -> None:
    user = await a_user(traced.client, "traced")
    traced.exporter.clear()

    response = await traced.client.get(
        "/users/me",
        headers={**user.headers, "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"},
    )

    spans = traced.exporter.get_finished_spans()
    request = request_span(spans, "/users/me")
    assert format(request.context.trace_id, "032x") == CALLER_TRACE
    assert request.parent is not None and format(request.parent.span_id, "016x") == CALLER_SPAN
    assert all(format(s.context.trace_id, "032x") == CALLER_TRACE for s in sql_spans(spans))
    # The correlation id of a traced caller is its trace id, so logs and traces meet.
    assert response.headers["x-correlation-id"] == CALLER_TRACE
    assert (request.attributes or {})[telemetry.CORRELATION_ATTRIBUTE] == CALLER_TRACE


async def test_a_maintenance_job_is_a_span_with_its_statements(
    traced: Traced, settings: Settings
) -> None:
    state = traced.app_state
    job = runner.load_jobs()["tokens.expire"]
    traced.exporter.clear()

    await runner.run_job(state.engine, state.sessionmaker, job, settings)  # type: ignore[attr-defined]

    spans = traced.exporter.get_finished_spans()
    [job_span] = [s for s in spans if s.name == "maintenance tokens.expire"]
    assert (job_span.attributes or {})["catachess.job.items"] == 0
    statements = sql_spans(spans)
    assert statements and all(descends_from(s, job_span, spans) for s in statements)


def test_tracing_is_on_only_when_the_standard_variables_ask() -> None:
    assert not telemetry.enabled_by_environment({})
    assert telemetry.enabled_by_environment(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    )
    assert telemetry.enabled_by_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert not telemetry.enabled_by_environment({"OTEL_TRACES_EXPORTER": "none"})
    assert not telemetry.enabled_by_environment(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}
    )
    assert telemetry.provider_from_environment({}) is None
    provider = telemetry.provider_from_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "catachess"
    provider.shutdown()


async def test_finding_8_no_share_link_token_in_any_span(traced: Traced) -> None:
    alice, bob = await a_user(traced.client, "alice"), await a_user(traced.client, "bob")
    ws = await a_workspace(traced.client, alice)
    created = await traced.client.post(
        f"/nodes/{ws['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
    )
    token = created.json()["token"]
    traced.exporter.clear()

    accepted = await traced.client.post(
        f"/share-links/{token}/accept?note={token}", headers=bob.headers
    )

    assert accepted.status_code == 200, accepted.text
    spans = traced.exporter.get_finished_spans()
    request = request_span(spans, "/share-links/{token}/accept")
    assert (request.attributes or {}).get("http.target") == "/share-links/{token}/accept"
    for span in spans:
        assert token not in span.name
        for name, value in (span.attributes or {}).items():
            assert token not in str(value), (span.name, name)


async def test_a_node_read_sent_past_the_orm_still_traces_its_statement(traced: Traced) -> None:
    """GET /nodes/{id} sends its one statement to asyncpg directly (db.raw) unless SQL is
    traced: with tracing on, the statement still has its span under the request's."""
    user = await a_user(traced.client, "traced")
    workspace = await a_workspace(traced.client, user)
    traced.exporter.clear()

    response = await traced.client.get(f"/nodes/{workspace['id']}", headers=user.headers)

    assert response.status_code == 200
    spans = traced.exporter.get_finished_spans()
    request = request_span(spans, "/nodes/{node_id}")
    statements = sql_spans(spans)
    assert any("api_tokens" in str((s.attributes or {}).get("db.statement")) for s in statements)
    assert all(descends_from(s, request, spans) for s in statements)
    assert (request.attributes or {})["enduser.id"] == user.id
