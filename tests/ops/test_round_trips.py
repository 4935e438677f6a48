"""SQL round trips per request: each hot route has a budget, and growing past it fails.

Counted where they happen, on asyncpg: every message exchange with PostgreSQL that the
app's driver starts (BEGIN, COMMIT, each statement, a statement's preparation, a pool
pre-ping). The route is called once before counting, so prepared statements are cached
as they are on a warm server. Budgets (issue 17): an authorized read <= 2, a create <= 5
(a folder's: 4), a move in a study: 8. The caller of a create is authenticated before
the body is read (docs/security.md: a bad token is 401 before the body is read), so the
token cannot share the statement that checks the parent named in the body; the parent's
check, the node, its event and its search entry share one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, NamedTuple

import httpx
import pytest
from asyncpg.connection import Connection
from asyncpg.prepared_stmt import PreparedStatement
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_user, a_workspace
from tests.studies.helpers import a_chapter

# A folder: BEGIN, caller (before the body), parent + path lock + node + event + search
# entry (one statement: events.record_returning with its check), COMMIT.
FOLDER_BUDGET = 4
# A workspace: BEGIN, caller, node + owner grant, event + search entry, COMMIT.
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


class Sent(NamedTuple):
    """One round trip: the method, the SQL and its arguments."""

    method: str
    query: str
    args: tuple[Any, ...]

    def __str__(self) -> str:
        return f"{self.method}: {' '.join(self.query.split())[:120]}"


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Sent]]:
    """What the block sends to PostgreSQL, one entry per round trip."""
    sent: list[Sent] = []

    def counted(owner: type, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            if owner is Connection:
                query, arguments = (str(args[0]), args[1:]) if args else ("", ())
            else:
                query, arguments = getattr(self, "_query", ""), args
            sent.append(Sent(f"{owner.__name__}.{name}", query, tuple(arguments)))
            return original(self, *args, **kwargs)

        return call

    with monkeypatch.context() as patch:
        for owner, name in ROUND_TRIPS:
            patch.setattr(owner, name, counted(owner, name, getattr(owner, name)))
        yield sent


async def count(
    monkeypatch: pytest.MonkeyPatch, send: Callable[[], Any], status: int
) -> list[Sent]:
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
    assert len(sent) <= 2, "\n".join(map(str, sent))


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
    assert len(sent) <= FOLDER_BUDGET, "\n".join(map(str, sent))
    assert "parent" in sent[2].query and "INSERT INTO nodes" in sent[2].query


async def test_creating_a_workspace_stays_within_its_round_trip_budget(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    names = iter(range(2))

    def create() -> Any:
        body = {"kind": "workspace", "name": f"w{next(names)}"}
        return client.post("/nodes", json=body, headers=alice.headers)

    sent = await count(monkeypatch, create, 201)
    assert len(sent) <= CREATE_BUDGET, "\n".join(map(str, sent))


# A keyed folder: BEGIN, caller + key claim (one statement: idempotency.begin_as_caller),
# parent + path lock + node + event + search entry, the stored answer, COMMIT.
KEYED_CREATE_BUDGET = FOLDER_BUDGET + 1
# Its replay: BEGIN, caller + key claim (which finds the stored answer), ROLLBACK.
REPLAY_BUDGET = 3


async def test_a_keyed_create_claims_its_key_in_the_statement_that_checks_its_caller(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed write costs one round trip more than an unkeyed one (its stored answer),
    and its replay three: the token's check and the key's claim share a statement."""
    alice = await a_user(client, "alice")
    workspace = await a_workspace(client, alice)
    keys = iter(range(3))

    def create(key: int) -> Any:
        body = {"kind": "folder", "name": f"f{key}", "parent_id": workspace["id"]}
        headers = {**alice.headers, "Idempotency-Key": f"round-trips-{key}"}
        return client.post("/nodes", json=body, headers=headers)

    sent = await count(monkeypatch, lambda: create(next(keys)), 201)
    assert len(sent) <= KEYED_CREATE_BUDGET, "\n".join(map(str, sent))
    assert "api_tokens" in sent[1].query and "idempotency_records" in sent[1].query
    replayed = await count(monkeypatch, lambda: create(1), 201)
    assert len(replayed) <= REPLAY_BUDGET, "\n".join(map(str, replayed))


