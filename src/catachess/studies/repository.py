"""Queries of chapters. A chapter is always looked up together with its study id."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Row,
    Text,
    cast,
    delete,
    false,
    func,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, undefer

from catachess.nodes.models import Node, NodeKind

# The nodes domain's one subtree predicate (an indexed path-prefix match).
from catachess.nodes.repository import subtree_filter
from catachess.studies.models import Chapter, Export, Star


async def get_in_study(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID, *, with_tree: bool = True
) -> Chapter | None:
    """The chapter (with its whole tree unless told otherwise) in one statement; None if it
    is not a chapter of this study."""
    query = select(Chapter).where(Chapter.id == chapter_id, Chapter.study_id == study_id)
    if not with_tree:
        query = query.options(defer(Chapter.tree))
    return await session.scalar(query)


async def get_json_in_study(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> Row[Chapter, str, str] | None:
    """The chapter with its headers and tree as JSON text, in one statement.

    Reads pass PostgreSQL's JSON text straight into the response: a 10,000-move tree is
    never decoded into Python objects just to be encoded again.
    """
    return (
        await session.execute(
            select(Chapter, cast(Chapter.headers, Text), cast(Chapter.tree, Text))
            .options(defer(Chapter.tree), defer(Chapter.headers))
            .where(Chapter.id == chapter_id, Chapter.study_id == study_id)
        )
    ).first()


async def list_summaries(session: AsyncSession, study_id: uuid.UUID) -> Sequence[Chapter]:
    """The chapters of a study in order, without their trees (headers and tree deferred)."""
    return (
        await session.scalars(
            select(Chapter)
            .options(defer(Chapter.tree), defer(Chapter.headers))
            .where(Chapter.study_id == study_id)
            .order_by(Chapter.position)
        )
    ).all()


async def list_full(session: AsyncSession, study_id: uuid.UUID) -> Sequence[Chapter]:
    """The chapters of a study in order, trees included (exports)."""
    return (
        await session.scalars(
            select(Chapter).where(Chapter.study_id == study_id).order_by(Chapter.position)
        )
    ).all()


@dataclass(frozen=True)
class ExportRow:
    """What a PGN export reads of a chapter, its tree still JSON text: decoding long
    games' trees is CPU-bound, so it happens in the export's worker thread, not on the
    event loop (catachess.heavy)."""

    study_id: uuid.UUID
    name: str
    headers: list[list[str]]
    orientation: str
    tree_json: str


_EXPORT_COLUMNS = (
    Chapter.study_id,
    Chapter.name,
    Chapter.headers,
    Chapter.orientation,
    cast(Chapter.tree, Text).label("tree_json"),
)


async def list_for_export(session: AsyncSession, study_id: uuid.UUID) -> list[ExportRow]:
    """The chapters of a study in order, for an export (trees as JSON text)."""
    rows = await session.execute(
        select(*_EXPORT_COLUMNS).where(Chapter.study_id == study_id).order_by(Chapter.position)
    )
    return [ExportRow(*row) for row in rows]


async def count_in_study(session: AsyncSession, study_id: uuid.UUID) -> int:
    return await session.scalar(select(func.count()).where(Chapter.study_id == study_id)) or 0


async def count_in_studies(session: AsyncSession, study_ids: list[uuid.UUID]) -> int:
    """The chapters of all these studies together."""
    if not study_ids:
        return 0
    counted = select(func.count()).where(Chapter.study_id.in_(study_ids))
    return await session.scalar(counted) or 0


async def shift_positions(
    session: AsyncSession, study_id: uuid.UUID, *, first: int, last: int, by: int
) -> None:
    """Move every chapter whose position is in [first, last] by `by` (one statement)."""
    await session.execute(
        update(Chapter)
        .where(Chapter.study_id == study_id, Chapter.position.between(first, last))
        .values(position=Chapter.position + by)
        .execution_options(synchronize_session=False)
    )


async def delete_chapter(session: AsyncSession, chapter_id: uuid.UUID) -> None:
    await session.execute(delete(Chapter).where(Chapter.id == chapter_id))


async def list_subtree_names(
    session: AsyncSession, root: Node
) -> Sequence[Row[uuid.UUID, str, NodeKind, str]]:
    """(id, name, kind, path) of every live node in the subtree of `root`, one statement."""
    return (
        await session.execute(
            select(Node.id, Node.name, Node.kind, Node.path).where(
                subtree_filter(root), Node.trashed_at.is_(None)
            )
        )
    ).all()


async def stream_subtree_chapters(session: AsyncSession, root: Node) -> AsyncIterator[ExportRow]:
    """Chapters of every live study in the subtree of `root`, grouped by study, in order.

    Read through a server-side cursor, so an export of a large folder holds one batch of
    chapters in memory at a time, not the whole folder.
    """
    studies = select(Node.id).where(
        subtree_filter(root), Node.kind == NodeKind.study, Node.trashed_at.is_(None)
    )
    result = await session.stream(
        select(*_EXPORT_COLUMNS)
        .where(Chapter.study_id.in_(studies))
        .order_by(Chapter.study_id, Chapter.position)
        .execution_options(yield_per=64)
    )
    async for row in result:
        yield ExportRow(*row)


async def get_export(
    session: AsyncSession, export_id: uuid.UUID, *, with_content: bool = False
) -> Export | None:
    query = select(Export).where(Export.id == export_id)
    if with_content:
        query = query.options(undefer(Export.content))
    return await session.scalar(query)


async def delete_expired_exports(session: AsyncSession, now: datetime, limit: int) -> int:
    """Delete up to `limit` expired exports; rows another transaction holds are skipped."""
    expired = (
        select(Export.id)
        .where(Export.expires_at < now)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result = await session.execute(
        delete(Export).where(Export.id.in_(expired)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def get_live_study(session: AsyncSession, study_id: uuid.UUID) -> Node | None:
    """A live study node by id, with no permission check (command-line use)."""
    return await session.scalar(
        select(Node).where(
            Node.id == study_id, Node.kind == NodeKind.study, Node.trashed_at.is_(None)
        )
    )


async def chapter_has_move(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID, move_id: str | None
) -> bool | None:
    """None if the chapter is not in this study; else whether the move is in its tree
    (True when no move is asked for). Answered in the database, without loading the tree."""
    has_move = Chapter.tree["nodes"].has_key(move_id) if move_id else true()
    found: bool | None = await session.scalar(
        select(has_move).where(Chapter.id == chapter_id, Chapter.study_id == study_id)
    )
    return found


async def get_study_id_of_chapter(session: AsyncSession, chapter_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(select(Chapter.study_id).where(Chapter.id == chapter_id))


async def add_star(session: AsyncSession, study: Node, user_id: uuid.UUID) -> bool:
    """Star a study; False when the user had already starred it (nothing changes)."""
    inserted = await session.execute(
        insert(Star)
        .values(study_id=study.id, user_id=user_id, workspace_id=study.workspace_id)
        .on_conflict_do_nothing()
        .returning(Star.study_id)
    )
    return inserted.first() is not None


async def remove_star(session: AsyncSession, study_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    deleted = await session.execute(
        delete(Star)
        .where(Star.study_id == study_id, Star.user_id == user_id)
        .returning(Star.study_id)
    )
    return deleted.first() is not None


async def star_counts(
    session: AsyncSession, study_id: uuid.UUID, user_id: uuid.UUID | None
) -> tuple[int, bool]:
    """How many users starred the study, and whether `user_id` is one of them."""
    mine = func.bool_or(Star.user_id == user_id) if user_id is not None else false()
    row = (await session.execute(select(func.count(), mine).where(Star.study_id == study_id))).one()
    return int(row[0]), bool(row[1])


async def list_starred(
    session: AsyncSession,
    user_id: uuid.UUID,
    readable: ColumnElement[bool],
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Row[Node, datetime]]:
    """Live studies the user starred and may still read, most recently starred first."""
    query = (
        select(Node, Star.created_at)
        .join(Star, Star.study_id == Node.id)
        .where(Star.user_id == user_id, Node.trashed_at.is_(None), readable)
    )
    if after is not None:
        query = query.where(tuple_(Star.created_at, Node.id) < tuple_(*after))
    query = query.order_by(Star.created_at.desc(), Node.id.desc()).limit(limit)
    return (await session.execute(query)).all()


async def live_exports_of(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, datetime | None]:
    """How many unexpired exports the user keeps, and when the first of them expires."""
    row = (
        await session.execute(
            select(func.count(), func.min(Export.expires_at)).where(
                Export.requested_by == user_id, Export.expires_at > func.now()
            )
        )
    ).one()
    return int(row[0]), row[1]


async def delete_export_of(
    session: AsyncSession, user_id: uuid.UUID, export_id: uuid.UUID
) -> Row[uuid.UUID, uuid.UUID] | None:
    """Delete the user's own export; its (node_id, workspace_id), or None."""
    return (
        await session.execute(
            delete(Export)
            .where(Export.id == export_id, Export.requested_by == user_id)
            .returning(Export.node_id, Export.workspace_id)
        )
    ).first()
