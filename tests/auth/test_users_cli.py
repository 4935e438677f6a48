"""`catachess users create | list | disable | reset-password` against the database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from catachess.cli import app
from catachess.config import get_settings
from tests.factories import a_user


@pytest.fixture
def catachess(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()

    async def run(*args: str, stdin: str | None = None) -> Result:
        return await asyncio.to_thread(CliRunner().invoke, app, list(args), input=stdin)

    yield run
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_an_admin_creates_lists_resets_and_disables_accounts(
    client: httpx.AsyncClient, catachess: Any
) -> None:
    created = await catachess(
        "users",
        "create",
        "Member@Example.com",
        "--name",
        "Member",
        "--password-stdin",
        stdin="a club password\n",
    )
    assert created.exit_code == 0, created.output
    login = await client.post(
        "/auth/login", json={"email": "member@example.com", "password": "a club password"}
    )
    assert login.status_code == 200
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}

    listed = await catachess("users", "list")
    assert listed.exit_code == 0 and "member@example.com" in listed.output

    weak = await catachess(
        "users", "reset-password", "member@example.com", "--password-stdin", stdin="password1\n"
    )
    assert weak.exit_code != 0 and "common" in weak.output
    reset = await catachess("users", "reset-password", "member@example.com")
    assert reset.exit_code == 0, reset.output
    new_password = reset.output.strip().splitlines()[-1]
    assert (await client.get("/users/me", headers=token)).status_code == 401
    again = await client.post(
        "/auth/login", json={"email": "member@example.com", "password": new_password}
    )
    assert again.status_code == 200

    disabled = await catachess("users", "disable", "member@example.com")
    assert disabled.exit_code == 0, disabled.output
    token = {"Authorization": f"Bearer {again.json()['access_token']}"}
    assert (await client.get("/users/me", headers=token)).status_code == 401
    refused = await client.post(
        "/auth/login", json={"email": "member@example.com", "password": new_password}
    )
    assert refused.status_code == 401
    assert "disabled" in (await catachess("users", "list")).output


async def test_unknown_users_are_a_clear_error(client: httpx.AsyncClient, catachess: Any) -> None:
    await a_user(client, "alice")
    result = await catachess("users", "disable", "nobody@example.com")
    assert result.exit_code != 0 and "nobody@example.com" in result.output
