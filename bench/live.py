"""Live study streams across two server processes: fan-out latency and memory per stream.

Two `catachess serve` processes (uvicorn, as tests/servers.py starts them) on one
throwaway PostgreSQL. N clients stream one study from process A
(`GET /studies/{id}/stream`); a writer sets the chapter comment through process B at a
fixed rate. Each event carries the chapter's version, which the write's answer also
gives, so every (write, client) pair yields one latency: from the moment B answered the
write (its transaction committed) to the moment the client read the event from A. The
figures are p50 / p99 / max of those, how many of the N x writes were delivered (must be
all), and A's resident memory per open stream (VmRSS with N streams open and fed, minus
before any stream, divided by N).

A presence figure rides along: from a page's heartbeat answered by B to the new
presence list read from A, p50 over the N clients.

The clients run in this one Python process on the same cores as both servers and
PostgreSQL: past a few thousand messages a second the client parsing is what saturates,
so the achieved write rate is printed beside the asked one. Settings: BENCH_LIVE_CLIENTS
(default "50,200"), BENCH_LIVE_RATES (writes per second, default "1,10,100"),
BENCH_LIVE_WRITES (per combination, default 20).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tests.servers import running_servers

from bench.common import throwaway_database

CLIENTS = [int(n) for n in os.environ.get("BENCH_LIVE_CLIENTS", "50,200").split(",")]
RATES = [float(n) for n in os.environ.get("BENCH_LIVE_RATES", "1,10,100").split(",")]
WRITES = int(os.environ.get("BENCH_LIVE_WRITES", "20"))
PGN = '[Event "bench"]\n\n1. e4 e5 2. Nf3 Nc6 *\n'
VERSION = re.compile(rb'"event_type":"chapter\.comment_set".*?"version":(\d+)')
SERVER_ENV = {"LOG_LEVEL": "WARNING", "EVENT_RELAY": "false"}


@dataclass
class Client:
    """One stream: when each chapter version arrived, and when a presence list did."""

    arrived: dict[int, float] = field(default_factory=dict)
    presence: list[float] = field(default_factory=list)
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    all_arrived: asyncio.Event = field(default_factory=asyncio.Event)
    presence_arrived: asyncio.Event = field(default_factory=asyncio.Event)


async def follow(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], client: Client
) -> None:
    async with http.stream("GET", path, headers=headers, timeout=None) as response:
        buffer = b""
        async for chunk in response.aiter_bytes():
            now = time.perf_counter()
            buffer += chunk
            *messages, buffer = buffer.split(b"\n\n")
            for message in messages:
                if message.startswith(b"retry:"):
                    client.subscribed.set()
                elif b"event: presence" in message:
                    client.presence.append(now)
                    client.presence_arrived.set()
                elif (found := VERSION.search(message)) is not None:
                    client.arrived[int(found.group(1))] = now
                    if len(client.arrived) >= WRITES:
                        client.all_arrived.set()


async def until_all(streams: list[Client], event: str, within: float) -> None:
    """Wait until every client has seen `event` (what is missing after that is counted)."""
    with contextlib.suppress(TimeoutError):
        waits = (getattr(c, event).wait() for c in streams)
        await asyncio.wait_for(asyncio.gather(*waits), within)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def account(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    email = f"{name}-{uuid.uuid4().hex[:8]}@bench.example"
    body = {"email": email, "password": "bench password", "display_name": name}
    assert (await http.post("/auth/register", json=body)).status_code == 201
    login = await http.post("/auth/login", json={"email": email, "password": "bench password"})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def a_study(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[str, str]:
    workspace = await http.post(
        "/nodes", json={"kind": "workspace", "name": f"w{uuid.uuid4().hex[:6]}"}, headers=headers
    )
    created = await http.post(
        "/studies",
        json={"name": "live", "parent_id": workspace.json()["id"], "pgn": PGN},
        headers=headers,
    )
    study = created.json()["studies"][0]
    return study["id"], study["chapters"][0]["id"]


async def run(
    a: httpx.AsyncClient, b: httpx.AsyncClient, pid_a: int, clients: int, rate: float
) -> str:
    headers = await account(b, "coach")
    study_id, chapter_id = await a_study(b, headers)
    rss_before = rss_kib(pid_a)
    streams = [Client() for _ in range(clients)]
    path = f"/studies/{study_id}/stream"
    tasks = [asyncio.create_task(follow(a, path, headers, c)) for c in streams]
    try:
        await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in streams)), 120)
        answered: dict[int, float] = {}
        started = time.perf_counter()
        for n in range(WRITES):
            # Paced from the start, so a slow write does not slow the asked rate further.
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            response = await b.put(
                f"/studies/{study_id}/chapters/{chapter_id}/comment",
                json={"comment": f"write {n}"},
                headers=headers,
            )
            answered[response.json()["version"]] = time.perf_counter()
        achieved = WRITES / (time.perf_counter() - started)
        await until_all(streams, "all_arrived", 30)
        rss_fed = rss_kib(pid_a)
        latencies = [
            (c.arrived[v] - t) * 1000
            for c in streams
            for v, t in answered.items()
            if v in c.arrived
        ]
        delivered = len(latencies)
        beat = time.perf_counter()
        presence = await b.put(
            f"/studies/{study_id}/presence/{uuid.uuid4()}",
            json={"chapter_id": chapter_id},
            headers=headers,
        )
        assert presence.status_code == 200, presence.text
        beat = (beat + time.perf_counter()) / 2
        await until_all(streams, "presence_arrived", 10)
        presence_ms = [(c.presence[0] - beat) * 1000 for c in streams if c.presence]
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await task
    per_stream = (rss_fed - rss_before) / clients
    return (
        f"{clients:>4} streams {rate:>5g} w/s (achieved {achieved:5.1f})  "
        f"latency p50 {percentile(latencies, 0.5):6.1f} ms  "
        f"p99 {percentile(latencies, 0.99):7.1f} ms  "
        f"max {max(latencies):7.1f} ms  delivered {delivered}/{clients * WRITES}  "
        f"memory {per_stream:6.1f} KiB/stream  "
        f"presence p50 {statistics.median(presence_ms) if presence_ms else float('nan'):6.1f} ms"
    )


async def main() -> None:
    print(
        f"live streams: writes through process B, {WRITES} per line, clients stream from "
        "process A; latency from B's answer to A's client (commit to delivery)"
    )
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    with throwaway_database() as url:
        async with (
            running_servers(url, count=2, env=SERVER_ENV) as servers,
            httpx.AsyncClient(base_url=servers[0].base_url, limits=limits, timeout=30) as a,
            httpx.AsyncClient(base_url=servers[1].base_url, timeout=30) as b,
        ):
            for clients in CLIENTS:
                for rate in RATES:
                    print(await run(a, b, servers[0].pid, clients, rate), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
