"""Importing and exporting real annotated games against python-chess doing the same alone.

bench/data/world-matches.pgn: 580 world-championship games with 2,417 comments and
3,396 variations (see bench/data/README.md). Measured alternately (median of ROUNDS):
(a) `catachess import` (the CLI's streamed import, in this process) vs python-chess's
    `read_game` loop over the same text. Target <= 2.5x.
(b) POST /studies with the whole file (the API splits it into studies of 64 chapters)
    vs the same loop. Target <= 2.5x.
(c) POST /studies/{id}/chapters with the whole file, into an empty study (the chapters
    past 64 go to further studies) vs the same loop. Target <= 2.5x.
(d) Export of the studies of (b) (GET /studies/{id}/pgn, each) vs `str(game)` of the
    same games. Target <= 2x.
(e) Memory: peak RSS of a `catachess import` process for the file once and three times
    over (1,740 games). Target: flat (ratio close to 1).
(f) Issue 15: POST /studies of world-matches-heavy64.pgn (the 64 heaviest games) with the
    search indexing vs with it switched off, on an empty index (bench/search.py measures
    the same after filling the index to 1,000,000 rows). Target <= 1.3x.

Each ratio is of wall times; the CPU ratio beside it counts this process and the
PostgreSQL server (the work itself, which another load on the machine does not inflate
as it inflates waiting). `python -m bench.pgn_import a d` runs only those figures.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import app_client, cpu_seconds, postmaster_pid, register, throwaway_database
from bench.pgn import read_all
from catachess.config import Settings
from catachess.db.engine import make_engine, make_sessionmaker
from catachess.search import indexing
from catachess.studies.bulk_import import import_file
from catachess.studies.service import limits_from

DATA = Path(__file__).parent / "data" / "world-matches.pgn"
HEAVY = Path(__file__).parent / "data" / "world-matches-heavy64.pgn"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
FIGURES = "abcdef"

Run = Callable[[], Awaitable[object]]


@dataclasses.dataclass
class Pair:
    """Medians of two runs measured alternately: wall and CPU seconds of each."""

    label: str
    ours: str
    theirs: str
    target: float
    wall: tuple[float, float]
    cpu: tuple[float, float]

    def lines(self) -> list[str]:
        (ours, theirs), (ours_cpu, theirs_cpu) = self.wall, self.cpu
        ratio = ours / theirs
        verdict = "ok" if ratio <= self.target else "MISSED"
        return [
            f"  {self.label}",
            f"      {self.ours}: {ours:6.2f} s (CPU {ours_cpu:6.2f} s)   "
            f"{self.theirs}: {theirs:6.2f} s (CPU {theirs_cpu:6.2f} s)",
            f"      ratio: {ratio:.2f}x (target <= {self.target}x: {verdict})   "
            f"CPU ratio: {ours_cpu / theirs_cpu:.2f}x",
        ]


def own_cpu() -> float:
    """CPU seconds of this process (every thread) and of its children that have ended."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


def living_children() -> list[int]:
    """This process's children that run: catachess.heavy's fork server, whose worker
    processes parse and export (their CPU counts: cpu_seconds adds a process's children)."""
    me = str(os.getpid())
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == me:
                found.append(int(stat.parent.name))
        except OSError:
            continue
    return found


async def paired(url: str, ours: Run, theirs: Run, rounds: int) -> tuple[Any, Any]:
    """(wall, CPU) medians of `ours` and `theirs`, run alternately after one warm-up round.
    CPU: this process's (every thread, and its children, the worker processes included)
    plus PostgreSQL's."""
    postmaster = postmaster_pid(url)
    walls: tuple[list[float], list[float]] = ([], [])
    cpus: tuple[list[float], list[float]] = ([], [])

    def cpu_now() -> float:
        others = [pid for pid in living_children() if pid not in postmaster]
        return own_cpu() + cpu_seconds(postmaster) + cpu_seconds(others)

    for index in range(rounds + 1):
        for side, run in enumerate((ours, theirs)):
            cpu = cpu_now()
            started = time.perf_counter()
            await run()
            wall = time.perf_counter() - started
            cpu = cpu_now() - cpu
            if index > 0:  # the first round warms up
                walls[side].append(wall)
                cpus[side].append(cpu)
    return (
        (statistics.median(walls[0]), statistics.median(walls[1])),
        (statistics.median(cpus[0]), statistics.median(cpus[1])),
    )


