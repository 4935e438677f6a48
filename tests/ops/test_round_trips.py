"""SQL round trips per request: each hot route has a budget, and growing past it fails.

Counted where they happen, on asyncpg: every message exchange with PostgreSQL that the
app's driver starts (BEGIN, COMMIT, each statement, a statement's preparation, a pool
pre-ping). The route is called once before counting, so prepared statements are cached
as they are on a warm server. Budgets (issue 17): an authorized read <= 2, a create <= 5.
The caller of a create is authenticated before the body is read (docs/security.md: a
bad token is 401 before the body is read), so the token cannot share the statement that
checks the parent named in the body; the node, its event and its search entry share one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import httpx
import pytest
from asyncpg.connection import Connection
from asyncpg.prepared_stmt import PreparedStatement

from tests.factories import a_folder, a_user, a_workspace

# A folder: BEGIN, caller (before the body), parent + path lock, node + event + search
# entry, COMMIT. A workspace: BEGIN, caller, node + owner grant, event + search entry, COMMIT.
CREATE_BUDGET = 5

# Methods of asyncpg that each cost one exchange with the server.
ROUND_TRIPS: list[tuple[type, str]] = [
    (Connection, "execute"),
    (Connection, "executemany"),
    (Connection, "fetch"),
    (Connection, "fetchrow"),
    (Connection, "fetchval"),
    (Connection, "prepare"),
    (PreparedStatement, "fetch"),
    (PreparedStatement, "fetchrow"),
    (PreparedStatement, "fetchval"),
    (PreparedStatement, "executemany"),
    (PreparedStatement, "cursor"),
]


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What the block sends to PostgreSQL, one entry per round trip."""
    sent: list[str] = []

    def counted(owner: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            query = args[0] if owner is Connection and args else getattr(self, "_query", "")
            sent.append(f"{owner.__name__}.{name}: {' '.join(str(query).split())[:120]}")
            return original(self, *args, **kwargs)

        return call

    with monkeypatch.context() as patch:
        for owner, name in ROUND_TRIPS:
            patch.setattr(owner, name, counted(owner, name, getattr(owner, name)))
        yield sent


async def count(monkeypatch: pytest.MonkeyPatch, send: Callable[[], Any], status: int) -> list[str]:
    assert (await send()).status_code == status  # warm: prepared statements cached
    with round_trips(monkeypatch) as sent:
        response = await send()
    assert response.status_code == status, response.text
    return sent


async def test_an_authorized_read_is_at_most_two_round_trips(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    folder = await a_folder(client, alice, await a_workspace(client, alice))
    sent = await count(
        monkeypatch, lambda: client.get(f"/nodes/{folder['id']}", headers=alice.headers), 200
    )
    assert len(sent) <= 2, "\n".join(sent)


async def test_creating_a_folder_stays_within_its_round_trip_budget(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    workspace = await a_workspace(client, alice)
    names = iter(range(2))

    def create() -> Any:
        body = {"kind": "folder", "name": f"f{next(names)}", "parent_id": workspace["id"]}
        return client.post("/nodes", json=body, headers=alice.headers)

    sent = await count(monkeypatch, create, 201)
    assert len(sent) <= CREATE_BUDGET, "\n".join(sent)


async def test_creating_a_workspace_stays_within_its_round_trip_budget(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    names = iter(range(2))

    def create() -> Any:
        body = {"kind": "workspace", "name": f"w{next(names)}"}
        return client.post("/nodes", json=body, headers=alice.headers)

    sent = await count(monkeypatch, create, 201)
    assert len(sent) <= CREATE_BUDGET, "\n".join(sent)
