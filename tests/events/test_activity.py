"""The activity feed: the real subscriber, per node subtree, readable by its viewers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.events.support import count, time_passes
from tests.factories import a_folder, a_study, a_user, a_workspace, shared_with

Deliver = Callable[..., Any]


async def test_the_feed_tells_what_happened_in_a_subtree(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice, "Openings")
    folder = await a_folder(client, alice, ws, "Sicilian")
    other = await a_folder(client, alice, ws, "French")
    study = await a_study(client, alice, folder, "Najdorf")
    await client.patch(f"/nodes/{study['id']}", json={"name": "Dragon"}, headers=alice.headers)
    await client.patch(
        f"/nodes/{study['id']}", json={"parent_id": other["id"]}, headers=alice.headers
    )
    await shared_with(client, alice, folder, bob, "viewer")
    await deliver()

    feed = await client.get(f"/nodes/{ws['id']}/activity", headers=alice.headers)
    assert feed.status_code == 200
    assert [line["summary"] for line in feed.json()["items"]] == [
        "alice moved study “Dragon”",
        "alice renamed study “Najdorf” to “Dragon”",
        "alice created study “Najdorf”",
        "alice created folder “French”",
        "alice created folder “Sicilian”",
        "alice created workspace “Openings”",
    ]
    # The study has moved out of Sicilian: that folder's feed is its own subtree today.
    sicilian = (await client.get(f"/nodes/{folder['id']}/activity", headers=bob.headers)).json()
    assert [line["summary"] for line in sicilian["items"]] == ["alice created folder “Sicilian”"]
    assert (await client.get(f"/nodes/{ws['id']}/activity", headers=bob.headers)).status_code == 404
    line = feed.json()["items"][0]
    assert line["node_id"] == study["id"] and line["event_type"] == "node.moved"
    assert line["workspace_id"] == ws["id"] and line["actor_id"] == alice.id


async def test_the_feed_is_paginated_newest_first(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    for n in range(5):
        await a_folder(client, alice, ws, f"f{n}")
    await deliver()
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(f"/nodes/{ws['id']}/activity", params=params, headers=alice.headers)
        ).json()
        seen += [line["summary"].rsplit(" ", 1)[1] for line in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["“f4”", "“f3”", "“f2”", "“f1”", "“f0”", "“Openings”"]


async def test_a_redelivered_event_adds_no_second_line(
    client: httpx.AsyncClient, engine: AsyncEngine, deliver: Deliver
) -> None:
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    await deliver()
    async with engine.begin() as connection:  # as if the first delivery's mark were lost
        await connection.exec_driver_sql(
            "UPDATE event_deliveries SET delivered_at = NULL, attempts = 0"
        )
    await time_passes(engine)
    assert await deliver() == 1
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1
    recorded = "SELECT count(*) FROM events WHERE event_type = 'activity.recorded'"
    assert await count(engine, recorded) == 1


async def test_a_stranger_cannot_read_a_feed(client: httpx.AsyncClient) -> None:
    alice, mallory = await a_user(client, "alice"), await a_user(client, "mallory")
    ws = await a_workspace(client, alice)
    response = await client.get(f"/nodes/{ws['id']}/activity", headers=mallory.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "node_not_found"


async def test_a_folder_feed_hides_what_is_in_the_trash(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice, "Club")
    folder = await a_folder(client, alice, ws, "Shared")
    study = await a_study(client, alice, folder, "Secret plan")
    await shared_with(client, alice, folder, bob, "viewer")
    assert (await client.delete(f"/nodes/{study['id']}", headers=alice.headers)).status_code == 200
    await deliver()
    feed = (await client.get(f"/nodes/{folder['id']}/activity", headers=bob.headers)).json()
    assert [line["summary"] for line in feed["items"]] == ["alice created folder “Shared”"]


async def test_finding_7_the_workspace_feed_shows_trashed_and_purged_nodes_to_admins_only(
    client: httpx.AsyncClient, deliver: Deliver
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice, "Club")
    trashed = await a_study(client, alice, ws, "Layoffs")
    purged = await a_study(client, alice, ws, "Merger")
    await a_folder(client, alice, ws, "Open")
    await shared_with(client, alice, ws, bob, "viewer")
    for study in (trashed, purged):
        assert (await client.delete(f"/nodes/{study['id']}", headers=alice.headers)).is_success
    assert (await client.delete(f"/nodes/{purged['id']}/purge", headers=alice.headers)).is_success
    await deliver()

    seen_by_viewer = (await client.get(f"/nodes/{ws['id']}/activity", headers=bob.headers)).json()
    summaries = [line["summary"] for line in seen_by_viewer["items"]]
    assert summaries == ["alice created folder “Open”", "alice created workspace “Club”"]
    assert not any("Layoffs" in s or "Merger" in s for s in summaries)
    # The same rule as GET /events: the workspace's admins keep the audit trail.
    seen_by_owner = (await client.get(f"/nodes/{ws['id']}/activity", headers=alice.headers)).json()
    assert any("Layoffs" in line["summary"] for line in seen_by_owner["items"])
    assert any("Merger" in line["summary"] for line in seen_by_owner["items"])
