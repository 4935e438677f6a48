"""`catachess events …`: trace a correlation id, list and retry dead letters.

Operator commands: they read the database directly, so they see every event.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import typer
from rich.table import Table
from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.config import get_settings
from catachess.errors import NotFound
from catachess.events.models import Event, EventDelivery
from catachess.terminal import stderr_console, stdout_console

app = typer.Typer(help="The event log: traces and dead letters.", no_args_is_help=True)
out = stdout_console()
err = stderr_console()

Result = TypeVar("Result")
DeadLetters = Sequence[Row[EventDelivery, Event]]


def _run(work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
    """Run `work` in one committed transaction on the configured database."""
    from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url

    async def main() -> Result:
        engine = make_engine(resolve_database_url(get_settings()), pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@app.command("trace")
def trace(
    correlation_id: str = typer.Argument(..., help="X-Correlation-ID of a request"),
    mermaid: bool = typer.Option(False, "--mermaid", help="print a Mermaid flowchart instead"),
) -> None:
    """Print the causation tree of every event with this correlation id."""
    from catachess.events import chains, reads

    try:
        chain = _run(lambda session: reads.event_chain(session, None, correlation_id))
    except NotFound as error:
        err.print(f"[red]{error.detail}[/]")
        raise typer.Exit(1) from None
    if mermaid:
        print(chains.to_mermaid(chain.roots), end="")
        return
    out.print(chains.to_rich(correlation_id, chain.roots))
    suffix = " (truncated)" if chain.truncated else ""
    out.print(f"[dim]{len(chain.events)} events, depth {chains.depth(chain.roots)}{suffix}[/]")


@app.command("dead-letters")
def dead_letters(
    limit: int = typer.Option(100, min=1, max=10_000, help="show at most this many"),
) -> None:
    """List deliveries that failed EVENT_MAX_ATTEMPTS times, newest first."""
    from catachess.events import deliveries

    async def read(session: AsyncSession) -> tuple[DeadLetters, deliveries.OutboxStats]:
        dead = await deliveries.list_dead(session, limit=limit)
        return dead, await deliveries.outbox_stats(session)

    rows, stats = _run(read)
    oldest = f", oldest since {stats.oldest_pending_at:%Y-%m-%d %H:%M:%S}" if stats.pending else ""
    out.print(f"outbox: {stats.pending} pending{oldest}; {stats.dead} dead")
    if not rows:
        out.print("[green]no dead letters[/]")
        return
    table = Table("id", "subscriber", "event", "attempts", "dead since", "last error")
    for delivery, event in rows:
        table.add_row(
            str(delivery.id),
            delivery.subscriber,
            f"{event.event_type} {event.event_id}",
            str(delivery.attempts),
            f"{delivery.dead_at:%Y-%m-%d %H:%M:%S}" if delivery.dead_at else "",
            (delivery.last_error or "")[:200],
        )
    out.print(table)


@app.command("retry")
def retry(
    delivery_ids: list[int] = typer.Argument(None, help="dead letter ids (see dead-letters)"),
    all_: bool = typer.Option(False, "--all", help="retry every dead letter"),
) -> None:
    """Give dead letters a fresh attempt budget; a running relay delivers them next."""
    from catachess.events import deliveries

    if bool(delivery_ids) == all_:
        err.print("[red]give dead letter ids or --all (not both)[/]")
        raise typer.Exit(2)
    retried = _run(lambda session: deliveries.retry_dead(session, None if all_ else delivery_ids))
    missing = sorted(set(delivery_ids or []) - set(retried))
    out.print(f"[green]{len(retried)} dead letter(s) back in line[/]")
    if missing:
        err.print(f"[yellow]not dead letters: {', '.join(map(str, missing))}[/]")
        raise typer.Exit(1)
