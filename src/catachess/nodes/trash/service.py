"""The trash lifecycle: trash a subtree, list the trash, restore it, purge it (docs/trash.md).

Every operation first locks the root it acts on (FOR UPDATE), so two requests on the
same root run one after the other and the second sees what the first did; its state
then decides the answer (409 not_in_trash, already_in_trash, or 404 once purged).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.errors import AppError, Forbidden
from catachess.events import service as events
from catachess.events.types import EventType, NodePurged, NodeRestored, NodeTrashed
from catachess.nodes import repository as nodes
from catachess.nodes.errors import NameTaken, NodeNotFound
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.service import effective_role, target_of
from catachess.nodes.trash import repository
from catachess.nodes.trash.errors import (
    AlreadyInTrash,
    NotATrashRoot,
    NotInTrash,
    WorkspaceInTrash,
)
from catachess.nodes.trash.models import TrashEntry
from catachess.nodes.trash.naming import restored_name, search_stem
from catachess.pagination import cursor_datetime, decode_key_cursor, encode_key_cursor
from catachess.search import indexing as search_index
from catachess.sharing.policy import MINIMUM_ROLE, Action, Role, allows
from catachess.sharing.repository import list_user_grants_on_path as grants_on
from catachess.sharing.repository import role_of
from catachess.versioning import check_if_match

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrashView:
    entry: TrashEntry
    node: Node
    trashed_by_name: str | None
    # Names of the original ancestors the reader may read (see readable_path).
    original_path: list[str]


@dataclass(frozen=True)
class TrashPage:
    items: list[TrashView]
    next_cursor: str | None


@dataclass(frozen=True)
class Restored:
    node: Node
    role: Role
    node_count: int
    original_parent_id: uuid.UUID | None
    restored_to_root: bool
    renamed_from: str | None


@dataclass(frozen=True)
class Purged:
    node_id: uuid.UUID
    kind: NodeKind
    name: str
    node_count: int
    kept_in_trash: list[uuid.UUID] = field(default_factory=list)


async def trash_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> TrashView:
    """Move a node and its whole subtree to the trash, recording where it was."""
    with nodes.translate_lock_conflicts():
        return await _trash_node(session, user, node_id, if_match)


async def _trash_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> TrashView:
    found = _visible(await repository.get_located(session, user.id, node_id), node_id)
    node = found.node
    if node.trashed_at is not None:
        if found.entry is None:  # inside a trashed subtree: as gone as a missing node
            raise NodeNotFound(node_id)
        raise AlreadyInTrash(
            f"{node.name!r} is already in the trash; restore it with POST /nodes/{node.id}/restore"
        )
    if node.kind is NodeKind.workspace:
        _need(found.rank_on_path, Action.trash_workspace, "this workspace")
    else:
        _need(found.rank_above, Action.trash, "its parent")
    check_if_match(if_match, node.version)
    ancestors = node.ancestor_ids[:-1]
    names = await repository.names_by_id(session, ancestors)
    at = utcnow()
    count = await repository.mark_trashed(session, node, user.id, at)
    _mirror(node, trashed_at=at, trashed_by=user.id, trash_root_id=node.id)
    await nodes.touch(session, node)
    entry = TrashEntry(
        node_id=node.id,
        workspace_id=node.workspace_id,
        original_parent_id=node.parent_id,
        original_path=[names[ancestor] for ancestor in ancestors],
        original_path_ids=ancestors,
        node_count=count,
        trashed_at=at,
        trashed_by=user.id,
    )
    session.add(entry)
    await session.flush()
    await events.record(
        session,
        EventType.node_trashed,
        actor_id=user.id,
        target=target_of(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=NodeTrashed(
            name=node.name,
            parent_id=node.parent_id,
            node_count=count,
            original_path_ids=ancestors,
        ),
    )
    path = await readable_path(session, user.id, [entry])
    return TrashView(entry, node, user.display_name, path[entry.node_id])


async def list_trash(
    session: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> TrashPage:
    """Trashed roots the caller may restore, newest first, with keyset pagination."""
    after = _decode_trash_cursor(cursor) if cursor else None
    rows = await repository.list_restorable(session, user.id, after=after, limit=limit + 1)
    paths = await readable_path(session, user.id, [entry for entry, _, _ in rows[:limit]])
    items = [TrashView(e, n, name, paths[e.node_id]) for e, n, name in rows[:limit]]
    last = items[-1].entry if len(rows) > limit else None
    next_cursor = encode_key_cursor(last.trashed_at.isoformat(), last.node_id) if last else None
    return TrashPage(items=items, next_cursor=next_cursor)


async def readable_path(
    session: AsyncSession, user_id: uuid.UUID, entries: list[TrashEntry]
) -> dict[uuid.UUID, list[str]]:
    """Each entry's original path cut to the ancestors the user may read.

    A grant is inherited downwards, so the readable ancestors are those from the highest
    one the user holds a grant on down to the parent; the names above it (a workspace or
    folder shared with nobody here) are left out, never shown.
    """
    ids = list({ancestor for entry in entries for ancestor in entry.original_path_ids})
    granted = {grant.node_id for grant in await grants_on(session, user_id, ids)}
    paths: dict[uuid.UUID, list[str]] = {}
    for entry in entries:
        pairs = list(zip(entry.original_path_ids, entry.original_path, strict=False))
        first = next((i for i, (node_id, _) in enumerate(pairs) if node_id in granted), None)
        paths[entry.node_id] = [] if first is None else [name for _, name in pairs[first:]]
    return paths


def _decode_trash_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    key, node_id = decode_key_cursor(cursor)
    return cursor_datetime(key), node_id


async def restore_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> Restored:
    """Bring a trashed root back with everything that went to the trash with it."""
    with nodes.translate_lock_conflicts():
        return await _restore_node(session, user, node_id, if_match)


async def _restore_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> Restored:
    found = _visible(await repository.get_located(session, user.id, node_id), node_id)
    node = found.node
    entry = _trash_root(found, node, "restore")
    check_if_match(if_match, node.version)
    ancestors = await repository.lock_ancestors(session, node)
    # Judge by every ancestor, not the parent alone: a key-share lock that did not have to
    # wait may return a row version older than a trash that just committed, but it does
    # wait on that trash's root (locked FOR UPDATE), which is on this path and so is seen.
    parent_is_back = (
        node.kind is not NodeKind.workspace
        and len(ancestors) == len(node.ancestor_ids) - 1
        and ancestors[-1].id == entry.original_parent_id
        and all(ancestor.trashed_at is None for ancestor in ancestors)
    )
    to_root = node.kind is not NodeKind.workspace and not parent_is_back
    if to_root and not (ancestors and ancestors[0].trashed_at is None):
        raise WorkspaceInTrash(
            f"the workspace of {node.name!r} is in the trash; restore the workspace first"
        )
    _restore_rule(found, node, parent_is_back)
    old_name = node.name
    if node.kind is not NodeKind.workspace:
        destination = node.workspace_id if to_root else node.parent_id
        assert destination is not None
        taken = await nodes.sibling_names_with_prefix(session, destination, search_stem(node.name))
        node.name = restored_name(node.name, taken)
    if to_root and node.parent_id != node.workspace_id:
        new_path = f"{node.workspace_id}/{node.id}"
        await nodes.move_subtree(session, node, new_path)
        set_committed_value(node, "path", new_path)
        node.parent_id = node.workspace_id
    await nodes.touch(session, node)
    try:
        async with session.begin_nested():
            count = await repository.clear_trash(session, node)
    except IntegrityError:
        raise NameTaken(
            f"a sibling named {node.name!r} was created at the same time; retry", field="name"
        ) from None
    _mirror(node, trashed_at=None, trashed_by=None, trash_root_id=None)
    await session.delete(entry)
    await session.flush()
    renamed = node.name if node.name != old_name else None
    if renamed:
        await search_index.node_named(session, node)
    role = await effective_role(session, user.id, node)
    assert role is not None  # _restore_rule required at least editor on the new path
    await events.record(
        session,
        EventType.node_restored,
        actor_id=user.id,
        target=target_of(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=NodeRestored(
            parent_id=node.parent_id,
            original_parent_id=entry.original_parent_id,
            node_count=count,
            restored_to_root=to_root,
            renamed_to=renamed,
        ),
    )
    return Restored(
        node=node,
        role=role,
        node_count=count,
        original_parent_id=entry.original_parent_id,
        restored_to_root=to_root,
        renamed_from=old_name if renamed else None,
    )


def _restore_rule(found: repository.Located, node: Node, parent_is_back: bool) -> None:
    """Restoring needs what trashing needed, where the subtree comes back to.

    A workspace: admin on it. Back under its original parent: editor there (grants on
    the parent and its ancestors). At the workspace root, because the parent is gone:
    editor on the workspace root. repository.list_restorable applies the same rule in SQL.
    """
    if node.kind is NodeKind.workspace:
        _need(found.rank_on_path, Action.restore_workspace, "this workspace")
    elif parent_is_back:
        _need(found.rank_above, Action.restore, "its original parent")
    else:
        _need(
            found.rank_on_workspace,
            Action.restore,
            "the workspace root (its original parent is gone, so it goes back there)",
        )


async def purge_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> Purged:
    """Delete a trashed root and everything under it, for good."""
    with nodes.translate_lock_conflicts():
        return await _purge_node(session, user, node_id, if_match)


async def _purge_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, if_match: str | None
) -> Purged:
    found = _visible(await repository.get_located(session, user.id, node_id), node_id)
    node = found.node
    entry = _trash_root(found, node, "purge")
    _need(found.rank_on_path, Action.purge, "it")
    check_if_match(if_match, node.version)
    return await _purge(session, node, entry, actor_id=user.id, reason="user")


async def _purge(
    session: AsyncSession,
    node: Node,
    entry: TrashEntry,
    *,
    actor_id: uuid.UUID | None,
    reason: str,
) -> Purged:
    kept: list[uuid.UUID] = []
    if node.kind is NodeKind.workspace:
        # Everything in the workspace goes, other trashed roots included.
        inside = await repository.trash_roots_in_workspace(session, node)
    else:
        inside = []
        nested = await repository.nested_trash_roots(session, node)
        if nested:
            await repository.move_to_workspace_root(session, node.workspace_id, nested)
            kept = [node_id for node_id, _ in nested]
    count = await repository.delete_subtree(session, node)
    # The session must never flush these deleted rows again.
    session.expunge(node)
    session.expunge(entry)
    for node_id, kind, name, version, node_count in inside:
        await events.record(
            session,
            EventType.node_purged,
            actor_id=actor_id,
            target=events.Target(node_id, kind.value),
            workspace_id=node.workspace_id,
            version=version,
            payload=NodePurged(name=name, node_count=node_count, reason="workspace_purged"),
        )
    await events.record(
        session,
        EventType.node_purged,
        actor_id=actor_id,
        target=target_of(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=NodePurged(name=node.name, node_count=count, reason=reason, kept_in_trash=kept),
    )
    return Purged(node.id, node.kind, node.name, count, kept)


async def purge_expired(session: AsyncSession, retention: timedelta, limit: int) -> int:
    """Purge up to `limit` trashed roots older than `retention`; returns how many are done.

    Each purge runs in its own savepoint, so one failure (say a deadlock with a request
    touching the same rows) skips that root until the next run instead of the batch.
    """
    cutoff = utcnow() - retention
    done = 0
    for node_id in await repository.list_expired(session, cutoff, limit):
        try:
            async with session.begin_nested():
                row = await repository.get_expired_root(session, node_id, cutoff)
                if row is not None:
                    await _purge(session, row[0], row[1], actor_id=None, reason="retention")
                    done += 1
                # else: purged with its workspace in this batch, restored, or locked by a
                # request right now (then the next run picks it up).
        except (AppError, DBAPIError) as error:
            log.warning("trash retention skipped %s: %s", node_id, error)
    return done


def _visible(found: repository.Located | None, node_id: uuid.UUID) -> repository.Located:
    """The node, if the caller holds any role on its path; else 404 like a missing one."""
    if found is None or role_of(found.rank_on_path) is None:
        raise NodeNotFound(node_id)
    return found


def _trash_root(found: repository.Located, node: Node, verb: str) -> TrashEntry:
    if node.trashed_at is None:
        raise NotInTrash(
            f"{node.name!r} is not in the trash (already restored?); only a trashed node "
            f"can be {verb}d"
        )
    if found.entry is None:
        raise NotATrashRoot(
            f"{node.name!r} went to the trash as part of a larger subtree; {verb} that one "
            "(GET /trash lists it)",
            trash_root_id=str(node.trash_root_id),
        )
    return found.entry


def _need(rank: int | None, action: Action, where: str) -> Role:
    role = role_of(rank)
    if role is None or not allows(role, action):
        required = MINIMUM_ROLE[action].value
        raise Forbidden(
            f"{action.value} needs the {required} role on {where}; "
            f"you are {role.value if role else 'not a member'} there",
            required_role=required,
            your_role=role.value if role else None,
        )
    return role


def _mirror(node: Node, **columns: object) -> None:
    """Tell the ORM what a bulk statement already wrote to this row (no second UPDATE)."""
    for name, value in columns.items():
        set_committed_value(node, name, value)


async def may_restore(session: AsyncSession, user: User, node_id: uuid.UUID) -> bool:
    """Whether `node_id` is trashed and the caller may restore it (with its trash root):
    who may read what a trashed node held, e.g. a trashed study's version history."""
    return await repository.is_restorable_by(session, user.id, node_id)
