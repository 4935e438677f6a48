"""GET /users?ids=: names of people who share a node with the caller, nobody else's."""

from __future__ import annotations

import uuid

import httpx

from tests.factories import Actor, a_study, a_user, a_workspace, shared_with


async def names(client: httpx.AsyncClient, caller: Actor, *ids: str) -> dict[str, str]:
    response = await client.get("/users", params={"ids": list(ids)}, headers=caller.headers)
    assert response.status_code == 200, response.text
    return {item["id"]: item["display_name"] for item in response.json()["items"]}


async def test_names_of_people_on_the_same_path_and_ones_own(client: httpx.AsyncClient) -> None:
    olga = await a_user(client, "olga")
    magnus = await a_user(client, "magnus")
    hikaru = await a_user(client, "hikaru")
    workspace = await a_workspace(client, olga)
    study = await a_study(client, olga, workspace)
    # magnus holds a role on the study only, olga on the workspace above it: they share
    # the study. hikaru shares nothing with magnus.
    await shared_with(client, olga, study, magnus, "viewer")
    assert await names(client, magnus, olga.id, magnus.id, hikaru.id) == {
        olga.id: "olga",
        magnus.id: "magnus",
    }
    assert await names(client, olga, magnus.id) == {magnus.id: "magnus"}
    assert await names(client, hikaru, olga.id, magnus.id) == {}


async def test_unknown_ids_and_strangers_look_the_same(client: httpx.AsyncClient) -> None:
    olga = await a_user(client, "olga")
    stranger = await a_user(client, "stranger")
    await a_workspace(client, olga)
    await a_workspace(client, stranger)
    assert await names(client, olga, stranger.id, str(uuid.uuid4())) == {}


async def test_a_trashed_shared_study_shares_no_names(client: httpx.AsyncClient) -> None:
    olga = await a_user(client, "olga")
    magnus = await a_user(client, "magnus")
    workspace = await a_workspace(client, olga)
    study = await a_study(client, olga, workspace)
    await shared_with(client, olga, study, magnus, "editor")
    assert await names(client, magnus, olga.id) == {olga.id: "olga"}
    trashed = await client.delete(f"/nodes/{study['id']}", headers=olga.headers)
    assert trashed.status_code in (200, 204), trashed.text
    assert await names(client, magnus, olga.id) == {}


async def test_bad_lookups_are_refused(client: httpx.AsyncClient) -> None:
    olga = await a_user(client, "olga")
    assert (await client.get("/users", params={"ids": [olga.id]})).status_code == 401
    many = [str(uuid.uuid4()) for _ in range(101)]
    too_many = await client.get("/users", params={"ids": many}, headers=olga.headers)
    assert too_many.status_code == 422
    assert "ids" in too_many.text
    bad = await client.get("/users", params={"ids": ["not-a-uuid"]}, headers=olga.headers)
    assert bad.status_code == 422
    missing = await client.get("/users", headers=olga.headers)
    assert missing.status_code == 422
