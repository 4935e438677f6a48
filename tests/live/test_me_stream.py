"""GET /me/stream: a user's notifications pushed live, across two server processes."""

from __future__ import annotations

from tests.factories import a_user, a_workspace, shared_with
from tests.live.conftest import Pair
from tests.live.sse import EventStream
from tests.studies.helpers import a_chapter


async def test_a_share_made_through_b_is_pushed_to_the_grantee_streaming_from_a(
    relaying_pair: Pair,
) -> None:
    alice, bob = await a_user(relaying_pair.b, "alice"), await a_user(relaying_pair.b, "bob")
    workspace = await a_workspace(relaying_pair.b, alice)
    study_id, _ = await a_chapter(relaying_pair.b, alice, workspace)
    async with EventStream(relaying_pair.a, "/me/stream", bob.headers) as stream:
        await shared_with(relaying_pair.b, alice, {"id": study_id}, bob, "viewer")
        created = await stream.next()
        read = await relaying_pair.b.post(
            "/notifications/read",
            json={"ids": [created.data["payload"]["notification_id"]]},
            headers=bob.headers,
        )
        assert read.status_code == 200, read.text
        marked = await stream.next()
    assert created.event == "notification.created"
    assert created.data["target"] == {"id": bob.id, "type": "user"}
    assert created.data["payload"]["kind"] == "share"
    assert created.data["payload"]["summary"] == "alice shared “Najdorf” with you as viewer"
    assert marked.event == "notification.read"
    assert marked.position > created.position
    # Alice's own events (she did the sharing) never reach Bob's stream.
    assert stream.pending() == []


async def test_me_stream_resumes_with_the_missed_notifications(relaying_pair: Pair) -> None:
    alice, bob = await a_user(relaying_pair.b, "alice"), await a_user(relaying_pair.b, "bob")
    workspace = await a_workspace(relaying_pair.b, alice)
    async with EventStream(relaying_pair.a, "/me/stream", bob.headers) as stream:
        await shared_with(relaying_pair.b, alice, workspace, bob, "viewer")
        first = await stream.next()
    for name in ("Dragon", "Sveshnikov"):
        study_id, _ = await a_chapter(relaying_pair.b, alice, workspace, name=name)
        await shared_with(relaying_pair.b, alice, {"id": study_id}, bob, "editor")
    headers = {**bob.headers, "Last-Event-ID": str(first.position)}
    async with EventStream(relaying_pair.a, "/me/stream", headers) as resumed:
        missed = await resumed.take(2)
    assert [m.data["payload"]["summary"] for m in missed] == [
        "alice shared “Dragon” with you as editor",
        "alice shared “Sveshnikov” with you as editor",
    ]
