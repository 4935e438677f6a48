"""`catachess events trace | dead-letters | retry` against the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner, Result

from catachess.cli import app
from catachess.config import get_settings
from catachess.events.models import Event
from catachess.events.types import EventType
from tests.events.support import deliveries_of
from tests.factories import a_user

Deliver = Callable[..., Any]


@pytest.fixture
def catachess(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run the CLI on the test database (in a thread: it starts its own event loop)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")  # tables wide enough to assert on
    get_settings.cache_clear()

    async def run(*args: str) -> Result:
        return await asyncio.to_thread(CliRunner().invoke, app, list(args))

    yield run
    monkeypatch.undo()
    get_settings.cache_clear()


async def _a_chain(client: httpx.AsyncClient, deliver: Deliver, **settings: Any) -> None:
    alice = await a_user(client, "alice")
    headers = {**alice.headers, "X-Correlation-ID": "cli-chain"}
    ws = await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=headers)
    assert ws.status_code == 201
    await deliver(**settings)


async def test_trace_prints_the_tree(
    client: httpx.AsyncClient, deliver: Deliver, catachess: Any
) -> None:
    await _a_chain(client, deliver)
    result = await catachess("events", "trace", "cli-chain")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "correlation cli-chain" in lines[0]
    created = next(i for i, line in enumerate(lines) if "node.created" in line)
    recorded = next(i for i, line in enumerate(lines) if "activity.recorded" in line)
    # The effect is drawn one level deeper than its cause.
    indent = lines[recorded].index("activity.recorded") - lines[created].index("node.created")
    assert recorded > created and indent > 0
    assert "2 events, depth 2" in result.output


async def test_trace_as_mermaid(
    client: httpx.AsyncClient, deliver: Deliver, catachess: Any
) -> None:
    await _a_chain(client, deliver)
    result = await catachess("events", "trace", "cli-chain", "--mermaid")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "flowchart TD"
    assert lines[1].startswith('    e1["node.created<br/>workspace ')
    assert lines[2].startswith('    e2["activity.recorded<br/>activity_entry ')
    assert lines[3] == "    e1 --> e2"


async def test_trace_of_an_unknown_correlation_id_fails(catachess: Any) -> None:
    result = await catachess("events", "trace", "nothing-here")
    assert result.exit_code == 1
    assert "no events with correlation id" in result.output


async def test_dead_letters_are_listed_and_retried(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    deliver: Deliver,
    add_subscriber: Any,
    catachess: Any,
) -> None:
    async def always_fails(session: AsyncSession, event: Event) -> None:
        raise ConnectionError("mail server unreachable")

    add_subscriber("test-mailer", [EventType.node_created], always_fails)
    assert "no dead letters" in (await catachess("events", "dead-letters")).output
    await _a_chain(client, deliver, event_max_attempts=1)
    [dead] = await deliveries_of(engine, "test-mailer")
    listed = await catachess("events", "dead-letters")
    assert listed.exit_code == 0
    assert "outbox: 0 pending; 1 dead" in listed.output
    assert "test-mailer" in listed.output and "mail server unreachable" in listed.output
    assert (await catachess("events", "retry")).exit_code == 2  # neither ids nor --all
    missing = await catachess("events", "retry", str(dead["id"]), "999999")
    assert missing.exit_code == 1 and "not dead letters: 999999" in missing.output
    [retried] = await deliveries_of(engine, "test-mailer")
    assert retried["dead_at"] is None and retried["attempts"] == 0
    await deliver(event_max_attempts=1)
    assert "1 dead letter(s) back in line" in (await catachess("events", "retry", "--all")).output
