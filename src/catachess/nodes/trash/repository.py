"""Queries of the trash: every statement of trash, restore, purge, listing and retention.

Each operation is a constant number of statements whatever the subtree's size: the
subtree is addressed by its materialized path (ix_nodes_path) or by trash_root_id
(ix_nodes_trash_root_id), never walked node by node.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    Uuid,
    and_,
    case,
    column,
    delete,
    false,
    func,
    select,
    tuple_,
    update,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from catachess.auth.models import User
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.repository import below, in_subtree, subtree_filter
from catachess.nodes.trash.models import TrashEntry
from catachess.sharing.models import Grant
from catachess.sharing.policy import MINIMUM_ROLE, RANKS, Action
from catachess.sharing.repository import ROLE_RANK, ancestor_ids_of

# Length of a uuid in its text form: the last path segment of a node is its own id.
UUID_TEXT_LENGTH = 36


def _rank(user_id: uuid.UUID, on: ColumnElement[bool]) -> Any:
    """The caller's strongest grant on the nodes `on` selects (NULL: none)."""
    return select(func.max(ROLE_RANK)).where(Grant.user_id == user_id, on).scalar_subquery()


@dataclass(frozen=True)
class Located:
    """A node (live or trashed) with its trash entry and the caller's grants around it."""

    node: Node
    entry: TrashEntry | None  # set only for a trashed root
    rank_on_path: int | None  # strongest grant on the node or any ancestor
    rank_above: int | None  # ... on its ancestors only: the role on its parent
    rank_on_workspace: int | None  # ... on the workspace root alone


async def get_located(
    session: AsyncSession, user_id: uuid.UUID, node_id: uuid.UUID
) -> Located | None:
    """Lock a node (trashed or not) FOR UPDATE, then read it with its trash entry and the
    caller's three ranks.

    The ordinary access check refuses trashed nodes; this is its variant for the trash:
    the role on a trashed node still comes from the grants on its path, which stay in
    place while it waits in the trash. The lock is its own statement: after waiting for
    another transaction, READ COMMITTED re-reads only the locked row, so anything joined
    to it must be read by a statement that starts after the wait.
    """
    locked = await session.scalar(select(Node.id).where(Node.id == node_id).with_for_update())
    if locked is None:
        return None
    path_ids = ancestor_ids_of(Node.path)
    on_path = Grant.node_id == func.any(path_ids)
    row = (
        await session.execute(
            select(
                Node,
                TrashEntry,
                _rank(user_id, on_path),
                _rank(user_id, and_(on_path, Grant.node_id != Node.id)),
                _rank(user_id, Grant.node_id == Node.workspace_id),
            )
            .outerjoin(TrashEntry, TrashEntry.node_id == Node.id)
            .where(Node.id == node_id)
        )
    ).one()
    return Located(row[0], row[1], row[2], row[3], row[4])


async def get_expired_root(
    session: AsyncSession, node_id: uuid.UUID, cutoff: datetime
) -> Row[Node, TrashEntry] | None:
    """Lock a trashed root older than `cutoff`; None if gone, restored, or locked by a request."""
    locked = await session.scalar(
        select(Node.id)
        .where(Node.id == node_id, Node.trash_root_id == node_id)
        .with_for_update(skip_locked=True)
    )
    if locked is None:
        return None
    return (
        await session.execute(
            select(Node, TrashEntry)
            .join(TrashEntry, TrashEntry.node_id == Node.id)
            .where(Node.id == node_id, TrashEntry.trashed_at < cutoff)
        )
    ).first()


async def names_by_id(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Node.id, Node.name).where(Node.id.in_(ids)))
    return {node_id: name for node_id, name in rows.all()}


