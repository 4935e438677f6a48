"""catachess against an honest peer: what the safety layers cost per request.

Two server processes on one throwaway PostgreSQL, each one uvicorn process:
- the peer (bench/peer/app.py): FastAPI + uvicorn + a raw asyncpg pool, one INSERT or
  one SELECT by primary key per request, nothing else;
- `catachess serve` as shipped: bearer auth, ACL, sibling-name check, event and outbox
  rows, metrics, one JSON log line per request (written to /dev/null), event relay.
wrk (Debian's package, -t1 -c16) drives them in turns, ROUNDS times with the order
rotating, so load drifting on a shared machine hits both sides alike; each ratio is the
median of the per-round ratios. The CPU that the server process and PostgreSQL spend
per request (from /proc) is printed too: on a shared machine it moves less than req/s.
Latency is measured with one connection (wrk -c1 --latency): p50 and p99. So is a move
played in a study and taken back (the live-study write), with its CPU per request.
Targets: POST /nodes >= 0.3x peer insert; GET /nodes/{id} >= 0.5x peer select;
keyed POST >= 0.85x unkeyed; replay >= 2x a keyed first run.
Settings: BENCH_SECONDS (per wrk run, default 5), BENCH_ROUNDS (default 3), BENCH_ONLY
(comma-separated scenario names), BENCH_BASELINE (a git revision, or a directory with a
src/ tree, served alongside, its figures prefixed "before: ": before/after in one run).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import cpu_seconds, postmaster_pid, throwaway_database

SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 16
# BENCH_BASELINE=<git revision> also serves that revision, measured in the same turns.
BASELINE = "before: "
LATENCY = ("peer insert", "POST /nodes", "peer select", "GET /nodes/{id}")
# A move played in a study and taken back, in turns: measured with one client only (the
# same chapter for every request; concurrent moves on it would queue on its study).
MOVE = "a move played/taken back"
REPO = Path(__file__).resolve().parent.parent

TARGETS = {  # (numerator, denominator): minimum ratio
    ("POST /nodes", "peer insert"): 0.3,
    ("GET /nodes/{id}", "peer select"): 0.5,
    ("keyed POST /nodes", "POST /nodes"): 0.85,
    ("replay", "keyed POST /nodes"): 2.0,
}


@dataclass
class Run:
    rate: float  # requests per second, until their event deliveries were done too
    cpu_us: float  # server + PostgreSQL CPU per request, microseconds
    server_us: float = 0.0  # of which the server process's (its children included)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    drain_s: float = 0.0  # seconds the relay needed after wrk stopped


# Polls of the outbox while a server's relay catches up after a run.
DRAIN_POLL_SECONDS = 0.05
DRAIN_TIMEOUT_SECONDS = 600.0


def pending_deliveries(url: str) -> Callable[[], int]:
    """How many event deliveries of this database are still owed (none for the peer)."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")

    async def count() -> int:
        connection = await asyncpg.connect(dsn)
        try:
            owed: int = await connection.fetchval(
                "SELECT count(*) FROM event_deliveries "
                "WHERE delivered_at IS NULL AND dead_at IS NULL"
            )
            return owed
        finally:
            await connection.close()

    return lambda: asyncio.run(count())


