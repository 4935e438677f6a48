"""Every query of the history domain. A chapter's versions are always read with its study id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, undefer

from catachess.auth.models import User
from catachess.db import arrays
from catachess.events import service as events
from catachess.history.models import ChapterVersion
from catachess.studies.models import Chapter

V = ChapterVersion
TABLE: Table = ChapterVersion.__table__  # type: ignore[assignment]

# The columns a history list shows (no blobs).
LISTED = (
    V.seq,
    V.chapter_id,
    V.version,
    V.kind,
    V.actor_id,
    User.display_name,
    V.created_at,
    V.correlation_id,
    V.summary,
    V.details,
)


async def insert_versions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert history rows (one statement, executemany for several)."""
    if rows:
        await session.execute(insert(TABLE), list(rows))


# The columns a new version gives (seq is an identity; a deletion's archive is written
# by record_deleted's own insert).
_GIVEN = [column for column in TABLE.c if column.key not in ("seq", "archive")]
# New versions from column arrays (db.arrays), sent in the statement of their change's
# event (events.Companion): one round trip fewer for every edit of a chapter.
_NEW_VERSIONS = pg_insert(TABLE).from_select(
    [column.key for column in _GIVEN], arrays.unnest_rows(_GIVEN, "hv_")
)


def versions_along(rows: Sequence[dict[str, Any]]) -> events.Companion:
    """insert_versions of these rows as a companion of their change's event."""
    return events.Companion(
        "chapter_versions", _NEW_VERSIONS, arrays.arrays_of(_GIVEN, "hv_", rows)
    )


# (chain_length, chain_bytes, base_bytes) of a chapter's latest version.
ChainEnd = tuple[int, int, int]


# A chapter of a study and the chain end of its latest version (LATERAL: none is NULL),
# built once with bind parameters (an edit of a chapter's tree reads it every time).
_CHAIN_END = (
    select(V.chain_length, V.chain_bytes, V.base_bytes)
    .where(V.chapter_id == Chapter.id, V.version == Chapter.version)
    .lateral("chain_end")
)
_CHAPTER_AND_CHAIN_END = (
    select(Chapter, _CHAIN_END.c.chain_length, _CHAIN_END.c.chain_bytes, _CHAIN_END.c.base_bytes)
    .outerjoin(_CHAIN_END, true())
    .where(Chapter.id == bindparam("chapter_id"), Chapter.study_id == bindparam("study_id"))
)


