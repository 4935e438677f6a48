"""What observability costs: GET /nodes/{id} throughput with and without it, side by side.

Three uvicorn processes serve the same database: one without the request observer (no
per-request metrics, no request log line), one as shipped (Prometheus metrics and one
JSON log line per request, written to a file), and one as shipped plus OpenTelemetry
tracing into an in-memory exporter (request span and one span per SQL statement). A
lightweight asyncio HTTP/1.1 client keeps CONNECTIONS keep-alive connections busy; the
servers are measured in turns, ROUNDS times, and the medians compared.
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

from bench.common import app_client, register, throwaway_database

CONNECTIONS = 16
SECONDS = 3.0
ROUNDS = 3

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
async def server(variant: str, url: str, logs: Path) -> AsyncIterator[int]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOG_FORMAT": "json", "MAINTENANCE_INTERVAL": "0"}
    with (logs / f"{variant}.log").open("wb") as log:
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


async def main() -> None:
    with throwaway_database() as url, tempfile.TemporaryDirectory() as directory:
        async with app_client(url) as client:
            headers = await register(client, "bench-observability")
            workspace = await client.post(
                "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
            )
            path = f"/nodes/{workspace.json()['id']}"
        token = headers["Authorization"].removeprefix("Bearer ")
        logs = Path(directory)
        results: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
        async with (
            server("plain", url, logs) as plain,
            server("observed", url, logs) as observed,
            server("traced", url, logs) as traced,
        ):
            ports = {"plain": plain, "observed": observed, "traced": traced}
            for port in ports.values():  # warm up connections, caches, prepared statements
                await throughput(port, path, token)
            for _ in range(ROUNDS):
                for variant, port in ports.items():
                    results[variant].append(await throughput(port, path, token))
        log_lines = (logs / "observed.log").read_text().count('"event":"request"')
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


if __name__ == "__main__":
    asyncio.run(main())
