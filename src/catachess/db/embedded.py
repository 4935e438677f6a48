"""The embedded PostgreSQL seen from outside the server: is it running, stop it.

`catachess serve` starts the server in `CATACHESS_DATA_DIR/pgdata` and stops it when the
last process using it exits (SIGINT or SIGTERM). `catachess db status|stop` are for the
odd case: a process killed with SIGKILL leaves the postmaster running.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

# Fast shutdown: PostgreSQL rolls back open transactions and stops (pg_ctl -m fast).
_FAST_SHUTDOWN = signal.SIGINT


@dataclass(frozen=True)
class EmbeddedStatus:
    pgdata: Path
    initialised: bool  # a cluster exists there
    pid: int | None  # the running postmaster, if any
    socket_dir: str | None
    users: list[int]  # processes registered as using it (pgserver's handle list)


def pgdata_of(data_dir: Path) -> Path:
    """Where the embedded cluster of `CATACHESS_DATA_DIR` lives."""
    return (data_dir / "pgdata").resolve()


def embedded_status(data_dir: Path) -> EmbeddedStatus:
    """What runs in the embedded cluster's directory, from its postmaster.pid."""
    pgdata = pgdata_of(data_dir)
    pid, socket_dir = _postmaster(pgdata)
    return EmbeddedStatus(
        pgdata=pgdata,
        initialised=(pgdata / "PG_VERSION").exists(),
        pid=pid if pid is not None and alive(pid) else None,
        socket_dir=socket_dir,
        users=[user for user in handle_pids(pgdata) if alive(user)],
    )


def stop_embedded(data_dir: Path, *, timeout: float = 30.0) -> bool:
    """Stop the embedded postmaster (fast shutdown); False when none was running.

    Raises TimeoutError when it is still running after `timeout` seconds.
    """
    status = embedded_status(data_dir)
    if status.pid is None:
        return False
    os.kill(status.pid, _FAST_SHUTDOWN)
    deadline = time.monotonic() + timeout
    while alive(status.pid):
        if time.monotonic() > deadline:
            raise TimeoutError(f"PostgreSQL (pid {status.pid}) still runs after {timeout:.0f} s")
        time.sleep(0.05)
    # Nobody uses it any more: the next `serve` starts it afresh.
    (status.pgdata / ".handle_pids.json").write_text("[]")
    return True


def _postmaster(pgdata: Path) -> tuple[int | None, str | None]:
    """(pid, socket directory) from postmaster.pid, the file PostgreSQL keeps while up."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None, None
    pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
    socket_dir = lines[4].strip() if len(lines) > 4 and lines[4].strip() else None
    return pid, socket_dir


def handle_pids(pgdata: Path) -> list[int]:
    """The processes pgserver counts as using the cluster (its .handle_pids.json)."""
    try:
        return [int(pid) for pid in json.loads((pgdata / ".handle_pids.json").read_text())]
    except (FileNotFoundError, ValueError, TypeError):
        return []


def alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, killed and not yet collected, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed process stays a zombie until its parent collects it
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
