"""What an idempotency key costs: keyed vs unkeyed POST /nodes, and replay vs first run.

A real server process (uvicorn on a Unix socket) and this process as its client, with
CONCURRENCY requests in flight. Throughput is measured in ROUNDS pairs of back-to-back
unkeyed and keyed batches (order alternating), and the figure is the median of the
per-pair ratios, so load drifting on a shared machine hits both sides of a pair alike.
On a machine shared with other work, throughput swings with their load; the CPU time
the server process and PostgreSQL spend per request (read from /proc, Linux only) does
not, so its ratio is printed too: it is what the throughput ratio converges to when
the server is CPU-bound.
Latency is measured sequentially: a keyed first run, then its replay, in pairs.
Targets: keyed throughput >= 0.85x unkeyed; replay latency <= 0.5x the first run.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bench.common import cpu_seconds, postmaster_pid, throwaway_database

CONCURRENCY = 16
BATCH = 64
ROUNDS = 12
PAIRS = 100
WORKSPACE = {"kind": "workspace", "name": "bench"}


@asynccontextmanager
async def server(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, list[int]]]:
    with tempfile.TemporaryDirectory(prefix="cc-bench-") as directory:
        socket = f"{directory}/server.sock"
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        # A pool as large as the concurrency: no connection churn in either measurement.
        env.update(MAINTENANCE_INTERVAL="0", REDIS_URL="", DB_POOL_SIZE=str(CONCURRENCY))
        process = await asyncio.create_subprocess_exec(
            *[
                sys.executable,
                "-m",
                "uvicorn",
                "catachess.asgi:app",
                "--uds",
                socket,
                "--no-access-log",
            ],
            env=env,
            stderr=asyncio.subprocess.DEVNULL,
        )
        limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
        transport = httpx.AsyncHTTPTransport(uds=socket, limits=limits)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                while True:
                    assert process.returncode is None, "the server did not start"
                    try:
                        if (await client.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
                yield client, [process.pid, *postmaster_pid(url)]
        finally:
            process.terminate()
            await process.wait()


async def batch_throughput(
    client: httpx.AsyncClient, headers: dict[str, str], keyed: bool, pids: list[int]
) -> tuple[float, float]:
    """Requests per second of BATCH creates with CONCURRENCY in flight, and server-side
    CPU seconds per request."""
    queue = iter(range(BATCH))

    async def worker() -> None:
        for _ in queue:
            extra = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
            response = await client.post("/nodes", json=WORKSPACE, headers={**headers, **extra})
            assert response.status_code == 201, response.text

    cpu, started = cpu_seconds(pids), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return BATCH / elapsed, (cpu_seconds(pids) - cpu) / BATCH


async def replay_pair(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[float, float]:
    keyed = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    started = time.perf_counter()
    first = await client.post("/nodes", json=WORKSPACE, headers=keyed)
    middle = time.perf_counter()
    replay = await client.post("/nodes", json=WORKSPACE, headers=keyed)
    ended = time.perf_counter()
    assert first.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    return middle - started, ended - middle


async def main() -> None:
    with throwaway_database() as url:
        async with server(url) as (client, pids):
            body = {"email": "bench@bench.example", "password": "bench password"}
            await client.post("/auth/register", json={**body, "display_name": "bench"})
            token = (await client.post("/auth/login", json=body)).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for keyed in (True, False):  # warm-up: connections, prepared statements
                await batch_throughput(client, headers, keyed, pids)
            unkeyed: list[tuple[float, float]] = []
            keyed: list[tuple[float, float]] = []
            for round_ in range(ROUNDS):
                order = [(False, unkeyed), (True, keyed)]
                for is_keyed, samples in order if round_ % 2 == 0 else reversed(order):
                    samples.append(await batch_throughput(client, headers, is_keyed, pids))
            pairs = [await replay_pair(client, headers) for _ in range(PAIRS)]
    ratio = statistics.median(k[0] / u[0] for k, u in zip(keyed, unkeyed, strict=True))
    cpu_unkeyed = statistics.median(u[1] for u in unkeyed)
    cpu_keyed = statistics.median(k[1] for k in keyed)
    first = statistics.median(p[0] for p in pairs)
    replay = statistics.median(p[1] for p in pairs)
    print(
        f"idempotency: POST /nodes on a uvicorn process, {CONCURRENCY} in flight, "
        f"{ROUNDS} pairs of batches of {BATCH}"
    )
    for name, samples, cpu in (("unkeyed", unkeyed, cpu_unkeyed), ("keyed", keyed, cpu_keyed)):
        rate = statistics.median(sample[0] for sample in samples)
        print(
            f"  {name + ':':8} {rate:5.0f} req/s, server + PostgreSQL CPU {cpu * 1000:5.2f} ms/req"
        )
    print(f"  ratio keyed/unkeyed: {ratio:.2f}x (median of pairs; target >= 0.85x)")
    if cpu_keyed > 0:
        print(f"  CPU-bound ratio unkeyed/keyed CPU: {cpu_unkeyed / cpu_keyed:.2f}x")
    print(
        f"  first run: {first * 1000:6.2f} ms, replay: {replay * 1000:6.2f} ms (median of {PAIRS})"
    )
    print(f"  ratio replay/first: {replay / first:.2f}x (target <= 0.5x)")


if __name__ == "__main__":
    asyncio.run(main())
