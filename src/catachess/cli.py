"""The `catachess` command line."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from types import FrameType
from typing import NoReturn

import typer

from catachess.auth import cli as users_cli
from catachess.config import Settings, get_settings
from catachess.db import cli as db_cli
from catachess.events import cli as events_cli
from catachess.studies import cli as studies_cli
from catachess.terminal import stderr_console, stdout_console

app = typer.Typer(
    help="catachess: chess-study workspaces server.\n\n"
    "Start with `catachess serve`; with no DATABASE_URL it runs its own embedded "
    "PostgreSQL under ./.catachess.",
    no_args_is_help=True,
    add_completion=False,
)
console = stderr_console()

# Exit code of a start-up that failed on configuration or an unreachable database.
CONFIG_ERROR = 2


def _fail(message: str) -> NoReturn:
    """Stop with ONE line on stderr, no traceback: the operator has something to fix."""
    typer.echo(f"catachess: {message}", err=True)
    raise typer.Exit(CONFIG_ERROR)


def _settings_or_exit() -> Settings:
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])} {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        )
        _fail(f"configuration error: {reasons}")


def _database_url_or_exit(settings: Settings) -> str:
    """The database URL, after one successful connection to it."""
    from sqlalchemy.engine import make_url

    from catachess.db.engine import resolve_database_url
    from catachess.ops import readiness

    try:
        url = resolve_database_url(settings)
    except Exception as error:  # whatever stopped pgserver's initdb or start
        _fail(f"cannot start the embedded PostgreSQL in {settings.data_dir}: {error}")
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        asyncio.run(readiness.check_url(url))
    except readiness.DatabaseUnavailable as error:
        _fail(f"cannot connect to the database at {shown}: {error}")
    return url


def _ready_to_run() -> tuple[Settings, str]:
    """Settings and a reachable database, or exit 2; then logging goes to stderr."""
    from catachess.ops import logs

    settings = _settings_or_exit()
    url = _database_url_or_exit(settings)
    logs.configure(settings)
    return settings, url


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(1, min=1, help="server processes sharing the database"),
    shutdown_timeout: int = typer.Option(
        30, min=1, help="seconds in-flight requests get to finish on SIGTERM"
    ),
) -> None:
    """Run the HTTP server (migrates the database first). API docs at /docs."""
    import uvicorn

    from catachess.db import migrate

    _, url = _ready_to_run()
    migrate.upgrade(url)
    console.print(f"catachess on http://{host}:{port} (docs: http://{host}:{port}/docs)")
    # uvicorn shuts down gracefully on SIGTERM, puts back the handler it found and raises
    # the signal again. Python's default for SIGTERM kills the process without running
    # atexit hooks, which is where the embedded PostgreSQL is stopped: exit instead.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    uvicorn.run(
        "catachess.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # RequestObserver writes one structured line per request
        log_config=None,  # our handler (catachess.ops.logs) formats uvicorn's lines too
        lifespan="on",
        timeout_graceful_shutdown=shutdown_timeout,
    )


@app.command("relay")
def relay_command() -> None:
    """Deliver events to their subscribers until stopped, as a process of its own (run
    the servers with EVENT_RELAY=false; migrates the database first)."""
    from catachess.db import migrate
    from catachess.events import relay

    settings, url = _ready_to_run()
    migrate.upgrade(url)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await relay.run_alone(url, settings, stop)

    console.print("event relay running (SIGTERM or Ctrl-C stops it after its batch)")
    asyncio.run(main())


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@app.command("migrate")
def migrate_command() -> None:
    """Upgrade the database schema to the newest version (safe to repeat)."""
    from catachess.db import migrate

    _, url = _ready_to_run()
    migrate.upgrade(url)
    console.print("[green]database is at the newest schema version[/]")


app.command("import")(studies_cli.import_pgn)
app.add_typer(db_cli.app, name="db")
app.command("export")(studies_cli.export_pgn)
app.add_typer(events_cli.app, name="events")
app.add_typer(users_cli.app, name="users")

maintenance_app = typer.Typer(
    help="Periodic jobs (expiry, retention, redelivery).", no_args_is_help=True
)
app.add_typer(maintenance_app, name="maintenance")


@maintenance_app.command("run")
def maintenance_run() -> None:
    """Run every maintenance job once and exit (for cron); safe beside running servers.

    Exits 1 when a job failed (its committed batches stay done), 2 on configuration errors.
    """
    from rich.table import Table

    from catachess.db.engine import make_engine, make_sessionmaker
    from catachess.maintenance import runner

    settings, url = _ready_to_run()

    async def tick() -> list[runner.JobResult]:
        engine = make_engine(url, pool_size=2)
        try:
            return await runner.run_all(engine, make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    results = asyncio.run(tick())
    table = Table("job", "ran", "items", "batches", "seconds")
    for result in results:
        if result.error:
            ran = f"[red]failed[/]: {result.error}"
        else:
            ran = "yes" if result.ran else "skipped (running elsewhere)"
        table.add_row(
            result.name, ran, str(result.items), str(result.batches), f"{result.seconds:.3f}"
        )
    stdout_console().print(table)
    if any(result.error for result in results):
        raise typer.Exit(1)


@maintenance_app.command("status")
def maintenance_status() -> None:
    """Each job's last run (on whichever process) and how much work is waiting."""
    from rich.table import Table

    from catachess.db.engine import make_engine, make_sessionmaker
    from catachess.maintenance.status import JobStatus, job_statuses

    settings, url = _ready_to_run()

    async def read() -> list[JobStatus]:
        engine = make_engine(url, pool_size=1)
        try:
            return await job_statuses(make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    table = Table("job", "last run (UTC)", "ran on", "items", "batches", "seconds", "result")
    table.add_column("backlog", justify="right")
    for status in asyncio.run(read()):
        backlog = "-" if status.backlog is None else str(status.backlog)
        run = status.last_run
        if run is None:
            table.add_row(status.name, "never", "", "", "", "", "", backlog)
            continue
        table.add_row(
            status.name,
            run.finished_at.strftime("%Y-%m-%d %H:%M:%S"),
            run.ran_on,
            str(run.items),
            str(run.batches),
            f"{run.duration_seconds:.3f}",
            "ok" if run.error is None else f"[red]{run.error}[/]",
            backlog,
        )
    stdout_console().print(table)


@app.command("backup")
def backup(file: Path = typer.Argument(..., dir_okay=False, help="where to write it")) -> None:
    """Back up the whole database to FILE (pg_dump's custom format; docs/operations.md)."""
    from catachess.db import backup as tools

    settings, url = _ready_to_run()
    embedded = not settings.database_url
    try:
        major = asyncio.run(tools.server_major_version(url))
        tools.backup(url, file, server_major=major, embedded=embedded)
    except tools.ToolFailed as error:
        console.print(f"[red]backup failed:[/] {error}")
        raise typer.Exit(1) from None
    stdout_console().print(f"backed up to {file} ({file.stat().st_size} bytes)")


@app.command("restore")
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a `catachess backup`"),
) -> None:
    """Replace the database's contents with a backup, in one transaction (stop the
    servers first)."""
    from catachess.db import backup as tools

    settings, url = _ready_to_run()
    embedded = not settings.database_url
    try:
        major = asyncio.run(tools.server_major_version(url))
        tools.restore(url, file, server_major=major, embedded=embedded)
    except tools.ToolFailed as error:
        console.print(f"[red]restore failed, nothing changed:[/] {error}")
        raise typer.Exit(1) from None
    stdout_console().print(f"restored from {file}")


if __name__ == "__main__":
    app()