def peak_rss_of_cli_import(url: str, text: str, into: str, email: str) -> int:
    """Peak resident memory (KiB) of a `catachess import` process importing `text` (or of
    a child process of it, if larger)."""
    with tempfile.NamedTemporaryFile("w", suffix=".pgn", delete=False) as file:
        file.write(text)
    script = (
        "import resource, sys\n"
        "from catachess.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "print(max(resource.getrusage(who).ru_maxrss\n"
        "          for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, "import", file.name, "--into", into, "--as", email],
            env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(file.name)
    return int(done.stdout.split()[-1])


async def main(figures: str = FIGURES) -> None:
    text = DATA.read_text(encoding="utf-8")
    games = read_all(text)
    print(
        f"pgn_import: {DATA.name}, {len(games)} games, {len(text) / 1024:.0f} KiB, "
        f"{ROUNDS} alternating rounds (median) after a warm-up round"
    )
    settings_limits = limits_from(Settings())
    cli_limits = dataclasses.replace(settings_limits, max_games=sys.maxsize)
    results: list[str] = []
    with throwaway_database() as url:
        async with app_client(url) as client:
            headers = await register(client, "bench-import")
            email = "bench-import@bench.example"
            ws = (
                await client.post(
                    "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
                )
            ).json()
            names = (f"import {n}" for n in itertools.count())
            engine = make_engine(url, pool_size=2)
            sessions = make_sessionmaker(engine)

            async def parse_alone() -> None:
                read_all(text)

            async def cli_import() -> None:
                summary = await import_file(
                    sessions,
                    io.StringIO(text),
                    parent_id=uuid.UUID(ws["id"]),
                    user_email=email,
                    name=next(names),
                    limits=cli_limits,
                )
                assert summary.chapters == len(games), summary.skipped[:3]

            study_ids: list[str] = []

            async def api_import() -> None:
                response = await client.post(
                    "/studies",
                    json={"name": next(names), "parent_id": ws["id"], "pgn": text},
                    headers=headers,
                )
                assert response.status_code == 201, response.text[:500]
                assert response.json()["chapter_count"] == len(games)
                study_ids[:] = [study["id"] for study in response.json()["studies"]]

            async def chapters_import() -> None:
                body = {"name": next(names), "parent_id": ws["id"]}
                created = (await client.post("/studies", json=body, headers=headers)).json()
                study_id = created["studies"][0]["id"]
                response = await client.post(
                    f"/studies/{study_id}/chapters", json={"pgn": text}, headers=headers
                )
                assert response.status_code == 201, response.text[:500]

            imports = [
                ("a", "(a) catachess import (CLI, studies.bulk_import)", cli_import),
                ("bd", "(b) POST /studies with the file (API)", api_import),
                ("c", "(c) POST /studies/{id}/chapters with the file (API)", chapters_import),
            ]
            for letters, label, run in imports:
                if set(letters) & set(figures):
                    wall, cpu = await paired(url, run, parse_alone, ROUNDS)
                    results += Pair(label, "import", "read_game loop", 2.5, wall, cpu).lines()
            if "d" in figures:

                async def export_all() -> None:
                    for study_id in study_ids:
                        response = await client.get(f"/studies/{study_id}/pgn", headers=headers)
                        assert response.status_code == 200

                async def write_alone() -> None:
                    "\n\n".join(str(game) for game in games)

                wall, cpu = await paired(url, export_all, write_alone, ROUNDS)
                pair = Pair(
                    f"(d) export: GET /studies/{{id}}/pgn of the {len(study_ids)} studies of (b)",
                    "export",
                    "str(game)",
                    2.0,
                    wall,
                    cpu,
                )
                results += pair.lines()
            if "f" in figures:
                results += await indexing_cost(url, client, headers, ws["id"])
            await engine.dispose()
            if "e" in figures:
                once = peak_rss_of_cli_import(url, text, ws["id"], email)
                thrice = peak_rss_of_cli_import(url, "\n\n".join([text] * 3), ws["id"], email)
                results.append(
                    f"  (e) peak RSS of `catachess import`: {once / 1024:.0f} MiB for "
                    f"{len(games)} games, {thrice / 1024:.0f} MiB for {3 * len(games)}: "
                    f"{thrice / once:.2f}x (target: flat)"
                )
    print("\n".join(results))


async def indexing_cost(
    url: str, client: Any, headers: dict[str, str], workspace: str
) -> list[str]:
    """(f): the same import with the search indexing and with it switched off."""
    pgn = HEAVY.read_text(encoding="utf-8")
    counter = itertools.count()

    async def run() -> None:
        body = {"name": f"Heavy {next(counter)}", "parent_id": workspace, "pgn": pgn}
        response = await client.post("/studies", json=body, headers=headers)
        assert response.status_code == 201, response.text[:500]

    async def skip(*_args: Any) -> None:
        return None

    async def without() -> None:
        # Every entry point of an import's indexing (a worker-prepared import has its own).
        names = [
            name
            for name in ("chapters_added", "prepared_chapters_added")
            if hasattr(indexing, name)
        ]
        real = {name: getattr(indexing, name) for name in names}
        for name in names:
            setattr(indexing, name, skip)
        try:
            await run()
        finally:
            for name, function in real.items():
                setattr(indexing, name, function)

    wall, cpu = await paired(url, run, without, ROUNDS + 2)
    pair = Pair(
        f"(f) POST /studies of {HEAVY.name}, search indexing on vs off (issue 15)",
        "indexed",
        "not indexed",
        1.3,
        wall,
        cpu,
    )
    return pair.lines()


if __name__ == "__main__":
    asyncio.run(main("".join(sys.argv[1:]) or FIGURES))
