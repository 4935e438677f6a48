"""Queries of sharing: effective roles, grants and share links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Row,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID, Insert, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from catachess.auth.models import ApiToken, User
from catachess.db.base import new_id, utcnow
from catachess.db.raw import Prebuilt
from catachess.nodes.models import NODE_COLUMNS, VISIBILITY_RANKS, Node, node_from_row
from catachess.sharing.models import Grant, Invitation, ShareLink
from catachess.sharing.policy import RANKS, Role

ROLE_RANK = case({role.value: rank for role, rank in RANKS.items()}, value=Grant.role)


def ancestor_ids_of(path: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[Any]:
    return cast(func.string_to_array(path, "/"), ARRAY(UUID(as_uuid=True)))


def one_by_one(
    ids: ColumnElement[Any], *columns: Any, node: Any, where: Any, lock: bool = False
) -> Select[Any]:
    """`columns` of the nodes whose ids are in the array `ids` (a path's), each node found
    by its primary key, in the array's order (root first); `lock`: each key-share-locked.

    One index probe an id, whatever the planner believes of the size of `nodes`: with
    `id = ANY(ids)` and no statistics yet (a young or fast-growing table), it chose a
    sequential scan that parsed the path again for every row of the tree
    (`test_a_create_finds_its_path_by_primary_key`). A LATERAL subquery with LIMIT is
    not flattened into a join, so it cannot become a scan (see search.repository)."""
    listed = func.unnest(ids).table_valued("id", with_ordinality="ord").render_derived("ids")
    found = select(*columns).where(node.id == listed.c.id, where).limit(1)
    each = (found.with_for_update(read=True, key_share=True) if lock else found).lateral()
    return select(*each.c).select_from(listed).join(each, true()).order_by(listed.c.ord)


def role_of(rank: int | None) -> Role | None:
    if rank is None:
        return None
    return next(role for role, value in RANKS.items() if value == rank)


def visibility_rank_on_path(path: ColumnElement[str] | InstrumentedAttribute[str]) -> Any:
    """The widest visibility on a path (0 private, 1 unlisted, 2 public): a folder's
    setting covers everything it holds."""
    ancestor = aliased(Node)
    rank = case(
        {visibility.value: rank for visibility, rank in VISIBILITY_RANKS.items()},
        value=ancestor.visibility,
    )
    ranks = one_by_one(
        ancestor_ids_of(path), rank.label("rank"), node=ancestor, where=true()
    ).subquery()
    return select(func.max(ranks.c.rank)).scalar_subquery()


def readable_by(user_id: uuid.UUID | None) -> ColumnElement[bool]:
    """`Node` is readable by the user: a grant on its path, or an unlisted/public path."""
    visible: ColumnElement[bool] = visibility_rank_on_path(Node.path) > 0
    if user_id is None:
        return visible
    granted = (
        select(Grant.id)
        .where(Grant.user_id == user_id, Grant.node_id == func.any(ancestor_ids_of(Node.path)))
        .exists()
    )
    return or_(granted, visible)


def _rank_of(user_id: Any, *, with_visibility: bool) -> ColumnElement[int | None]:
    """The strongest grant of `user_id` on the node (of the enclosing query) or an ancestor
    (NULL for a NULL user: anonymous callers hold no grant).

    `with_visibility`: a node that is unlisted or public (itself or through an ancestor)
    also gives everyone, anonymous callers included, the viewer's rank.
    """
    rank: ColumnElement[int | None] = (
        select(func.max(ROLE_RANK))
        .where(Grant.user_id == user_id, Grant.node_id == func.any(ancestor_ids_of(Node.path)))
        .scalar_subquery()
    )
    if not with_visibility:
        return rank
    # A grant is at least viewer, so the visibility is looked up only without one.
    return func.coalesce(
        rank,
        case((visibility_rank_on_path(Node.path) > 0, RANKS[Role.viewer]), else_=null()),
    )


# Bound at execution: the statements below are built once, so SQLAlchemy neither rebuilds
# them nor recomputes their cache keys on every request (docs/performance.md).
NODE_ID = bindparam("node_id", type_=UUID(as_uuid=True))
USER_ID = bindparam("user_id", type_=UUID(as_uuid=True))


def _live_path_locked() -> ColumnElement[int]:
    """How many nodes on the path of :node_id (itself and its ancestors) are live, each
    key-share-locked, top down, by the statement that includes this (see
    nodes.repository.lock_live_path, which explains why the locks are needed).

    After waiting for a lock, PostgreSQL re-checks the locked row, so a path trashed
    meanwhile counts short: the caller compares with the path's length."""
    target, on_path = aliased(Node), aliased(Node)
    path_ids = select(ancestor_ids_of(target.path)).where(target.id == NODE_ID).scalar_subquery()
    live = on_path.trashed_at.is_(None)
    locked = one_by_one(path_ids, on_path.id, node=on_path, where=live, lock=True).cte("live_path")
    return select(func.count()).select_from(locked).scalar_subquery()


Query = Select[*tuple[Any, ...]]


def _node_queries(query: Query) -> dict[bool, Query]:
    """The variants of a node query by for_update."""
    # populate_existing: a row read again after waiting for a lock must not come back
    # with the attributes of an earlier read in this session.
    query = query.execution_options(populate_existing=True)
    return {False: query, True: query.with_for_update(of=Node)}


NODE_WITH_RANK = {
    with_visibility: _node_queries(
        select(Node, _rank_of(USER_ID, with_visibility=with_visibility)).where(
            Node.id == NODE_ID, Node.trashed_at.is_(None)
        )
    )
    for with_visibility in (False, True)
}
# The parent check of a create, in the create's own statement (nodes.repository.
# new_node_below): the parent's columns, the caller's rank on it (visibility included,
# as access.require), and how many nodes of its path are live, each key-share-locked.
PARENT_FOR_CREATE = (
    select(
        *NODE_COLUMNS,
        _rank_of(USER_ID, with_visibility=True).label("rank"),
        _live_path_locked().label("live_path"),
    )
    .where(Node.id == NODE_ID, Node.trashed_at.is_(None))
    .cte("parent")
)


# Visibility included: the same answers as access.require gives a caller it authenticated.
# Columns, not entities: sent to asyncpg directly (db.raw), the node built from its row.
CALLER_AND_NODE = Prebuilt(
    select(User.id, *NODE_COLUMNS, _rank_of(User.id, with_visibility=True))
    .select_from(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .outerjoin(Node, and_(Node.id == NODE_ID, Node.trashed_at.is_(None)))
    .where(
        ApiToken.token_hash == bindparam("token_digest", type_=String),
        ApiToken.expires_at > bindparam("now", type_=DateTime(timezone=True)),
        User.disabled_at.is_(None),  # as auth.repository.BY_TOKEN_DIGEST
    ),
    "token_digest",
    "node_id",
    "now",
)


async def get_node_with_rank(
    session: AsyncSession,
    user_id: uuid.UUID | None,
    node_id: uuid.UUID,
    *,
    for_update: bool,
    with_visibility: bool = False,
) -> tuple[Any, ...] | None:
    """A live node and the caller's strongest grant on it or any ancestor, in one query.

    `with_visibility`: a node that is unlisted or public (itself or through an ancestor)
    also gives everyone, anonymous callers included (`user_id` None), the viewer's rank.
    """
    query = NODE_WITH_RANK[with_visibility][for_update]
    row = (await session.execute(query, {"user_id": user_id, "node_id": node_id})).first()
    return tuple(row) if row is not None else None


async def get_caller_and_node(
    engine: AsyncEngine, token_digest: str, node_id: uuid.UUID
) -> tuple[uuid.UUID, Node | None, int | None] | None:
    """The id of the user of a live bearer token (of an account not disabled), the live
    node (None when missing or trashed), the user's role rank on it (visibility
    included), in one statement: what an authorized read of one node needs, in one
    round trip, alone on a pool connection of `engine` (autocommit). None when the token
    is unknown or expired or its account disabled."""
    row = await CALLER_AND_NODE.fetchrow_alone(
        engine, token_digest=token_digest, node_id=node_id, now=utcnow()
    )
    if row is None:
        return None
    node = node_from_row(row, 1) if row[1] is not None else None
    return row[0], node, row[-1]


async def readable_ids(
    session: AsyncSession, user_id: uuid.UUID, node_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `node_ids` that are live and that the user holds any role on (inherited)."""
    if not node_ids:
        return set()
    held = exists(
        select(Grant.id).where(
            Grant.user_id == user_id, Grant.node_id == func.any(ancestor_ids_of(Node.path))
        )
    )
    rows = await session.scalars(
        select(Node.id).where(Node.id.in_(node_ids), Node.trashed_at.is_(None), held)
    )
    return set(rows.all())


def grant_insert(node: Node, user_id: uuid.UUID, role: Role, *, granted_by: uuid.UUID) -> Insert:
    """A grant as an INSERT statement, for a caller that runs it inside another one."""
    return insert(Grant).values(
        id=new_id(),
        workspace_id=node.workspace_id,
        node_id=node.id,
        user_id=user_id,
        role=role.value,
        granted_by=granted_by,
        created_at=utcnow(),
    )


async def list_grants_on_path(
    session: AsyncSession, ancestor_ids: list[uuid.UUID]
) -> Sequence[Grant]:
    return (
        await session.scalars(
            select(Grant).where(Grant.node_id.in_(ancestor_ids)).order_by(Grant.created_at)
        )
    ).all()


async def list_user_grants_on_path(
    session: AsyncSession, user_id: uuid.UUID, ancestor_ids: list[uuid.UUID]
) -> Sequence[Grant]:
    return (
        await session.scalars(
            select(Grant).where(Grant.user_id == user_id, Grant.node_id.in_(ancestor_ids))
        )
    ).all()


async def get_user_roles_on(
    session: AsyncSession, user_id: uuid.UUID, node_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Role]]:
    """The caller's grants directly on each of `node_ids` (nodes without one are absent)."""
    if not node_ids:
        return {}
    rows = await session.execute(
        select(Grant.node_id, Grant.role).where(
            Grant.user_id == user_id, Grant.node_id.in_(node_ids)
        )
    )
    roles: dict[uuid.UUID, list[Role]] = {}
    for node_id, role in rows:
        roles.setdefault(node_id, []).append(Role(role))
    return roles


async def get_grant(
    session: AsyncSession, node_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
) -> Grant | None:
    query = select(Grant).where(Grant.node_id == node_id, Grant.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def count_owners(session: AsyncSession, node_id: uuid.UUID) -> int:
    return (
        await session.scalar(
            select(func.count()).where(Grant.node_id == node_id, Grant.role == Role.owner.value)
        )
        or 0
    )


async def delete_grant(session: AsyncSession, grant_id: uuid.UUID) -> None:
    await session.execute(delete(Grant).where(Grant.id == grant_id))


async def list_direct_grants(session: AsyncSession, user_id: uuid.UUID) -> Sequence[Row[Node, str]]:
    """Live nodes on which the user holds a grant of their own, with that grant's role."""
    return (
        await session.execute(
            select(Node, Grant.role)
            .join(Grant, Grant.node_id == Node.id)
            .where(Grant.user_id == user_id, Node.trashed_at.is_(None))
            .order_by(func.lower(Node.name), Node.id)
        )
    ).all()


async def get_link_by_digest(
    session: AsyncSession, digest: str, *, for_update: bool = False
) -> ShareLink | None:
    query = select(ShareLink).where(ShareLink.token_hash == digest)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_link(
    session: AsyncSession, link_id: uuid.UUID, *, for_update: bool = False
) -> ShareLink | None:
    query = select(ShareLink).where(ShareLink.id == link_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_links(session: AsyncSession, node_id: uuid.UUID) -> Sequence[ShareLink]:
    return (
        await session.scalars(
            select(ShareLink).where(ShareLink.node_id == node_id).order_by(ShareLink.created_at)
        )
    ).all()


async def get_pending_invitation(
    session: AsyncSession, node_id: uuid.UUID, email: str, *, for_update: bool = False
) -> Invitation | None:
    query = select(Invitation).where(Invitation.node_id == node_id, Invitation.email == email)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_invitation(
    session: AsyncSession, invitation_id: uuid.UUID, *, for_update: bool = False
) -> Invitation | None:
    query = select(Invitation).where(Invitation.id == invitation_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_pending_invitations(
    session: AsyncSession, ancestor_ids: list[uuid.UUID]
) -> Sequence[Invitation]:
    return (
        await session.scalars(
            select(Invitation)
            .where(Invitation.node_id.in_(ancestor_ids))
            .order_by(Invitation.created_at, Invitation.id)
        )
    ).all()


async def list_invitations_for_email(session: AsyncSession, email: str) -> Sequence[Invitation]:
    return (
        await session.scalars(
            select(Invitation)
            .where(Invitation.email == email.lower())
            .order_by(Invitation.created_at)
            .with_for_update()
        )
    ).all()


async def has_invitation(session: AsyncSession, email: str) -> bool:
    found = await session.scalar(
        select(Invitation.id).where(Invitation.email == email.lower()).limit(1)
    )
    return found is not None


async def delete_invitation(session: AsyncSession, invitation_id: uuid.UUID) -> None:
    await session.execute(delete(Invitation).where(Invitation.id == invitation_id))


async def list_fellow_names(
    session: AsyncSession, caller_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
) -> Sequence[Row[uuid.UUID, str]]:
    """(id, display name) of those users who hold a role on a live node on the same path
    as one the caller holds a role on (the deeper of the two is one both may read),
    and of the caller. Nobody else's name, nor whether they exist, comes out."""
    theirs, mine = aliased(Grant), aliased(Grant)
    their_node, my_node = aliased(Node), aliased(Node)
    shared = (
        select(theirs.id)
        .join(their_node, their_node.id == theirs.node_id)
        .join(mine, mine.user_id == caller_id)
        .join(my_node, my_node.id == mine.node_id)
        .where(
            theirs.user_id == User.id,
            their_node.trashed_at.is_(None),
            my_node.trashed_at.is_(None),
            or_(
                theirs.node_id == func.any(ancestor_ids_of(my_node.path)),
                mine.node_id == func.any(ancestor_ids_of(their_node.path)),
            ),
        )
        .exists()
    )
    query = (
        select(User.id, User.display_name)
        .where(User.id.in_(user_ids), or_(User.id == caller_id, shared))
        .order_by(User.display_name, User.id)
    )
    return (await session.execute(query)).all()
