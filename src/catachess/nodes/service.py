"""The rules of the node tree: create, read, list, rename, move, breadcrumbs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User, id_of
from catachess.errors import Forbidden
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    DescriptionSet,
    EventType,
    NodeCreated,
    NodeMoved,
    NodeRenamed,
)
from catachess.nodes import repository, visibility
from catachess.nodes.errors import (
    CrossWorkspaceMove,
    InvalidParent,
    MoveCycle,
    NameTaken,
    NodeNotFound,
)
from catachess.nodes.models import Node, NodeKind, Visibility, node_from_row
from catachess.nodes.schemas import NodeCreate, NodeUpdate
from catachess.pagination import decode_key_cursor, encode_key_cursor
from catachess.search import indexing as search_index
from catachess.sharing import access
from catachess.sharing import repository as sharing_repository
from catachess.sharing import service as sharing
from catachess.sharing.access import Access
from catachess.sharing.policy import Action, Role, strongest
from catachess.versioning import check_if_match

# Longest node name (nodes.name is VARCHAR(200)).
NAME_LENGTH = 200


def target_of(node: Node) -> Target:
    return Target(node.id, node.kind.value)


@dataclass(frozen=True)
class Page:
    items: list[Access]  # each child with the caller's role on it
    next_cursor: str | None


async def create_node(session: AsyncSession, user: User, body: NodeCreate) -> Access:
    """Create a workspace (the caller becomes its owner) or a folder/study under a parent."""
    node_id = uuid.uuid4()
    if body.kind is not NodeKind.workspace:
        if body.parent_id is None:
            raise InvalidParent(f"a {body.kind.value} needs parent_id", field="parent_id")
        return await _create_below(session, user, node_id, body, body.parent_id)
    if body.parent_id is not None:
        raise InvalidParent("a workspace is a root: omit parent_id", field="parent_id")
    node = Node(
        id=node_id,
        workspace_id=node_id,
        parent_id=None,
        kind=body.kind,
        name=body.name,
        path=str(node_id),
        created_by=user.id,
    )
    # Its owner grant rides on its INSERT.
    inserted = await repository.insert_unless_name_taken(
        session, node, along_with=sharing.owner_grant(user, node)
    )
    if inserted is None:
        raise NameTaken(f"a sibling named {node.name!r} already exists", field="name")
    await events.record(
        session,
        EventType.node_created,
        actor_id=user.id,
        target=target_of(inserted),
        workspace_id=inserted.workspace_id,
        version=inserted.version,
        payload=NodeCreated(kind=inserted.kind.value, name=inserted.name, parent_id=None),
        along_with=[search_index.new_node_entry(inserted)],
    )
    return Access(node=inserted, role=Role.owner)


async def _create_below(
    session: AsyncSession, user: User, node_id: uuid.UUID, body: NodeCreate, parent_id: uuid.UUID
) -> Access:
    """A folder or study under a parent the caller may edit, in one statement (one round
    trip): the parent's check, with its path key-share-locked until commit (see
    lock_live_path), the node inserted if the check passes, its event and its search
    entry. The errors are those access.require and the container check give, from the
    parent's row the statement returns."""
    made = repository.new_node_below(id=node_id, kind=body.kind, name=body.name, created_by=user.id)
    found, row = await events.record_returning(
        session,
        EventType.node_created,
        actor_id=user.id,
        target=Target(node_id, body.kind.value),
        version=made.params["n_version"],
        payload=NodeCreated(kind=body.kind.value, name=body.name, parent_id=parent_id),
        check=repository.parent_for_create(user.id, parent_id),
        along_with=[made, search_index.entry_of_inserted(body.name, repository.NEW_NODE_BELOW)],
    )
    parent = node_from_row(found) if found[0] is not None else None
    granted = access.checked(parent_id, parent, found[-2], Action.edit, live_path=found[-1])
    _ensure_container(granted.node)
    if row is None:  # the checks passed: a live sibling has the name
        raise NameTaken(f"a sibling named {body.name!r} already exists", field="name")
    return Access(node=repository.stored_node(session, row), role=granted.role)


