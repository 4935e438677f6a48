"""Restore, undo and bringing a chapter back keep the search index true, in the same
transaction (the index follows the chapter as it does for every other edit)."""

from __future__ import annotations

import httpx

from tests.factories import Actor
from tests.history.support import a_history_chapter


async def kinds_found(client: httpx.AsyncClient, actor: Actor, words: str) -> list[str]:
    response = await client.get("/search", params={"q": words}, headers=actor.headers)
    assert response.status_code == 200, response.text
    return sorted(item["kind"] for item in response.json()["items"])


async def test_restore_and_undo_keep_search_in_step(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    bc4 = await chapter.last_move()
    commented = await client.put(
        f"{chapter.url}/moves/{bc4['id']}/comment",
        json={"comment": "zugzwang looms"},
        headers=chapter.actor.headers,
    )
    assert commented.status_code == 200
    assert await kinds_found(client, chapter.actor, "zugzwang") == ["comment"]
    assert (await chapter.restore(1)).status_code == 200
    assert await kinds_found(client, chapter.actor, "zugzwang") == []
    assert (await chapter.undo()).status_code == 200
    assert await kinds_found(client, chapter.actor, "zugzwang") == ["comment"]


async def test_a_chapter_brought_back_is_found_again_with_its_posts(
    client: httpx.AsyncClient,
) -> None:
    chapter = await a_history_chapter(client)
    thread = await client.post(
        "/discussions",
        json={
            "study_id": chapter.study_id,
            "chapter_id": chapter.id,
            "title": "Plans",
            "body": "the minority attack",
        },
        headers=chapter.actor.headers,
    )
    assert thread.status_code == 201, thread.text
    assert await kinds_found(client, chapter.actor, "Philidor") == ["comment"]
    assert await kinds_found(client, chapter.actor, "minority") == ["post"]
    assert (await client.delete(chapter.url, headers=chapter.actor.headers)).status_code == 204
    assert await kinds_found(client, chapter.actor, "Philidor") == []
    assert await kinds_found(client, chapter.actor, "minority") == []
    restored = await client.post(f"{chapter.url}/restore", headers=chapter.actor.headers)
    assert restored.status_code == 201, restored.text
    assert await kinds_found(client, chapter.actor, "Philidor") == ["comment"]
    assert await kinds_found(client, chapter.actor, "minority") == ["post"]
