"""Queries of notifications, and of what the subscriber needs to know about an event."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.discussions.models import Post, Thread
from catachess.nodes.models import Node
from catachess.notifications.models import Notification, NotificationPreference
from catachess.sharing.models import Grant
from catachess.sharing.policy import Role


async def add(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert one notification unless its (event, recipient) has one; True if inserted.

    Its id is derived from (event, recipient) too, so two deliverers racing collide on the
    primary key as well as on the (event, recipient) constraint, in whichever order
    PostgreSQL checks them: naming one arbiter let the other raise (a flaky
    `test_two_processes_delivering_one_event_at_once_make_one_notification`). Any conflict
    means the notification exists.
    """
    inserted = await session.scalar(
        insert(Notification).values(values).on_conflict_do_nothing().returning(Notification.id)
    )
    return inserted is not None


async def disabled_kinds(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, set[str]]:
    rows = await session.execute(
        select(NotificationPreference.user_id, NotificationPreference.disabled_kinds).where(
            NotificationPreference.user_id.in_(user_ids)
        )
    )
    return {user_id: set(kinds) for user_id, kinds in rows}


async def get_preference(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    kinds = await session.scalar(
        select(NotificationPreference.disabled_kinds).where(
            NotificationPreference.user_id == user_id
        )
    )
    return list(kinds or [])


async def set_preference(
    session: AsyncSession, user_id: uuid.UUID, disabled: list[str], now: datetime
) -> None:
    statement = insert(NotificationPreference).values(
        user_id=user_id, disabled_kinds=disabled, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"disabled_kinds": disabled, "updated_at": now},
        )
    )


async def list_for(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    before_seq: int | None,
    unread_only: bool,
    limit: int,
) -> Sequence[Notification]:
    query = select(Notification).where(Notification.recipient_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before_seq is not None:
        query = query.where(Notification.seq < before_seq)
    return (await session.scalars(query.order_by(Notification.seq.desc()).limit(limit))).all()


async def count_unread(session: AsyncSession, user_id: uuid.UUID) -> int:
    count = await session.scalar(
        select(func.count()).where(
            Notification.recipient_id == user_id, Notification.read_at.is_(None)
        )
    )
    return int(count or 0)


async def get_seq(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> int | None:
    return await session.scalar(
        select(Notification.seq).where(
            Notification.id == notification_id, Notification.recipient_id == user_id
        )
    )


async def mark_read(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    ids: Sequence[uuid.UUID],
    up_to_seq: int | None,
    now: datetime,
) -> list[uuid.UUID]:
    """Mark the user's unread notifications among `ids`, or up to a seq; returns them."""
    chosen: list[ColumnElement[bool]] = []
    if ids:
        chosen.append(Notification.id.in_(ids))
    if up_to_seq is not None:
        chosen.append(Notification.seq <= up_to_seq)
    if not chosen:
        return []
    marked = await session.scalars(
        update(Notification)
        .where(
            Notification.recipient_id == user_id,
            Notification.read_at.is_(None),
            or_(*chosen),
        )
        .values(read_at=now)
        .returning(Notification.id)
    )
    return list(marked)


def path_ids(node: Node) -> list[uuid.UUID]:
    """The node and its ancestors (its materialized path)."""
    return [uuid.UUID(part) for part in node.path.split("/") if part]


async def get_thread(session: AsyncSession, thread_id: uuid.UUID) -> Thread | None:
    return await session.get(Thread, thread_id)


async def get_post(session: AsyncSession, post_id: uuid.UUID) -> Post | None:
    return await session.get(Post, post_id)


async def get_node(session: AsyncSession, node_id: uuid.UUID) -> Node | None:
    return await session.get(Node, node_id)


async def display_names(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
    return {user_id: name for user_id, name in rows}


async def owners_of(session: AsyncSession, node: Node) -> list[uuid.UUID]:
    """Users holding the owner role on the node or one of its ancestors."""
    rows = await session.scalars(
        select(Grant.user_id)
        .where(
            Grant.node_id.in_(path_ids(node)),
            Grant.role == Role.owner.value,
        )
        .distinct()
    )
    return list(rows)


async def members_named(
    session: AsyncSession, node: Node, handles: Sequence[str]
) -> list[uuid.UUID]:
    """Users with a role on the node (or above) whose e-mail, or display name without
    spaces, is one of the handles (compared case-insensitively)."""
    squeezed = func.lower(func.replace(User.display_name, " ", ""))
    rows = await session.scalars(
        select(User.id)
        .join(Grant, Grant.user_id == User.id)
        .where(
            Grant.node_id.in_(path_ids(node)),
            or_(User.email.in_(handles), squeezed.in_(handles)),
        )
        .distinct()
    )
    return list(rows)
