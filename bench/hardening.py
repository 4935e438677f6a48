"""Findings 1 and 2 of the hardening issue, measured against a real server process.

1. `/health` latency while a 5 MB import of long games and three exports of a study that
   size run (target: p99 <= 100 ms), next to `/health` on the idle process.
2. A login flood: 300 concurrent wrong-password logins for one account, with production
   Argon2 cost, and a `GET /users/me` sent in the middle of it: the status codes, how
   long /users/me took, and the server's peak memory.

Run: `.venv/bin/python -m bench.hardening` (BENCH_DATABASE_URL to use your PostgreSQL).
Short versions for a quick look: BENCH_HARDENING_MB=1 BENCH_FLOOD=60.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections import Counter
from pathlib import Path

import httpx
from tests.servers import running_servers

from bench.common import throwaway_database

MEGABYTES = float(os.environ.get("BENCH_HARDENING_MB", "5"))
FLOOD = int(os.environ.get("BENCH_FLOOD", "300"))
PASSWORD = "correct horse battery"


def shuffle_game(plies: int, number: int) -> str:
    cycle = ["Nf3", "Nf6", "Ng1", "Ng8"]
    moves = " ".join(cycle[i % 4] for i in range(plies))
    return f'[Event "Shuffle {number}"]\n[Result "*"]\n\n{moves} *\n\n'


def long_games(megabytes: float) -> str:
    """Games of 9,990 plies (about 70 KB each) up to `megabytes`: the report's file."""
    games: list[str] = []
    number = 1
    while sum(len(g) for g in games) < megabytes * 1_000_000 - 80_000:
        games.append(shuffle_game(9_990, number))
        number += 1
    return "".join(games)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def a_user(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    email = f"{name}@example.com"
    body = {"email": email, "password": PASSWORD, "display_name": name}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}", "email": email}


async def health_latencies(client: httpx.AsyncClient, until: asyncio.Event) -> list[float]:
    samples = []
    while not until.is_set():
        asked = time.perf_counter()
        assert (await client.get("/health")).status_code == 200
        samples.append(time.perf_counter() - asked)
    return samples


async def heavy_work(url: str) -> None:
    pgn = long_games(MEGABYTES)
    env = {"LOG_LEVEL": "WARNING", "LOGIN_MAX_PER_ADDRESS": "100000", "HEAVY_PER_USER": "4"}
    async with (
        running_servers(url, count=1, env=env) as [server],
        httpx.AsyncClient(base_url=server.base_url, timeout=1800) as client,
        httpx.AsyncClient(base_url=server.base_url, timeout=1800) as prober,
    ):
        alice = await a_user(client, "alice")
        headers = {"Authorization": alice["Authorization"]}
        ws = (
            await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=headers)
        ).json()
        started = time.perf_counter()
        first = await client.post(
            "/studies", json={"name": "First", "parent_id": ws["id"], "pgn": pgn}, headers=headers
        )
        assert first.status_code == 201, first.text[:300]
        import_alone = time.perf_counter() - started
        study_id = first.json()["studies"][0]["id"]

        idle_stop = asyncio.Event()
        idle = asyncio.create_task(health_latencies(prober, idle_stop))
        await asyncio.sleep(2)
        idle_stop.set()
        idle_samples = await idle

        busy_stop = asyncio.Event()
        probe = asyncio.create_task(health_latencies(prober, busy_stop))
        started = time.perf_counter()
        work = [
            client.post(
                "/studies",
                json={"name": "Second", "parent_id": ws["id"], "pgn": pgn},
                headers=headers,
            ),
            *(client.get(f"/studies/{study_id}/pgn", headers=headers) for _ in range(2)),
            client.post("/exports", json={"node_id": ws["id"]}, headers=headers),
        ]
        answers = await asyncio.gather(*work)
        busy_stop.set()
        busy_samples = await probe
        took = time.perf_counter() - started
        print(f"PGN: {len(pgn) / 1e6:.1f} MB, {pgn.count('[Event')} games of 9,990 plies")
        print(f"import alone: {import_alone:.1f} s; import + 3 exports together: {took:.1f} s")
        print("answers:", [a.status_code for a in answers])
        print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()}")
        print(side_by_side(idle_samples, busy_samples))
        p99 = percentile(busy_samples, 0.99)
        print(f"target p99 <= 100 ms: {'met' if p99 <= 0.1 else 'NOT met'} ({1000 * p99:.1f} ms)")


def side_by_side(idle: list[float], busy: list[float]) -> str:
    """/health idle and during the heavy work, and the target, one column each."""
    rows = [f"{'/health':<8}{'idle':>12}{'during':>12}{'target':>12}"]
    rows.append(f"{'n':<8}{len(idle):>12}{len(busy):>12}{'':>12}")
    for name, pick, target in (
        ("p50", statistics.median, ""),
        ("p99", lambda s: percentile(s, 0.99), "<= 100 ms"),
        ("max", max, ""),
    ):
        rows.append(
            f"{name:<8}{1000 * pick(idle):>9.1f} ms{1000 * pick(busy):>9.1f} ms{target:>12}"
        )
    return "\n".join(rows)


async def login_flood(url: str) -> None:
    env = {
        "LOG_LEVEL": "WARNING",
        "ARGON2_MEMORY_KIB": "65536",  # production cost: the flood is about Argon2
        "ARGON2_TIME_COST": "3",
        "LOGIN_MAX_PER_ADDRESS": "100000",  # one bench client: let the account limit act
    }
    async with (
        running_servers(url, count=1, env=env) as [server],
        httpx.AsyncClient(
            base_url=server.base_url, timeout=120, limits=httpx.Limits(max_connections=FLOOD + 10)
        ) as client,
    ):
        victim = await a_user(client, "victim")
        bystander = await a_user(client, "bystander")
        before = peak_rss_mb(server.pid)
        wrong = {"email": victim["email"], "password": "not the password"}
        started = time.perf_counter()

        async def me() -> tuple[int, float]:
            await asyncio.sleep(0.05)
            asked = time.perf_counter()
            answer = await client.get(
                "/users/me", headers={"Authorization": bystander["Authorization"]}
            )
            return answer.status_code, time.perf_counter() - asked

        watcher = asyncio.create_task(me())
        answers = await asyncio.gather(
            *(client.post("/auth/login", json=wrong) for _ in range(FLOOD))
        )
        me_status, me_seconds = await watcher
        took = time.perf_counter() - started
        right = await client.post(
            "/auth/login", json={"email": victim["email"], "password": PASSWORD}
        )
        statuses = Counter(a.status_code for a in answers)
        print(f"{FLOOD} concurrent wrong-password logins for one account: {dict(statuses)}")
        print(f"flood took {took:.2f} s; GET /users/me during it: {me_status}", end=" ")
        print(f"in {me_seconds * 1000:.0f} ms")
        print(f"the right password afterwards: {right.status_code} (429 = still throttled)")
        print(
            f"server peak RSS: {peak_rss_mb(server.pid):.0f} MB (before the flood {before:.0f} MB)"
        )
        print(f"5xx answers: {sum(n for s, n in statuses.items() if s >= 500)}")


async def main() -> None:
    with throwaway_database() as url:
        print("-- finding 1: /health while PGN work runs")
        await heavy_work(url)
        print("-- finding 2: login flood")
        await login_flood(url)


if __name__ == "__main__":
    asyncio.run(main())
