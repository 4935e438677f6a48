"""Queries of the event log and the activity feed, with visibility decided in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.events.models import ActivityEntry, Event
from catachess.events.types import EventType
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.repository import subtree_filter
from catachess.sharing.models import Grant
from catachess.sharing.policy import MINIMUM_ROLE, Action
from catachess.sharing.repository import ROLE_RANK, ancestor_ids_of

# Who-may-access-what events: the same role as reading the shares of the node.
SHARING_EVENTS = [
    EventType.acl_granted,
    EventType.acl_revoked,
    EventType.share_link_created,
    EventType.share_link_revoked,
    EventType.share_link_accepted,
    EventType.invitation_created,
    EventType.invitation_revoked,
    EventType.invitation_accepted,
]


def visible_to(user_id: uuid.UUID) -> ColumnElement[bool]:
    """Events the user may read (the rules are in docs/events.md).

    - a user's own events (target type `user`) only to that user;
    - events of a live node — the target node, or the study a chapter or discussion
      belongs to (`Event.node_id`) — to whoever holds a role on it or an ancestor:
      viewer, or the role that manages shares for sharing events;
    - events whose node is in the trash or purged (G3: gone from ordinary reads) only to
      those who manage the trash: admins of the workspace root.
    """
    required = case(
        (
            Event.event_type.in_([str(t) for t in SHARING_EVENTS]),
            MINIMUM_ROLE[Action.manage_shares].rank,
        ),
        else_=MINIMUM_ROLE[Action.read].rank,
    )
    held = ROLE_RANK  # the rank of the Grant row in each subquery below
    on_live_node = exists(
        select(literal(1))
        .select_from(Node)
        .join(Grant, Grant.node_id == func.any(ancestor_ids_of(Node.path)))
        .where(
            Node.id == Event.node_id,
            Node.trashed_at.is_(None),
            Grant.user_id == user_id,
            held >= required,
        )
    )
    node_not_live = or_(
        Event.node_id.is_(None),
        ~exists(select(literal(1)).where(Node.id == Event.node_id, Node.trashed_at.is_(None))),
    )
    trash_managers = MINIMUM_ROLE[Action.purge].rank
    on_workspace_root = exists(
        select(literal(1)).where(
            Grant.node_id == Event.workspace_id,
            Grant.user_id == user_id,
            held >= trash_managers,
        )
    )
    # Only workspaces the user holds any grant in can hold visible events; saying so
    # lets the planner stay on ix_events_workspace instead of testing the whole log.
    my_workspaces = select(Grant.workspace_id).where(Grant.user_id == user_id)
    return or_(
        and_(Event.target_type == "user", Event.target_id == user_id),
        and_(
            Event.workspace_id.in_(my_workspaces),
            or_(on_live_node, and_(node_not_live, on_workspace_root)),
        ),
    )


@dataclass(frozen=True)
class EventFilter:
    target_id: uuid.UUID | None = None
    event_type: EventType | None = None
    actor_id: uuid.UUID | None = None
    correlation_id: str | None = None
    workspace_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.target_id is not None:
            conditions.append(Event.target_id == self.target_id)
        if self.event_type is not None:
            conditions.append(Event.event_type == str(self.event_type))
        if self.actor_id is not None:
            conditions.append(Event.actor_id == self.actor_id)
        if self.correlation_id is not None:
            conditions.append(Event.correlation_id == self.correlation_id)
        if self.workspace_id is not None:
            conditions.append(Event.workspace_id == self.workspace_id)
        if self.since is not None:
            conditions.append(Event.timestamp >= self.since)
        if self.until is not None:
            conditions.append(Event.timestamp < self.until)
        return conditions


async def list_visible(
    session: AsyncSession,
    user_id: uuid.UUID,
    where: EventFilter,
    *,
    after_seq: int | None,
    newest_first: bool,
    limit: int,
) -> Sequence[Event]:
    """One page of visible events in log order (keyset on seq)."""
    query = select(Event).where(visible_to(user_id), *where.conditions())
    if after_seq is not None:
        query = query.where(Event.seq < after_seq if newest_first else Event.seq > after_seq)
    order = Event.seq.desc() if newest_first else Event.seq.asc()
    return (await session.scalars(query.order_by(order).limit(limit))).all()


async def get_visible(
    session: AsyncSession, user_id: uuid.UUID, event_id: uuid.UUID
) -> Event | None:
    return await session.scalar(
        select(Event).where(Event.event_id == event_id, visible_to(user_id))
    )


async def list_chain(
    session: AsyncSession, correlation_id: str, *, user_id: uuid.UUID | None, limit: int
) -> Sequence[Event]:
    """Events of one correlation id in log order; user_id None (the CLI) sees all."""
    query = select(Event).where(Event.correlation_id == correlation_id)
    if user_id is not None:
        query = query.where(visible_to(user_id))
    return (await session.scalars(query.order_by(Event.seq).limit(limit))).all()


async def list_activity(
    session: AsyncSession,
    node: Node,
    *,
    with_gone: bool,
    before_seq: int | None,
    limit: int,
) -> Sequence[ActivityEntry]:
    """Feed lines of a node's live subtree, newest first.

    `with_gone` (a workspace feed read by those who manage its trash, the rule of
    `visible_to`) also keeps the lines of trashed and purged nodes.
    """
    query = select(ActivityEntry).where(ActivityEntry.workspace_id == node.workspace_id)
    if not (with_gone and node.kind is NodeKind.workspace):
        live_below = select(Node.id).where(subtree_filter(node), Node.trashed_at.is_(None))
        query = query.where(ActivityEntry.node_id.in_(live_below))
    if before_seq is not None:
        query = query.where(ActivityEntry.seq < before_seq)
    return (await session.scalars(query.order_by(ActivityEntry.seq.desc()).limit(limit))).all()
