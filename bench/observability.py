"""What observability costs: GET /nodes/{id} throughput with and without it, side by side.

Three uvicorn processes serve the same database: one without the request observer (no
per-request metrics, no request log line), one as shipped (Prometheus metrics and one
JSON log line per request, written to a file), and one as shipped plus OpenTelemetry
tracing into an in-memory exporter (request span and one span per SQL statement). A
lightweight asyncio HTTP/1.1 client keeps CONNECTIONS keep-alive connections busy; the
servers are measured in turns (rotating the order), ROUNDS times, and the medians
compared.
Targets: observed/plain >= 0.9; traced/plain is reported.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

# This process only seeds the database; its own log lines would bury the figures.
os.environ.setdefault("LOG_LEVEL", "WARNING")

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.common import app_client, register, throwaway_database
from catachess.config import Settings
from catachess.correlation import CorrelationMiddleware
from catachess.ops import logs
from catachess.ops.middleware import RequestObserver

CONNECTIONS = 16
SECONDS = 2.0
ROUNDS = 5

LAUNCHER = """
import sys
import uvicorn
from catachess.app import create_app
variant, port = sys.argv[1], int(sys.argv[2])
provider = None
if variant == "traced":
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(InMemorySpanExporter()))
app = create_app(migrate_on_start=False, observe_requests=variant != "plain",
                 tracer_provider=provider)
uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
"""

VARIANTS = {
    "plain": "no request metrics, no request log line",
    "observed": "metrics + one JSON log line per request",
    "traced": "observed + OpenTelemetry spans to memory",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def server(variant: str, url: str, log_dir: Path) -> AsyncIterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "MAINTENANCE_INTERVAL": "0",
    }
    with (log_dir / f"{variant}.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", LAUNCHER, variant, str(port), env=env, stdout=log, stderr=log
        )
    try:
        for _ in range(400):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        yield port
    finally:
        process.terminate()
        await process.wait()


async def connection_loop(port: int, request: bytes, deadline: float) -> int:
    """Send `request` back to back on one keep-alive connection until the deadline."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.perf_counter() < deadline:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        done += 1
    writer.close()
    return done


async def throughput(port: int, path: str, token: str) -> float:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    deadline = time.perf_counter() + SECONDS
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(connection_loop(port, request, deadline) for _ in range(CONNECTIONS))
    )
    return sum(counts) / (time.perf_counter() - started)


class _Route:
    path = "/nodes/{node_id}"


async def _endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    scope["route"] = _Route
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def observer_cost(log_file: Path) -> float:
    """CPU seconds the request observer adds to one request, measured in-process.

    The HTTP figures above share a busy machine with everything else; this one has no
    I/O but the log write, so it shows what the observer itself costs.
    """

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        pass

    async def per_request(app: ASGIApp) -> float:
        started = time.perf_counter()
        for _ in range(20_000):
            await app({"type": "http", "method": "GET", "headers": []}, receive, send)
        return (time.perf_counter() - started) / 20_000

    plain = CorrelationMiddleware(_endpoint)
    observed = RequestObserver(_endpoint)  # the correlation layer, observing
    with log_file.open("w") as stream:
        logs.configure(Settings(LOG_FORMAT="json", LOG_LEVEL="INFO"), stream=stream)
        costs = [await per_request(observed) - await per_request(plain) for _ in range(3)]
        logs.configure(Settings(LOG_LEVEL="WARNING"))
    return statistics.median(costs)


async def main() -> None:
    with throwaway_database() as url, tempfile.TemporaryDirectory() as directory:
        async with app_client(url) as client:
            headers = await register(client, "bench-observability")
            workspace = await client.post(
                "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
            )
            path = f"/nodes/{workspace.json()['id']}"
        token = headers["Authorization"].removeprefix("Bearer ")
        log_dir = Path(directory)
        results: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        async with (
            server("plain", url, log_dir) as plain,
            server("observed", url, log_dir) as observed,
            server("traced", url, log_dir) as traced,
        ):
            ports = {"plain": plain, "observed": observed, "traced": traced}
            for port in ports.values():  # warm up connections, caches, prepared statements
                await throughput(port, path, token)
            order = list(ports)
            for _ in range(ROUNDS):
                # Rotating the order spreads drifts in machine load over all three.
                for variant in order:
                    results[variant].append(await throughput(ports[variant], path, token))
                order = order[1:] + order[:1]
        log_lines = (log_dir / "observed.log").read_text().count('"event":"request"')
        cost = await observer_cost(log_dir / "in-process.log")
    medians = {variant: statistics.median(values) for variant, values in results.items()}
    print(
        f"observability: GET /nodes/{{id}}, {CONNECTIONS} keep-alive connections, "
        f"median of {ROUNDS} x {SECONDS:.0f} s per server, servers measured in turns"
    )
    for variant, description in VARIANTS.items():
        print(f"  {variant:9} {medians[variant]:8.0f} req/s  ({description})")
    print(f"  observed/plain: {medians['observed'] / medians['plain']:.2f}x (target >= 0.9x)")
    print(f"  traced/plain:   {medians['traced'] / medians['plain']:.2f}x")
    print(f"  ({log_lines} request log lines written by the observed server)")
    print(f"  observer cost per request, in-process: {cost * 1e6:.0f} us (metrics + JSON line)")


if __name__ == "__main__":
    asyncio.run(main())
