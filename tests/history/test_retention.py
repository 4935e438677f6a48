"""HISTORY_RETENTION_DAYS: the history.retention job compacts versions older than the window
into a snapshot, and every version it keeps stays readable and restorable."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import runner
from catachess.maintenance.runner import JobResult
from tests.history.support import Chapter, a_history_chapter


async def age(engine: AsyncEngine, chapter: Chapter, versions: range, days: int) -> None:
    """Pretend these versions were written `days` ago."""
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE chapter_versions SET created_at = now() - make_interval(days => :d) "
                "WHERE chapter_id = :c AND version >= :lo AND version < :hi"
            ),
            {"d": days, "c": chapter.id, "lo": versions.start, "hi": versions.stop},
        )


async def run_retention(engine: AsyncEngine, settings: Settings, days: int | None) -> JobResult:
    job = runner.load_jobs()["history.retention"]
    configured = settings.model_copy(update={"history_retention_days": days})
    return await runner.run_job(engine, make_sessionmaker(engine), job, configured)


async def a_chapter_with_five_versions(client: httpx.AsyncClient) -> tuple[Chapter, dict[int, Any]]:
    chapter = await a_history_chapter(client)
    states = {1: (await chapter.read())["tree"]}
    after = (await chapter.last_move())["id"]
    for number, move in enumerate(("Nf6", "O-O", "Be7", "d3"), start=2):
        after = (await chapter.add(move, after=after))["move"]["id"]
        states[number] = (await chapter.read())["tree"]
    return chapter, states


async def test_without_the_setting_every_version_is_kept(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    chapter, _ = await a_chapter_with_five_versions(client)
    await age(chapter=chapter, engine=engine, versions=range(1, 6), days=400)
    result = await run_retention(engine, settings, None)
    assert result.items == 0
    assert (await chapter.at(1)).status_code == 200


async def test_old_versions_are_compacted_and_kept_ones_restore(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    chapter, states = await a_chapter_with_five_versions(client)
    await age(engine, chapter, range(1, 4), days=31)
    result = await run_retention(engine, settings, 30)
    assert result.items == 1
    for number in (1, 2, 3):
        gone = await chapter.at(number)
        assert gone.status_code == 404 and gone.json()["code"] == "version_not_found"
    for number in (4, 5):
        assert (await chapter.at(number)).json()["tree"] == states[number]
    assert [item["version"] for item in (await chapter.history())["items"]] == [5, 4]
    restored = await chapter.restore(4, if_match=5)
    assert restored.status_code == 200, restored.text
    assert (await chapter.read())["tree"] == states[4]
    assert (await run_retention(engine, settings, 30)).items == 0


async def test_when_every_version_is_old_the_current_one_is_kept(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    chapter, states = await a_chapter_with_five_versions(client)
    await age(engine, chapter, range(1, 6), days=31)
    await run_retention(engine, settings, 30)
    assert [item["version"] for item in (await chapter.history())["items"]] == [5]
    assert (await chapter.at(5)).json()["tree"] == states[5]
    added = await chapter.add("O-O", after=(await chapter.last_move())["id"])
    assert added["version"] == 6
    assert (await chapter.at(6)).json()["tree"] == (await chapter.read())["tree"]


async def test_a_chapter_deleted_before_the_window_is_forgotten(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    chapter, _ = await a_chapter_with_five_versions(client)
    deleted = await client.delete(chapter.url, headers=chapter.actor.headers)
    assert deleted.status_code == 204
    await age(engine, chapter, range(1, 7), days=31)
    await run_retention(engine, settings, 30)
    async with engine.connect() as connection:
        left = await connection.scalar(
            text("SELECT count(*) FROM chapter_versions WHERE chapter_id = :c"), {"c": chapter.id}
        )
    assert left == 0
    restore = await client.post(f"{chapter.url}/restore", headers=chapter.actor.headers)
    assert restore.status_code == 404
