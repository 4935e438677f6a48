"""The event relay inside the server, or as a process of its own (`catachess relay`).

`POST /nodes` under wrk (-t1 -c16, as bench.http_vs_peer drives it), in turns: one
`catachess serve` with its relay inside, then one with EVENT_RELAY=false next to a
`catachess relay` process. Each run lasts until every delivery its creates owe is done,
and its CPU counts PostgreSQL's and the relay process's. Each turn has a fresh database.
Informative, no target: on two cores the machine is the limit, not the server process,
so the rate stays the same; the server process's own CPU per create is what moves.
Settings: BENCH_SECONDS (per wrk run, default 5), BENCH_ROUNDS (default 3).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time

from bench import http_vs_peer as peer
from bench.common import postmaster_pid, throwaway_database

LAYOUTS = ("relay in the server", "relay process")
WARM_UP = 2.0  # seconds of wrk before each measured run


def run(layout: str) -> peer.Run:
    """One wrk run of POST /nodes on a fresh database, with the relay laid out so."""
    own_process = layout == "relay process"
    with throwaway_database() as url:
        settings = {"EVENT_RELAY": "false"} if own_process else {}
        with peer.catachess_server(url, settings=settings) as (port, server):
            pids = [server, *postmaster_pid(url)]
            relay = None
            if own_process:
                relay = subprocess.Popen(
                    [sys.executable, "-m", "catachess.cli", "relay"],
                    env={**os.environ, **peer.catachess_env(url)},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                pids.insert(1, relay.pid)
            try:
                script = peer.catachess_scripts(port)["POST /nodes"]
                owed = peer.pending_deliveries(url)
                # A warm-up run first: prepared statements, and the relay process started
                # (the run waits for its deliveries) before anything is counted.
                measured, peer.SECONDS = peer.SECONDS, WARM_UP
                try:
                    peer.wrk(port, script.replace("{run}", f"warm {layout}"), pids, pending=owed)
                finally:
                    peer.SECONDS = measured
                name = f"{layout} {time.time()}"
                return peer.wrk(port, script.replace("{run}", name), pids, pending=owed)
            finally:
                if relay is not None:
                    relay.send_signal(signal.SIGTERM)
                    relay.wait(timeout=30)


def main_sync() -> None:
    if shutil.which("wrk") is None:
        print("relay_process: skipped, wrk is not installed (apt-get install -y wrk)")
        return
    print(
        f"relay_process: POST /nodes, wrk -t1 -c{peer.CONNECTIONS}, {peer.SECONDS:g} s per "
        f"run, {peer.ROUNDS} rounds in turns; CPU of the server, the relay and PostgreSQL"
    )
    for _ in range(peer.ROUNDS):
        for layout in LAYOUTS:
            result = run(layout)
            print(
                f"  {layout:<20} {result.rate:6.0f} req/s   CPU {result.cpu_us:5.0f} us/req "
                f"(server process {result.server_us:4.0f})",
                flush=True,
            )


async def main() -> None:
    await asyncio.to_thread(main_sync)


if __name__ == "__main__":
    main_sync()
