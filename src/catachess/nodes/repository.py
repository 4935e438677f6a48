"""Queries of the node tree (materialized path: 'root-id/child-id/.../self-id')."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from catachess.db.base import utcnow
from catachess.db.raw import attach
from catachess.events import guard
from catachess.events import service as events
from catachess.nodes.errors import ConcurrentChange
from catachess.nodes.models import NODE_COLUMNS, Node, NodeKind, Visibility, node_values
from catachess.sharing.policy import MINIMUM_ROLE, RANKS, Action
from catachess.sharing.repository import PARENT_FOR_CREATE, ancestor_ids_of
from catachess.studies.models import Star

# SQLSTATEs of two transactions waiting on each other's row locks (PostgreSQL aborts one).
LOCK_CONFLICTS = frozenset({"40P01", "40001", "55P03"})


def below(path: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Nodes strictly below the node at `path`.

    A range, not LIKE 'path/%': the path column has the "C" collation, '/' and '0' are
    neighbours in it, so every descendant's path sorts between path + '/' and path + '0'.
    Unlike a LIKE pattern, a range uses ix_nodes_path also in the generic plans of
    prepared statements (asyncpg prepares every statement).
    """
    return and_(Node.path > path + "/", Node.path < path + "0")


def in_subtree(path: str | ColumnElement[str]) -> ColumnElement[bool]:
    """The node at `path` and everything below it."""
    return or_(Node.path == path, below(path))


def subtree_filter(node: Node) -> ColumnElement[bool]:
    """The node and all its descendants, in one index range of ix_nodes_path."""
    return (Node.workspace_id == node.workspace_id) & in_subtree(node.path)


async def list_live_below(session: AsyncSession, node: Node) -> list[Node]:
    """Every node below `node` that is live and whose ancestors up to `node` are live,
    parents before children (one statement; a node below a trashed one is left out)."""
    rows = (
        await session.scalars(
            select(Node).where(
                (Node.workspace_id == node.workspace_id) & below(node.path),
                Node.trashed_at.is_(None),
            )
        )
    ).all()
    live = {node.id}
    kept: list[Node] = []
    for row in sorted(rows, key=lambda row: row.path.count("/")):
        if row.parent_id in live:
            live.add(row.id)
            kept.append(row)
    return kept


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


# A folder's or study's INSERT under the parent found by sharing.repository.
# PARENT_FOR_CREATE in the same statement (events.record_returning, sent to asyncpg
# directly), built once: its workspace, parent and path come from the parent's row, the
# other columns are given; a row is inserted only if the caller may edit the parent, the
# parent can hold nodes and its whole path is live (the checks access.checked and
# nodes.service make of the same row, in the same order of precedence).
_PARENT = PARENT_FOR_CREATE
_FROM_PARENT: dict[str, ColumnElement[Any]] = {
    "workspace_id": _PARENT.c.workspace_id,
    "parent_id": _PARENT.c.id,
    "path": _PARENT.c.path.concat("/").concat(
        sa_cast(bindparam("n_id", type_=Node.__table__.c.id.type), String)
    ),
}
GIVEN_BELOW = tuple(column.key for column in NODE_COLUMNS if column.key not in _FROM_PARENT)
NEW_NODE_BELOW = (
    insert(cast(Table, Node.__table__))
    .from_select(
        [column.key for column in NODE_COLUMNS],
        select(
            *(
                _FROM_PARENT.get(column.key, bindparam(f"n_{column.key}", type_=column.type))
                for column in NODE_COLUMNS
            )
        ).where(
            _PARENT.c.rank >= RANKS[MINIMUM_ROLE[Action.edit]],
            _PARENT.c.kind != NodeKind.study,
            _PARENT.c.live_path == func.cardinality(ancestor_ids_of(_PARENT.c.path)),
        ),
    )
    .on_conflict_do_nothing()
    .returning(*NODE_COLUMNS)
    .cte("new_node")
)


def parent_for_create(user_id: uuid.UUID, parent_id: uuid.UUID) -> events.Companion:
    """The check of a create below `parent_id` (record_returning's `check`): the parent,
    the caller's rank on it and its live path, key-share-locked (lock_live_path)."""
    return events.Companion(
        "parent_for_create", _PARENT, {"user_id": user_id, "node_id": parent_id}
    )


def new_node_below(**given: Any) -> events.Companion:
    """A new folder's or study's INSERT below the parent of parent_for_create (`given`:
    the values of GIVEN_BELOW; the others take their defaults), sent in the statement of
    its event: it returns the node as stored, or nothing (nothing inserted) when the
    parent's checks fail or a live sibling has its name. Other companions may insert rows
    made from NEW_NODE_BELOW's row (its search entry). No Node is built for it: the
    stored one comes back (stored_node)."""
    values = _with_defaults(given)
    params = {f"n_{key}": values.get(key) for key in GIVEN_BELOW}
    return events.Companion("new_node_below", NEW_NODE_BELOW, params, returns=True)


def stored_node(session: AsyncSession, row: Sequence[Any]) -> Node:
    """The node NEW_NODE returned, in the session as the ORM insert would have left it
    (callers may still change it: a copy takes its source's description)."""
    guard.note_written(session.sync_session, ["nodes"])
    return attach(session, Node, node_values(row))


def _insert_values(node: Node) -> dict[str, object]:
    return _with_defaults({column.key: getattr(node, column.key) for column in NODE_COLUMNS})


