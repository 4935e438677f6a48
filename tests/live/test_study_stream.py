"""GET /studies/{id}/stream across two real server processes (issue 13).

A client streams from process A while the writes go through process B: what it receives
must come from the event log, in commit order, with no gap and no duplicate, also across
a reconnect; losing access ends the stream.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.factories import Actor, a_user, a_workspace, shared_with
from tests.live.conftest import Pair
from tests.live.sse import WAIT, EventStream
from tests.studies.helpers import a_chapter

DEADLINE = 1.0  # the bound from commit (the write's answer) to delivery


async def a_live_study(client: httpx.AsyncClient, owner: Actor) -> tuple[dict[str, Any], str, str]:
    workspace = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, workspace)
    return workspace, study_id, chapter_id


async def comment(
    client: httpx.AsyncClient, actor: Actor, study_id: str, chapter_id: str, text: str
) -> None:
    response = await client.put(
        f"/studies/{study_id}/chapters/{chapter_id}/comment",
        json={"comment": text},
        headers=actor.headers,
    )
    assert response.status_code == 200, response.text


async def test_an_edit_through_b_reaches_a_stream_of_a_within_a_second(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        assert stream.response is not None
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["x-accel-buffering"] == "no"
        await comment(pair.b, owner, study_id, chapter_id, "the plan is f5")
        written = time.monotonic()
        message = await stream.next(within=DEADLINE)
        assert time.monotonic() - written < DEADLINE
    assert message.event == "chapter.comment_set"
    assert message.data["event_type"] == "chapter.comment_set"
    assert message.data["target"] == {"id": chapter_id, "type": "chapter"}
    assert message.data["actor_id"] == owner.id
    assert message.position > 0


async def test_reconnect_with_last_event_id_gets_exactly_the_ten_missed_events_in_order(
    pair: Pair,
) -> None:
    owner = await a_user(pair.b, "owner")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    path = f"/studies/{study_id}/stream"
    async with EventStream(pair.a, path, owner.headers) as stream:
        await comment(pair.b, owner, study_id, chapter_id, "before")
        last = await stream.next()
    for n in range(10):
        await comment(pair.b, owner, study_id, chapter_id, f"missed {n}")
    headers = {**owner.headers, "Last-Event-ID": str(last.position)}
    async with EventStream(pair.a, path, headers) as stream:
        missed = await stream.take(10)
        await comment(pair.b, owner, study_id, chapter_id, "live again")
        live = await stream.next()
        assert stream.pending() == []
    assert [m.event for m in missed] == ["chapter.comment_set"] * 10
    positions = [m.position for m in missed]
    assert positions == sorted(set(positions)) and positions[0] > last.position
    assert [m.data["version"] for m in missed] == list(
        range(last.data["version"] + 1, last.data["version"] + 11)
    )
    assert live.position > positions[-1]
    assert live.data["version"] == missed[-1].data["version"] + 1


async def test_a_resume_too_far_back_gets_a_reset_to_reload(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    path = f"/studies/{study_id}/stream"
    async with EventStream(pair.a, path, owner.headers) as stream:
        await comment(pair.b, owner, study_id, chapter_id, "before")
        last = await stream.next()
    for n in range(13):  # the servers' catch-up window is 12 events
        await comment(pair.b, owner, study_id, chapter_id, f"missed {n}")
    async with EventStream(pair.a, f"{path}?after={last.position}", owner.headers) as stream:
        reset = await stream.next()
        await comment(pair.b, owner, study_id, chapter_id, "after the reset")
        live = await stream.next()
    assert reset.event == "reset"
    assert reset.data["reason"] == "too_far_behind"
    assert reset.position == reset.data["position"] > last.position
    assert live.event == "chapter.comment_set" and live.position > reset.position


async def test_a_stream_carries_no_event_of_another_study(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    workspace, study_id, chapter_id = await a_live_study(pair.b, owner)
    other_id, other_chapter = await a_chapter(pair.b, owner, workspace, name="Dragon")
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        await comment(pair.b, owner, other_id, other_chapter, "elsewhere")
        await comment(pair.b, owner, study_id, chapter_id, "here")
        message = await stream.next()
    assert message.data["payload"]["study_id"] == study_id


async def test_sharing_events_reach_admins_but_not_viewers(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    viewer = await a_user(pair.b, "viewer")
    newcomer = await a_user(pair.b, "newcomer")
    _, study_id, chapter_id = await a_live_study(pair.b, owner)
    study = {"id": study_id}
    await shared_with(pair.b, owner, study, viewer, "viewer")
    path = f"/studies/{study_id}/stream"
    async with (
        EventStream(pair.a, path, owner.headers) as owners,
        EventStream(pair.a, path, viewer.headers) as viewers,
    ):
        await shared_with(pair.b, owner, study, newcomer, "commenter")
        await comment(pair.b, owner, study_id, chapter_id, "welcome")
        seen_by_owner = await owners.take(2)
        seen_by_viewer = await viewers.next()
    assert [m.event for m in seen_by_owner] == ["acl.granted", "chapter.comment_set"]
    assert seen_by_viewer.event == "chapter.comment_set"


async def test_a_revoked_member_stream_closes_within_a_second(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    member = await a_user(pair.b, "member")
    workspace, study_id, _ = await a_live_study(pair.b, owner)
    await shared_with(pair.b, owner, workspace, member, "editor")
    async with EventStream(pair.a, f"/studies/{study_id}/stream", member.headers) as stream:
        revoked = await pair.b.delete(
            f"/nodes/{workspace['id']}/shares/{member.id}", headers=owner.headers
        )
        assert revoked.status_code == 204, revoked.text
        written = time.monotonic()
        closing = await stream.next(within=DEADLINE)
        await stream.end(within=DEADLINE)
        assert time.monotonic() - written < DEADLINE
    assert closing.event == "closed"
    assert closing.data == {"reason": "access_revoked"}
    again = await pair.a.get(f"/studies/{study_id}/stream", headers=member.headers)
    assert again.status_code == 404


async def test_trashing_the_study_closes_its_streams_within_a_second(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    viewer = await a_user(pair.b, "viewer")
    _, study_id, _ = await a_live_study(pair.b, owner)
    await shared_with(pair.b, owner, {"id": study_id}, viewer, "viewer")
    async with EventStream(pair.a, f"/studies/{study_id}/stream", viewer.headers) as stream:
        trashed = await pair.b.delete(f"/nodes/{study_id}", headers=owner.headers)
        assert trashed.status_code == 200, trashed.text
        closing = await stream.next(within=DEADLINE)
        await stream.end(within=DEADLINE)
    assert closing.event == "closed"
    assert closing.data == {"reason": "study_trashed"}


async def test_an_idle_stream_gets_heartbeat_comments(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    _, study_id, _ = await a_live_study(pair.b, owner)
    async with EventStream(pair.a, f"/studies/{study_id}/stream", owner.headers) as stream:
        await asyncio.wait_for(stream.heartbeat.wait(), WAIT)  # the servers beat every 0.5 s
        assert stream.pending() == []


async def test_stream_refuses_strangers_and_malformed_positions(pair: Pair) -> None:
    owner = await a_user(pair.b, "owner")
    stranger = await a_user(pair.b, "stranger")
    _, study_id, _ = await a_live_study(pair.b, owner)
    path = f"/studies/{study_id}/stream"
    anonymous = await pair.a.get(path)
    assert anonymous.status_code == 401
    hidden = await pair.a.get(path, headers=stranger.headers)
    assert hidden.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"
    malformed = await pair.a.get(path, headers={**owner.headers, "Last-Event-ID": "12abc"})
    assert malformed.status_code == 422
    assert malformed.json()["field"] == "Last-Event-ID"
