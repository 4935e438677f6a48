"""Reliability under faults: keyed writes against two server processes that keep dying.

Two `catachess serve`-like uvicorn processes on one throwaway PostgreSQL. CLIENTS asyncio
clients (one user and workspace each) send a mixed load: create folders, create studies
from a small PGN, add moves with If-Match, comment, open discussions, trash and restore a
folder. Every write carries an Idempotency-Key and an X-Correlation-ID of its own; on a
connection error, a timeout or a 5xx the client sends it again with the same key and id
to either process (a flaky client would), and on `409 request_in_flight` or `429` it
waits for Retry-After. Every KILL_EVERY seconds one process (in turn) gets SIGKILL and is
restarted on its port. After SECONDS the load stops, the outbox is given time to drain,
and the bench checks, printing each figure:

- every acknowledged write is present exactly once: by the ids the server answered, no
  duplicate names or titles, each chapter's main line is exactly the acknowledged moves
  with the last acknowledged comments, and no write ended in a 4xx;
- the event log equals the acknowledged effects: each acknowledged write's correlation
  id carries exactly the events that write owes (a study: one node.created and one
  study.chapter_added per game ...), no event carries an id of ours that was not
  acknowledged, and each subscriber's reaction to an event exists once;
- no 5xx outside a kill window (from the SIGKILL until the restarted process answers
  /health, plus GRACE seconds), and how many happened inside one;
- no dead letter and nothing pending in the outbox (event_deliveries);
- throughput, retries by cause, replays.

Exits 1 if an invariant fails. Run: `.venv/bin/python -m bench.chaos`.
Settings: BENCH_CHAOS_SECONDS (default 600), BENCH_CHAOS_KILL_EVERY (30),
BENCH_CHAOS_CLIENTS (6), BENCH_DATABASE_URL (use your PostgreSQL instead of a throwaway).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import chess
import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from tests.nodes.trash.helpers import rows
from tests.servers import Server, restart, running_servers

from bench.common import throwaway_database

SECONDS = float(os.environ.get("BENCH_CHAOS_SECONDS", "600"))
KILL_EVERY = float(os.environ.get("BENCH_CHAOS_KILL_EVERY", "30"))
CLIENTS = int(os.environ.get("BENCH_CHAOS_CLIENTS", "6"))
TIMEOUT = 10.0  # per request; a timeout is retried with the same key
GRACE = 2.0  # seconds after a restart still counted as the kill window
DRAIN = 60.0  # seconds the outbox gets to empty after the load
PREFIX = "chaos-"
SERVER_ENV = {  # as shipped (bench.common turns the relay off for in-process benches)
    "EVENT_RELAY": "true",
    "MAINTENANCE_INTERVAL": "60",
    "LOG_LEVEL": "WARNING",
    "REDIS_URL": "",
    "LOGIN_MAX_PER_ADDRESS": "100000",
    # A killed relay's claimed deliveries are due again after the lease: keep it short so
    # the outbox drains within the bench (the default is 60 s).
    "EVENT_DELIVERY_LEASE": "5",
}
PGN = (
    '[Event "Chaos A"]\n[White "Ann"]\n[Black "Bo"]\n\n1. e4 e5 2. Nf3 Nc6 *\n\n'
    '[Event "Chaos B"]\n[White "Cy"]\n[Black "Di"]\n\n1. d4 d5 *\n'
)
# Events a write owes, recorded by the request itself (subscribers' events come on top).
OWED = {
    "folder": ["node.created"],
    "study": ["node.created", "study.chapter_added", "study.chapter_added"],
    "move": ["chapter.move_added"],
    "comment": ["chapter.comment_set"],
    "thread": ["discussion.thread_created"],
    "trash": ["node.trashed"],
    "restore": ["node.restored"],
}
WEIGHTS = {"folder": 2, "study": 2, "move": 5, "comment": 2, "thread": 1, "trash": 1}


def clock() -> float:
    return time.monotonic()


@dataclass
class Write:
    """One logical write: sent until the server acknowledges it."""

    kind: str
    correlation: str
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: int = 0
    body: Any = None
    attempts: int = 0
    lost: int = 0  # attempts whose process died before answering
    replayed: bool = False


@dataclass
class Chapter:
    study_id: str
    chapter_id: str
    version: int = 0
    line: list[str] = field(default_factory=list)  # move ids of the main line
    board: chess.Board | None = None  # None until the tree was read once
    comments: dict[str, str] = field(default_factory=dict)  # last acknowledged per move


@dataclass
class Stats:
    started: float = field(default_factory=clock)
    retries: Counter[str] = field(default_factory=Counter)
    server_errors: list[tuple[float, int, int, str]] = field(default_factory=list)
    lost: list[tuple[float, int]] = field(default_factory=list)  # (when, which server)
    reads: int = 0
    writes: list[Write] = field(default_factory=list)


class Fleet:
    """The two server processes, and when each was down."""

    def __init__(self, servers: list[Server], stats: Stats) -> None:
        self.servers = servers
        self.stats = stats
        self.windows: list[tuple[float, float, int]] = []  # (killed, healthy again, index)
        self.restart_seconds: list[float] = []

    async def kill_loop(self, until: float) -> None:
        """SIGKILL the servers in turn at every multiple of KILL_EVERY, restarting each."""
        index, due = 0, self.stats.started + KILL_EVERY
        while due < until:
            await asyncio.sleep(max(0.0, due - clock()))
            if clock() >= until:  # the previous restart ran past the end of the load
                return
            due += KILL_EVERY
            server = self.servers[index]
            killed = clock()
            server.process.send_signal(signal.SIGKILL)
            await server.process.wait()
            await restart(server)
            healthy = clock()
            self.windows.append((killed, healthy, index))
            self.restart_seconds.append(healthy - killed)
            print(
                f"  t={killed - self.stats.started:6.1f} s  SIGKILL server {index}, "
                f"healthy again after {healthy - killed:.1f} s",
                flush=True,
            )
            index = 1 - index

    def in_kill_window(self, at: float, server: int | None = None) -> bool:
        """Whether a process (this one, if given) was down at `at`, or just restarted."""
        return any(
            start <= at <= end + GRACE and server in (None, index)
            for start, end, index in self.windows
        )


class Client:
    def __init__(self, number: int, fleet: Fleet, stats: Stats) -> None:
        self.number = number
        self.fleet = fleet
        self.stats = stats
        self.http = [httpx.AsyncClient(base_url=s.base_url, timeout=TIMEOUT) for s in fleet.servers]
        self.auth: dict[str, str] = {}
        self.workspace = ""
        self.folders: dict[str, str] = {}  # id -> name
        self.studies: dict[str, str] = {}
        self.chapters: list[Chapter] = []
        self.threads: dict[str, str] = {}
        self.counter = 0

    def name(self, kind: str) -> str:
        self.counter += 1
        return f"{PREFIX}{kind}-{self.number}-{self.counter}"

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        write: Write | None = None,
    ) -> httpx.Response:
        """One request, sent again (to either process) until it gets a final answer."""
        backoff = 0.05
        while True:
            server = random.randrange(len(self.http))
            if write is not None:
                write.attempts += 1
            try:
                response = await self.http[server].request(
                    method, path, json=json, headers={**self.auth, **(headers or {})}
                )
            except httpx.TimeoutException:
                self.stats.retries["timeout"] += 1
            except httpx.ConnectError:
                self.stats.retries["refused (process down)"] += 1
            except httpx.TransportError:  # the process died with the request in flight
                self.stats.retries["connection lost mid-request"] += 1
                self.stats.lost.append((clock(), server))
                if write is not None:
                    write.lost += 1
            else:
                if response.status_code >= 500:
                    self.stats.server_errors.append(
                        (clock(), server, response.status_code, f"{method} {path}")
                    )
                    self.stats.retries[f"{response.status_code}"] += 1
                elif response.status_code in (409, 429) and "retry-after" in response.headers:
                    self.stats.retries[f"{response.status_code} retry-after"] += 1
                    await asyncio.sleep(float(response.headers["retry-after"]))
                    continue
                else:
                    return response
            await asyncio.sleep(backoff * random.random())
            backoff = min(backoff * 2, 1.0)

    async def read(self, path: str) -> Any:
        self.stats.reads += 1
        response = await self.send("GET", path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    async def write(
        self, kind: str, method: str, path: str, body: Any = None, if_match: int | None = None
    ) -> Write:
        write = Write(kind, f"{PREFIX}{uuid.uuid4().hex}")
        headers = {"Idempotency-Key": write.key, "X-Correlation-ID": write.correlation}
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        response = await self.send(method, path, json=body, headers=headers, write=write)
        write.status = response.status_code
        write.body = response.json() if response.content else None
        write.replayed = response.headers.get("idempotent-replayed") == "true"
        self.stats.writes.append(write)
        return write

    async def setup(self) -> None:
        http = self.http[0]
        email = f"chaos{self.number}@bench.example"
        body = {"email": email, "password": "bench password", "display_name": f"c{self.number}"}
        assert (await http.post("/auth/register", json=body)).status_code == 201
        login = await http.post("/auth/login", json={"email": email, "password": body["password"]})
        self.auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        workspace = await http.post(
            "/nodes", json={"kind": "workspace", "name": f"w{self.number}"}, headers=self.auth
        )
        self.workspace = workspace.json()["id"]

    async def run(self, until: float) -> None:
        kinds = list(WEIGHTS)
        while clock() < until:
            kind = random.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
            await getattr(self, kind)()

    def parent(self) -> str:
        return random.choice([self.workspace, *self.folders])

    async def folder(self) -> None:
        name = self.name("folder")
        body = {"kind": "folder", "name": name, "parent_id": self.parent()}
        done = await self.write("folder", "POST", "/nodes", body)
        if done.status == 201:
            self.folders[done.body["id"]] = name

    async def study(self) -> None:
        name = self.name("study")
        body = {"name": name, "parent_id": self.parent(), "pgn": PGN}
        done = await self.write("study", "POST", "/studies", body)
        if done.status == 201:
            study = done.body["studies"][0]
            self.studies[study["id"]] = name
            for chapter in study["chapters"]:
                self.chapters.append(Chapter(study["id"], chapter["id"], chapter["version"]))

    async def a_chapter(self) -> Chapter | None:
        """One of this client's chapters, its main line read once when first used."""
        if not self.chapters:
            return None
        chapter = random.choice(self.chapters)
        if chapter.board is None:
            read = await self.read(f"/studies/{chapter.study_id}/chapters/{chapter.chapter_id}")
            tree = read["tree"]
            chapter.version = read["version"]
            children = tree["children"]
            chapter.board = chess.Board(tree["fen"])
            while children:
                move = tree["nodes"][children[0]]
                chapter.line.append(move["id"])
                chapter.board.push_uci(move["uci"])
                children = move["children"]
        return chapter

    async def move(self) -> None:
        chapter = await self.a_chapter()
        if chapter is None or chapter.board is None or chapter.board.is_game_over():
            return
        move = random.choice(list(chapter.board.legal_moves))
        after = chapter.line[-1] if chapter.line else None
        path = f"/studies/{chapter.study_id}/chapters/{chapter.chapter_id}/moves"
        body = {"after": after, "move": move.uci()}
        done = await self.write("move", "POST", path, body, if_match=chapter.version)
        if done.status == 201:
            chapter.version = done.body["version"]
            chapter.line.append(done.body["move"]["id"])
            chapter.board.push(move)

    async def comment(self) -> None:
        chapter = await self.a_chapter()
        if chapter is None or not chapter.line:
            return
        move_id = chapter.line[-1]
        words = f"comment {uuid.uuid4().hex[:8]}"
        path = f"/studies/{chapter.study_id}/chapters/{chapter.chapter_id}/moves/{move_id}/comment"
        done = await self.write("comment", "PUT", path, {"comment": words}, chapter.version)
        if done.status == 200:
            chapter.version = done.body["version"]
            chapter.comments[move_id] = words

    async def thread(self) -> None:
        chapter = await self.a_chapter()
        if chapter is None:
            return
        title = self.name("thread")
        body = {"study_id": chapter.study_id, "title": title, "body": "what about this?"}
        done = await self.write("thread", "POST", "/discussions", body)
        if done.status == 201:
            self.threads[done.body["id"]] = title

    async def trash(self) -> None:
        """Trash one of this client's folders and restore it (two acknowledged writes)."""
        if not self.folders:
            return
        folder = random.choice(list(self.folders))
        trashed = await self.write("trash", "DELETE", f"/nodes/{folder}")
        if trashed.status < 300:
            await self.write("restore", "POST", f"/nodes/{folder}/restore")

    async def close(self) -> None:
        for http in self.http:
            await http.aclose()


