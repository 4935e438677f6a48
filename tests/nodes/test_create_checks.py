"""A folder or study is created by one statement that checks its parent and inserts it
(events.record_returning with a check): each refusal must give the answer access.require
and the container check gave, and write nothing: no node, no event, no search entry."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.auth.models import User
from catachess.db.engine import make_sessionmaker
from catachess.errors import AppError
from catachess.nodes import service as nodes
from catachess.nodes.models import NodeKind
from catachess.nodes.schemas import NodeCreate
from tests.factories import Actor, a_folder, a_study, a_user, a_workspace, shared_with

NAME = "checked-create"

WRITTEN = text("""
SELECT (SELECT count(*) FROM nodes WHERE name = :name),
       (SELECT count(*) FROM events
        WHERE event_type = 'node.created' AND payload ->> 'name' = :name),
       (SELECT count(*) FROM search_entries WHERE body = :name)
""")


async def written(engine: AsyncEngine, name: str = NAME) -> tuple[int, int, int]:
    async with engine.connect() as connection:
        row = (await connection.execute(WRITTEN, {"name": name})).one()
    return (row[0], row[1], row[2])


async def create(client: httpx.AsyncClient, actor: Actor, parent_id: str) -> httpx.Response:
    body = {"kind": "folder", "name": NAME, "parent_id": parent_id}
    return await client.post("/nodes", json=body, headers=actor.headers)


Setup = Callable[[httpx.AsyncClient, Actor, Actor], Awaitable[str]]


async def missing(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    return "00000000-0000-4000-8000-000000000000"


async def not_shared(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    return str((await a_workspace(client, alice))["id"])


async def viewer(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    workspace = await a_workspace(client, alice)
    await shared_with(client, alice, workspace, bob, "viewer")
    return str((await a_folder(client, alice, workspace))["id"])


async def commenter(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    workspace = await a_workspace(client, alice)
    folder = await a_folder(client, alice, workspace)
    await shared_with(client, alice, folder, bob, "commenter")
    return str(folder["id"])


async def public(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    workspace = await a_workspace(client, alice)
    response = await client.put(
        f"/nodes/{workspace['id']}/visibility",
        json={"visibility": "public"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    return str(workspace["id"])


async def a_study_of_bobs(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    return str((await a_study(client, bob, await a_workspace(client, bob)))["id"])


async def trashed_ancestor(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    workspace = await a_workspace(client, bob)
    folder = await a_folder(client, bob, workspace)
    inner = await a_folder(client, bob, folder)
    response = await client.delete(f"/nodes/{folder['id']}", headers=bob.headers)
    assert response.status_code == 200, response.text
    return str(inner["id"])


async def taken(client: httpx.AsyncClient, alice: Actor, bob: Actor) -> str:
    workspace = await a_workspace(client, bob)
    await a_folder(client, bob, workspace, NAME.upper())  # names are unique case-folded
    return str(workspace["id"])


@pytest.mark.parametrize(
    ("setup", "status", "detail"),
    [
        (missing, 404, None),
        (not_shared, 404, None),
        (viewer, 403, "edit on this folder needs the editor role; you are viewer"),
        (commenter, 403, "edit on this folder needs the editor role; you are commenter"),
        (public, 403, "edit on this workspace needs the editor role; you are viewer"),
        (a_study_of_bobs, 422, "a study cannot contain other nodes"),
        (trashed_ancestor, 404, None),
        (taken, 409, f"a sibling named {NAME!r} already exists"),
    ],
)
async def test_a_refused_create_answers_as_the_checks_did_and_writes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, setup: Setup, status: int, detail: str | None
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    parent_id = await setup(client, alice, bob)
    before = await written(engine, NAME.upper())

    response = await create(client, bob, parent_id)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    if detail is not None:
        assert problem["detail"] == detail
    assert await written(engine) == (0, 0, 0)
    assert await written(engine, NAME.upper()) == before


async def test_an_editor_below_a_grant_creates_with_the_inherited_role(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    workspace = await a_workspace(client, alice)
    folder = await a_folder(client, alice, workspace)
    inner = await a_folder(client, alice, folder)
    await shared_with(client, alice, folder, bob, "editor")

    response = await create(client, bob, str(inner["id"]))

    assert response.status_code == 201, response.text
    made = response.json()
    assert made["role"] == "editor"
    assert (made["workspace_id"], made["parent_id"]) == (workspace["id"], inner["id"])
    assert made["created_by"] == bob.id
    async with engine.connect() as connection:
        path = await connection.scalar(
            text("SELECT path FROM nodes WHERE id = CAST(:id AS uuid)"), {"id": made["id"]}
        )
    assert path == f"{workspace['id']}/{folder['id']}/{inner['id']}/{made['id']}"
    assert await written(engine) == (1, 1, 1)


@pytest.mark.parametrize("setup", [viewer, a_study_of_bobs, trashed_ancestor])
async def test_the_statement_itself_inserts_nothing_when_a_check_fails(
    client: httpx.AsyncClient, engine: AsyncEngine, setup: Setup
) -> None:
    """Not the route's rollback: the create's one statement, committed after the refusal,
    has written no node, event or search entry (its insert is conditioned on the checks)."""
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    parent_id = await setup(client, alice, bob)
    async with make_sessionmaker(engine)() as session:
        user = await session.get(User, uuid.UUID(bob.id))
        assert user is not None
        body = NodeCreate(kind=NodeKind.folder, name=NAME, parent_id=uuid.UUID(parent_id))
        with pytest.raises(AppError):
            await nodes.create_node(session, user, body)
        await session.commit()
    assert await written(engine) == (0, 0, 0)
