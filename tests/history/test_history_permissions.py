"""Who may read and change history: readers read, editors restore/undo/replace, a trashed
study's history only for those who may restore it, and a purge removes it all."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user, shared_with
from tests.history.support import a_history_chapter


@pytest.mark.parametrize("role", ["viewer", "commenter"])
async def test_readers_read_history_but_cannot_restore_undo_or_replace(
    client: httpx.AsyncClient, role: str
) -> None:
    chapter = await a_history_chapter(client)
    await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    reader = await a_user(client, role)
    await shared_with(client, chapter.actor, {"id": chapter.study_id}, reader, role)
    as_reader = chapter.as_(reader)
    assert (await as_reader.history())["items"][0]["version"] == 2
    assert (await as_reader.at(1)).status_code == 200
    diff = await client.get(f"{chapter.url}/diff?from=1&to=2", headers=reader.headers)
    assert diff.status_code == 200
    assert (await as_reader.restore(1)).status_code == 403
    assert (await as_reader.undo()).status_code == 403
    move = (await chapter.last_move())["id"]
    replaced = await client.post(
        f"{chapter.url}/moves/{move}/replace", json={"move": "Nc6"}, headers=reader.headers
    )
    assert replaced.status_code == 403
    assert (await chapter.version()) == 2


async def test_strangers_get_404_for_everything(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    stranger = chapter.as_(await a_user(client, "mallory"))
    for response in (
        await stranger.client.get(f"{chapter.url}/history", headers=stranger.actor.headers),
        await stranger.at(1),
        await stranger.restore(1),
        await stranger.undo(),
        await stranger.client.get(
            f"/studies/{chapter.study_id}/history", headers=stranger.actor.headers
        ),
    ):
        assert response.status_code == 404, response.text


async def test_history_of_a_trashed_study_only_for_who_may_restore_it(
    client: httpx.AsyncClient,
) -> None:
    chapter = await a_history_chapter(client)
    viewer = await a_user(client, "victor")
    await shared_with(client, chapter.actor, {"id": chapter.study_id}, viewer, "viewer")
    trashed = await client.delete(f"/nodes/{chapter.study_id}", headers=chapter.actor.headers)
    assert trashed.status_code == 200, trashed.text
    assert (await chapter.history())["items"][0]["version"] == 1
    assert (await chapter.at(1)).status_code == 200
    as_viewer = chapter.as_(viewer)
    hidden = await client.get(f"{chapter.url}/history", headers=viewer.headers)
    assert hidden.status_code == 404
    assert (await as_viewer.at(1)).status_code == 404
    # Reading is all: changing a trashed study's chapter waits for its restore.
    assert (await chapter.restore(1)).status_code == 404


async def test_purge_removes_the_history(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_history_chapter(client)
    await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    headers = chapter.actor.headers
    assert (await client.delete(f"/nodes/{chapter.study_id}", headers=headers)).status_code == 200
    purged = await client.delete(f"/nodes/{chapter.study_id}/purge", headers=headers)
    assert purged.status_code == 200, purged.text
    async with engine.connect() as connection:
        left = await connection.scalar(
            text("SELECT count(*) FROM chapter_versions WHERE study_id = :s"),
            {"s": chapter.study_id},
        )
    assert left == 0
    assert (await client.get(f"{chapter.url}/history", headers=headers)).status_code == 404
    assert (await chapter.at(1)).status_code == 404
