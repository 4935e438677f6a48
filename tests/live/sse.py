"""A Server-Sent Events client for tests: reads a stream in the background.

async with EventStream(client, f"/studies/{id}/stream", actor.headers) as stream:
    message = await stream.next()          # the next event (id, event, data)
    assert (await stream.next()).event == "chapter.move_added"
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

WAIT = 5.0  # seconds a test waits for something that must come


@dataclass(frozen=True)
class Message:
    id: str | None
    event: str
    data: Any

    @property
    def position(self) -> int:
        assert self.id is not None, self
        return int(self.id)


class EventStream:
    def __init__(
        self, client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
    ) -> None:
        self.client = client
        self.path = path
        self.headers = headers or {}
        self.messages: asyncio.Queue[Message | None] = asyncio.Queue()
        self.comments: list[str] = []
        self.response: httpx.Response | None = None
        self.subscribed = asyncio.Event()
        self.heartbeat = asyncio.Event()
        self._stream: Any = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EventStream:
        self._stream = self.client.stream("GET", self.path, headers=self.headers, timeout=None)
        self.response = await self._stream.__aenter__()
        assert self.response.status_code == 200, (await self.response.aread()).decode()
        self._task = asyncio.create_task(self._read())
        # The server comments ": subscribed" once the stream is registered: anything
        # committed after that reaches it.
        await asyncio.wait_for(self.subscribed.wait(), WAIT)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task
        with contextlib.suppress(httpx.HTTPError):
            await self._stream.__aexit__(exc_type, exc, traceback)

    async def _read(self) -> None:
        assert self.response is not None
        fields: dict[str, str] = {}
        try:
            async for line in self.response.aiter_lines():
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    if line.startswith(": subscribed"):
                        self.subscribed.set()
                    if line == ": heartbeat":
                        self.heartbeat.set()
                elif line == "":
                    if "data" in fields:
                        data = json.loads(fields["data"])
                        message = Message(fields.get("id"), fields.get("event", "message"), data)
                        await self.messages.put(message)
                    fields = {}
                else:
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
        except httpx.HTTPError:
            pass
        await self.messages.put(None)  # the stream ended

    async def next(self, within: float = WAIT) -> Message:
        message = await asyncio.wait_for(self.messages.get(), within)
        assert message is not None, "the stream ended"
        return message

    async def take(self, count: int, within: float = WAIT) -> list[Message]:
        return [await self.next(within) for _ in range(count)]

    async def end(self, within: float = WAIT) -> None:
        """Wait for the server to end the stream; nothing else may come first."""
        message = await asyncio.wait_for(self.messages.get(), within)
        assert message is None, f"expected the end, got {message}"

    def pending(self) -> list[Message]:
        """Messages received and not yet taken."""
        found = []
        while not self.messages.empty():
            message = self.messages.get_nowait()
            if message is not None:
                found.append(message)
        return found
