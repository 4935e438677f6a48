"""The read API: filters, pagination, the causation tree, CloudEvents, and who sees what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor, a_folder, a_study, a_user, a_workspace, shared_with

Deliver = Callable[..., Any]


async def _types(client: httpx.AsyncClient, actor: Actor, **params: Any) -> list[str]:
    response = await client.get("/events", params={"order": "asc", **params}, headers=actor.headers)
    assert response.status_code == 200, response.text
    return [e["event_type"] for e in response.json()["items"]]


async def test_an_event_in_the_envelope(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Openings")
    [event] = (
        await client.get("/events", params={"target_id": ws["id"]}, headers=alice.headers)
    ).json()["items"]
    assert set(event) == {
        "event_id", "event_type", "actor_id", "target", "workspace_id", "timestamp",
        "version", "payload", "correlation_id", "causation_id",
    }  # fmt: skip
    assert event["event_type"] == "node.created"
    assert event["actor_id"] == alice.id
    assert event["target"] == {"id": ws["id"], "type": "workspace"}
    assert event["workspace_id"] == ws["id"] and event["version"] == 1
    assert event["payload"] == {"kind": "workspace", "name": "Openings", "parent_id": None}
    assert event["causation_id"] is None
    assert event["timestamp"].endswith("Z") or event["timestamp"].endswith("+00:00")
    single = await client.get(f"/events/{event['event_id']}", headers=alice.headers)
    assert single.json() == event


async def test_filters_and_cursor_pagination(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "A")
    for name in ("B", "C", "D"):
        renamed = await client.patch(
            f"/nodes/{folder['id']}",
            json={"name": name},
            headers={**alice.headers, "X-Correlation-ID": f"rename-{name}"},
        )
        assert renamed.status_code == 200
    by_folder = {"target_id": folder["id"]}
    assert await _types(client, alice, **by_folder) == ["node.created"] + ["node.renamed"] * 3
    assert (
        await _types(client, alice, event_type="node.renamed", workspace_id=ws["id"])
        == ["node.renamed"] * 3
    )
    assert await _types(client, alice, correlation_id="rename-C") == ["node.renamed"]
    assert len(await _types(client, alice, actor_id=alice.id)) == 7  # + registered, login, ws
    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    assert await _types(client, alice, since=future) == []
    assert len(await _types(client, alice, until=future, **by_folder)) == 4

    names: list[str] = []
    cursor = None
    while True:
        params = {**by_folder, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/events", params=params, headers=alice.headers)).json()
        names += [e["payload"].get("new_name") or e["payload"]["name"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["D", "C", "B", "A"]  # newest first by default, no gaps, no repeats


async def test_bad_read_parameters_are_refused(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    for params, status in [
        ({"cursor": "garbage"}, 400),
        ({"cursor": "WyJ4Il0="}, 400),  # ["x"]
        ({"event_type": "node.exploded"}, 422),
        ({"since": "2026-01-01T00:00:00"}, 422),  # no zone
        ({"limit": 0}, 422),
        ({"target_id": "not-a-uuid"}, 422),
    ]:
        response = await client.get("/events", params=params, headers=alice.headers)
        assert response.status_code == status, (params, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/events")).status_code == 401
    bad_chain = await client.get("/events/chains/has%20space", headers=alice.headers)
    assert bad_chain.status_code == 422


async def test_the_causation_tree_across_the_activity_subscriber(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice = await a_user(client, "alice")
    response = await client.post(
        "/nodes",
        json={"kind": "workspace", "name": "W"},
        headers={**alice.headers, "X-Correlation-ID": "tree-1"},
    )
    assert response.status_code == 201
    await deliver()
    chain = (await client.get("/events/chains/tree-1", headers=alice.headers)).json()
    assert chain["correlation_id"] == "tree-1"
    assert chain["event_count"] == 2 and chain["truncated"] is False
    [root] = chain["roots"]
    assert root["event_type"] == "node.created" and root["causation_id"] is None
    [child] = root["children"]
    assert child["event_type"] == "activity.recorded"
    assert child["causation_id"] == root["event_id"]
    assert child["correlation_id"] == "tree-1"
    assert child["actor_id"] is None and child["children"] == []
    assert child["payload"]["source_event_type"] == "node.created"


async def test_cloudevents_rendering(client: httpx.AsyncClient, deliver: Deliver) -> None:
    alice = await a_user(client, "alice")
    headers = {**alice.headers, "X-Correlation-ID": "ce-1"}
    ws = (
        await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=headers)
    ).json()
    await deliver()
    [root] = (await client.get("/events/chains/ce-1", headers=alice.headers)).json()["roots"]
    [child] = root["children"]

    single = await client.get(
        f"/events/{child['event_id']}", params={"format": "cloudevents"}, headers=alice.headers
    )
    assert single.headers["content-type"] == "application/cloudevents+json"
    rendered = single.json()
    assert all(re.fullmatch(r"[a-z0-9]{1,20}", key) for key in rendered)
    assert rendered["specversion"] == "1.0"
    assert rendered["id"] == child["event_id"]
    assert rendered["source"] == f"/workspaces/{ws['id']}"
    assert rendered["type"] == "dev.catachess.activity.recorded"
    assert rendered["subject"] == f"activity_entry/{child['target']['id']}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", rendered["time"])
    assert rendered["datacontenttype"] == "application/json"
    assert rendered["data"] == child["payload"]
    assert rendered["correlationid"] == "ce-1"
    assert rendered["causationid"] == root["event_id"]
    assert "actorid" not in rendered  # the subscriber acted, not a person; null is left out

    accept = {**alice.headers, "Accept": "application/cloudevents-batch+json"}
    batch = await client.get(
        "/events", params={"correlation_id": "ce-1", "limit": 1}, headers=accept
    )
    assert batch.headers["content-type"] == "application/cloudevents-batch+json"
    [newest] = batch.json()
    assert newest["id"] == child["event_id"]
    assert batch.headers["link"].endswith('>; rel="next"')
    next_url = batch.headers["link"][1 : batch.headers["link"].index(">")]
    [older] = (await client.get(next_url, headers=accept)).json()
    assert older["id"] == root["event_id"] and older["actorid"] == alice.id
    assert "causationid" not in older and older["targetversion"] == 1
    chain = await client.get(
        "/events/chains/ce-1", params={"format": "cloudevents"}, headers=alice.headers
    )
    assert [e["id"] for e in chain.json()] == [root["event_id"], child["event_id"]]


async def test_a_stranger_sees_nothing(client: httpx.AsyncClient, deliver: Deliver) -> None:
    alice, mallory = await a_user(client, "alice"), await a_user(client, "mallory")
    headers = {**alice.headers, "X-Correlation-ID": "private"}
    ws = (
        await client.post("/nodes", json={"kind": "workspace", "name": "W"}, headers=headers)
    ).json()
    await deliver()
    mine = (
        await client.get("/events", params={"target_id": ws["id"]}, headers=alice.headers)
    ).json()
    event_id = mine["items"][0]["event_id"]
    assert await _types(client, mallory) == ["user.registered", "user.logged_in"]  # her own
    assert await _types(client, mallory, target_id=ws["id"]) == []
    assert await _types(client, mallory, target_id=alice.id) == []  # not alice's account events
    assert await _types(client, mallory, correlation_id="private") == []
    missing = await client.get(f"/events/{event_id}", headers=mallory.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "event_not_found"
    assert (await client.get("/events/chains/private", headers=mallory.headers)).status_code == 404


async def test_a_grant_on_a_study_shows_that_study_and_not_its_sharing(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws)
    study = await a_study(client, alice, folder)
    sibling = await a_study(client, alice, folder, "Dragon")
    await shared_with(client, alice, study, bob, "viewer")
    await deliver()
    assert await _types(client, bob, target_id=study["id"]) == ["node.created"]
    assert await _types(client, alice, target_id=study["id"]) == ["node.created", "acl.granted"]
    for hidden in (ws, folder, sibling):
        assert await _types(client, bob, target_id=hidden["id"]) == []
    # An activity line's event is visible through the node it tells about.
    assert await _types(client, bob, event_type="activity.recorded") == ["activity.recorded"]
    assert len(await _types(client, alice, event_type="activity.recorded")) == 4


async def test_events_of_trashed_and_purged_nodes_need_the_workspace(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    trashed, purged = await a_study(client, alice, ws, "T"), await a_study(client, alice, ws, "P")
    await shared_with(client, alice, trashed, bob, "viewer")
    await shared_with(client, alice, purged, bob, "viewer")
    assert await _types(client, bob, target_id=trashed["id"]) == ["node.created"]
    async with engine.begin() as connection:  # what the trash and purge will do to the rows
        await connection.execute(
            text("UPDATE nodes SET trashed_at = now() WHERE id = :id"), {"id": trashed["id"]}
        )
        await connection.execute(text("DELETE FROM nodes WHERE id = :id"), {"id": purged["id"]})
    for gone in (trashed, purged):
        assert await _types(client, bob, target_id=gone["id"]) == []
        assert await _types(client, alice, target_id=gone["id"]) == ["node.created", "acl.granted"]


async def test_chapter_and_discussion_events_follow_their_study(client: httpx.AsyncClient) -> None:
    """Readers of a study see its chapter and discussion events; once it is in the trash,
    only the workspace's admins do (G3: gone from ordinary reads)."""
    from tests.studies.helpers import a_chapter

    alice, vic, sam = (
        await a_user(client, "alice"),
        await a_user(client, "vic"),
        await a_user(client, "sam"),
    )
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws)
    thread = await client.post(
        "/discussions",
        json={"study_id": study_id, "title": "hidden title", "body": "b"},
        headers=alice.headers,
    )
    await shared_with(client, alice, {"id": study_id}, sam, "viewer")
    await shared_with(client, alice, ws, vic, "viewer")
    for reader in (sam, vic, alice):
        assert await _types(client, reader, target_id=chapter_id) == ["study.chapter_added"]
        assert await _types(client, reader, target_id=thread.json()["id"]) == [
            "discussion.thread_created"
        ]
    assert (await client.delete(f"/nodes/{study_id}", headers=alice.headers)).status_code == 200
    for reader in (sam, vic):
        assert await _types(client, reader, target_id=chapter_id) == []
        assert await _types(client, reader, target_id=thread.json()["id"]) == []
    assert await _types(client, alice, target_id=chapter_id) == ["study.chapter_added"]
