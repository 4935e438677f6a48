"""The `catachess` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from catachess.config import get_settings
from catachess.events import cli as events_cli

app = typer.Typer(
    help="catachess: chess-study workspaces server.\n\n"
    "Start with `catachess serve`; with no DATABASE_URL it runs its own embedded "
    "PostgreSQL under ./.catachess.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def _settings_or_exit() -> object:
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as error:
        first = error.errors()[0]
        console.print(f"[red]configuration error:[/] {first['loc'][0]}: {first['msg']}")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(1, min=1, help="server processes sharing the database"),
) -> None:
    """Run the HTTP server (migrates the database first). API docs at /docs."""
    import uvicorn

    from catachess.db import migrate
    from catachess.db.engine import resolve_database_url

    _settings_or_exit()
    url = resolve_database_url(get_settings())
    migrate.upgrade(url)
    console.print(f"catachess on http://{host}:{port} (docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "catachess.asgi:app",
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        lifespan="on",
    )


@app.command("migrate")
def migrate_command() -> None:
    """Upgrade the database schema to the newest version (safe to repeat)."""
    from catachess.db import migrate
    from catachess.db.engine import resolve_database_url

    _settings_or_exit()
    url = resolve_database_url(get_settings())
    migrate.upgrade(url)
    console.print("[green]database is at the newest schema version[/]")


app.add_typer(events_cli.app, name="events")

maintenance_app = typer.Typer(
    help="Periodic jobs (expiry, retention, redelivery).", no_args_is_help=True
)
app.add_typer(maintenance_app, name="maintenance")


@maintenance_app.command("run")
def maintenance_run() -> None:
    """Run every maintenance job once and exit (for cron); safe beside running servers."""
    import asyncio

    from rich.table import Table

    from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url
    from catachess.maintenance import runner

    _settings_or_exit()
    settings = get_settings()

    async def tick() -> list[runner.JobResult]:
        engine = make_engine(resolve_database_url(settings), pool_size=2)
        try:
            return await runner.run_all(engine, make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    results = asyncio.run(tick())
    table = Table("job", "ran", "items", "batches", "seconds")
    for result in results:
        table.add_row(
            result.name,
            "yes" if result.ran else "skipped (running elsewhere)",
            str(result.items),
            str(result.batches),
            f"{result.seconds:.3f}",
        )
    Console().print(table)


if __name__ == "__main__":
    app()