class Verdict:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAILED'}] {what}")
        if not ok:
            self.failures.append(what)


async def verify_state(clients: list[Client], verdict: Verdict) -> None:
    """Every acknowledged write present, by the ids the server answered."""
    missing: list[str] = []
    lines_wrong: list[str] = []
    for client in clients:
        for node_id, name in {**client.folders, **client.studies}.items():
            node = await client.read(f"/nodes/{node_id}")
            if node["name"] != name:
                missing.append(f"node {node_id} {name}: {node['name']}")
        for thread_id, title in client.threads.items():
            thread = await client.read(f"/discussions/{thread_id}")
            if thread["title"] != title:
                missing.append(f"thread {thread_id} {title}")
        for chapter in client.chapters:
            if chapter.board is None:
                continue
            read = await client.read(f"/studies/{chapter.study_id}/chapters/{chapter.chapter_id}")
            tree = read["tree"]
            line, children = [], tree["children"]
            while children:
                line.append(children[0])
                children = tree["nodes"][children[0]]["children"]
            comments = {m: tree["nodes"][m]["comment"] for m in chapter.comments}
            if (
                line != chapter.line
                or len(tree["nodes"]) != len(chapter.line)
                or comments != chapter.comments
                or read["version"] != chapter.version
            ):
                lines_wrong.append(f"chapter {chapter.chapter_id}")
    counted = sum(len(c.folders) + len(c.studies) + len(c.threads) for c in clients)
    edited = sum(1 for c in clients for chapter in c.chapters if chapter.board is not None)
    verdict.check(not missing, f"{counted} acknowledged folders, studies, threads read back")
    verdict.check(
        not lines_wrong,
        f"{edited} edited chapters hold exactly the acknowledged moves, comments and version"
        + (f" (wrong: {lines_wrong[:5]})" if lines_wrong else ""),
    )


