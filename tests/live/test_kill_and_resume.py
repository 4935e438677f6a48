"""A client streaming from a process that is killed (-9) resumes on the other process
and misses nothing: what it receives comes from the log, not from a process's memory."""

from __future__ import annotations

import httpx

from tests.factories import a_user
from tests.live.conftest import LIVE_ENV
from tests.live.sse import EventStream
from tests.live.test_study_stream import a_live_study, comment
from tests.servers import running_servers


async def test_kill_9_of_the_streaming_process_then_resume_on_the_other_misses_nothing(
    database_url: str,
) -> None:
    async with (
        running_servers(database_url, count=2, env=LIVE_ENV) as servers,
        httpx.AsyncClient(base_url=servers[0].base_url, timeout=10) as a,
        httpx.AsyncClient(base_url=servers[1].base_url, timeout=10) as b,
    ):
        owner = await a_user(b, "owner")
        _, study_id, chapter_id = await a_live_study(b, owner)
        path = f"/studies/{study_id}/stream"
        async with EventStream(a, path, owner.headers) as stream:
            for n in range(3):
                await comment(b, owner, study_id, chapter_id, f"seen {n}")
            seen = await stream.take(3)
            servers[0].process.kill()
            await stream.end()
        for n in range(5):
            await comment(b, owner, study_id, chapter_id, f"while away {n}")
        headers = {**owner.headers, "Last-Event-ID": seen[-1].id or ""}
        async with EventStream(b, path, headers) as resumed:
            missed = await resumed.take(5)
            assert resumed.pending() == []
    versions = [m.data["version"] for m in seen + missed]
    assert versions == list(range(versions[0], versions[0] + 8))
    positions = [m.position for m in seen + missed]
    assert positions == sorted(set(positions))
