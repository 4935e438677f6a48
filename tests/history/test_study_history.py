"""A study's history, deleted chapters brought back with their discussions, node history."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user, a_workspace, events_of, shared_with
from tests.history.support import a_history_chapter
from tests.studies.helpers import games, import_study


async def test_study_history_lists_chapters_added_renamed_reordered_deleted(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    result = await import_study(client, alice, ws, games(3))
    study = result["studies"][0]
    first, second, _ = (chapter["id"] for chapter in study["chapters"])
    url = f"/studies/{study['id']}"
    renamed = await client.patch(
        f"{url}/chapters/{first}", json={"name": "Main line"}, headers=alice.headers
    )
    assert renamed.status_code == 200, renamed.text
    moved = await client.patch(
        f"{url}/chapters/{first}", json={"position": 2}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    deleted = await client.delete(f"{url}/chapters/{second}", headers=alice.headers)
    assert deleted.status_code == 204
    history = await client.get(f"{url}/history", headers=alice.headers)
    assert history.status_code == 200, history.text
    items = history.json()["items"]
    assert [(item["kind"], item["summary"]) for item in items[:3]] == [
        ("deleted", "deleted the chapter “W2 - B2”"),
        ("chapter.reordered", "moved the chapter from place 1 to 3"),
        ("chapter.renamed", "renamed the chapter from “W1 - B1” to “Main line”"),
    ]
    assert [item["restorable"] for item in items[:3]] == [True, False, False]
    assert [item["kind"] for item in items[3:]] == ["created"] * 3


async def test_a_deleted_chapter_comes_back_with_its_discussions(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_history_chapter(client)
    alice = chapter.actor
    before = await chapter.read()
    move = before["tree"]["children"][0]
    thread = await client.post(
        "/discussions",
        json={
            "study_id": chapter.study_id,
            "chapter_id": chapter.id,
            "move_id": move,
            "title": "Why e4?",
            "body": "Best by test",
        },
        headers=alice.headers,
    )
    assert thread.status_code == 201, thread.text
    thread_id = thread.json()["id"]
    first_post = thread.json()["posts"][0]["id"]
    reply = await client.post(
        f"/discussions/{thread_id}/replies",
        json={"body": "agreed", "parent_post_id": first_post},
        headers=alice.headers,
    )
    assert reply.status_code == 201, reply.text
    reacted = await client.put(
        f"/discussions/{thread_id}/posts/{first_post}/reactions/heart", headers=alice.headers
    )
    assert reacted.status_code in (200, 201), reacted.text
    deleted = await client.delete(chapter.url, headers=alice.headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/discussions/{thread_id}", headers=alice.headers)).status_code == 404
    # Versions of a deleted chapter stay readable from the study's history.
    assert (await chapter.at(1)).status_code == 200
    restored = await client.post(f"{chapter.url}/restore", headers=alice.headers)
    assert restored.status_code == 201, restored.text
    body = restored.json()
    assert body["thread_count"] == 1
    assert body["chapter"]["version"] == before["version"] + 2
    after = await chapter.read()
    assert after["tree"] == before["tree"] and after["name"] == before["name"]
    back = await client.get(f"/discussions/{thread_id}", headers=alice.headers)
    assert back.status_code == 200, back.text
    posts = back.json()["posts"]
    assert [post["body"] for post in posts] == ["Best by test", "agreed"]
    assert posts[0]["reactions"][0]["kind"] == "heart"
    again = await client.post(f"{chapter.url}/restore", headers=alice.headers)
    assert again.status_code == 409 and again.json()["code"] == "chapter_not_deleted"
    types = [event["event_type"] for event in await events_of(client, engine, chapter.id)]
    assert types[-2:] == ["chapter.deleted", "study.chapter_restored"]
    history = await chapter.history()
    assert [item["kind"] for item in history["items"][:2]] == ["chapter_restored", "deleted"]


async def test_node_history_in_words_and_shares_only_for_admins(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    viewer = await a_user(client, "victor")
    ws = await a_workspace(client, alice)
    folder = (
        await client.post(
            "/nodes",
            json={"kind": "folder", "name": "Sicilian", "parent_id": ws["id"]},
            headers=alice.headers,
        )
    ).json()
    await client.patch(f"/nodes/{folder['id']}", json={"name": "Najdorf"}, headers=alice.headers)
    await shared_with(client, alice, folder, viewer, "viewer")

    async def summaries(actor: Any) -> list[str]:
        response = await client.get(f"/nodes/{folder['id']}/history", headers=actor.headers)
        assert response.status_code == 200, response.text
        return [item["summary"] for item in response.json()["items"]]

    assert await summaries(alice) == [
        "shared it with a member as viewer",
        "renamed “Sicilian” to “Najdorf”",
        "created the folder “Sicilian”",
    ]
    assert await summaries(viewer) == [
        "renamed “Sicilian” to “Najdorf”",
        "created the folder “Sicilian”",
    ]
    stranger = await a_user(client, "mallory")
    hidden = await client.get(f"/nodes/{folder['id']}/history", headers=stranger.headers)
    assert hidden.status_code == 404