async def mark_trashed(session: AsyncSession, root: Node, user_id: uuid.UUID, at: datetime) -> int:
    """Trash every live node of the subtree with this root, in one statement.

    Nodes trashed earlier keep their own trash_root_id: they stay separate entries.
    """
    result = await session.execute(
        update(Node)
        .where(subtree_filter(root), Node.trashed_at.is_(None))
        .values(trashed_at=at, trashed_by=user_id, trash_root_id=root.id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def lock_ancestors(
    session: AsyncSession, node: Node
) -> list[Row[uuid.UUID, datetime | None]]:
    """Key-share-lock the node's ancestors top down (see nodes.repository.lock_live_path).

    Returns (id, trashed_at) from the workspace root down to the parent; rows of purged
    ancestors are simply absent.
    """
    rows = await session.execute(
        select(Node.id, Node.trashed_at)
        .where(Node.id.in_(node.ancestor_ids[:-1]))
        .order_by(Node.path)
        .with_for_update(read=True, key_share=True)
    )
    return list(rows.all())


async def clear_trash(session: AsyncSession, root: Node) -> int:
    """Bring back exactly the nodes that went to the trash with this root, in one statement."""
    result = await session.execute(
        update(Node)
        .where(Node.workspace_id == root.workspace_id, Node.trash_root_id == root.id)
        .values(trashed_at=None, trashed_by=None, trash_root_id=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def nested_trash_roots(session: AsyncSession, root: Node) -> list[Row[uuid.UUID, str]]:
    """(id, path) of the trashed roots sitting directly inside this root's trashed nodes:
    subtrees trashed separately before the root was (deeper ones move along with them)."""
    parent = aliased(Node)
    rows = await session.execute(
        select(Node.id, Node.path)
        .join(TrashEntry, TrashEntry.node_id == Node.id)
        .join(parent, parent.id == Node.parent_id)
        .where(
            TrashEntry.workspace_id == root.workspace_id,
            below(root.path),
            parent.trash_root_id == root.id,
        )
    )
    return list(rows.all())


async def move_to_workspace_root(
    session: AsyncSession, workspace_id: uuid.UUID, roots: list[Row[uuid.UUID, str]]
) -> None:
    """Re-hang these subtrees under the workspace root, rewriting their paths, in one statement."""
    moved = values(column("id", Uuid), column("path", String), name="moved").data(
        [(node_id, path) for node_id, path in roots]
    )
    own_segment = func.length(moved.c.path) - (UUID_TEXT_LENGTH - 1)
    await session.execute(
        update(Node)
        .where(
            Node.workspace_id == workspace_id,
            in_subtree(moved.c.path),
        )
        .values(
            path=func.concat(f"{workspace_id}/", func.substr(Node.path, own_segment)),
            parent_id=case((Node.id == moved.c.id, workspace_id), else_=Node.parent_id),
        )
        .execution_options(synchronize_session=False)
    )


async def delete_subtree(session: AsyncSession, root: Node) -> int:
    """Delete the subtree in one statement; grants, links and every table referencing nodes
    go with it through ON DELETE CASCADE (the parent_id self-reference is checked at the
    end of the statement, when the whole subtree is gone)."""
    result = await session.execute(
        delete(Node).where(subtree_filter(root)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def trash_roots_in_workspace(
    session: AsyncSession, workspace: Node
) -> list[Row[uuid.UUID, NodeKind, str, int, int]]:
    """(id, kind, name, version, node_count) of the workspace's other trashed roots."""
    rows = await session.execute(
        select(Node.id, Node.kind, Node.name, Node.version, TrashEntry.node_count)
        .join(TrashEntry, TrashEntry.node_id == Node.id)
        .where(TrashEntry.workspace_id == workspace.id, Node.id != workspace.id)
    )
    return list(rows.all())


def _restorable_by(user_id: uuid.UUID, parent: Any, workspace: Any) -> ColumnElement[bool]:
    """SQL twin of service._restore_rule: may the caller restore this trashed root?"""
    editor = RANKS[MINIMUM_ROLE[Action.restore]]
    admin = RANKS[MINIMUM_ROLE[Action.restore_workspace]]

    def at_least(rank: int, on: ColumnElement[bool]) -> ColumnElement[bool]:
        return func.coalesce(_rank(user_id, on), 0) >= rank

    parent_is_back = and_(parent.trashed_at.is_(None), parent.id == TrashEntry.original_parent_id)
    return case(
        (Node.parent_id.is_(None), at_least(admin, Grant.node_id == Node.id)),
        (workspace.trashed_at.is_not(None), false()),
        (parent_is_back, at_least(editor, Grant.node_id == func.any(ancestor_ids_of(parent.path)))),
        else_=at_least(editor, Grant.node_id == Node.workspace_id),
    )


async def list_restorable(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Row[TrashEntry, Node, str]]:
    """Trashed roots the caller may restore, newest first, with who trashed them."""
    parent = aliased(Node)
    workspace = aliased(Node)
    query = (
        select(TrashEntry, Node, User.display_name)
        .join(Node, Node.id == TrashEntry.node_id)
        .join(workspace, workspace.id == TrashEntry.workspace_id)
        .outerjoin(parent, parent.id == Node.parent_id)
        .outerjoin(User, User.id == TrashEntry.trashed_by)
        .where(
            TrashEntry.workspace_id.in_(select(Grant.workspace_id).where(Grant.user_id == user_id)),
            _restorable_by(user_id, parent, workspace),
        )
    )
    if after is not None:
        query = query.where(tuple_(TrashEntry.trashed_at, TrashEntry.node_id) < tuple_(*after))
    query = query.order_by(TrashEntry.trashed_at.desc(), TrashEntry.node_id.desc()).limit(limit)
    return list((await session.execute(query)).all())


async def list_expired(session: AsyncSession, cutoff: datetime, limit: int) -> list[uuid.UUID]:
    """The oldest trashed roots trashed before `cutoff`."""
    rows = await session.scalars(
        select(TrashEntry.node_id)
        .where(TrashEntry.trashed_at < cutoff)
        .order_by(TrashEntry.trashed_at, TrashEntry.node_id)
        .limit(limit)
    )
    return list(rows.all())


async def is_restorable_by(session: AsyncSession, user_id: uuid.UUID, node_id: uuid.UUID) -> bool:
    """Whether `node_id` is in the trash and the caller may restore the subtree it went to
    the trash with (the rule of GET /trash, in one statement, without locking)."""
    parent = aliased(Node)
    workspace = aliased(Node)
    root_id = (
        select(Node.trash_root_id)
        .where(Node.id == node_id, Node.trashed_at.is_not(None))
        .scalar_subquery()
    )
    found = await session.scalar(
        select(TrashEntry.node_id)
        .join(Node, Node.id == TrashEntry.node_id)
        .join(workspace, workspace.id == TrashEntry.workspace_id)
        .outerjoin(parent, parent.id == Node.parent_id)
        .where(TrashEntry.node_id == root_id, _restorable_by(user_id, parent, workspace))
    )
    return found is not None