# Each column's Python default (None: none), filled in by _with_defaults: SQLAlchemy
# leaves Python defaults out of an INSERT with a CTE, and new_node gives every column.
_DEFAULTS = [
    (
        column.key,
        column.default
        if isinstance(column.default, (ScalarElementColumnDefault, CallableColumnDefault))
        else None,
    )
    for column in NODE_COLUMNS
]


def _with_defaults(given: dict[str, Any]) -> dict[str, object]:
    """The values of a new node's columns: those given (None: not given), else defaults."""
    values: dict[str, object] = {}
    for key, default in _DEFAULTS:
        value = given.get(key)
        if value is None and default is not None:
            value = default.arg(None) if isinstance(default, CallableColumnDefault) else default.arg  # type: ignore[arg-type]
        if value is not None:
            values[key] = value
    return values


async def insert_unless_name_taken(
    session: AsyncSession, node: Node, *, along_with: Insert
) -> Node | None:
    """Insert a new node and return it as stored (defaults filled, in the session); None,
    with nothing written, when a live sibling has its name.

    ON CONFLICT instead of a savepoint around a failing insert: one round trip, not three.
    `along_with`: an insert of rows that refer to the new node, run by the same statement
    (foreign keys are checked at its end); only for a node whose name cannot clash (a
    workspace and its owner grant). Other nodes go in their event's statement (new_node).
    """
    statement = insert(Node).values(_insert_values(node)).on_conflict_do_nothing().returning(Node)
    statement = statement.add_cte(along_with.cte("along_with"))
    inserted: Node | None = await session.scalar(statement)
    return inserted


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
    """Lower-cased names of live children of `parent_id` that start with `prefix` (for
    picking a free "Name (2)" or "Name (restored)" in one query)."""
    lowered = func.lower(Node.name)
    rows = await session.scalars(
        select(lowered).where(
            Node.parent_id == parent_id,
            Node.trashed_at.is_(None),
            lowered.startswith(prefix.lower(), autoescape=True),
        )
    )
    return set(rows.all())


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


async def visibility_on_path(session: AsyncSession, path: str) -> Visibility:
    """The widest visibility of the node at `path` and its ancestors."""
    ids = [uuid.UUID(part) for part in path.split("/")]
    found = set(await session.scalars(select(Node.visibility).where(Node.id.in_(ids))))
    return max(found, key=lambda visibility: visibility.rank, default=Visibility.private)


async def list_public_studies(
    session: AsyncSession,
    *,
    by_stars: bool,
    after: tuple[int, datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[tuple[Node, int]]:
    """Live studies at or below a public node, with their star counts.

    Starts from the few public nodes (a partial index) and takes each one's subtree as
    a range of ix_nodes_path, so the cost follows what is public, not the whole tree.
    """
    public = (
        select(Node.path)
        .where(Node.visibility == Visibility.public, Node.trashed_at.is_(None))
        .subquery()
    )
    stars = (
        select(func.count())
        .select_from(Star)
        .where(Star.study_id == Node.id)
        .correlate(Node)
        .scalar_subquery()
    )
    listed = (
        select(Node.id)
        .join(public, or_(Node.path == public.c.path, below(public.c.path)))
        .where(Node.kind == NodeKind.study, Node.trashed_at.is_(None))
        .distinct()
    )
    star_key = stars if by_stars else literal(0)
    query = select(Node, stars).where(Node.id.in_(listed))
    if after is not None:
        query = query.where(tuple_(star_key, Node.created_at, Node.id) < tuple_(*after))
    order = [star_key.desc(), Node.created_at.desc(), Node.id.desc()]
    rows = await session.execute(query.order_by(*order).limit(limit))
    return [(node, int(count)) for node, count in rows.all()]


async def touch(session: AsyncSession, node: Node) -> None:
    node.version += 1
    node.updated_at = utcnow()
    await session.flush()


async def lock_workspace_moves(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Serialize moves within one workspace until commit.

    Two crossing moves (X under Y while Y goes under X) would each pass the cycle check
    against paths the other one is rewriting; one at a time, the second sees the first.
    """
    with translate_lock_conflicts():
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"moves:{workspace_id}"},
        )


async def lock_live_path(session: AsyncSession, node: Node) -> bool:
    """Key-share-lock the node and all its ancestors, top down; False if any is trashed or gone.

    Whoever makes a node live under `node` (create, move, restore) calls this first.
    Trashing locks its root FOR UPDATE before marking the subtree, which conflicts with
    these locks: either the trash waits for this transaction and then sees its new node,
    or this waits for the trash and then finds the path trashed. A live node under a
    trashed parent cannot come out of the race. (Rows below the trash root may come back
    in their pre-trash version, since a key-share lock need not wait for a non-key
    update; the root itself is re-read after the wait, which is why all rows count.)
    """
    ids = node.ancestor_ids
    with translate_lock_conflicts():
        rows = await session.scalars(
            select(Node.id)
            .where(Node.id.in_(ids), Node.trashed_at.is_(None))
            .order_by(Node.path)
            .with_for_update(read=True, key_share=True)
        )
        return len(rows.all()) == len(ids)


@contextmanager
def translate_lock_conflicts() -> Iterator[None]:
    """Turn a deadlock between two tree writes into a 409 the client may retry, not a 500."""
    try:
        yield
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) not in LOCK_CONFLICTS:
            raise
        raise ConcurrentChange(
            "another request changed this part of the tree at the same time; retry"
        ) from None
