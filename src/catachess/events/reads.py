"""Reading the event log and the activity feed: what a caller may see, page by page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.errors import NotFound
from catachess.events import repository
from catachess.events.chains import ChainEntry, build_tree
from catachess.events.models import ActivityEntry, Event
from catachess.events.repository import EventFilter
from catachess.pagination import cursor_int, decode_cursor, encode_cursor
from catachess.sharing import access
from catachess.sharing.policy import Action, allows

# Events of one correlation id returned at most; a request fans out to a handful of
# events, so a longer chain is a runaway and is cut (and says so).
MAX_CHAIN_EVENTS = 1000

Item = TypeVar("Item")


class EventNotFound(NotFound):
    code = "event_not_found"


class ChainNotFound(NotFound):
    code = "chain_not_found"


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class Chain:
    correlation_id: str
    events: Sequence[Event]
    roots: list[ChainEntry]
    truncated: bool


def encode_seq_cursor(seq: int) -> str:
    return encode_cursor([seq])


def decode_seq_cursor(cursor: str) -> int:
    [seq] = decode_cursor(cursor, 1)
    return cursor_int(seq)


async def list_events(
    session: AsyncSession,
    user: User,
    where: EventFilter,
    *,
    cursor: str | None,
    limit: int,
    newest_first: bool,
) -> Page[Event]:
    """Events the caller may read, filtered, in log order, with keyset pagination."""
    after = decode_seq_cursor(cursor) if cursor else None
    rows = list(
        await repository.list_visible(
            session, user.id, where, after_seq=after, newest_first=newest_first, limit=limit + 1
        )
    )
    next_cursor = encode_seq_cursor(rows[limit - 1].seq) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


async def get_event(session: AsyncSession, user: User, event_id: uuid.UUID) -> Event:
    """One event; 404 alike for missing and not readable, so existence is not revealed."""
    event = await repository.get_visible(session, user.id, event_id)
    if event is None:
        raise EventNotFound(f"event {event_id} does not exist")
    return event


async def event_chain(
    session: AsyncSession, user_id: uuid.UUID | None, correlation_id: str
) -> Chain:
    """The causation tree of one correlation id; user_id None (the CLI) sees every event."""
    events = list(
        await repository.list_chain(
            session, correlation_id, user_id=user_id, limit=MAX_CHAIN_EVENTS + 1
        )
    )
    if not events:
        raise ChainNotFound(f"no events with correlation id {correlation_id!r}")
    truncated = len(events) > MAX_CHAIN_EVENTS
    events = events[:MAX_CHAIN_EVENTS]
    return Chain(correlation_id, events, build_tree(events), truncated)


async def list_activity(
    session: AsyncSession, user: User, node_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Page[ActivityEntry]:
    """The activity feed of a node you may read: its subtree's changes, newest first."""
    granted = await access.require(session, user.id, node_id, Action.read)
    before = decode_seq_cursor(cursor) if cursor else None
    # Lines of trashed and purged nodes: only for those who manage the trash (as events).
    with_gone = allows(granted.role, Action.purge)
    rows = list(
        await repository.list_activity(
            session, granted.node, with_gone=with_gone, before_seq=before, limit=limit + 1
        )
    )
    next_cursor = encode_seq_cursor(rows[limit - 1].seq) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)
