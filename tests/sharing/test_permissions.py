"""Each role × each operation, with the grant on an ancestor (inheritance) and the
404-not-403 rule for people with no access at all."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.factories import Actor, a_folder, a_study, a_user, a_workspace, shared_with

ROLES = ["owner", "admin", "editor", "commenter", "viewer"]

Operation = Callable[[httpx.AsyncClient, Actor, dict[str, Any]], Awaitable[httpx.Response]]


async def read(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.get(f"/nodes/{f['folder']['id']}", headers=actor.headers)


async def list_children(
    client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]
) -> httpx.Response:
    return await client.get(f"/nodes/{f['folder']['id']}/children", headers=actor.headers)


async def breadcrumbs(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.get(f"/nodes/{f['study']['id']}/breadcrumbs", headers=actor.headers)


async def create_child(
    client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        "/nodes",
        json={"kind": "study", "name": "New", "parent_id": f["folder"]["id"]},
        headers=actor.headers,
    )


async def rename(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.patch(
        f"/nodes/{f['study']['id']}", json={"name": "Renamed"}, headers=actor.headers
    )


async def move(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.patch(
        f"/nodes/{f['study']['id']}", json={"parent_id": f["other"]["id"]}, headers=actor.headers
    )


async def list_shares(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.get(f"/nodes/{f['folder']['id']}/shares", headers=actor.headers)


async def share(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/nodes/{f['folder']['id']}/shares",
        json={"user_id": f["third"].id, "role": "viewer"},
        headers=actor.headers,
    )


async def create_link(client: httpx.AsyncClient, actor: Actor, f: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/nodes/{f['folder']['id']}/share-links", json={"role": "viewer"}, headers=actor.headers
    )


# operation -> the weakest role that may do it
MATRIX: dict[str, tuple[Operation, str, int]] = {
    "read": (read, "viewer", 200),
    "list_children": (list_children, "viewer", 200),
    "breadcrumbs": (breadcrumbs, "viewer", 200),
    "create_child": (create_child, "editor", 201),
    "rename": (rename, "editor", 200),
    "move": (move, "editor", 200),
    "list_shares": (list_shares, "admin", 200),
    "share": (share, "admin", 201),
    "create_link": (create_link, "admin", 201),
}


async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    folder = await a_folder(client, owner, ws, "Shared")
    other = await a_folder(client, owner, ws, "Other")
    study = await a_study(client, owner, folder, "S")
    return {
        "owner": owner,
        "ws": ws,
        "folder": folder,
        "other": other,
        "study": study,
        "third": await a_user(client, "third"),
    }


@pytest.mark.parametrize("operation", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
async def test_role_matrix_with_grant_on_workspace(
    client: httpx.AsyncClient, role: str, operation: str
) -> None:
    f = await world(client)
    member = await a_user(client, role)
    await shared_with(client, f["owner"], f["ws"], member, role)
    run, weakest, success = MATRIX[operation]
    response = await run(client, member, f)
    allowed = ROLES.index(role) <= ROLES.index(weakest)
    if allowed:
        assert response.status_code == success, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["required_role"] == weakest


@pytest.mark.parametrize("operation", list(MATRIX))
async def test_stranger_gets_404_exactly_like_a_missing_node(
    client: httpx.AsyncClient, operation: str
) -> None:
    f = await world(client)
    stranger = await a_user(client, "stranger")
    run, _, _ = MATRIX[operation]
    response = await run(client, stranger, f)
    assert response.status_code == 404
    missing = await client.get(
        "/nodes/00000000-0000-4000-8000-000000000000", headers=stranger.headers
    )
    assert response.json()["code"] == missing.json()["code"] == "node_not_found"


# Reads that anonymous visitors may make of unlisted and public nodes (docs/visibility.md).
ANONYMOUS_READS = {"read", "list_children", "breadcrumbs"}


@pytest.mark.parametrize("operation", list(MATRIX))
async def test_unauthenticated_gets_401_or_404_on_a_private_node(
    client: httpx.AsyncClient, operation: str
) -> None:
    """Writes need an account (401); a private node answers an anonymous read exactly
    like a missing one (404), so nobody learns that it exists."""
    f = await world(client)
    anonymous = Actor(id="", email="", token="", headers={})
    response = await MATRIX[operation][0](client, anonymous, f)
    assert response.status_code == (404 if operation in ANONYMOUS_READS else 401)


async def test_grant_on_folder_does_not_reach_siblings_or_parent(client: httpx.AsyncClient) -> None:
    f = await world(client)
    viewer = await a_user(client, "viewer")
    await shared_with(client, f["owner"], f["folder"], viewer, "viewer")
    assert (
        await client.get(f"/nodes/{f['study']['id']}", headers=viewer.headers)
    ).status_code == 200
    assert (
        await client.get(f"/nodes/{f['other']['id']}", headers=viewer.headers)
    ).status_code == 404
    assert (await client.get(f"/nodes/{f['ws']['id']}", headers=viewer.headers)).status_code == 404


async def test_stronger_of_two_inherited_grants_wins(client: httpx.AsyncClient) -> None:
    f = await world(client)
    member = await a_user(client, "member")
    await shared_with(client, f["owner"], f["ws"], member, "viewer")
    await shared_with(client, f["owner"], f["folder"], member, "editor")
    study = (await client.get(f"/nodes/{f['study']['id']}", headers=member.headers)).json()
    assert study["role"] == "editor"
    assert (await rename(client, member, f)).status_code == 200


async def test_editor_cannot_move_into_a_folder_they_cannot_edit(client: httpx.AsyncClient) -> None:
    f = await world(client)
    editor = await a_user(client, "editor")
    await shared_with(client, f["owner"], f["folder"], editor, "editor")
    response = await move(client, editor, f)
    assert response.status_code == 404  # "Other" is not readable for them
