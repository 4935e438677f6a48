"""Shared bench plumbing: a throwaway PostgreSQL, the app in-process, timing helpers."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx

os.environ.setdefault("ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("ARGON2_TIME_COST", "1")
# The in-process app measures requests only: no background relay or maintenance loop
# issuing statements on the same engine (they would skew timings and statement counts),
# and no per-request log lines on the console.
os.environ.setdefault("EVENT_RELAY", "false")
os.environ.setdefault("MAINTENANCE_INTERVAL", "0")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from catachess.app import create_app
from catachess.config import Settings
from catachess.db.engine import throwaway_database as database


@contextmanager
def throwaway_database() -> Iterator[str]:
    """BENCH_DATABASE_URL if set, else a fresh pgserver cluster that is removed afterwards."""
    given = os.environ.get("BENCH_DATABASE_URL")
    with database(Settings(DATABASE_URL=given).database_url if given else None) as url:
        yield url


@asynccontextmanager
async def app_client(url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(DATABASE_URL=url), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            yield client


async def median_seconds(run: Callable[[], Awaitable[object]], repeat: int) -> float:
    """Median wall time of `repeat` calls after two warm-up calls."""
    for _ in range(2):
        await run()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def register(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    email = f"{name}@bench.example"
    body = {"email": email, "password": "bench password", "display_name": name}
    await client.post("/auth/register", json=body)
    login = {"email": email, "password": "bench password"}
    token = (await client.post("/auth/login", json=login)).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and their children, living or exited (Linux /proc)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) in pids:  # itself, and its children that have exited
            ticks += sum(int(field) for field in fields[11:15])
        elif int(fields[1]) in pids:  # a living child (a PostgreSQL backend)
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def postmaster_pid(url: str) -> list[int]:
    """The embedded cluster's postmaster (its data directory is the socket directory)."""
    pid_file = Path(url.partition("host=")[2]) / "postmaster.pid"
    return [int(pid_file.read_text().split()[0])] if pid_file.exists() else []
