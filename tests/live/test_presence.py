"""Presence (issue 13): who views a study and which chapter, across two server processes.

Pages send heartbeats through process B while a reader streams from process A: the
stream carries the new list within a second of a join, a chapter change or a goodbye,
and within PRESENCE_TTL (plus the hub's refresh) of a page that vanished without one.
Presence writes no event, is readable only by readers of the study, and never names an
anonymous reader.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.maintenance import runner
from tests.factories import Actor, a_user, shared_with
from tests.live.conftest import LIVE_ENV, Pair, two_servers
from tests.live.sse import EventStream, Message
from tests.live.test_study_stream import a_live_study

TTL = 2.0  # PRESENCE_TTL of these servers: the hub reads every list each 0.5 s
DEADLINE = 1.0


@pytest.fixture(scope="module")
async def pair(database_url: str) -> AsyncIterator[Pair]:
    async with two_servers(database_url, {**LIVE_ENV, "PRESENCE_TTL": str(TTL)}) as servers:
        yield servers


def page() -> str:
    return str(uuid.uuid4())


async def heartbeat(
    client: httpx.AsyncClient,
    study_id: str,
    page_id: str,
    actor: Actor | None,
    chapter_id: str | None = None,
) -> httpx.Response:
    return await client.put(
        f"/studies/{study_id}/presence/{page_id}",
        json={"chapter_id": chapter_id},
        headers=actor.headers if actor else {},
    )


async def presence_until(
    stream: EventStream, wanted: Any, within: float = DEADLINE
) -> dict[str, Any]:
    """The first presence list on the stream that `wanted` accepts, within the time."""
    deadline = time.monotonic() + within
    while True:
        message: Message = await stream.next(within=max(0.01, deadline - time.monotonic()))
        assert message.event == "presence", f"an event entered the stream: {message}"
        assert message.id is None  # not a log position: Last-Event-ID stays put
        if wanted(message.data):
            data: dict[str, Any] = message.data
            return data


def names(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(v["display_name"], v["chapter_id"]) for v in data["viewers"]]


async def event_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text("SELECT count(*) FROM events")) or 0)


async def test_a_heartbeat_through_b_reaches_a_stream_of_a_within_a_second(
    pair: Pair, engine: AsyncEngine
) -> None:
    owner = await a_user(pair.b, "olga")
    member = await a_user(pair.b, "magnus")
    workspace, study_id, chapter_id = await a_live_study(pair.b, owner)
    await shared_with(pair.b, owner, workspace, member, "viewer")
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        events_before = await event_count(engine)
        answer = await heartbeat(pair.b, study_id, page(), member, chapter_id)
        sent = time.monotonic()
        assert answer.status_code == 200, answer.text
        assert names(answer.json()) == [("magnus", chapter_id)]
        seen = await presence_until(stream, lambda d: d["viewers"])
        assert time.monotonic() - sent < DEADLINE
        assert seen["viewers"] == [
            {"user_id": member.id, "display_name": "magnus", "chapter_id": chapter_id}
        ]
    assert await event_count(engine) == events_before  # presence is not a change


async def test_a_chapter_change_and_a_goodbye_reach_the_stream_at_once(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    other = await pair.b.post(
        f"/studies/{study_id}/chapters",
        json={"fen": "8/8/8/8/8/8/8/K6k w - - 0 1"},
        headers=owner.headers,
    )
    assert other.status_code == 201, other.text
    second = other.json()["studies"][0]["chapters"][-1]["id"]
    tab = page()
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        assert (await heartbeat(pair.b, study_id, tab, owner, chapter_id)).status_code == 200
        await presence_until(stream, lambda d: names(d) == [("olga", chapter_id)])
        assert (await heartbeat(pair.b, study_id, tab, owner, second)).status_code == 200
        await presence_until(stream, lambda d: names(d) == [("olga", second)])
        gone = await pair.b.delete(f"/studies/{study_id}/presence/{tab}", headers=owner.headers)
        assert gone.status_code == 204
        await presence_until(stream, lambda d: d["viewers"] == [])


async def test_a_page_that_vanishes_leaves_the_list_within_the_ttl(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    member = await a_user(pair.b, "magnus")
    workspace, study_id, _ = await a_live_study(pair.b, owner)
    await shared_with(pair.b, owner, workspace, member, "viewer")
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        # seen_at is the heartbeat transaction's now(), so after this and before the answer.
        last_heartbeat = time.monotonic()
        assert (await heartbeat(pair.b, study_id, page(), member)).status_code == 200
        await presence_until(stream, lambda d: d["viewers"])
        # No goodbye, no more heartbeats: the hub's periodic read drops it.
        await presence_until(stream, lambda d: d["viewers"] == [], within=TTL + 2)
        assert time.monotonic() - last_heartbeat >= TTL - 0.1
    listed = await pair.b.get(f"/studies/{study_id}/presence", headers=owner.headers)
    assert listed.json() == {"viewers": [], "anonymous": 0}


async def test_two_tabs_of_one_person_are_one_viewer_at_the_latest_chapter(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    assert (await heartbeat(pair.b, study_id, page(), owner)).status_code == 200
    answer = await heartbeat(pair.a, study_id, page(), owner, chapter_id)
    assert names(answer.json()) == [("olga", chapter_id)]


async def test_presence_is_for_readers_of_the_study_only(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    stranger = await a_user(pair.b, "mallory")
    _, study_id, _ = await a_live_study(pair.b, owner)
    assert (await heartbeat(pair.b, study_id, page(), owner)).status_code == 200
    path = f"/studies/{study_id}/presence"
    for actor in (stranger, None):
        headers = actor.headers if actor else {}
        assert (await pair.b.get(path, headers=headers)).status_code == 404
        assert (await heartbeat(pair.b, study_id, page(), actor)).status_code == 404
        assert (await pair.b.delete(f"{path}/{page()}", headers=headers)).status_code == 404
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await pair.b.get(path, headers=bad)).status_code == 401
    listed = await pair.b.get(path, headers=owner.headers)
    assert names(listed.json()) == [("olga", None)]


async def test_anonymous_readers_of_a_public_study_are_counted_never_named(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    public = await pair.b.put(
        f"/nodes/{study_id}/visibility", json={"visibility": "public"}, headers=owner.headers
    )
    assert public.status_code == 200, public.text
    visitor = page()
    answer = await heartbeat(pair.b, study_id, visitor, None, chapter_id)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"viewers": [], "anonymous": 1}
    assert (await heartbeat(pair.a, study_id, page(), owner)).status_code == 200
    listed = await pair.a.get(f"/studies/{study_id}/presence")
    assert listed.json() == {
        "viewers": [{"user_id": owner.id, "display_name": "olga", "chapter_id": None}],
        "anonymous": 1,
    }
    gone = await pair.b.delete(f"/studies/{study_id}/presence/{visitor}")
    assert gone.status_code == 204
    assert (await pair.a.get(f"/studies/{study_id}/presence")).json()["anonymous"] == 0


async def test_a_page_id_of_someone_else_is_refused_and_left_alone(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    member = await a_user(pair.b, "magnus")
    workspace, study_id, chapter_id = await a_live_study(pair.b, owner)
    await shared_with(pair.b, owner, workspace, member, "viewer")
    tab = page()
    assert (await heartbeat(pair.b, study_id, tab, owner, chapter_id)).status_code == 200
    taken = await heartbeat(pair.b, study_id, tab, member)
    assert taken.status_code == 409
    assert taken.headers["content-type"].startswith("application/problem+json")
    await pair.b.delete(f"/studies/{study_id}/presence/{tab}", headers=member.headers)
    listed = await pair.b.get(f"/studies/{study_id}/presence", headers=owner.headers)
    assert names(listed.json()) == [("olga", chapter_id)]


async def test_a_chapter_of_another_study_is_refused_with_422(pair: Pair) -> None:
    owner = await a_user(pair.b, "olga")
    _, study_id, _ = await a_live_study(pair.b, owner)
    _, _, elsewhere = await a_live_study(pair.b, owner)
    refused = await heartbeat(pair.b, study_id, page(), owner, elsewhere)
    assert refused.status_code == 422
    assert "chapter_id" in refused.text
    bad_body = await pair.b.put(
        f"/studies/{study_id}/presence/{page()}", json={"chapter": 1}, headers=owner.headers
    )
    assert bad_body.status_code == 422
    listed = await pair.b.get(f"/studies/{study_id}/presence", headers=owner.headers)
    assert listed.json()["viewers"] == []


async def test_the_maintenance_job_deletes_expired_rows_only(
    pair: Pair, engine: AsyncEngine, settings: Settings
) -> None:
    owner = await a_user(pair.b, "olga")
    _, study_id, _ = await a_live_study(pair.b, owner)
    old, fresh = page(), page()
    for tab in (old, fresh):
        assert (await heartbeat(pair.b, study_id, tab, owner)).status_code == 200
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE study_presences SET seen_at = now() - interval '1 hour' WHERE page_id = :p"
            ),
            {"p": old},
        )
    job = runner.load_jobs()["presence.expire"]
    result = await runner.run_job(engine, make_sessionmaker(engine), job, settings)
    assert (result.ran, result.items, result.error) == (True, 1, None)
    async with engine.connect() as connection:
        left = await connection.scalars(text("SELECT page_id::text FROM study_presences"))
        assert left.all() == [fresh]