async def effective_role(session: AsyncSession, user_id: uuid.UUID, node: Node) -> Role | None:
    grants = await sharing_repository.list_user_grants_on_path(session, user_id, node.ancestor_ids)
    return strongest([Role(grant.role) for grant in grants])


async def _keep_live(session: AsyncSession, parent: Node) -> None:
    """Keep the new parent's path out of the trash until commit (see lock_live_path)."""
    if not await repository.lock_live_path(session, parent):
        raise NodeNotFound(parent.id)


def _ensure_container(parent: Node) -> None:
    if parent.kind is NodeKind.study:
        raise InvalidParent("a study cannot contain other nodes", field="parent_id")


async def _flush_unique_name(session: AsyncSession, name: str) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise NameTaken(f"a sibling named {name!r} already exists", field="name") from None


async def numbered_sibling_name(
    session: AsyncSession, parent_id: uuid.UUID, base: str, *, start: int = 2
) -> tuple[str, int]:
    """The first name "base (n)", n >= start, that no live child of `parent_id` uses.

    Used to name the further studies of a split import ("Name (2)", "Name (3)" ...).
    """
    # The prefix a truncated base still shares with every candidate (suffixes fit in 12).
    prefix = base.rstrip()[: NAME_LENGTH - 12]
    taken = await repository.sibling_names_with_prefix(session, parent_id, prefix)
    number = start
    while True:
        suffix = f" ({number})"
        name = base.rstrip()[: NAME_LENGTH - len(suffix)] + suffix
        if name.lower() not in taken:
            return name, number
        number += 1


async def free_sibling_name(session: AsyncSession, parent_id: uuid.UUID, base: str) -> str:
    """`base` if no live child of `parent_id` has it, else the first free "base (n)"."""
    if not await repository.sibling_name_taken(session, parent_id, base):
        return base
    name, _ = await numbered_sibling_name(session, parent_id, base)
    return name


