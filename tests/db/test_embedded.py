"""The embedded PostgreSQL stops with the server on SIGTERM; `catachess db status|stop`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catachess.db.embedded import alive, embedded_status

CATACHESS = str(Path(sys.executable).parent / "catachess")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Short: PostgreSQL's socket path must fit in 107 bytes.
    with tempfile.TemporaryDirectory(prefix="cc-") as directory:
        yield Path(directory)
        status = embedded_status(Path(directory))
        if status.pid is not None:  # a failed test must not leave a server behind
            os.kill(status.pid, signal.SIGQUIT)


def catachess(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CATACHESS, *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "CATACHESS_DATA_DIR": str(data_dir), "MAINTENANCE_INTERVAL": "0"}
    env.pop("DATABASE_URL", None)
    return env


def serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [CATACHESS, "serve", "--port", str(port)],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "catachess serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process, port
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("catachess serve did not answer /health within 90 s")


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_sigterm_stops_the_embedded_postgresql(data_dir: Path) -> None:
    process, _ = serve(data_dir)
    postmaster = embedded_status(data_dir).pid
    assert postmaster is not None
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert gone_within(postmaster, 5), "the postmaster outlived the server by 5 s"
    assert embedded_status(data_dir).pid is None


def test_db_status_and_stop_after_a_killed_server(data_dir: Path) -> None:
    process, _ = serve(data_dir)
    process.kill()  # SIGKILL: no clean-up runs, PostgreSQL stays up
    process.wait(timeout=30)
    postmaster = embedded_status(data_dir).pid
    assert postmaster is not None
    status = catachess(data_dir, "db", "status")
    assert status.returncode == 0, status.stderr
    assert f"running (postmaster pid {postmaster}" in status.stdout
    stopped = catachess(data_dir, "db", "stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
    assert not alive(postmaster)
    again = catachess(data_dir, "db", "status")
    assert "state: stopped" in again.stdout
    assert "not running" in catachess(data_dir, "db", "stop").stdout
