"""Server-Sent Events of one stream: catch-up from the log, then what the hub offers.

Wire format (docs/live.md): every event is `id: <position>`, `event: <type>`,
`data: <envelope JSON>`; `reset` says the client was away longer than the catch-up
window and must reload; `closed` is the last message and says why; comment lines are
heartbeats.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson

from catachess.events.models import Event
from catachess.events.schemas import EventRead
from catachess.live import repository
from catachess.live.hub import PAGE, Closing, LiveHub, Presence, Subscription
from catachess.live.schemas import PresenceList

# Milliseconds a client waits before reconnecting (EventSource's `retry`).
RECONNECT_MS = 1000
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def message(kind: str, data: Any, position: int | None = None) -> bytes:
    lines = f"id: {position}\n" if position is not None else ""
    return f"{lines}event: {kind}\ndata: ".encode() + orjson.dumps(data) + b"\n\n"


def presence_message(viewers: PresenceList) -> bytes:
    """Who views the study now: no `id:`, so a client's Last-Event-ID stays where it was."""
    return message("presence", viewers.model_dump(mode="json"))


def event_message(event: Event) -> bytes:
    envelope = EventRead.of(event).model_dump(mode="json")
    return message(event.event_type, envelope, event.position)


async def follow(
    hub: LiveHub, sub: Subscription, *, after: int | None, heartbeat: float, catch_up_limit: int
) -> AsyncIterator[bytes]:
    """The stream of `sub`: the events after `after` from the log, then live ones."""
    start = await hub.subscribe(sub)
    try:
        yield f"retry: {RECONNECT_MS}\n: subscribed at {start}\n\n".encode()
        if after is not None and after != start:
            async for chunk in _catch_up(hub, sub, after, start, catch_up_limit):
                yield chunk
        while True:
            try:
                async with asyncio.timeout(heartbeat):
                    item = await sub.inbox.get()
            except TimeoutError:
                # Also a backstop for access changes the hub did not see as events.
                async with hub.sessions() as session:
                    await hub.recheck(session, [sub])
                if sub.closed is None:
                    yield b": heartbeat\n\n"
                continue
            if isinstance(item, Closing):
                yield message("closed", {"reason": item.reason})
                return
            if isinstance(item, Presence):
                yield presence_message(item.viewers)
                continue
            yield event_message(item)
    finally:
        hub.unsubscribe(sub)


async def _catch_up(
    hub: LiveHub, sub: Subscription, after: int, start: int, limit: int
) -> AsyncIterator[bytes]:
    """The events of (after, start] from the log, or `reset` when that is too far back."""
    async with hub.sessions() as session:
        missed = await repository.count_after(session, after, start, cap=limit, **sub.filters())
    if after > start or missed > limit:
        reason = "unknown_position" if after > start else "too_far_behind"
        yield message("reset", {"reason": reason, "position": start}, start)
        return
    cursor = after
    while cursor < start:
        async with hub.sessions() as session:
            page = await repository.list_after(session, cursor, start, limit=PAGE, **sub.filters())
        for event in page:
            if sub.wants(event):
                yield event_message(event)
        if len(page) < PAGE:
            return
        cursor = page[-1].position or start
