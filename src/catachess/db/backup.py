"""Backups of the whole database with PostgreSQL's own tools (pg_dump, pg_restore).

pg_dump must be at least as new as the server it reads. With the embedded database the
tools come from the pgserver wheel (the PostgreSQL 16 that runs it); with DATABASE_URL
the first of the tools on PATH (the server's, where it is installed) and the wheel's
that is new enough for the server is used.
The backup is pg_dump's custom format: compressed, and pg_restore can load it into any
PostgreSQL 13 or newer, which is how the embedded database moves to a real server.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class ToolFailed(RuntimeError):
    """pg_dump or pg_restore exited with an error; the message is its stderr."""


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+asyncpg://...) as libpq reads it (postgresql://...)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+", 1)[0]))


def wheel_tool(name: str) -> Path:
    """A client tool shipped by the pgserver wheel next to its server."""
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / name


def tool(name: str, *, server_major: int, embedded: bool) -> Path:
    """The pg_dump/pg_restore to run against a server of major version `server_major`."""
    candidates = [] if embedded else [shutil.which(name)]
    candidates.append(str(wheel_tool(name)))
    found = []
    for candidate in filter(None, candidates):
        major = _major_version(Path(candidate))
        found.append(f"{candidate} ({major})")
        if major >= server_major:
            return Path(candidate)
    raise ToolFailed(
        f"{name} must be PostgreSQL {server_major} or newer for this server; found "
        + ", ".join(found)
        + ": install the server's client tools (e.g. postgresql-client) on PATH"
    )


def _major_version(program: Path) -> int:
    # "pg_dump (PostgreSQL) 16.2" or "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    output = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=False, timeout=30
    ).stdout
    words = output.split(")", 1)[-1].split()
    return int(words[0].split(".")[0]) if words and words[0][0].isdigit() else 0


def backup(url: str, target: Path, *, server_major: int, embedded: bool) -> None:
    """Write every table, row, sequence and the schema version to `target`."""
    _run(
        tool("pg_dump", server_major=server_major, embedded=embedded),
        "--format=custom",
        "--no-owner",
        f"--file={target}",
        f"--dbname={libpq_url(url)}",
    )


def restore(url: str, source: Path, *, server_major: int, embedded: bool) -> None:
    """Replace the database's contents with a backup, in one transaction: on an error
    nothing of the backup is applied and the database stays as it was."""
    _run(
        tool("pg_restore", server_major=server_major, embedded=embedded),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={libpq_url(url)}",
        str(source),
    )


def _run(program: Path, *args: str) -> None:
    result = subprocess.run(
        [str(program), *args], capture_output=True, text=True, check=False, timeout=3600
    )
    if result.returncode != 0:
        raise ToolFailed(result.stderr.strip() or f"{program.name} exited {result.returncode}")


async def server_major_version(url: str) -> int:
    """The major version of the PostgreSQL server at `url` (16 for 16.2)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            number = await connection.scalar(text("SHOW server_version_num"))
    finally:
        await engine.dispose()
    return int(number) // 10000
