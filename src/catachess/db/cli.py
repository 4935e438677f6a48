"""`catachess db status|stop`: the embedded PostgreSQL seen from outside the server."""

from __future__ import annotations

import typer

from catachess.config import get_settings
from catachess.terminal import stderr_console, stdout_console

app = typer.Typer(help="The embedded PostgreSQL: status and stop.", no_args_is_help=True)
console = stderr_console()


@app.command("status")
def status() -> None:
    """Whether the embedded PostgreSQL (CATACHESS_DATA_DIR) runs, and who uses it."""
    from catachess.db.embedded import embedded_status

    settings = get_settings()
    out = stdout_console()
    if settings.database_url:
        out.print("DATABASE_URL is set: the embedded PostgreSQL is not used")
    found = embedded_status(settings.data_dir)
    out.print(f"data directory: {found.pgdata}")
    if not found.initialised:
        out.print("state: no database yet (`catachess serve` creates it)")
    elif found.pid is None:
        out.print("state: stopped")
    else:
        out.print(f"state: running (postmaster pid {found.pid}, socket {found.socket_dir})")
        users = ", ".join(str(pid) for pid in found.users) or "none"
        out.print(f"used by processes: {users}")


@app.command("stop")
def stop() -> None:
    """Stop the embedded PostgreSQL (fast shutdown), e.g. after a server was killed."""
    from catachess.db.embedded import embedded_status, stop_embedded

    settings = get_settings()
    found = embedded_status(settings.data_dir)
    if found.users:
        console.print(
            "[yellow]still used by processes "
            + ", ".join(str(pid) for pid in found.users)
            + ": stop those servers first (they will lose their database)[/]"
        )
    try:
        stopped = stop_embedded(settings.data_dir)
    except TimeoutError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    stdout_console().print("stopped" if stopped else "not running")