@dataclass
class Target:
    port: int
    pids: list[int]  # the server process first, then PostgreSQL's
    pending: Callable[[], int] | None  # catachess: deliveries still owed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def started(command: list[str], env: dict[str, str], port: int) -> Iterator[int]:
    """A server process listening on `port`; yields its pid, terminates it afterwards."""
    # As shipped: not the in-process benches' defaults (no relay, no maintenance loop).
    inherited = {
        k: v for k, v in os.environ.items() if k not in ("EVENT_RELAY", "MAINTENANCE_INTERVAL")
    }
    process = subprocess.Popen(
        command,
        env={**inherited, **env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"{command} exited with {process.returncode}"
            assert time.monotonic() < deadline, f"{command} did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        process.wait()


def lua_request(method: str, path: str, headers: dict[str, str], body: str | None) -> str:
    """A wrk script sending one fixed request; %d in the body or a header value becomes a
    per-request counter (unique names, unique idempotency keys)."""

    def lua_string(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    header_lines = ", ".join(
        f"[{lua_string(name)}] = string.format({lua_string(value)}, n)"
        if "%d" in value
        else f"[{lua_string(name)}] = {lua_string(value)}"
        for name, value in headers.items()
    )
    lua_body = f"string.format({lua_string(body)}, n)" if body and "%d" in body else "nil"
    if body and "%d" not in body:
        lua_body = lua_string(body)
    return f"""
n = 0
request = function()
  n = n + 1
  return wrk.format({lua_string(method)}, {lua_string(path)}, {{{header_lines}}}, {lua_body})
end
"""


def wrk(
    port: int,
    script: str,
    pids: list[int],
    *,
    connections: int = CONNECTIONS,
    pending: Callable[[], int] | None = None,
) -> Run:
    """One wrk run. With `pending`, the run lasts until the server's relay has delivered
    what the requests owe (the activity feed): its rate counts that time and its CPU
    that work, so a relay that falls behind neither flatters this run nor slows the next.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        cpu = cpu_seconds(pids)
        server = cpu_seconds(pids[:1])
        result = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{SECONDS:g}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                file.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        drained = time.monotonic()
        while pending is not None and pending() > 0:
            assert time.monotonic() - drained < DRAIN_TIMEOUT_SECONDS, "the relay never caught up"
            time.sleep(DRAIN_POLL_SECONDS)
        drain = time.monotonic() - drained if pending is not None else 0.0
        cpu = cpu_seconds(pids) - cpu
        server = cpu_seconds(pids[:1]) - server
    finally:
        os.unlink(file.name)
    out = result.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise AssertionError(f"wrk saw errors:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if drain:
        rate = requests / (requests / rate + drain)
    return Run(
        rate=rate,
        drain_s=drain,
        cpu_us=cpu / requests * 1e6,
        server_us=server / requests * 1e6,
        p50_ms=_percentile(out, "50"),
        p99_ms=_percentile(out, "99"),
    )


def _percentile(out: str, which: str) -> float:
    found = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if found is None:
        return float("nan")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return float(found.group(1)) * scale


def move_script(base: str, token: str) -> str:
    """A wrk script (one connection) that plays a legal move at the end of a real
    annotated game's chapter and takes it back, in turns: the live-study write (history
    version, search index, event), the chapter's tree staying the same size."""
    import io

    import chess.pgn

    text = (REPO / "bench" / "data" / "world-matches.pgn").read_text()
    game = chess.pgn.read_game(io.StringIO(text))
    assert game is not None
    board = game.end().board()
    reply = board.san(next(iter(board.legal_moves)))
    pgn = str(game)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth) as client:
        workspace = client.post("/nodes", json={"kind": "workspace", "name": "moves"}).json()
        result = client.post(
            "/studies", json={"name": "live", "parent_id": workspace["id"], "pgn": pgn}
        )
        assert result.status_code == 201, result.text
        study = result.json()["studies"][0]
        chapter = study["chapters"][0]["id"]
        tree = client.get(f"/studies/{study['id']}/chapters/{chapter}").json()["tree"]
    last, children = None, tree["children"]
    while children:
        last, children = children[0], tree["nodes"][children[0]]["children"]
    moves = f"/studies/{study['id']}/chapters/{chapter}/moves"
    return f"""
local played = nil
local headers = {{["Authorization"] = "Bearer {token}", ["Content-Type"] = "application/json"}}
request = function()
  if played == nil then
    return wrk.format("POST", "{moves}", headers, '{{"after":"{last}","move":"{reply}"}}')
  end
  return wrk.format("DELETE", "{moves}/" .. played, headers, nil)
end
response = function(status, headers, body)
  if played == nil then
    played = string.match(body, '"move":{{"id":"([^"]+)"')
  else
    played = nil
  end
end
"""


def setup_catachess(base: str) -> tuple[str, str, str]:
    """A user, their bearer token, a workspace to read and one to create folders in."""
    body = {"email": "bench@bench.example", "password": "bench password"}
    with httpx.Client(base_url=base) as client:
        client.post("/auth/register", json={**body, "display_name": "bench"}).raise_for_status()
        token = client.post("/auth/login", json=body).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        read = client.post("/nodes", json={"kind": "workspace", "name": "read"}, headers=auth)
        parent = client.post("/nodes", json={"kind": "workspace", "name": "w"}, headers=auth)
        return token, read.json()["id"], parent.json()["id"]


def peer_scripts(row_id: str) -> dict[str, str]:
    return {
        "peer insert": lua_request(
            "POST", "/rows", {"Content-Type": "application/json"}, '{"name":"{run}-%d"}'
        ),
        "peer select": lua_request("GET", f"/rows/{row_id}", {}, None),
    }


def scenarios(token: str, read_id: str, parent_id: str) -> dict[str, str]:
    """Each measured request as a wrk script; `{run}` keeps names and keys unique per run."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    folder = '{"kind":"folder","name":"{run}-%d","parent_id":"' + parent_id + '"}'
    replay_key = uuid.uuid4().hex
    return {
        "POST /nodes": lua_request("POST", "/nodes", auth, folder),
        "keyed POST /nodes": lua_request(
            "POST", "/nodes", {**auth, "Idempotency-Key": "{run}-%d"}, folder
        ),
        "replay": lua_request(
            "POST",
            "/nodes",
            {**auth, "Idempotency-Key": replay_key},
            '{"kind":"folder","name":"replayed","parent_id":"' + parent_id + '"}',
        ),
        "GET /nodes/{id}": lua_request("GET", f"/nodes/{read_id}", auth, None),
        "GET /health": lua_request("GET", "/health", {}, None),
    }


def catachess_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DB_POOL_SIZE": str(CONNECTIONS),  # like the peer's pool: no connection churn
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "ARGON2_MEMORY_KIB": "1024",  # the one login of the setup; no request hashes
        "ARGON2_TIME_COST": "1",
        "REDIS_URL": "",
    }


@contextmanager
def catachess_server(
    url: str, source: Path | None = None, settings: dict[str, str] | None = None
) -> Iterator[tuple[int, int]]:
    """`catachess serve` on a free port (from `source`'s src/ when given, with `settings`
    on top of catachess_env's); (port, pid)."""
    port = free_port()
    env = {**catachess_env(url), **(settings or {})}
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    command = [sys.executable, "-m", "catachess.cli", "serve", "--port", str(port)]
    with started(command, env, port) as pid:
        yield port, pid


@contextmanager
def baseline_checkout(url: str) -> Iterator[tuple[Path, str] | None]:
    """BENCH_BASELINE=<git revision>: that revision's source, and a database of its own
    in the same cluster (a cluster of its own would not share the machine alike)."""
    revision = os.environ.get("BENCH_BASELINE")
    if not revision:
        yield None
        return
    import pgserver  # type: ignore[import-untyped]

    host = url.partition("host=")[2]
    createdb = Path(pgserver.__file__).parent / "pginstall" / "bin" / "createdb"
    subprocess.run([str(createdb), "-h", host, "-U", "postgres", "baseline"], check=True)
    if Path(revision, "src").is_dir():  # a checkout given as a directory
        yield Path(revision), url.replace("/postgres?", "/baseline?")
        return
    with tempfile.TemporaryDirectory(prefix="cc-baseline-") as source:
        archive = subprocess.run(
            ["git", "archive", revision, "src"], cwd=REPO, capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", source], input=archive.stdout, check=True)
        yield Path(source), url.replace("/postgres?", "/baseline?")


def catachess_scripts(port: int, prefix: str = "") -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    token, read_id, parent_id = setup_catachess(base)
    scripts = scenarios(token, read_id, parent_id)
    scripts[MOVE] = move_script(base, token)
    first = httpx.post(
        f"{base}/nodes",
        json={"kind": "folder", "name": "replayed", "parent_id": parent_id},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": _key(scripts)},
    )
    assert first.status_code == 201, first.text
    return {prefix + name: script for name, script in scripts.items()}


def main_sync() -> None:
    if shutil.which("wrk") is None:
        print("http_vs_peer: skipped, wrk is not installed (apt-get install -y wrk)")
        return
    only = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
    with throwaway_database() as url, baseline_checkout(url) as baseline, ExitStack() as stack:
        pg = postmaster_pid(url)
        host = url.partition("host=")[2]
        peer_port = free_port()
        peer_env = {"PEER_DATABASE_URL": f"postgresql://postgres@/postgres?host={host}"}
        uvicorn = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--no-access-log"]
        peer_pid = stack.enter_context(
            started([*uvicorn, "--port", str(peer_port), "bench.peer.app:app"], peer_env, peer_port)
        )
        row = httpx.post(f"http://127.0.0.1:{peer_port}/rows", json={"name": "read"})
        scripts = peer_scripts(row.json()["id"])
        targets: dict[str, Target] = {
            name: Target(peer_port, [peer_pid, *pg], None) for name in scripts
        }
        app_port, app_pid = stack.enter_context(catachess_server(url))
        app_scripts = catachess_scripts(app_port)
        scripts.update(app_scripts)
        owed = pending_deliveries(url)
        targets.update({name: Target(app_port, [app_pid, *pg], owed) for name in app_scripts})
        if baseline is not None:
            source, base_url = baseline
            port, pid = stack.enter_context(catachess_server(base_url, source))
            base_scripts = catachess_scripts(port, BASELINE)
            scripts.update(base_scripts)
            base_owed = pending_deliveries(base_url)
            targets.update({name: Target(port, [pid, *pg], base_owed) for name in base_scripts})
        names = [
            name
            for name in scripts
            if (not only or name.removeprefix(BASELINE) in only)
            and name.removeprefix(BASELINE) != MOVE
        ]
        runs: dict[str, list[Run]] = {name: [] for name in names}
        for round_ in range(ROUNDS + 1):  # round 0 warms up (connections, statements)
            for name in names if round_ % 2 else list(reversed(names)):
                target = targets[name]
                # Unique per run: folder names and idempotency keys never repeat.
                script = scripts[name].replace("{run}", f"r{round_}s{names.index(name)}")
                run = wrk(target.port, script, target.pids, pending=target.pending)
                if round_:
                    runs[name].append(run)
        latency = {
            name: wrk(
                targets[name].port,
                scripts[name].replace("{run}", "lat"),
                [],
                connections=1,
                pending=targets[name].pending,
            )
            for name in names
            if name.removeprefix(BASELINE) in LATENCY
        }
        for name in scripts:
            if name.removeprefix(BASELINE) == MOVE and (not only or MOVE in only):
                target = targets[name]
                latency[name] = wrk(
                    target.port, scripts[name], target.pids, connections=1, pending=target.pending
                )
    report(runs, latency)


def _key(scripts: dict[str, str]) -> str:
    found = re.search(r'\["Idempotency-Key"\] = "([0-9a-f]{32})"', scripts["replay"])
    assert found is not None
    return found.group(1)


def report(runs: dict[str, list[Run]], latency: dict[str, Run]) -> None:
    print(
        f"http_vs_peer: wrk -t1 -c{CONNECTIONS}, {SECONDS:g} s per run, {ROUNDS} rounds in turns, "
        "one uvicorn process each, one PostgreSQL"
    )
    for name, samples in runs.items():
        rate = statistics.median(s.rate for s in samples)
        cpu = statistics.median(s.cpu_us for s in samples)
        server = statistics.median(s.server_us for s in samples)
        drain = statistics.median(s.drain_s for s in samples)
        print(
            f"  {name:26} {rate:8.0f} req/s   server + PostgreSQL CPU {cpu:7.0f} us/req"
            f" (server {server:5.0f}, PostgreSQL {cpu - server:5.0f})"
            + (f"   relay caught up {drain:.1f} s later" if drain >= 0.1 else "")
        )
    for prefix in ("", BASELINE):
        for (top, bottom), target in TARGETS.items():
            top, bottom = prefix + top, bottom if bottom.startswith("peer") else prefix + bottom
            if top not in runs or bottom not in runs:
                continue
            ratio = statistics.median(
                t.rate / b.rate for t, b in zip(runs[top], runs[bottom], strict=True)
            )
            verdict = "ok" if ratio >= target else "MISSED"
            print(f"  {top} / {bottom}: {ratio:5.2f}x (target >= {target}x) {verdict}")
    print("  one request in flight (wrk -c1):")
    for name, run in latency.items():
        cpu = f"   CPU {run.cpu_us:5.0f} us/req (server {run.server_us:5.0f})" if run.cpu_us else ""
        print(f"  {name:26} p50 {run.p50_ms:6.2f} ms   p99 {run.p99_ms:6.2f} ms{cpu}")


async def main() -> None:
    # In a thread: `python -m bench` runs this in its event loop, and the relay's catch-up
    # (pending_deliveries) runs event loops of its own.
    await asyncio.to_thread(main_sync)


if __name__ == "__main__":
    main_sync()
