"""The command-line import and export, through their service and as real processes."""

import asyncio
import io
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.pgn import PgnLimits, PgnPart
from catachess.studies import bulk_import
from catachess.studies.bulk_import import import_file
from catachess.studies.service import MAX_CHAPTERS, limits_from
from tests.factories import a_folder, a_user, a_workspace
from tests.studies.helpers import game, games

BAD = game(white="Bad", black="Move", moves="1. e4 e5 2. Ke3 *")


async def test_import_file_fills_studies_of_64_and_reports_skipped_games(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "Archive")
    pgn = games(70) + BAD + games(60) + "[Broken tag\n\n1. e4 *\n"
    progress: list[int] = []
    summary = await import_file(
        make_sessionmaker(engine),
        io.StringIO(pgn),
        parent_id=uuid.UUID(folder["id"]),
        user_email=alice.email,
        name="Archive",
        limits=limits_from(settings),
        progress=lambda s: progress.append(s.games),
    )
    assert summary.games == 132 and summary.chapters == 130
    assert [(name, count) for _, name, count in summary.studies] == [
        ("Archive", 64),
        ("Archive (2)", 64),
        ("Archive (3)", 2),
    ]
    # Every generated game takes 10 lines: 7 tags, a blank line, the moves, a blank line.
    assert [(s.game, s.line) for s in summary.skipped] == [(71, 709), (132, 1311)]
    assert "illegal move" in summary.skipped[0].reason and "Ke3" in summary.skipped[0].reason
    assert progress[-1] == 132
    async with engine.connect() as connection:
        chapters = await connection.scalar(text("SELECT count(*) FROM chapters"))
        added = await connection.scalar(
            text("SELECT count(*) FROM events WHERE event_type = 'study.chapter_added'")
        )
    assert chapters == added == 130


