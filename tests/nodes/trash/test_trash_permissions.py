"""Who may trash, restore, purge and see the trash: every role, with the grant inherited
from the workspace, plus the rules that look at a specific node (docs/trash.md)."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.factories import Actor, a_user, shared_with
from tests.nodes.trash.helpers import purge, restore, trash, trash_ids, trashed
from tests.nodes.trash.test_trash import world

ROLES = ["owner", "admin", "editor", "commenter", "viewer"]

Setup = Callable[[httpx.AsyncClient, dict[str, Any]], Awaitable[None]]
Operation = Callable[[httpx.AsyncClient, Actor, dict[str, Any]], Awaitable[httpx.Response]]


async def nothing(client: httpx.AsyncClient, w: dict[str, Any]) -> None:
    return None


def trashed_first(key: str) -> Setup:
    async def setup(client: httpx.AsyncClient, w: dict[str, Any]) -> None:
        await trashed(client, w["alice"], w[key])

    return setup


def on(action: Callable[..., Awaitable[httpx.Response]], key: str) -> Operation:
    async def run(client: httpx.AsyncClient, actor: Actor, w: dict[str, Any]) -> httpx.Response:
        response: httpx.Response = await action(client, actor, w[key])
        return response

    return run


# operation -> (setup by the owner, the operation, the weakest role allowed)
MATRIX: dict[str, tuple[Setup, Operation, str]] = {
    "trash_folder": (nothing, on(trash, "folder"), "editor"),
    "trash_workspace": (nothing, on(trash, "ws"), "admin"),
    "restore_folder": (trashed_first("folder"), on(restore, "folder"), "editor"),
    "restore_workspace": (trashed_first("ws"), on(restore, "ws"), "admin"),
    "purge_folder": (trashed_first("folder"), on(purge, "folder"), "admin"),
    "purge_workspace": (trashed_first("ws"), on(purge, "ws"), "admin"),
}


@pytest.mark.parametrize("operation", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
async def test_role_matrix_with_grant_on_workspace(
    client: httpx.AsyncClient, role: str, operation: str
) -> None:
    w = await world(client)
    member = await a_user(client, role)
    await shared_with(client, w["alice"], w["ws"], member, role)
    setup, run, weakest = MATRIX[operation]
    await setup(client, w)
    listed_before = await trash_ids(client, member)
    response = await run(client, member, w)
    if ROLES.index(role) <= ROLES.index(weakest):
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["required_role"] == weakest
        assert response.json()["your_role"] == role
    if operation.startswith("restore"):
        # GET /trash lists exactly what the caller may restore.
        assert bool(listed_before) == (response.status_code == 200)


async def test_stranger_gets_404_exactly_like_a_missing_node(client: httpx.AsyncClient) -> None:
    w = await world(client)
    stranger = await a_user(client, "stranger")
    await trashed(client, w["alice"], w["sub"])
    in_trash = {**w, "folder": w["sub"], "ws": w["sub"]}
    for world_state in (w, in_trash):  # every operation on live nodes, then on a trashed one
        for operation, (_, run, _) in MATRIX.items():
            response = await run(client, stranger, world_state)
            assert response.status_code == 404, operation
            assert response.json()["code"] == "node_not_found"


async def test_unauthenticated_gets_401(client: httpx.AsyncClient) -> None:
    w = await world(client)
    anonymous = Actor(id="", email="", token="", headers={})
    for operation, (_, run, _) in MATRIX.items():
        assert (await run(client, anonymous, w)).status_code == 401, operation


async def test_trash_needs_editor_on_the_parent_not_on_the_node(client: httpx.AsyncClient) -> None:
    w = await world(client)
    member = await a_user(client, "member")
    await shared_with(client, w["alice"], w["folder"], member, "editor")
    own = await trash(client, member, w["folder"])
    assert own.status_code == 403 and own.json()["required_role"] == "editor"
    assert "parent" in own.json()["detail"]
    assert (await trash(client, member, w["sub"])).status_code == 200


async def test_restore_to_the_workspace_root_needs_editor_there(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice, member = w["alice"], await a_user(client, "member")
    await shared_with(client, alice, w["folder"], member, "editor")
    await trashed(client, member, w["sub"])
    await trashed(client, alice, w["folder"])
    refused = await restore(client, member, w["sub"])
    assert refused.status_code == 403
    assert "workspace root" in refused.json()["detail"]
    assert (await restore(client, alice, w["sub"])).status_code == 200


async def test_whoever_trashed_it_loses_restore_with_their_role(
    client: httpx.AsyncClient,
) -> None:
    w = await world(client)
    alice, member = w["alice"], await a_user(client, "member")
    await shared_with(client, alice, w["ws"], member, "editor")
    await trashed(client, member, w["folder"])
    await shared_with(client, alice, w["ws"], member, "viewer")
    assert (await restore(client, member, w["folder"])).status_code == 403