async def list_children(
    session: AsyncSession,
    user: User | None,
    node_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> Page:
    """Children of a readable node, ordered by name, with keyset pagination."""
    granted = await access.require(session, id_of(user), node_id, Action.read)
    after = decode_key_cursor(cursor) if cursor else None
    rows = list(
        await repository.list_children(session, granted.node.id, after=after, limit=limit + 1)
    )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_key_cursor(last.name, last.id) if last else None
    items = await access.below(session, id_of(user), granted.role, rows[:limit])
    return Page(items=items, next_cursor=next_cursor)


async def update_node(
    session: AsyncSession, user: User, node_id: uuid.UUID, body: NodeUpdate, if_match: str | None
) -> Access:
    """Rename and/or move a node; the stale-version check comes before any change."""
    if body.parent_id is not None:
        located = await access.require(session, user.id, node_id, Action.edit)
        await repository.lock_workspace_moves(session, located.node.workspace_id)
    granted = await access.require(session, user.id, node_id, Action.edit, for_update=True)
    node = granted.node
    check_if_match(if_match, node.version)
    old_name = node.name
    renamed = body.name is not None and body.name != node.name
    if renamed and body.name is not None:
        # Set before a move, so the sibling-name check sees the name it will have.
        node.name = body.name
    if body.parent_id is not None and body.parent_id != node.parent_id:
        await _move(session, user, granted, body.parent_id)
    if renamed:
        # Before anything else flushes the new name (the description's touch would, and a
        # clash would then escape the savepoint that makes it 409 name_taken).
        await _flush_unique_name(session, node.name)
    if body.description is not None and body.description != node.description:
        node.description = body.description
        await repository.touch(session, node)
        await events.record(
            session,
            EventType.node_description_set,
            actor_id=user.id,
            target=target_of(node),
            workspace_id=node.workspace_id,
            version=node.version,
            payload=DescriptionSet(length=len(node.description)),
        )
    if renamed:
        await repository.touch(session, node)
        await search_index.node_named(session, node)
        await events.record(
            session,
            EventType.node_renamed,
            actor_id=user.id,
            target=target_of(node),
            workspace_id=node.workspace_id,
            version=node.version,
            payload=NodeRenamed(old_name=old_name, new_name=node.name),
        )
    # After a move the inherited role may differ; recompute it for the response.
    return Access(node=node, role=(await effective_role(session, user.id, node)) or granted.role)


async def _move(session: AsyncSession, user: User, granted: Access, parent_id: uuid.UUID) -> None:
    node = granted.node
    if node.kind is NodeKind.workspace:
        raise InvalidParent("a workspace cannot be moved", field="parent_id")
    destination = await access.require(session, user.id, parent_id, Action.edit)
    parent = destination.node
    await visibility.check_widening_move(session, granted, parent)
    if destination.role.rank > granted.role.rank:
        # The subtree would inherit the caller's stronger grant up there: an editor who is
        # admin elsewhere could move someone's study under their folder and purge it.
        raise Forbidden(
            f"moving it there would raise your role on it from {granted.role.value} to "
            f"{destination.role.value}; someone who is {destination.role.value} on it may move it",
            field="parent_id",
        )
    if parent.workspace_id != node.workspace_id:
        raise CrossWorkspaceMove("a node can only move within its workspace", field="parent_id")
    _ensure_container(parent)
    await _keep_live(session, parent)
    if parent.id == node.id or parent.path.startswith(node.path + "/"):
        raise MoveCycle(
            f"cannot move {node.name!r} into itself or one of its descendants",
            field="parent_id",
        )
    old_parent_id = node.parent_id
    new_path = f"{parent.path}/{node.id}"
    moved = await repository.move_subtree(session, node, new_path)
    node.parent_id = parent.id
    node.path = new_path
    await _flush_unique_name(session, node.name)
    await repository.touch(session, node)
    await events.record(
        session,
        EventType.node_moved,
        actor_id=user.id,
        target=target_of(node),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=NodeMoved(old_parent_id=old_parent_id, new_parent_id=parent.id, subtree_size=moved),
    )


async def breadcrumbs(session: AsyncSession, user: User | None, node_id: uuid.UUID) -> list[Access]:
    """Ancestors from the highest one the caller may read down to the node itself."""
    node = (await access.require(session, id_of(user), node_id, Action.read)).node
    ids = node.ancestor_ids
    nodes = {n.id: n for n in await repository.get_many(session, ids)}
    grants = (
        await sharing_repository.list_user_grants_on_path(session, user.id, ids) if user else []
    )
    by_node: dict[uuid.UUID, list[Role]] = {}
    for grant in grants:
        by_node.setdefault(grant.node_id, []).append(Role(grant.role))
    for ancestor_id in ids:  # an unlisted or public node makes everyone a viewer below it
        if nodes[ancestor_id].visibility is not Visibility.private:
            by_node.setdefault(ancestor_id, []).append(Role.viewer)
    trail: list[Access] = []
    role: Role | None = None
    for ancestor_id in ids:
        role = strongest([*([role] if role else []), *by_node.get(ancestor_id, [])])
        if role is not None:
            trail.append(Access(node=nodes[ancestor_id], role=role))
    return trail


async def list_workspaces(session: AsyncSession, user: User) -> list[tuple[Node, Role, bool]]:
    """Workspaces I hold a role on, plus nodes shared with me inside workspaces I cannot read."""
    rows = await sharing_repository.list_direct_grants(session, user.id)
    workspace_ids = {node.id for node, _ in rows if node.kind is NodeKind.workspace}
    entries: list[tuple[Node, Role, bool]] = []
    for node, role in rows:
        if node.kind is NodeKind.workspace:
            entries.append((node, Role(role), False))
        elif node.workspace_id not in workspace_ids:
            entries.append((node, Role(role), True))
    return entries
