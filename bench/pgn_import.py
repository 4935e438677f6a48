"""Importing and exporting real annotated games against python-chess doing the same alone.

bench/data/world-matches.pgn: 580 world-championship games with 2,417 comments and
3,396 variations (see bench/data/README.md). Measured alternately (median of ROUNDS):
(a) `catachess import` (the CLI's streamed import, in this process) vs python-chess's
    `read_game` loop over the same text. Target <= 2.5x.
(b) POST /studies with the whole file (the API splits it into studies of 64 chapters)
    vs the same loop. Target <= 2.5x.
(c) Export of those studies (GET /studies/{id}/pgn, each) vs `str(game)` of the same
    games. Target <= 2x.
(d) Memory: peak RSS of a `catachess import` process for the file once and three times
    over (1,740 games). Target: flat (ratio close to 1).
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import itertools
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench.common import app_client, register, throwaway_database
from bench.pgn import paired_medians, read_all
from catachess.config import Settings
from catachess.db.engine import make_engine, make_sessionmaker
from catachess.studies.bulk_import import import_file
from catachess.studies.service import limits_from

DATA = Path(__file__).parent / "data" / "world-matches.pgn"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def peak_rss_of_cli_import(url: str, text: str, into: str, email: str) -> int:
    """Peak resident memory (KiB) of a `catachess import` process importing `text`."""
    with tempfile.NamedTemporaryFile("w", suffix=".pgn", delete=False) as file:
        file.write(text)
    script = (
        "import resource, sys\n"
        "from catachess.cli import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit as end:\n"
        "    assert not end.code, end.code\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
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


async def main() -> None:
    text = DATA.read_text(encoding="utf-8")
    games = read_all(text)
    print(f"pgn_import: {DATA.name}, {len(games)} games, {len(text) / 1024:.0f} KiB")
    settings_limits = limits_from(Settings())
    cli_limits = dataclasses.replace(settings_limits, max_games=sys.maxsize)
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

            async def parse_alone() -> None:
                read_all(text)

            t_cli, t_parse_cli = await paired_medians(cli_import, parse_alone, ROUNDS)
            t_api, t_parse_api = await paired_medians(api_import, parse_alone, ROUNDS)

            async def export_all() -> None:
                for study_id in study_ids:
                    response = await client.get(f"/studies/{study_id}/pgn", headers=headers)
                    assert response.status_code == 200

            async def write_alone() -> None:
                "\n\n".join(str(game) for game in games)

            t_export, t_write = await paired_medians(export_all, write_alone, ROUNDS)
            await engine.dispose()
            once = peak_rss_of_cli_import(url, text, ws["id"], email)
            thrice = peak_rss_of_cli_import(url, "\n\n".join([text] * 3), ws["id"], email)

    print(f"  (a) catachess import (CLI):  {t_cli:7.2f} s   read_game loop {t_parse_cli:6.2f} s")
    print(f"      ratio: {t_cli / t_parse_cli:.2f}x (target <= 2.5x)")
    print(f"  (b) POST /studies (API):     {t_api:7.2f} s   read_game loop {t_parse_api:6.2f} s")
    print(f"      ratio: {t_api / t_parse_api:.2f}x (target <= 2.5x)")
    print(
        f"  (c) export, {len(study_ids)} studies:    {t_export:7.2f} s   str(game) {t_write:6.2f} s"
    )
    print(f"      ratio: {t_export / t_write:.2f}x (target <= 2x)")
    print(
        f"  (d) peak RSS of `catachess import`: {once / 1024:.0f} MiB for {len(games)} games, "
        f"{thrice / 1024:.0f} MiB for {3 * len(games)}: {thrice / once:.2f}x (target: flat)"
    )


if __name__ == "__main__":
    asyncio.run(main())