# A thousand folders in one workspace, written directly (the API would take seconds).
A_THOUSAND_FOLDERS = text("""
INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by,
                   updated_at, created_at)
SELECT g.id, CAST(:ws AS uuid), CAST(:ws AS uuid), 'folder', 'bulk ' || g.n,
       :ws || '/' || g.id, 1, CAST(:user AS uuid), now(), now()
FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 1000) AS n) AS g
""")


def scans_of(plan: dict[str, Any], table: str) -> list[str]:
    """The sequential scans of `table` anywhere in a plan."""
    own = [plan["Node Type"]] if plan.get("Relation Name") == table else []
    found = [kind for kind in own if kind == "Seq Scan"]
    return found + [scan for child in plan.get("Plans", []) for scan in scans_of(child, table)]


async def test_a_create_finds_its_path_by_primary_key(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No statement of a create scans the node table: its cost follows the new node's
    path, not the size of the tree. The path lock used to join every node against the
    parent's path (a sequential scan of `nodes` per create, 0.5 ms at a thousand nodes
    and growing with them)."""
    alice = await a_user(client, "alice")
    workspace = await a_workspace(client, alice)
    async with engine.begin() as connection:
        await connection.execute(A_THOUSAND_FOLDERS, {"ws": workspace["id"], "user": alice.id})
    names = iter(range(2))

    def create() -> Any:
        body = {"kind": "folder", "name": f"f{next(names)}", "parent_id": workspace["id"]}
        return client.post("/nodes", json=body, headers=alice.headers)

    sent = await count(monkeypatch, create, 201)
    statements = [s for s in sent if s.query.split()[0].upper() in ("SELECT", "WITH", "INSERT")]
    assert len(statements) >= 2, "\n".join(map(str, sent))
    async with engine.connect() as connection:
        raw: Any = (await connection.get_raw_connection()).driver_connection
        for statement in statements:
            plan = await raw.fetchval(f"EXPLAIN (FORMAT JSON) {statement.query}", *statement.args)
            plan = json.loads(plan) if isinstance(plan, str) else plan  # the app decodes json
            print(json.dumps(plan))
            assert scans_of(plan[0]["Plan"], "nodes") == [], statement.query


# A move played in a study: BEGIN, caller, study + role (locked), the chapter with the
# end of its history chain, the chapter's new tree, what the search index holds for it
# (comments and positions, one statement), the event with the new position's index row
# and the new version (one statement), COMMIT. The live-study path: every move of a
# coach's class.
MOVE_BUDGET = 8


async def test_a_move_in_a_study_stays_within_its_round_trip_budget(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await a_user(client, "alice")
    study_id, chapter_id = await a_chapter(client, alice, await a_workspace(client, alice))
    moves = f"/studies/{study_id}/chapters/{chapter_id}/moves"
    line = iter(["d4", "d5", "c4"])
    after: list[str | None] = [None]

    async def play() -> httpx.Response:
        response = await client.post(
            moves, json={"after": after[0], "move": next(line)}, headers=alice.headers
        )
        after[0] = response.json()["move"]["id"]
        return response

    sent = await count(monkeypatch, play, 201)
    assert len(sent) <= MOVE_BUDGET, "\n".join(map(str, sent))
    index_reads = [s for s in sent if "search_entries" in s.query and "search_positions" in s.query]
    assert len(index_reads) == 1, "\n".join(map(str, sent))
    [append] = [s for s in sent if "INSERT INTO events" in s.query]
    assert "INSERT INTO search_positions" in append.query
    assert "INSERT INTO chapter_versions" in append.query
