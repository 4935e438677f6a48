"""A version is written in the change's transaction: if it cannot be written, the change
is not made either (no change without its version, no version without its change)."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import events_of
from tests.history.support import a_history_chapter


async def test_a_change_whose_version_cannot_be_written_is_not_made(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_history_chapter(client)
    before = await chapter.read()
    # Occupy version 2 of this chapter's history, so the next edit's version row collides.
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO chapter_versions (workspace_id, study_id, chapter_id, version, kind, "
                "created_at, summary, details, chain_length, chain_bytes, base_bytes) "
                "SELECT workspace_id, study_id, chapter_id, 2, 'squatter', now(), '', '{}', "
                "0, 0, 0 "
                "FROM chapter_versions WHERE chapter_id = :c AND version = 1"
            ),
            {"c": chapter.id},
        )
    response = await client.post(
        f"{chapter.url}/moves",
        json={"after": (await chapter.last_move())["id"], "move": "Nf6"},
        headers=chapter.actor.headers,
    )
    assert response.status_code >= 400
    after = await chapter.read()
    assert after["version"] == 1 and after["tree"] == before["tree"]
    types = [event["event_type"] for event in await events_of(client, engine, chapter.id)]
    assert types == ["study.chapter_added"]


async def test_every_stored_version_matches_its_event(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_history_chapter(client)
    await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    await chapter.undo()
    await chapter.restore(2)
    events = await events_of(client, engine, chapter.id)
    history = (await chapter.history())["items"]
    by_version = {event["version"]: event for event in events}
    for item in history:
        event = by_version[item["version"]]
        assert str(event["correlation_id"]) == item["correlation_id"]
        assert str(event["actor_id"]) == item["author"]["id"]
