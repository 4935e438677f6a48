"""Private, unlisted and public nodes: who may read without a grant, and the listing.

The rule itself lives in `sharing.access.require` (an unlisted or public node, or one
under such a folder, makes everyone a viewer); this module sets the visibility and
lists the public studies of the server.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.errors import Forbidden
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import EventType, NodeVisibilitySet
from catachess.nodes import repository
from catachess.nodes.models import Node, Visibility
from catachess.pagination import (
    cursor_datetime,
    cursor_int,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from catachess.sharing import access
from catachess.sharing.access import Access
from catachess.sharing.policy import Action, allows
from catachess.versioning import check_if_match


async def set_visibility(
    session: AsyncSession,
    user: User,
    node_id: uuid.UUID,
    visibility: Visibility,
    if_match: str | None,
) -> Access:
    """Make a node private, unlisted or public (admin on the node; one version step)."""
    granted = await access.require(session, user.id, node_id, Action.manage_shares, for_update=True)
    node = granted.node
    check_if_match(if_match, node.version)
    if node.visibility is visibility:
        return granted
    old = node.visibility
    node.visibility = visibility
    await repository.touch(session, node)
    await events.record(
        session,
        EventType.node_visibility_set,
        actor_id=user.id,
        target=Target(node.id, node.kind.value),
        workspace_id=node.workspace_id,
        version=node.version,
        payload=NodeVisibilitySet(old_visibility=old.value, new_visibility=visibility.value),
    )
    return granted


async def check_widening_move(session: AsyncSession, granted: Access, destination: Node) -> None:
    """Moving a node under a wider visibility than it has publishes it: that is the
    admin's decision (as setting the visibility is), not an editor's side effect."""
    here = await repository.visibility_on_path(session, granted.node.path)
    there = await repository.visibility_on_path(session, destination.path)
    if there.rank > here.rank and not allows(granted.role, Action.manage_shares):
        raise Forbidden(
            f"moving it there would make it {there.value} (it is {here.value}); "
            "that needs the admin role on it",
            field="parent_id",
        )


async def list_public_studies(
    session: AsyncSession, *, by_stars: bool, cursor: str | None, limit: int
) -> tuple[Sequence[tuple[Node, int]], str | None]:
    """Live studies that are public (themselves or through a folder), with star counts,
    newest or most starred first; keyset pagination."""
    after = None
    if cursor is not None:
        stars, created, item = decode_cursor(cursor, 3)
        try:
            after = (cursor_int(stars), cursor_datetime(created), uuid.UUID(str(item)))
        except ValueError:
            raise invalid_cursor() from None
    rows = await repository.list_public_studies(
        session, by_stars=by_stars, after=after, limit=limit + 1
    )
    if len(rows) <= limit:
        return rows, None
    node, stars = rows[limit - 1]
    key = [stars if by_stars else 0, node.created_at.isoformat(), str(node.id)]
    return rows[:limit], encode_cursor(key)
