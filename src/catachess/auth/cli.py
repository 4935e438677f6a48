"""`catachess users …`: accounts for a club that runs with REGISTRATION=invite or closed.

Operator commands: they act on the database directly, with no HTTP and no role check.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import repository, service
from catachess.auth.policy import check_password
from catachess.config import get_settings
from catachess.errors import AppError

app = typer.Typer(help="Accounts: create, list, disable, reset passwords.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

Result = TypeVar("Result")


def _run(work: Callable[[AsyncSession], Awaitable[Result]]) -> Result:
    """Run `work` in one committed transaction; an AppError is one line and exit code 1."""
    from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url

    async def main() -> Result:
        engine = make_engine(resolve_database_url(get_settings()), pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except AppError as error:
        err.print(f"catachess: {error.detail}")
        raise typer.Exit(1) from None


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The new password (stdin, first line) or a generated one; (password, generated)."""
    if from_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = secrets.token_urlsafe(15)
    try:
        return check_password(password), not from_stdin
    except ValueError as error:
        err.print(f"catachess: the password {error}")
        raise typer.Exit(1) from None


@app.command("create")
def create(
    email: str = typer.Argument(..., help="the new account's e-mail"),
    name: str = typer.Option(..., "--name", help="display name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from stdin (else one is generated)"
    ),
) -> None:
    """Create an account (whatever REGISTRATION says); a generated password is printed."""
    password, generated = _password(password_stdin)
    user = _run(lambda session: service.create_user(session, email, name, password))
    err.print(f"created {user.email} ({user.id})")
    if generated:
        out.print(password, highlight=False)


@app.command("list")
def list_users() -> None:
    """Every account, with its live sessions and whether it is disabled."""
    rows = _run(repository.list_users)
    table = Table("e-mail", "name", "id", "created", "sessions", "status")
    for user, sessions in rows:
        table.add_row(
            user.email,
            user.display_name,
            str(user.id),
            user.created_at.strftime("%Y-%m-%d %H:%M"),
            str(sessions),
            "disabled" if user.disabled_at else "active",
        )
    out.print(table)


@app.command("disable")
def disable(email: str = typer.Argument(..., help="the account's e-mail")) -> None:
    """Disable an account: it can no longer log in and its sessions end at once."""
    user = _run(lambda session: service.disable(session, email))
    err.print(f"disabled {user.email}")


@app.command("reset-password")
def reset_password(
    email: str = typer.Argument(..., help="the account's e-mail"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from stdin (else one is generated)"
    ),
) -> None:
    """Set a new password and end every session of the account; a generated one is printed."""
    password, generated = _password(password_stdin)

    async def reset(session: AsyncSession) -> None:
        user = await service.require_by_email(session, email)
        await service.set_password(session, user, password, keep=None, by="admin")

    _run(reset)
    err.print(f"password of {email.lower()} reset; its sessions are ended")
    if generated:
        out.print(password, highlight=False)