async def verify_database(engine: AsyncEngine, writes: list[Write], verdict: Verdict) -> None:
    like = PREFIX + "%"
    duplicates = await rows(
        engine,
        "SELECT name, count(*) FROM nodes WHERE name LIKE :p GROUP BY name HAVING count(*) > 1 "
        "UNION ALL SELECT title, count(*) FROM discussion_threads WHERE title LIKE :p "
        "GROUP BY title HAVING count(*) > 1",
        p=like,
    )
    verdict.check(not duplicates, f"no duplicate by name or title {duplicates[:5]}")
    records = await rows(engine, "SELECT key, status_code FROM idempotency_records WHERE completed")
    stored = Counter((r["key"], r["status_code"]) for r in records)
    unmatched = [w.key for w in writes if stored[(w.key, w.status)] != 1]
    verdict.check(
        not unmatched,
        "each acknowledged write's key has one completed record with the status the client "
        f"got {unmatched[:5]}",
    )
    events = await rows(
        engine,
        "SELECT correlation_id, event_type, causation_id::text, event_id::text FROM events "
        "WHERE correlation_id LIKE :p",
        p=like,
    )
    by_write: dict[str, list[str]] = {}
    reactions: Counter[str] = Counter()  # activity.recorded per node event it answers
    for event in events:
        if event["causation_id"] is None:
            by_write.setdefault(event["correlation_id"], []).append(event["event_type"])
        elif event["event_type"] == "activity.recorded":
            reactions[event["causation_id"]] += 1
    acknowledged = {w.correlation for w in writes}
    wrong = [
        f"{w.kind} {w.correlation}: {sorted(by_write.get(w.correlation, []))}"
        for w in writes
        if sorted(by_write.get(w.correlation, [])) != sorted(OWED[w.kind])
    ]
    strays = [c for c in by_write if c not in acknowledged]
    owed = Counter(t for w in writes for t in OWED[w.kind])
    logged = Counter(t for types in by_write.values() for t in types)
    print("  events of the requests, by type (logged / owed by acknowledged writes):")
    for event_type in sorted(owed | logged):
        print(f"    {event_type:28} {logged[event_type]:6} / {owed[event_type]:6}")
    verdict.check(not wrong, f"each acknowledged write has exactly the events it owes {wrong[:5]}")
    verdict.check(not strays, f"no event from a write that was not acknowledged {strays[:5]}")
    node_events = [
        e["event_id"]
        for e in events
        if e["causation_id"] is None and e["event_type"].startswith("node.")
    ]
    unanswered = [e for e in node_events if reactions[e] != 1]
    verdict.check(
        not unanswered and sum(reactions.values()) == len(node_events),
        f"each of {len(node_events)} node events has exactly one activity.recorded "
        f"({sum(reactions.values())} in the log) {unanswered[:5]}",
    )
    [outbox] = await rows(
        engine,
        "SELECT count(*) FILTER (WHERE dead_at IS NOT NULL) AS dead, count(*) FILTER "
        "(WHERE dead_at IS NULL AND delivered_at IS NULL) AS pending, count(*) AS deliveries, "
        "coalesce(max(attempts), 0) AS attempts FROM event_deliveries",
    )
    verdict.check(
        outbox["dead"] == 0 and outbox["pending"] == 0,
        f"outbox: {outbox['deliveries']} deliveries, {outbox['dead']} dead letters, "
        f"{outbox['pending']} pending (most attempts of one: {outbox['attempts']})",
    )


