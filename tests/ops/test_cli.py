"""Start-up errors stop the CLI with one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.factories import a_user

CATACHESS = str(Path(sys.executable).parent / "catachess")


async def run(*args: str, **env: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        CATACHESS,
        *args,
        env={**os.environ, "COLUMNS": "200", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


NOWHERE = tempfile.gettempdir() + "/catachess-no-such-socket-dir"


@pytest.mark.parametrize(
    ("command", "env", "message"),
    [
        ("migrate", {"LOG_FORMAT": "yaml"}, "LOG_FORMAT must be one of auto, json, console"),
        ("serve", {"DATABASE_URL": "mysql://db/app"}, "DATABASE_URL must be a postgresql:// URL"),
        (
            "migrate",
            {"DATABASE_URL": "postgresql://u:pw@db:port/app"},
            "DATABASE_URL is not a valid URL",
        ),
        ("serve", {"DB_POOL_SIZE": "many"}, "DB_POOL_SIZE Input should be a valid integer"),
        (
            "serve",
            {"DATABASE_URL": f"postgresql://u:secret@/app?host={NOWHERE}"},
            "cannot connect to the database at postgresql+asyncpg://u:***@/app",
        ),
        (
            "migrate",
            {"DATABASE_URL": "postgresql://u:secret@127.0.0.1:1/app"},
            "cannot connect to the database",
        ),
    ],
)
async def test_a_configuration_error_is_one_line_and_exit_code_2(
    command: str, env: dict[str, str], message: str
) -> None:
    code, out, err = await run(command, **env)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("catachess: "), err
    assert message in err
    assert "Traceback" not in out + err and "secret" not in err


async def test_maintenance_run_and_status_report_each_job(
    client: httpx.AsyncClient, database_url: str
) -> None:
    await a_user(client, "expiring")
    code, out, err = await run("maintenance", "run", DATABASE_URL=database_url)
    assert code == 0, err
    assert "tokens.expire" in out and "yes" in out
    code, out, err = await run("maintenance", "status", DATABASE_URL=database_url)
    assert code == 0, err
    [row] = [line for line in out.splitlines() if "tokens.expire" in line]
    assert "ok" in row and "never" not in row


async def test_maintenance_status_in_a_pipe_is_not_cut_to_80_columns(
    client: httpx.AsyncClient, database_url: str
) -> None:
    code, out, err = await run("maintenance", "run", DATABASE_URL=database_url)
    # No COLUMNS: what a pipe into grep or a log file gets (Rich assumed 80 columns).
    code, out, err = await run("maintenance", "status", DATABASE_URL=database_url, COLUMNS="")
    assert code == 0, err
    [header] = [line for line in out.splitlines() if "last run (UTC)" in line]
    assert "backlog" in header and len(header) > 80
    rows = [line for line in out.splitlines() if "tokens.expire" in line]
    assert len(rows) == 1 and "ok" in rows[0]
