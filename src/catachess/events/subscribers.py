"""The registry of subscribers: handlers that run after commit, at least once per event.

`events.record()` writes one delivery row per subscriber of the event's type in the same
transaction as the event (the outbox); the relay (events/relay.py) later runs each handler
in a transaction of its own together with marking its delivery done.

A handler receives the relay's session and the event. Its database writes commit
atomically with the delivery mark, so they happen exactly once; anything outside the
database may happen more than once and must tolerate that. Events it records inherit the
triggering event's correlation id and get its event_id as causation_id.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.events.models import Event
from catachess.events.types import EventType

Handler = Callable[[AsyncSession, Event], Awaitable[None]]
# Handles several events of one batch at once (in log order), as `Handler` would one by one.
BatchHandler = Callable[[AsyncSession, list[Event]], Awaitable[None]]

# Modules whose import registers subscribers. Loaded before the first event is recorded,
# so every process owes the same deliveries for the same event.
SUBSCRIBER_MODULES = ["catachess.events.activity", "catachess.notifications.subscriber"]

NAME = re.compile(r"^[a-z][a-z0-9_.\-]{0,63}$")  # fits event_deliveries.subscriber


@dataclass(frozen=True)
class Subscriber:
    name: str
    event_types: frozenset[EventType]
    handle: Handler
    handle_many: BatchHandler | None = None


SUBSCRIBERS: dict[str, Subscriber] = {}
_loaded = False


def subscriber(
    name: str, *, event_types: Iterable[EventType], many: BatchHandler | None = None
) -> Callable[[Handler], Handler]:
    """Register `async def handler(session, event)` for the given event types.

    `many`, if given, does what the handler does for several events at once, in fewer
    statements: the relay gives it a batch's events of this subscriber together when no
    handler of the batch fails (the handler alone runs when the relay retries one)."""
    if not NAME.match(name):
        raise ValueError(f"subscriber name {name!r} must match {NAME.pattern}")
    types = frozenset(event_types)
    if not types:
        raise ValueError(f"subscriber {name!r} listens to no event type")

    def register(handler: Handler) -> Handler:
        if name in SUBSCRIBERS and SUBSCRIBERS[name].handle is not handler:
            raise ValueError(f"two subscribers are named {name!r}")
        SUBSCRIBERS[name] = Subscriber(
            name=name, event_types=types, handle=handler, handle_many=many
        )
        return handler

    return register


def registered() -> dict[str, Subscriber]:
    """Every subscriber of this process, loading the subscriber modules once."""
    global _loaded
    if not _loaded:
        for module in SUBSCRIBER_MODULES:
            importlib.import_module(module)
        _loaded = True
    return SUBSCRIBERS


def names_for(event_type: EventType) -> list[str]:
    """Subscribers owed a delivery of an event of this type, in a stable order."""
    return sorted(s.name for s in registered().values() if event_type in s.event_types)