class _WatchedFile(io.StringIO):
    """Notes the thread of every line read."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reads: list[int] = []

    def readline(self, size: int | None = -1, /) -> str:
        self.reads.append(threading.get_ident())
        return super().readline(size)


async def test_finding_the_import_reads_the_next_study_while_one_is_stored(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 17's profile: the loop waited on PostgreSQL for a third of an import while
    the parsing waited for it. The file is read off the loop, ahead of the store: when
    the first study's store begins, games of the second study have been read already
    (handed to the worker processes, see the next test). Counted when the store begins,
    not hoped for while it runs: whether the reading thread reads its last part just
    before or just after that moment is the scheduler's choice (it failed once at load 7)."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    handle = _WatchedFile(games(130))
    # Past the first study by many games, not by the line or two that ends its last game.
    ahead_lines = games(MAX_CHAPTERS + 16).count("\n")
    store = bulk_import._store
    read_when_storing: list[int] = []

    async def watched_store(*args: Any, **kwargs: Any) -> None:
        read_when_storing.append(len(handle.reads))
        await store(*args, **kwargs)

    monkeypatch.setattr(bulk_import, "_store", watched_store)
    summary = await import_file(
        make_sessionmaker(engine),
        handle,
        parent_id=uuid.UUID(ws["id"]),
        user_email=alice.email,
        name="Overlap",
        limits=limits_from(settings),
    )
    assert [count for _, _, count in summary.studies] == [64, 64, 2]
    assert threading.get_ident() not in set(handle.reads)
    assert read_when_storing[0] >= ahead_lines


async def test_the_import_parses_the_next_games_in_worker_processes_while_one_study_is_stored(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 17: the command line's parse runs in catachess.heavy's worker processes (the
    API's prepared-game path) and overlaps the store: the first study's store holds still
    until a part of the second study has come back from a worker (it never would if the
    parse waited for the store)."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    parsed_parts: list[int] = []
    later_part_parsed = asyncio.Event()
    read_part = bulk_import._read_part
    store = bulk_import._store

    async def watched_read(part: PgnPart, limits: PgnLimits) -> list[Any]:
        items = await read_part(part, limits)
        parsed_parts.append(part.first_line)
        if part.first_line > MAX_CHAPTERS * 10:  # a game of the second study
            later_part_parsed.set()
        return items

    stores: list[list[int]] = []

    async def watched_store(*args: Any, **kwargs: Any) -> None:
        if not stores:
            await asyncio.wait_for(later_part_parsed.wait(), 30)
        stores.append(list(parsed_parts))
        await store(*args, **kwargs)

    monkeypatch.setattr(bulk_import, "_read_part", watched_read)
    monkeypatch.setattr(bulk_import, "_store", watched_store)
    summary = await import_file(
        make_sessionmaker(engine),
        io.StringIO(games(130)),
        parent_id=uuid.UUID(ws["id"]),
        user_email=alice.email,
        name="Workers",
        limits=limits_from(settings),
    )
    assert [count for _, _, count in summary.studies] == [64, 64, 2]
    assert len(stores) == 3
    assert any(line > MAX_CHAPTERS * 10 for line in stores[0])
    assert summary.chapters == 130 and not summary.skipped


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url.replace("+asyncpg", "")}
    return subprocess.run(
        [sys.executable, "-m", "catachess.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_cli_import_then_export(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    source = tmp_path / "Tal games.pgn"
    source.write_text(games(3) + BAD, encoding="utf-8")
    imported = cli(database_url, "import", str(source), "--into", ws["id"], "--as", alice.email)
    assert imported.returncode == 0, imported.stderr
    assert "games read: 4" in imported.stdout and "skipped: 1" in imported.stdout
    assert "chapters created: 3" in imported.stdout and "studies created: 1" in imported.stdout
    [study] = (await client.get(f"/nodes/{ws['id']}/children", headers=alice.headers)).json()[
        "items"
    ]
    assert study["name"] == "Tal games"
    target = tmp_path / "out.pgn"
    exported = cli(database_url, "export", study["id"], "-o", str(target), "--mode", "mainline")
    assert exported.returncode == 0, exported.stderr
    api = await client.get(f"/studies/{study['id']}/pgn?mode=mainline", headers=alice.headers)
    assert target.read_text(encoding="utf-8") == api.text
    unknown = cli(database_url, "import", str(source), "--into", ws["id"], "--as", "x@y.z")
    assert unknown.returncode == 1 and "no account" in unknown.stderr


async def test_cli_import_detects_latin1_and_names_the_byte_offset_it_cannot_read(
    client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    source = tmp_path / "eco.pgn"
    pgn = "{ ECO file }\n\n" + game(white="Réti", black="Nimzowitsch", moves="1 .Nf3 d5 *") + "*\n"
    source.write_bytes(pgn.encode("latin-1"))
    refused = cli(
        database_url, "import", str(source), "--into", ws["id"], "--as", alice.email,
        "--encoding", "utf-8",
    )  # fmt: skip
    offset = pgn.encode("latin-1").index("é".encode("latin-1"))
    assert refused.returncode == 1 and f"byte offset {offset}" in refused.stderr
    imported = cli(database_url, "import", str(source), "--into", ws["id"], "--as", alice.email)
    assert imported.returncode == 0, imported.stderr
    assert "encoding: cp1252" in imported.stderr
    assert "games read: 1" in imported.stdout and "warnings: 2" in imported.stdout
    [study] = (await client.get(f"/nodes/{ws['id']}/children", headers=alice.headers)).json()[
        "items"
    ]
    pgn_out = (await client.get(f"/studies/{study['id']}/pgn", headers=alice.headers)).text
    assert '[White "Réti"]' in pgn_out and "1. Nf3 d5" in pgn_out
    as_latin1 = cli(
        database_url, "import", str(source), "--into", ws["id"], "--as", alice.email,
        "--encoding", "latin-1", "--name", "again",
    )  # fmt: skip
    assert as_latin1.returncode == 0, as_latin1.stderr


async def test_cli_import_stamps_one_printed_correlation_id_on_every_event(
    client: httpx.AsyncClient, engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    source = tmp_path / "many.pgn"
    source.write_text(games(70), encoding="utf-8")
    imported = cli(database_url, "import", str(source), "--into", ws["id"], "--as", alice.email)
    assert imported.returncode == 0, imported.stderr
    [printed] = [
        line.split(": ")[1] for line in imported.stderr.splitlines() if "correlation id" in line
    ]
    assert f"catachess events trace {printed}" in imported.stdout
    async with engine.connect() as connection:
        ids = (
            await connection.scalars(
                text(
                    "SELECT DISTINCT correlation_id FROM events"
                    " WHERE event_type IN ('study.chapter_added', 'node.created')"
                    " AND target_id <> :ws"
                ),
                {"ws": uuid.UUID(ws["id"])},
            )
        ).all()
    assert ids == [printed]
