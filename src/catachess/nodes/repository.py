"""Queries of the node tree (materialized path: 'root-id/child-id/.../self-id')."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.db.base import utcnow
from catachess.nodes.models import Node


def subtree_filter(node: Node) -> ColumnElement[bool]:
    """The node and all its descendants; the LIKE prefix uses ix_nodes_path."""
    return (Node.workspace_id == node.workspace_id) & or_(
        Node.path == node.path, Node.path.like(node.path + "/%")
    )


async def list_children(
    session: AsyncSession,
    parent_id: uuid.UUID,
    *,
    after: tuple[str, uuid.UUID] | None,
    limit: int,
) -> Sequence[Node]:
    query = select(Node).where(Node.parent_id == parent_id, Node.trashed_at.is_(None))
    if after is not None:
        query = query.where(tuple_(Node.name, Node.id) > tuple_(*after))
    return (await session.scalars(query.order_by(Node.name, Node.id).limit(limit))).all()


async def get_many(session: AsyncSession, ids: list[uuid.UUID]) -> Sequence[Node]:
    return (await session.scalars(select(Node).where(Node.id.in_(ids)))).all()


async def sibling_name_taken(
    session: AsyncSession, parent_id: uuid.UUID, name: str, *, excluding: uuid.UUID | None = None
) -> bool:
    query = select(Node.id).where(
        Node.parent_id == parent_id,
        func.lower(Node.name) == name.lower(),
        Node.trashed_at.is_(None),
    )
    if excluding is not None:
        query = query.where(Node.id != excluding)
    return (await session.scalar(query.limit(1))) is not None


async def sibling_names_with_prefix(
    session: AsyncSession, parent_id: uuid.UUID, prefix: str
) -> set[str]:
    """Lower-cased names of live children of `parent_id` that start with `prefix`."""
    escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = await session.scalars(
        select(func.lower(Node.name)).where(
            Node.parent_id == parent_id,
            Node.trashed_at.is_(None),
            func.lower(Node.name).like(escaped + "%", escape="\\"),
        )
    )
    return set(rows)


async def count_subtree(session: AsyncSession, node: Node) -> int:
    return await session.scalar(select(func.count()).where(subtree_filter(node))) or 0


async def move_subtree(session: AsyncSession, node: Node, new_path: str) -> int:
    """Rewrite the path prefix of the node and every descendant in one statement."""
    old_prefix_length = len(node.path)
    result = await session.execute(
        update(Node)
        .where(subtree_filter(node))
        .values(path=new_path + func.substr(Node.path, old_prefix_length + 1))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def touch(session: AsyncSession, node: Node) -> None:
    node.version += 1
    node.updated_at = utcnow()
    await session.flush()
