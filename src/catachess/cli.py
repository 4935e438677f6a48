"""The `catachess` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from catachess.config import get_settings

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


if __name__ == "__main__":
    app()
