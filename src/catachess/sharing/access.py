"""The one permission check every route goes through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.errors import Forbidden
from catachess.nodes.errors import NodeNotFound
from catachess.nodes.models import Node
from catachess.sharing import repository
from catachess.sharing.policy import MINIMUM_ROLE, Action, Role, allows, strongest


@dataclass(frozen=True)
class Access:
    node: Node
    role: Role


async def require(
    session: AsyncSession,
    user_id: uuid.UUID | None,
    node_id: uuid.UUID,
    action: Action,
    *,
    for_update: bool = False,
) -> Access:
    """Load a live node the caller may act on, or fail.

    Without read access the answer is NodeNotFound, exactly as for a missing node, so
    nobody learns that a node exists; with read access but too weak a role, Forbidden.
    `for_update` locks the node row, which serializes concurrent writes to it.
    An unlisted or public node (or one under such a folder) makes everyone a viewer,
    anonymous callers (`user_id` None) included: they take the viewer's code paths.
    """
    row = await repository.get_node_with_rank(
        session,
        user_id,
        node_id,
        for_update=for_update,
        with_visibility=True,
    )
    if row is None:
        raise NodeNotFound(node_id)
    return checked(node_id, row[0], row[1], action, live_path=None)


def checked(
    node_id: uuid.UUID,
    node: Node | None,
    rank: int | None,
    action: Action,
    *,
    live_path: int | None,
) -> Access:
    """The access a loaded node and the caller's rank on it give, or NodeNotFound/Forbidden.

    `live_path`: how many nodes of its path were found live and locked, when asked for.
    """
    role = repository.role_of(rank)
    if node is None or role is None:
        raise NodeNotFound(node_id)
    if live_path is not None and live_path != len(node.ancestor_ids):
        raise NodeNotFound(node_id)  # trashed meanwhile, by a transaction we waited for
    if not allows(role, action):
        raise Forbidden(
            f"{action.value} on this {node.kind.value} needs the "
            f"{MINIMUM_ROLE[action].value} role; you are {role.value}",
            required_role=MINIMUM_ROLE[action].value,
            your_role=role.value,
        )
    return Access(node=node, role=role)


async def below(
    session: AsyncSession, user_id: uuid.UUID | None, parent_role: Role, children: list[Node]
) -> list[Access]:
    """Children of a node the caller (None: anonymous) holds `parent_role` on, each with
    the caller's role: the inherited one, or a stronger grant on the child (one query)."""
    ids = [node.id for node in children]
    direct = await repository.get_user_roles_on(session, user_id, ids) if user_id else {}
    return [
        Access(node, strongest([parent_role, *direct.get(node.id, [])]) or parent_role)
        for node in children
    ]


async def readable(
    session: AsyncSession, user_id: uuid.UUID, node_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """The live nodes among `node_ids` the user may read now."""
    return await repository.readable_ids(session, user_id, node_ids)
