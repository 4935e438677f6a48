"""POST /nodes/{id}/restore: back where it was, or at the workspace root, renamed on a clash."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_study, events_of
from tests.nodes.trash.helpers import (
    assert_tree_consistent,
    node_row,
    purge,
    restore,
    rows,
    trash_ids,
    trashed,
)
from tests.nodes.trash.test_trash import world


async def test_restore_puts_the_subtree_back_under_its_original_parent(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["folder"])
    response = await restore(client, alice, w["folder"], **{"X-Correlation-ID": "undo-1"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["node"]["parent_id"] == w["ws"]["id"] and body["node"]["role"] == "owner"
    assert body["node"]["version"] == 3 and response.headers["etag"] == '"3"'
    assert (body["node_count"], body["restored_to_workspace_root"]) == (4, False)
    assert (body["original_parent_id"], body["renamed_from"]) == (w["ws"]["id"], None)
    for key in ("folder", "sub", "study", "dragon"):
        got = await client.get(f"/nodes/{w[key]['id']}", headers=alice.headers)
        assert got.status_code == 200
    crumbs = await client.get(f"/nodes/{w['study']['id']}/breadcrumbs", headers=alice.headers)
    assert [c["name"] for c in crumbs.json()["items"]] == [
        "Openings",
        "Sicilian",
        "Najdorf lines",
        "Main line",
    ]
    assert await trash_ids(client, alice) == []
    assert await rows(engine, "SELECT * FROM trash_entries") == []
    event = (await events_of(client, engine, w["folder"]["id"]))[-1]
    assert event["event_type"] == "node.restored"
    assert str(event["actor_id"]) == alice.id and event["target_type"] == "folder"
    assert (event["version"], event["correlation_id"]) == (3, "undo-1")
    assert event["payload"] == {
        "parent_id": w["ws"]["id"],
        "original_parent_id": w["ws"]["id"],
        "node_count": 4,
        "restored_to_root": False,
        "renamed_to": None,
    }
    await assert_tree_consistent(engine)


async def test_restore_leaves_what_was_trashed_separately_in_the_trash(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["folder"])
    assert (await restore(client, alice, w["folder"])).json()["node_count"] == 2
    for key in ("sub", "study"):
        assert (
            await client.get(f"/nodes/{w[key]['id']}", headers=alice.headers)
        ).status_code == 404
    assert await trash_ids(client, alice) == [w["sub"]["id"]]
    back = await restore(client, alice, w["sub"])
    assert back.json()["restored_to_workspace_root"] is False
    assert back.json()["node"]["parent_id"] == w["folder"]["id"]
    await assert_tree_consistent(engine)


async def test_restore_when_the_parent_is_trashed_goes_to_the_workspace_root(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["folder"])
    response = await restore(client, alice, w["sub"])
    body = response.json()
    assert body["restored_to_workspace_root"] is True
    assert body["node"]["parent_id"] == w["ws"]["id"]
    assert body["original_parent_id"] == w["folder"]["id"]
    study = await node_row(engine, w["study"]["id"])
    assert study is not None and study["path"] == f"{w['ws']['id']}/{w['sub']['id']}/{study['id']}"
    event = (await events_of(client, engine, w["sub"]["id"]))[-1]
    assert event["payload"]["restored_to_root"] is True
    assert event["payload"]["parent_id"] == w["ws"]["id"]
    # The folder comes back later without it: the two are separate entries now.
    await restore(client, alice, w["folder"])
    children = await client.get(f"/nodes/{w['folder']['id']}/children", headers=alice.headers)
    assert [c["name"] for c in children.json()["items"]] == ["Dragon"]
    await assert_tree_consistent(engine)


async def test_restore_when_the_parent_was_purged_goes_to_the_workspace_root(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["folder"])
    purged = await purge(client, alice, w["folder"])
    assert purged.json()["kept_in_trash"] == [w["sub"]["id"]]
    [entry] = (await client.get("/trash", headers=alice.headers)).json()["items"]
    assert entry["id"] == w["sub"]["id"] and entry["original_path"] == ["Openings", "Sicilian"]
    await assert_tree_consistent(engine)
    response = await restore(client, alice, w["sub"])
    assert response.status_code == 200, response.text
    assert response.json()["restored_to_workspace_root"] is True
    crumbs = await client.get(f"/nodes/{w['study']['id']}/breadcrumbs", headers=alice.headers)
    assert [c["name"] for c in crumbs.json()["items"]] == ["Openings", "Najdorf lines", "Main line"]
    await assert_tree_consistent(engine)


async def test_name_clash_renames_deterministically(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice, folder = w["alice"], w["folder"]
    first = w["dragon"]
    await trashed(client, alice, first)
    second = await a_study(client, alice, folder, "DRAGON")
    await trashed(client, alice, second)
    await a_study(client, alice, folder, "dragon")  # the live one keeps its name

    one = (await restore(client, alice, first)).json()
    two = (await restore(client, alice, second)).json()
    assert (one["node"]["name"], one["renamed_from"]) == ("Dragon (restored)", "Dragon")
    assert (two["node"]["name"], two["renamed_from"]) == ("DRAGON (restored 2)", "DRAGON")
    events = await events_of(client, engine, first["id"])
    assert events[-1]["payload"]["renamed_to"] == "Dragon (restored)"
    children = await client.get(f"/nodes/{folder['id']}/children", headers=alice.headers)
    assert sorted(c["name"] for c in children.json()["items"]) == [
        "DRAGON (restored 2)",
        "Dragon (restored)",
        "Najdorf lines",
        "dragon",
    ]


async def test_a_long_name_is_shortened_to_fit_the_suffix(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice = w["alice"]
    long_name = "x" * 200
    study = await a_study(client, alice, w["folder"], long_name)
    await trashed(client, alice, study)
    await a_study(client, alice, w["folder"], long_name)
    name = (await restore(client, alice, study)).json()["node"]["name"]
    assert name == "x" * 189 + " (restored)" and len(name) == 200


async def test_restoring_twice_without_a_key_is_409(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    assert (await restore(client, w["alice"], w["folder"])).status_code == 200
    again = await restore(client, w["alice"], w["folder"])
    assert again.status_code == 409
    assert again.json()["code"] == "not_in_trash"
    assert "already restored" in again.json()["detail"]
    types = [e["event_type"] for e in await events_of(client, engine, w["folder"]["id"])]
    assert types == ["node.created", "node.trashed", "node.restored"]


async def test_only_a_trashed_root_can_be_restored(client: httpx.AsyncClient) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    inside = await restore(client, w["alice"], w["study"])
    assert inside.status_code == 409
    assert inside.json()["code"] == "not_a_trash_root"
    assert inside.json()["trash_root_id"] == w["folder"]["id"]


async def test_restore_inside_a_trashed_workspace_waits_for_the_workspace(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["ws"])
    refused = await restore(client, alice, w["sub"])
    assert refused.status_code == 409 and refused.json()["code"] == "workspace_in_trash"
    assert await trash_ids(client, alice) == [w["ws"]["id"]]
    assert (await restore(client, alice, w["ws"])).json()["node_count"] == 4
    back = await restore(client, alice, w["sub"])
    assert back.json()["node"]["parent_id"] == w["folder"]["id"]
    await assert_tree_consistent(engine)


async def test_restore_honours_if_match(client: httpx.AsyncClient) -> None:
    w = await world(client)
    entry = (await client.delete(f"/nodes/{w['folder']['id']}", headers=w["alice"].headers)).json()
    stale = await restore(client, w["alice"], w["folder"], **{"If-Match": '"1"'})
    assert stale.status_code == 412
    fresh = await restore(client, w["alice"], w["folder"], **{"If-Match": f'"{entry["version"]}"'})
    assert fresh.status_code == 200


async def test_restoring_a_live_or_unknown_node(client: httpx.AsyncClient) -> None:
    w = await world(client)
    live = await restore(client, w["alice"], w["folder"])
    assert live.status_code == 409 and live.json()["code"] == "not_in_trash"
    unknown = await restore(client, w["alice"], {"id": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 404


async def test_the_restored_subtree_takes_new_children(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["folder"])
    await restore(client, alice, w["folder"])
    await a_folder(client, alice, w["sub"], "Fresh")
    await assert_tree_consistent(engine)
