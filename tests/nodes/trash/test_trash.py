"""DELETE /nodes/{id}: the whole subtree goes to the trash and vanishes from every read."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_study, a_user, a_workspace, events_of, shared_with
from tests.nodes.trash.helpers import (
    assert_tree_consistent,
    node_row,
    rows,
    trash,
    trash_ids,
    trashed,
)


async def world(client: httpx.AsyncClient) -> dict[str, Any]:
    """Openings / Sicilian / Najdorf lines / Main line, plus Sicilian / Dragon and Other."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Openings")
    folder = await a_folder(client, alice, ws, "Sicilian")
    sub = await a_folder(client, alice, folder, "Najdorf lines")
    study = await a_study(client, alice, sub, "Main line")
    dragon = await a_study(client, alice, folder, "Dragon")
    other = await a_folder(client, alice, ws, "Other")
    return {
        "alice": alice,
        "ws": ws,
        "folder": folder,
        "sub": sub,
        "study": study,
        "dragon": dragon,
        "other": other,
    }


async def test_trash_hides_the_whole_subtree_from_every_read(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice, bob = w["alice"], await a_user(client, "bob")
    await shared_with(client, alice, w["study"], bob, "editor")
    link = await client.post(
        f"/nodes/{w['sub']['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
    )
    await trashed(client, alice, w["folder"])

    for key in ("folder", "sub", "study", "dragon"):
        node_id = w[key]["id"]
        for path in (f"/nodes/{node_id}", f"/nodes/{node_id}/breadcrumbs"):
            assert (await client.get(path, headers=alice.headers)).status_code == 404, path
        assert (await client.get(f"/nodes/{node_id}", headers=bob.headers)).status_code == 404
    for path in (
        f"/nodes/{w['sub']['id']}/children",
        f"/nodes/{w['sub']['id']}/shares",
        f"/nodes/{w['sub']['id']}/share-links",
    ):
        assert (await client.get(path, headers=alice.headers)).status_code == 404, path
    children = await client.get(f"/nodes/{w['ws']['id']}/children", headers=alice.headers)
    assert [c["name"] for c in children.json()["items"]] == ["Other"]
    bobs = await client.get("/workspaces", headers=bob.headers)
    assert bobs.json()["items"] == []  # his shared study went with the folder
    carol = await a_user(client, "carol")
    accept = await client.post(f"/share-links/{link.json()['token']}/accept", headers=carol.headers)
    assert accept.status_code == 404
    # Writes to trashed nodes are refused like writes to missing ones.
    rename = await client.patch(
        f"/nodes/{w['study']['id']}", json={"name": "x"}, headers=alice.headers
    )
    create = await client.post(
        "/nodes",
        json={"kind": "study", "name": "x", "parent_id": w["sub"]["id"]},
        headers=alice.headers,
    )
    move_in = await client.patch(
        f"/nodes/{w['other']['id']}", json={"parent_id": w["sub"]["id"]}, headers=alice.headers
    )
    assert (rename.status_code, create.status_code, move_in.status_code) == (404, 404, 404)
    await assert_tree_consistent(engine)


async def test_trash_records_who_when_and_the_root_on_every_node(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    found = await rows(
        engine,
        "SELECT id::text, trash_root_id::text AS root, trashed_by::text AS by, trashed_at "
        "FROM nodes WHERE trashed_at IS NOT NULL",
    )
    subtree = {w[k]["id"] for k in ("folder", "sub", "study", "dragon")}
    assert {r["id"] for r in found} == subtree
    assert {(r["root"], r["by"]) for r in found} == {(w["folder"]["id"], w["alice"].id)}
    assert len({r["trashed_at"] for r in found}) == 1
    assert (await node_row(engine, w["other"]["id"]))["trashed_at"] is None  # type: ignore[index]


async def test_trash_answers_with_the_entry_and_records_node_trashed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    response = await trash(client, alice, w["folder"], **{"X-Correlation-ID": "trash-folder-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == w["folder"]["id"]
    assert body["original_path"] == ["Openings"]
    assert body["original_parent_id"] == w["ws"]["id"]
    assert body["node_count"] == 4
    assert body["trashed_by"] == alice.id and body["trashed_by_name"] == "alice"
    assert body["version"] == 2
    [_, event] = await events_of(client, engine, w["folder"]["id"])
    assert event["event_type"] == "node.trashed"
    assert str(event["actor_id"]) == alice.id
    assert (str(event["target_id"]), event["target_type"]) == (w["folder"]["id"], "folder")
    assert event["version"] == 2
    assert event["workspace_id"] is not None and str(event["workspace_id"]) == w["ws"]["id"]
    assert event["correlation_id"] == "trash-folder-1"
    assert event["payload"] == {
        "name": "Sicilian",
        "parent_id": w["ws"]["id"],
        "node_count": 4,
        "original_path_ids": [w["ws"]["id"]],
    }


async def test_a_subtree_trashed_earlier_keeps_its_own_root(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    later = await trash(client, alice, w["folder"])
    assert later.json()["node_count"] == 2  # Sicilian and Dragon; Najdorf lines was gone
    roots = {
        str(r["id"]): str(r["trash_root_id"])
        for r in await rows(
            engine, "SELECT id, trash_root_id FROM nodes WHERE trashed_at IS NOT NULL"
        )
    }
    assert roots == {
        w["sub"]["id"]: w["sub"]["id"],
        w["study"]["id"]: w["sub"]["id"],
        w["folder"]["id"]: w["folder"]["id"],
        w["dragon"]["id"]: w["folder"]["id"],
    }
    assert await trash_ids(client, alice) == [w["folder"]["id"], w["sub"]["id"]]
    await assert_tree_consistent(engine)


async def test_deleting_inside_a_trashed_subtree_is_404(client: httpx.AsyncClient) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    inside = await trash(client, w["alice"], w["study"])
    assert inside.status_code == 404 and inside.json()["code"] == "node_not_found"


async def test_deleting_a_trashed_root_again_is_409(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    again = await trash(client, w["alice"], w["folder"])
    assert again.status_code == 409
    assert again.json()["code"] == "already_in_trash"
    assert "restore" in again.json()["detail"]
    types = [e["event_type"] for e in await events_of(client, engine, w["folder"]["id"])]
    assert types == ["node.created", "node.trashed"]


async def test_stale_if_match_is_412_and_trashes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    renamed = await client.patch(
        f"/nodes/{w['folder']['id']}", json={"name": "Sicilian Defence"}, headers=alice.headers
    )
    stale = await trash(client, alice, w["folder"], **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert (await node_row(engine, w["folder"]["id"]))["trashed_at"] is None  # type: ignore[index]
    fresh = await trash(client, alice, w["folder"], **{"If-Match": renamed.headers["etag"]})
    assert fresh.status_code == 200


async def test_trashing_a_workspace_takes_it_off_everyones_list(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice, bob = w["alice"], await a_user(client, "bob")
    await shared_with(client, alice, w["ws"], bob, "viewer")
    response = await trash(client, alice, w["ws"])
    assert response.status_code == 200
    assert response.json()["original_path"] == [] and response.json()["node_count"] == 6
    for actor in (alice, bob):
        assert (await client.get("/workspaces", headers=actor.headers)).json()["items"] == []
    gone = await client.get(f"/nodes/{w['ws']['id']}/children", headers=alice.headers)
    assert gone.status_code == 404
    await assert_tree_consistent(engine)