async def drain(engine: AsyncEngine) -> float:
    """Seconds until no delivery is pending (or DRAIN passed): the relays catch up."""
    started = clock()
    while clock() - started < DRAIN:
        [pending] = await rows(
            engine,
            "SELECT count(*) AS n FROM event_deliveries "
            "WHERE delivered_at IS NULL AND dead_at IS NULL",
        )
        if not pending["n"]:
            break
        await asyncio.sleep(0.5)  # waiting on other processes' relays
    return clock() - started


async def chaos(url: str) -> list[str]:
    stats = Stats()
    verdict = Verdict()
    engine = create_async_engine(url)
    async with running_servers(url, count=2, env=SERVER_ENV) as servers:
        fleet = Fleet(servers, stats)
        clients = [Client(n, fleet, stats) for n in range(CLIENTS)]
        for client in clients:
            await client.setup()
        print(
            f"chaos: {CLIENTS} clients, 2 server processes, one PostgreSQL, {SECONDS:g} s, "
            f"SIGKILL every {KILL_EVERY:g} s",
            flush=True,
        )
        stats.started = clock()
        until = stats.started + SECONDS
        await asyncio.gather(fleet.kill_loop(until), *(c.run(until) for c in clients))
        elapsed = clock() - stats.started
        drained = await drain(engine)
        writes = stats.writes
        print(f"  load ran {elapsed:.0f} s; outbox drained {drained:.1f} s after it")
        acked = [w for w in writes if w.status < 400]
        refused = [f"{w.kind} {w.status} {w.body}" for w in writes if w.status >= 400]
        kinds = Counter(w.kind for w in acked)
        print(
            f"  acknowledged writes: {len(acked)} ({len(acked) / elapsed:.1f}/s) "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        )
        retried = [w for w in acked if w.attempts > 1]
        lost = [w for w in acked if w.lost]
        print(
            f"  reads: {stats.reads}; writes sent more than once: {len(retried)} "
            f"({sum(w.attempts - 1 for w in retried)} retries); writes whose process died "
            f"with them in flight: {len(lost)}, of which answered by a replay (that attempt "
            f"had committed): {sum(w.replayed for w in lost)}"
        )
        print(f"  retries by cause (reads and writes): {dict(stats.retries)}")
        astray = [at for at, server in stats.lost if not fleet.in_kill_window(at, server)]
        print(
            f"  connections lost while their process was not being killed: {len(astray)} "
            + str([round(at - stats.started, 1) for at in astray][:10])
        )
        verdict.check(not refused, f"no write ended in a 4xx {refused[:5]}")
        inside = [e for e in stats.server_errors if fleet.in_kill_window(e[0])]
        outside = [e for e in stats.server_errors if not fleet.in_kill_window(e[0])]
        kills = len(fleet.windows)
        if fleet.restart_seconds:
            print(
                f"  kills: {kills}; restart to healthy: max {max(fleet.restart_seconds):.1f} s, "
                f"mean {sum(fleet.restart_seconds) / kills:.1f} s"
            )
        for at, server, status, what in stats.server_errors:
            print(f"    {status} from server {server} at t={at - stats.started:.1f} s: {what}")
        verdict.check(
            not outside,
            f"5xx inside kill windows: {len(inside)}; outside: {len(outside)}",
        )
        await verify_state(clients, verdict)
        await verify_database(engine, acked, verdict)
        for client in clients:
            await client.close()
    await engine.dispose()
    for index, server in enumerate(servers):
        errors = server.log().count("Traceback")
        print(f"  server {index} log: {errors} tracebacks")
    return verdict.failures


async def main() -> None:
    with throwaway_database() as url:
        failures = await chaos(url)
    if failures:
        print(f"chaos: {len(failures)} invariant(s) FAILED")
        sys.exit(1)
    print("chaos: every invariant held")


if __name__ == "__main__":
    asyncio.run(main())
