"""Real server processes for tests: N uvicorn processes of catachess on one database.

    async with running_servers(database_url, count=2) as servers:
        async with httpx.AsyncClient(base_url=servers[0].base_url) as client: ...

Each server is `uvicorn catachess.asgi:app` in its own Python process with its own
connection pool, exactly as `catachess serve` runs it; `preload` imports extra modules in
each process first (e.g. a test-only maintenance job). Leaving the block sends SIGTERM and
waits for a graceful exit; `Server.returncode` (uvicorn re-raises SIGTERM after a clean
shutdown: -15) and `Server.log()` then tell how it ended. `restart(server)` starts a
killed server again on its port (bench/chaos.py kills and restarts them in a loop).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
# Generous: on a shared, loaded CI machine importing the app alone has taken 30 s of wall
# time (under 3 s of CPU); a server that never starts still fails, only later.
STARTUP_TIMEOUT = 120.0
SHUTDOWN_TIMEOUT = 20.0

LAUNCHER = """
import importlib, sys
for module in sys.argv[2:]:
    importlib.import_module(module)
import uvicorn
uvicorn.run("catachess.asgi:app", host="127.0.0.1", port=int(sys.argv[1]),
            log_config=None, access_log=False, lifespan="on")
"""


@dataclass
class Server:
    base_url: str
    process: asyncio.subprocess.Process
    log_path: Path
    environment: Mapping[str, str]
    preload: Sequence[str] = ()
    returncode: int | None = None
    final_log: str | None = None  # kept when the log directory is removed

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        """Everything the process wrote (JSON lines), also after it stopped."""
        if self.final_log is not None:
            return self.final_log
        return self.log_path.read_text(errors="replace")

    async def metric(self, name: str, **labels: str) -> float:
        """The sum of a metric's samples whose labels include `labels` (0 when absent)."""
        async with httpx.AsyncClient(base_url=self.base_url) as client:
            text = (await client.get("/metrics")).text
        total = 0.0
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and labels.items() <= sample.labels.items():
                    total += sample.value
        return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _spawn(
    port: int, log_path: Path, environment: Mapping[str, str], preload: Sequence[str]
) -> asyncio.subprocess.Process:
    with log_path.open("ab") as log_file:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            LAUNCHER,
            str(port),
            *preload,
            cwd=ROOT,
            env=dict(environment),
            stdout=log_file,
            stderr=asyncio.subprocess.STDOUT,
        )


async def restart(server: Server) -> None:
    """Start a server whose process has exited (killed) again, on the same port and log."""
    assert server.process.returncode is not None, "restart a server that has stopped"
    port = int(server.base_url.rsplit(":", 1)[1])
    server.process = await _spawn(port, server.log_path, server.environment, server.preload)
    await _wait_until_healthy(server, time.monotonic() + STARTUP_TIMEOUT)


async def _wait_until_healthy(server: Server, deadline: float) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.process.returncode is not None:
                raise RuntimeError(f"server {server.pid} exited at start-up:\n{server.log()}")
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)  # polling another process's start-up
    raise RuntimeError(f"server {server.pid} did not start in time:\n{server.log()}")


async def _stop(server: Server) -> None:
    if server.process.returncode is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(server.process.wait(), SHUTDOWN_TIMEOUT)
        except TimeoutError:
            server.process.kill()
            await server.process.wait()
    server.returncode = server.process.returncode
    server.final_log = server.log_path.read_text(errors="replace")


@asynccontextmanager
async def running_servers(
    database_url: str,
    count: int = 2,
    *,
    env: Mapping[str, str] | None = None,
    preload: Sequence[str] = (),
) -> AsyncIterator[list[Server]]:
    """Start `count` server processes on `database_url`; stop them gracefully afterwards."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "MAINTENANCE_INTERVAL": "0",
        "LOG_FORMAT": "json",
        **(env or {}),
    }
    with tempfile.TemporaryDirectory(prefix="catachess-servers-") as directory:
        servers = []
        try:
            for index in range(count):
                port = free_port()
                log_path = Path(directory) / f"server-{index}.log"
                process = await _spawn(port, log_path, environment, preload)
                servers.append(
                    Server(f"http://127.0.0.1:{port}", process, log_path, environment, preload)
                )
            deadline = time.monotonic() + STARTUP_TIMEOUT
            await asyncio.gather(*(_wait_until_healthy(s, deadline) for s in servers))
            yield servers
        finally:
            await asyncio.gather(*(_stop(server) for server in servers))
