"""Queries of discussions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.discussions.models import Post, PostRevision, Reaction, Thread

PINNED = Thread.pinned_at.is_not(None)


async def get_thread(
    session: AsyncSession, thread_id: uuid.UUID, *, for_update: bool = False
) -> Thread | None:
    query = select(Thread).where(Thread.id == thread_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def get_post(
    session: AsyncSession, thread_id: uuid.UUID, post_id: uuid.UUID, *, for_update: bool = False
) -> Post | None:
    """A post, only if it belongs to that thread."""
    query = select(Post).where(Post.id == post_id, Post.thread_id == thread_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_threads(
    session: AsyncSession,
    study_id: uuid.UUID,
    *,
    chapter_id: uuid.UUID | None,
    move_id: str | None,
    after: tuple[bool, datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[Thread]:
    """Pinned threads first, then most recently active."""
    query = select(Thread).where(Thread.study_id == study_id)
    if chapter_id is not None:
        query = query.where(Thread.chapter_id == chapter_id)
    if move_id is not None:
        query = query.where(Thread.move_id == move_id)
    if after is not None:
        query = query.where(tuple_(PINNED, Thread.updated_at, Thread.id) < tuple_(*after))
    query = query.order_by(PINNED.desc(), Thread.updated_at.desc(), Thread.id.desc())
    return (await session.scalars(query.limit(limit))).all()


async def list_posts(session: AsyncSession, thread_id: uuid.UUID) -> Sequence[Post]:
    return (
        await session.scalars(
            select(Post).where(Post.thread_id == thread_id).order_by(Post.created_at, Post.id)
        )
    ).all()


async def reaction_counts(
    session: AsyncSession, post_ids: list[uuid.UUID], user_id: uuid.UUID
) -> Sequence[Row[uuid.UUID, str, int, bool]]:
    """(post id, kind, count, whether the user is among them) for every reacted post."""
    mine = func.bool_or(Reaction.user_id == user_id)
    return (
        await session.execute(
            select(Reaction.post_id, Reaction.kind, func.count(), mine)
            .where(Reaction.post_id.in_(post_ids))
            .group_by(Reaction.post_id, Reaction.kind)
            .order_by(Reaction.post_id, Reaction.kind)
        )
    ).all()


async def bump_post_count(session: AsyncSession, thread: Thread, now: datetime) -> None:
    await session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(thread)


async def add_revision(session: AsyncSession, post: Post) -> None:
    """Keep the text the post has now, before it is overwritten."""
    session.add(
        PostRevision(
            workspace_id=post.workspace_id,
            post_id=post.id,
            version=post.version,
            body=post.body,
            written_at=post.edited_at or post.created_at,
        )
    )
    await session.flush()


async def list_revisions(session: AsyncSession, post_id: uuid.UUID) -> Sequence[PostRevision]:
    return (
        await session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post_id)
            .order_by(PostRevision.version.desc())
        )
    ).all()


async def add_reaction(session: AsyncSession, post: Post, user_id: uuid.UUID, kind: str) -> bool:
    """True when the reaction is new; the primary key absorbs a repeat or a race."""
    inserted = await session.scalar(
        insert(Reaction)
        .values(post_id=post.id, user_id=user_id, kind=kind, workspace_id=post.workspace_id)
        .on_conflict_do_nothing()
        .returning(Reaction.post_id)
    )
    return inserted is not None


async def remove_reaction(
    session: AsyncSession, post_id: uuid.UUID, user_id: uuid.UUID, kind: str
) -> bool:
    result = await session.execute(
        delete(Reaction).where(
            Reaction.post_id == post_id, Reaction.user_id == user_id, Reaction.kind == kind
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
