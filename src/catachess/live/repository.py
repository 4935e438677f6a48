"""Queries of live streams: the event log read by commit-ordered position."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.events.models import Event
from catachess.nodes.models import Node


async def head_position(session: AsyncSession) -> int:
    """The highest committed position: every position up to it is visible now."""
    head = await session.scalar(select(func.max(Event.position)))
    return int(head or 0)


def _wanted(
    node_ids: Sequence[uuid.UUID] = (),
    workspace_types: tuple[Sequence[uuid.UUID], Sequence[str]] = ((), ()),
    user_types: tuple[Sequence[uuid.UUID], Sequence[str]] = ((), ()),
) -> list[ColumnElement[bool]]:
    """Events of one of the nodes, or of one of the types in one of the workspaces, or
    one of the users' own events of the types."""
    wanted: list[ColumnElement[bool]] = []
    if node_ids:
        wanted.append(Event.node_id.in_(node_ids))
    workspaces, types = workspace_types
    if workspaces and types:
        wanted.append(and_(Event.workspace_id.in_(workspaces), Event.event_type.in_(types)))
    users, own_types = user_types
    if users and own_types:
        wanted.append(
            and_(
                Event.target_type == "user",
                Event.target_id.in_(users),
                Event.event_type.in_(own_types),
            )
        )
    return wanted


async def list_after(
    session: AsyncSession, after: int, upto: int, *, limit: int, **filters: Any
) -> Sequence[Event]:
    """Wanted events (see _wanted) in (after, upto], in position order."""
    wanted = _wanted(**filters)
    if not wanted:
        return []
    query = (
        select(Event)
        .where(Event.position > after, Event.position <= upto, or_(*wanted))
        .order_by(Event.position)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def count_after(
    session: AsyncSession, after: int, upto: int, *, cap: int, **filters: Any
) -> int:
    """How many wanted events lie in (after, upto], counting at most `cap + 1`."""
    wanted = _wanted(**filters)
    if not wanted:
        return 0
    capped = (
        select(literal(1))
        .where(Event.position > after, Event.position <= upto, or_(*wanted))
        .limit(cap + 1)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(capped)) or 0)


async def is_trashed(session: AsyncSession, node_id: uuid.UUID) -> bool:
    """True if the node is in the trash or was purged."""
    trashed_at = await session.execute(select(Node.trashed_at).where(Node.id == node_id))
    row = trashed_at.first()
    return row is None or row[0] is not None
