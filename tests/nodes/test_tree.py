import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_study, a_user, a_workspace, events_of, shared_with

PROBLEM = "application/problem+json"


async def test_create_workspace_folder_and_study(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Openings")
    folder = await a_folder(client, alice, ws, "Sicilian")
    study = await a_study(client, alice, folder, "Najdorf")
    assert (ws["kind"], folder["kind"], study["kind"]) == ("workspace", "folder", "study")
    assert study["workspace_id"] == ws["id"] and study["parent_id"] == folder["id"]
    got = await client.get(f"/nodes/{study['id']}", headers=alice.headers)
    assert got.status_code == 200
    assert got.headers["etag"] == '"1"'
    assert got.json()["role"] == "owner"
    [event] = await events_of(client, engine, study["id"])
    assert event["event_type"] == "node.created"
    assert event["actor_id"].hex == alice.id.replace("-", "")
    assert event["payload"] == {"kind": "study", "name": "Najdorf", "parent_id": folder["id"]}
    assert event["version"] == 1


async def test_create_returns_location(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    response = await client.post(
        "/nodes", json={"kind": "workspace", "name": "W"}, headers=alice.headers
    )
    assert response.headers["location"] == f"/nodes/{response.json()['id']}"


async def test_a_study_cannot_contain_nodes(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = await a_study(client, alice, ws)
    response = await client.post(
        "/nodes",
        json={"kind": "folder", "name": "x", "parent_id": study["id"]},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "parent_id"


async def test_folder_without_parent_and_workspace_with_parent_are_refused(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    orphan = await client.post(
        "/nodes", json={"kind": "folder", "name": "x"}, headers=alice.headers
    )
    assert orphan.status_code == 422 and orphan.json()["code"] == "invalid_parent"
    nested = await client.post(
        "/nodes",
        json={"kind": "workspace", "name": "x", "parent_id": ws["id"]},
        headers=alice.headers,
    )
    assert nested.status_code == 422


async def test_sibling_names_are_unique_ignoring_case(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_folder(client, alice, ws, "Sicilian")
    clash = await client.post(
        "/nodes",
        json={"kind": "study", "name": "SICILIAN", "parent_id": ws["id"]},
        headers=alice.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "name_taken"


async def test_a_rename_to_a_taken_name_is_name_taken_with_a_description_too(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """With a description in the same PATCH, its touch flushed the new name outside the
    savepoint that turns a clash into name_taken: the answer was a generic 409 saying
    "a concurrent change ... retry it", which no retry could satisfy (a fuzz run found it)."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_folder(client, alice, ws, "Najdorf")
    dragon = await a_folder(client, alice, ws, "Dragon")
    before = await events_of(client, engine, dragon["id"])
    for body in ({"name": "najdorf"}, {"name": "najdorf", "description": "Yugoslav attack"}):
        clash = await client.patch(f"/nodes/{dragon['id']}", json=body, headers=alice.headers)
        assert clash.status_code == 409, clash.text
        assert (clash.json()["code"], clash.json()["field"]) == ("name_taken", "name")
    after = (await client.get(f"/nodes/{dragon['id']}", headers=alice.headers)).json()
    assert (after["name"], after["description"], after["version"]) == ("Dragon", "", 1)
    assert await events_of(client, engine, dragon["id"]) == before


async def test_a_taken_name_leaves_no_event_and_no_search_entry(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """The node, its event and its search entry are one statement: the refused node's
    event was appended and must be rolled back with it, and its entry never made."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_folder(client, alice, ws, "Najdorf")
    async with engine.connect() as connection:
        before = await connection.scalar(text("SELECT count(*) FROM events"))
    clash = await client.post(
        "/nodes",
        json={"kind": "study", "name": "najdorf", "parent_id": ws["id"]},
        headers=alice.headers,
    )
    assert clash.status_code == 409
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM events")) == before
        entries = await connection.scalar(
            text("SELECT count(*) FROM search_entries WHERE body = 'najdorf'")
        )
        studies = await connection.scalar(text("SELECT count(*) FROM nodes WHERE kind = 'study'"))
    assert entries == 0 and studies == 0


async def test_malformed_input_names_the_field(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "planet", "name": "x"}, "body.kind"),
        ({"kind": "workspace", "name": ""}, "body.name"),
        ({"kind": "workspace", "name": "x" * 201}, "body.name"),
        ({"kind": "workspace", "name": "a\x00b"}, "body.name"),
        ({"kind": "folder", "name": "x", "parent_id": "not-a-uuid"}, "body.parent_id"),
        ({"kind": "workspace", "name": "x", "colour": "red"}, "body.colour"),
    ]
    for body, field in cases:
        response = await client.post("/nodes", json=body, headers=alice.headers)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == PROBLEM
        assert field in response.json()["detail"], (body, response.json())
    bad_id = await client.get("/nodes/123", headers=alice.headers)
    assert bad_id.status_code == 422
    assert "path.node_id" in bad_id.json()["detail"]


async def test_children_are_paginated_by_cursor(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    names = ["e", "a", "d", "b", "c"]
    for name in names:
        await a_study(client, alice, ws, name)
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get(f"/nodes/{ws['id']}/children", params=params, headers=alice.headers)
        ).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(names)
    bad = await client.get(
        f"/nodes/{ws['id']}/children", params={"cursor": "zzz"}, headers=alice.headers
    )
    assert bad.status_code == 400
    too_big = await client.get(
        f"/nodes/{ws['id']}/children", params={"limit": 500}, headers=alice.headers
    )
    assert too_big.status_code == 422


async def test_rename_with_current_if_match(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = await a_study(client, alice, ws, "Old")
    response = await client.patch(
        f"/nodes/{study['id']}", json={"name": "New"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "New"
    assert response.headers["etag"] == '"2"'
    events = await events_of(client, engine, study["id"])
    assert [e["event_type"] for e in events] == ["node.created", "node.renamed"]
    assert events[-1]["payload"] == {"old_name": "Old", "new_name": "New"}
    assert events[-1]["version"] == 2


async def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = await a_study(client, alice, ws, "Old")
    await client.patch(f"/nodes/{study['id']}", json={"name": "Newer"}, headers=alice.headers)
    stale = await client.patch(
        f"/nodes/{study['id']}", json={"name": "Lost"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_etag"] == '"2"'
    current = (await client.get(f"/nodes/{study['id']}", headers=alice.headers)).json()
    assert current["name"] == "Newer" and current["version"] == 2
    assert len(await events_of(client, engine, study["id"])) == 2


async def test_move_carries_the_subtree(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    a = await a_folder(client, alice, ws, "A")
    b = await a_folder(client, alice, ws, "B")
    inner = await a_folder(client, alice, a, "Inner")
    study = await a_study(client, alice, inner, "Deep")
    moved = await client.patch(
        f"/nodes/{a['id']}", json={"parent_id": b["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200
    crumbs = (await client.get(f"/nodes/{study['id']}/breadcrumbs", headers=alice.headers)).json()
    assert [c["name"] for c in crumbs["items"]] == ["Openings", "B", "A", "Inner", "Deep"]
    event = (await events_of(client, engine, a["id"]))[-1]
    assert event["event_type"] == "node.moved"
    assert event["payload"]["subtree_size"] == 3  # A, Inner, Deep
    assert event["payload"]["new_parent_id"] == b["id"]


async def test_move_into_own_descendant_is_a_cycle(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    a = await a_folder(client, alice, ws, "A")
    inner = await a_folder(client, alice, a, "Inner")
    for target in (inner, a):
        response = await client.patch(
            f"/nodes/{a['id']}", json={"parent_id": target["id"]}, headers=alice.headers
        )
        assert response.status_code == 409
        assert response.json()["code"] == "move_cycle"
    crumbs = (await client.get(f"/nodes/{inner['id']}/breadcrumbs", headers=alice.headers)).json()
    assert [c["name"] for c in crumbs["items"]] == ["Openings", "A", "Inner"]


async def test_move_across_workspaces_is_refused(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws1 = await a_workspace(client, alice, "One")
    ws2 = await a_workspace(client, alice, "Two")
    folder = await a_folder(client, alice, ws1)
    response = await client.patch(
        f"/nodes/{folder['id']}", json={"parent_id": ws2["id"]}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["code"] == "cross_workspace_move"


async def test_patch_without_changes_is_422(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.patch(f"/nodes/{ws['id']}", json={}, headers=alice.headers)
    assert response.status_code == 422


async def test_workspaces_lists_mine_and_shared(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    mine = await a_workspace(client, alice, "Alice WS")
    theirs = await a_workspace(client, bob, "Bob WS")
    other = await a_workspace(client, bob, "Bob private")
    deep = await a_folder(client, bob, other, "Shared deep")
    await shared_with(client, bob, theirs, alice, "viewer")
    await shared_with(client, bob, deep, alice, "editor")
    listed = (await client.get("/workspaces", headers=alice.headers)).json()["items"]
    by_name = {item["name"]: item for item in listed}
    assert set(by_name) == {"Alice WS", "Bob WS", "Shared deep"}
    assert by_name["Alice WS"]["role"] == "owner" and not by_name["Alice WS"]["shared_entry"]
    assert by_name["Bob WS"]["role"] == "viewer"
    assert by_name["Shared deep"]["shared_entry"] is True
    assert mine["id"] in {item["id"] for item in listed}


async def test_breadcrumbs_start_where_the_caller_can_read(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "Shared")
    study = await a_study(client, alice, folder, "S")
    await shared_with(client, alice, folder, bob, "viewer")
    crumbs = (await client.get(f"/nodes/{study['id']}/breadcrumbs", headers=bob.headers)).json()
    assert [c["name"] for c in crumbs["items"]] == ["Shared", "S"]


async def test_move_and_rename_at_once_checks_the_new_name(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    a = await a_folder(client, alice, ws, "A")
    b = await a_folder(client, alice, ws, "B")
    await a_study(client, alice, b, "Taken")
    study = await a_study(client, alice, a, "Taken")
    response = await client.patch(
        f"/nodes/{study['id']}",
        json={"parent_id": b["id"], "name": "Fresh"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["parent_id"], response.json()["name"]) == (b["id"], "Fresh")
    clash = await client.patch(
        f"/nodes/{study['id']}", json={"parent_id": a["id"], "name": "taken"}, headers=alice.headers
    )
    assert clash.status_code == 200  # "Taken" left A when it moved


async def test_crossing_concurrent_moves_cannot_make_a_cycle(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    x = await a_folder(client, alice, ws, "X")
    y = await a_folder(client, alice, ws, "Y")
    for _ in range(3):
        responses = await asyncio.gather(
            client.patch(f"/nodes/{x['id']}", json={"parent_id": y["id"]}, headers=alice.headers),
            client.patch(f"/nodes/{y['id']}", json={"parent_id": x["id"]}, headers=alice.headers),
        )
        assert sorted(r.status_code for r in responses) == [200, 409]
        async with engine.connect() as connection:
            paths = dict(
                (
                    await connection.execute(
                        text("SELECT name, path FROM nodes WHERE kind = 'folder'")
                    )
                ).all()
            )
        # Exactly one is under the other, and each path starts at the workspace root.
        assert all(path.startswith(ws["id"] + "/") for path in paths.values())
        assert paths["X"].startswith(paths["Y"] + "/") != paths["Y"].startswith(paths["X"] + "/")
        for node in (x, y):  # put both back under the root for the next round
            await client.patch(
                f"/nodes/{node['id']}", json={"parent_id": ws["id"]}, headers=alice.headers
            )


async def test_moving_a_node_cannot_raise_your_own_role_on_it(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    study = await a_study(client, alice, ws, "Alice's study")
    bobs = await a_folder(client, alice, ws, "Bob's folder")
    await shared_with(client, alice, ws, bob, "editor")
    await shared_with(client, alice, bobs, bob, "admin")
    response = await client.patch(
        f"/nodes/{study['id']}", json={"parent_id": bobs["id"]}, headers=bob.headers
    )
    assert response.status_code == 403
    assert response.json()["field"] == "parent_id"
    still = await client.get(f"/nodes/{study['id']}", headers=bob.headers)
    assert (still.json()["parent_id"], still.json()["role"]) == (ws["id"], "editor")
