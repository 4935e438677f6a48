"""Fixtures of the event tests: a session factory, the relay driven by hand, test subscribers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.events import relay
from catachess.events.subscribers import SUBSCRIBERS, Handler, registered, subscriber
from catachess.events.types import EventType


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def deliver(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Callable[..., Any]:
    """`await deliver()` runs the relay until nothing is due (optionally with other settings)."""

    async def run(**overrides: Any) -> int:
        return await relay.drain(sessions, settings.model_copy(update=overrides))

    return run


@pytest.fixture
def add_subscriber() -> Iterator[Callable[[str, Iterable[EventType], Handler], None]]:
    """Register a subscriber for one test only."""
    registered()  # load the real ones first, so removal below leaves them in place
    added: list[str] = []

    def add(name: str, event_types: Iterable[EventType], handler: Handler) -> None:
        subscriber(name, event_types=event_types)(handler)
        added.append(name)

    yield add
    for name in added:
        SUBSCRIBERS.pop(name, None)