async def get_chapter_and_chain_end(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> tuple[Chapter, ChainEnd | None] | None:
    """A chapter of this study (tree included) and the end of its history chain (None:
    no history yet), in one statement: what an edit of its tree needs to read. None if
    it is not a chapter of this study."""
    params = {"study_id": study_id, "chapter_id": chapter_id}
    row = (await session.execute(_CHAPTER_AND_CHAIN_END, params)).first()
    if row is None:
        return None
    chapter, length, size, base = row
    return chapter, (None if length is None else (length, size, base))


async def get_chain_end(
    session: AsyncSession, chapter_id: uuid.UUID, version: int
) -> ChainEnd | None:
    """(chain_length, chain_bytes, base_bytes) of one version: when the next snapshot is due."""
    row = (
        await session.execute(
            select(V.chain_length, V.chain_bytes, V.base_bytes).where(
                V.chapter_id == chapter_id, V.version == version
            )
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def _last_snapshot(chapter_id: uuid.UUID, version: int) -> Any:
    return (
        select(func.max(V.version))
        .where(V.chapter_id == chapter_id, V.version <= version, V.snapshot.is_not(None))
        .scalar_subquery()
    )


async def get_chain(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID, first: int, last: int
) -> Sequence[Row[int, str, bytes | None, bytes | None, datetime, uuid.UUID | None]]:
    """(version, kind, snapshot, delta, created_at, actor_id) from the last snapshot at or
    before `first` up to `last`, in order: one statement, whatever the history's length."""
    return (
        await session.execute(
            select(V.version, V.kind, V.snapshot, V.delta, V.created_at, V.actor_id)
            .where(
                V.chapter_id == chapter_id,
                V.study_id == study_id,
                V.version <= last,
                V.version >= _last_snapshot(chapter_id, first),
            )
            .order_by(V.version)
        )
    ).all()


async def _newest_first(
    session: AsyncSession, key: Any, before: int | None, limit: int, *where: Any
) -> Sequence[Row[Any]]:
    """History lines (no blobs) matching `where`, newest first by `key`, below `before`."""
    query = select(*LISTED).outerjoin(User, User.id == V.actor_id).where(*where)
    if before is not None:
        query = query.where(key < before)
    return (await session.execute(query.order_by(key.desc()).limit(limit))).all()


async def list_chapter(
    session: AsyncSession,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    *,
    before: int | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """Versions of a chapter, newest first, older than version `before` when given."""
    return await _newest_first(
        session, V.version, before, limit, V.chapter_id == chapter_id, V.study_id == study_id
    )


async def list_study(
    session: AsyncSession,
    study_id: uuid.UUID,
    kinds: Sequence[str],
    *,
    before: int | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """The chapter-level changes of a study (added, deleted, renamed ...), newest first."""
    return await _newest_first(
        session, V.seq, before, limit, V.study_id == study_id, V.kind.in_(kinds)
    )


async def latest(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID, limit: int
) -> Sequence[Row[Any]]:
    """The newest `limit` versions of a chapter (no blobs), newest first."""
    return await list_chapter(session, study_id, chapter_id, before=None, limit=limit)


async def get_deletion(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> ChapterVersion | None:
    """The newest version of a chapter if it is a deletion (archive included)."""

    row = await session.scalar(
        select(ChapterVersion)
        .options(undefer(ChapterVersion.archive))
        .where(V.chapter_id == chapter_id, V.study_id == study_id)
        .order_by(V.version.desc())
        .limit(1)
    )
    return row if row is not None and row.kind == "deleted" else None


async def list_compactable(
    session: AsyncSession, cutoff: datetime, limit: int
) -> Sequence[Row[uuid.UUID, uuid.UUID, int]]:
    """(study_id, chapter_id, version) of chapters with versions older than `cutoff`: the
    version to keep as the oldest (the first at or after the cutoff, else the newest)."""
    old = (
        select(V.study_id, V.chapter_id, func.max(V.version).label("old_max"))
        .where(V.created_at < cutoff)
        .group_by(V.study_id, V.chapter_id)
        .subquery()
    )
    keep = (
        select(func.min(V.version))
        .where(V.chapter_id == old.c.chapter_id, V.version > old.c.old_max)
        .scalar_subquery()
    )
    first = select(func.min(V.version)).where(V.chapter_id == old.c.chapter_id).scalar_subquery()
    kept = func.coalesce(keep, old.c.old_max)
    return (
        await session.execute(
            select(old.c.study_id, old.c.chapter_id, kept)
            .where(first < kept)
            .order_by(old.c.chapter_id)
            .limit(limit)
        )
    ).all()


async def make_snapshot(
    session: AsyncSession, chapter_id: uuid.UUID, version: int, snapshot: bytes
) -> None:
    await session.execute(
        update(ChapterVersion)
        .where(V.chapter_id == chapter_id, V.version == version)
        .values(
            snapshot=snapshot, delta=None, chain_length=0, chain_bytes=0, base_bytes=len(snapshot)
        )
    )


async def delete_before(session: AsyncSession, chapter_id: uuid.UUID, version: int) -> int:
    result = await session.execute(
        delete(ChapterVersion).where(V.chapter_id == chapter_id, V.version < version)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def forget_deleted(session: AsyncSession, cutoff: datetime, limit: int) -> int:
    """Delete the whole history of up to `limit` chapters deleted before `cutoff` (and not
    brought back since): past the retention window a deletion is final."""
    last = aliased(ChapterVersion)
    newest = select(func.max(last.version)).where(last.chapter_id == V.chapter_id).scalar_subquery()
    gone = (
        select(V.chapter_id)
        .where(V.kind == "deleted", V.created_at < cutoff, V.version == newest)
        .limit(limit)
    )
    chapters = list((await session.scalars(gone)).all())
    if chapters:
        await session.execute(delete(ChapterVersion).where(V.chapter_id.in_(chapters)))
    return len(chapters)


async def get_headers_and_tree(
    session: AsyncSession, chapter_id: uuid.UUID
) -> Row[list[list[str]], Any]:
    """A chapter's headers and tree as they are in the database now."""
    row = (
        await session.execute(select(Chapter.headers, Chapter.tree).where(Chapter.id == chapter_id))
    ).one()
    return row
