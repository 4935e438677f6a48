"""A chapter's discussions as one value, kept while the chapter is deleted, to bring back.

Deleting a chapter deletes its threads (and their posts, revisions and reactions) through
the foreign-key cascade; the history domain keeps this archive with the deletion, and
restoring the chapter inserts the rows again with their ids, authors and times.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.discussions.models import Post, PostRevision, Reaction, Thread
from catachess.search import indexing as search_index

# Parents before children, the order they are inserted back in.
TABLES: list[Table] = [
    Thread.__table__,  # type: ignore[list-item]
    Post.__table__,  # type: ignore[list-item]
    PostRevision.__table__,  # type: ignore[list-item]
    Reaction.__table__,  # type: ignore[list-item]
]


async def archive_chapter(session: AsyncSession, chapter_id: uuid.UUID) -> dict[str, Any] | None:
    """Every discussion row hanging off a chapter, as JSON-ready lists per table; None if
    the chapter has no threads."""
    threads = select(Thread.id).where(Thread.chapter_id == chapter_id)
    posts = select(Post.id).where(Post.thread_id.in_(threads))
    queries = {
        Thread.__tablename__: select(Thread.__table__).where(Thread.chapter_id == chapter_id),
        Post.__tablename__: select(Post.__table__)
        .where(Post.thread_id.in_(threads))
        .order_by(Post.depth, Post.created_at),
        PostRevision.__tablename__: select(PostRevision.__table__).where(
            PostRevision.post_id.in_(posts)
        ),
        Reaction.__tablename__: select(Reaction.__table__).where(Reaction.post_id.in_(posts)),
    }
    archive: dict[str, Any] = {}
    for name, query in queries.items():
        rows = (await session.execute(query)).mappings().all()
        archive[name] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    return archive if archive[Thread.__tablename__] else None


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


async def restore_archive(session: AsyncSession, archive: dict[str, Any]) -> int:
    """Insert an archive's rows again (the chapter must exist); returns the thread count."""
    for table in TABLES:
        rows = archive.get(table.name, [])
        if rows:
            await session.execute(insert(table), [_typed(table, row) for row in rows])
    threads = {row["id"]: row for row in archive.get(Thread.__tablename__, [])}
    # Their text is searchable again, as when it was written.
    for post in archive.get(Post.__tablename__, []):
        thread = threads[post["thread_id"]]
        await search_index.post_written(
            session,
            search_index.PostText(
                post_id=uuid.UUID(post["id"]),
                thread_id=uuid.UUID(thread["id"]),
                workspace_id=uuid.UUID(thread["workspace_id"]),
                study_id=uuid.UUID(thread["study_id"]),
                chapter_id=uuid.UUID(thread["chapter_id"]),
                move_id=thread["move_id"],
                body=post["body"],
            ),
        )
    return len(threads)


def _typed(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for key, value in row.items():
        python_type = table.c[key].type.python_type
        if value is not None and python_type is uuid.UUID:
            value = uuid.UUID(value)
        elif value is not None and python_type is datetime:
            value = datetime.fromisoformat(value)
        typed[key] = value
    return typed
