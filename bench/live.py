"""Live study streams across two server processes: fan-out latency and memory per stream.

For each N, two fresh `catachess serve` processes (uvicorn, as tests/servers.py starts
them) on one throwaway PostgreSQL. N clients stream one study of 10 chapters from process
A (`GET /studies/{id}/stream`); writers set chapter comments through process B at a fixed
rate (round robin over the chapters, each write in flight on its own, so a slow write does
not hold back the next). Each event carries its chapter and version, which the write's
answer also gives, so every (write, client) pair yields one latency: from the moment B
answered the write (its transaction committed) to the moment the client read the event
from A. The figures are p50 / p99 / max of those and how many of the N x writes were
delivered (must be all). Memory: A's resident memory (VmRSS) with the N streams open and
fed, minus A's after a warm-up (one stream, a few writes) before them, divided by N.

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
CHAPTERS = 10
PGN = "".join(f'[Event "bench {n}"]\n\n1. e4 e5 2. Nf3 Nc6 *\n\n' for n in range(CHAPTERS))
EVENT = re.compile(
    rb'"event_type":"chapter\.comment_set".*?"target":\{"id":"([0-9a-f-]+)".*?"version":(\d+)'
)
SERVER_ENV = {"LOG_LEVEL": "WARNING", "EVENT_RELAY": "false"}

Key = tuple[str, int]  # (chapter id, chapter version after the write)


@dataclass
class Client:
    """One stream: when each (chapter, version) arrived, and when a presence list did."""

    arrived: dict[Key, float] = field(default_factory=dict)
    presence: list[float] = field(default_factory=list)
    expected: int = 0
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
                elif (found := EVENT.search(message)) is not None:
                    client.arrived[(found.group(1).decode(), int(found.group(2)))] = now
                    if len(client.arrived) >= client.expected:
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
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def account(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    email = f"{name}-{uuid.uuid4().hex[:8]}@bench.example"
    body = {"email": email, "password": "bench password", "display_name": name}
    assert (await http.post("/auth/register", json=body)).status_code == 201
    login = await http.post("/auth/login", json={"email": email, "password": "bench password"})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@dataclass
class Study:
    id: str
    chapters: list[str]
    headers: dict[str, str]


async def a_study(http: httpx.AsyncClient) -> Study:
    headers = await account(http, "coach")
    workspace = await http.post(
        "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
    )
    created = await http.post(
        "/studies",
        json={"name": "live", "parent_id": workspace.json()["id"], "pgn": PGN},
        headers=headers,
    )
    study = created.json()["studies"][0]
    return Study(study["id"], [c["id"] for c in study["chapters"]], headers)


async def write(b: httpx.AsyncClient, study: Study, n: int) -> tuple[Key, float]:
    chapter = study.chapters[n % len(study.chapters)]
    response = await b.put(
        f"/studies/{study.id}/chapters/{chapter}/comment",
        json={"comment": f"write {n}"},
        headers=study.headers,
    )
    assert response.status_code == 200, response.text
    return (chapter, response.json()["version"]), time.perf_counter()


async def writes_at(b: httpx.AsyncClient, study: Study, streams: list[Client], rate: float) -> str:
    """WRITES writes at `rate`; the latency line of what the streams received."""
    for c in streams:
        c.all_arrived.clear()
        c.expected = len(c.arrived) + WRITES
    started = time.perf_counter()
    pending = []
    for n in range(WRITES):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        pending.append(asyncio.create_task(write(b, study, n)))
    answered = dict(await asyncio.gather(*pending))
    achieved = WRITES / (time.perf_counter() - started)
    await until_all(streams, "all_arrived", 60)
    latencies = [
        (c.arrived[key] - at) * 1000
        for c in streams
        for key, at in answered.items()
        if key in c.arrived
    ]
    return (
        f"{len(streams):>4} streams {rate:>5g} w/s (achieved {achieved:5.1f})  "
        f"latency p50 {percentile(latencies, 0.5):6.1f} ms  "
        f"p99 {percentile(latencies, 0.99):7.1f} ms  max {max(latencies, default=0):7.1f} ms  "
        f"delivered {len(latencies)}/{len(streams) * WRITES}"
    )


async def presence_latency(b: httpx.AsyncClient, study: Study, streams: list[Client]) -> float:
    before = time.perf_counter()
    beat = await b.put(
        f"/studies/{study.id}/presence/{uuid.uuid4()}",
        json={"chapter_id": study.chapters[0]},
        headers=study.headers,
    )
    assert beat.status_code == 200, beat.text
    answered = (before + time.perf_counter()) / 2
    await until_all(streams, "presence_arrived", 10)
    return statistics.median([(c.presence[0] - answered) * 1000 for c in streams if c.presence])


async def streams_of(url: str, clients: int) -> None:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with (
        running_servers(url, count=2, env=SERVER_ENV) as servers,
        httpx.AsyncClient(base_url=servers[0].base_url, limits=limits, timeout=30) as a,
        httpx.AsyncClient(base_url=servers[1].base_url, limits=limits, timeout=30) as b,
    ):
        study = await a_study(b)
        path = f"/studies/{study.id}/stream"
        pid = servers[0].pid
        streams = [Client() for _ in range(clients + 1)]
        tasks = [asyncio.create_task(follow(a, path, study.headers, streams[0]))]
        try:
            # Warm-up: one stream and a few writes, so A's one-time costs are not counted.
            await streams[0].subscribed.wait()
            await writes_at(b, study, streams[:1], 10)
            rss_before = rss_kib(pid)
            for c in streams[1:]:
                tasks.append(asyncio.create_task(follow(a, path, study.headers, c)))
            await asyncio.wait_for(asyncio.gather(*(c.subscribed.wait() for c in streams)), 120)
            followers = streams[1:]
            for index, rate in enumerate(RATES):
                print(await writes_at(b, study, followers, rate), flush=True)
                if index == 0:
                    per_stream = (rss_kib(pid) - rss_before) / clients
            presence = await presence_latency(b, study, followers)
            print(
                f"{clients:>4} streams: memory {per_stream:6.1f} KiB per stream (process A), "
                f"presence heartbeat to stream p50 {presence:6.1f} ms",
                flush=True,
            )
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                    await task


async def main() -> None:
    print(
        f"live streams: {WRITES} writes per line through process B, clients stream from "
        "process A; latency from B's answer to A's client (commit to delivery)"
    )
    with throwaway_database() as url:
        for clients in CLIENTS:
            await streams_of(url, clients)


if __name__ == "__main__":
    asyncio.run(main())
