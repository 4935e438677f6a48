"""Queries of discussions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.discussions.models import Post, PostRevision, Reaction, Thread
from catachess.nodes.models import Node

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


async def copy_threads(
    session: AsyncSession,
    source_study_id: uuid.UUID,
    target: Node,
    chapters: dict[uuid.UUID | None, uuid.UUID | None],
) -> list[uuid.UUID]:
    """Copy the threads of a study on the given chapters (None: the study's own threads)
    to `target`, with their posts as they read now; new ids. Returns the copies' ids."""
    chapter_ids = [chapter_id for chapter_id in chapters if chapter_id is not None]
    on: ColumnElement[bool] = Thread.chapter_id.in_(chapter_ids)
    if None in chapters:
        on = or_(on, Thread.chapter_id.is_(None))
    threads = (
        await session.scalars(select(Thread).where(Thread.study_id == source_study_id, on))
    ).all()
    copies: dict[uuid.UUID, uuid.UUID] = {thread.id: uuid.uuid4() for thread in threads}
    posts = (
        await session.scalars(
            select(Post)
            .where(Post.thread_id.in_(list(copies)))
            .order_by(Post.depth, Post.created_at, Post.id)
        )
    ).all()
    post_copies = {post.id: uuid.uuid4() for post in posts}
    session.add_all(
        Thread(
            id=copies[thread.id],
            workspace_id=target.workspace_id,
            study_id=target.id,
            chapter_id=chapters[thread.chapter_id],
            move_id=thread.move_id,
            title=thread.title,
            created_by=thread.created_by,
            created_at=thread.created_at,
            updated_at=thread.updated_at,
            resolved_at=thread.resolved_at,
            resolved_by=thread.resolved_by,
            pinned_at=thread.pinned_at,
            pinned_by=thread.pinned_by,
            post_count=thread.post_count,
        )
        for thread in threads
    )
    await session.flush()
    # Parents before children (ordered by depth), so each reply finds its parent's copy.
    session.add_all(
        Post(
            id=post_copies[post.id],
            workspace_id=target.workspace_id,
            thread_id=copies[post.thread_id],
            parent_post_id=post_copies[post.parent_post_id] if post.parent_post_id else None,
            depth=post.depth,
            author_id=post.author_id,
            body=post.body,
            created_at=post.created_at,
            edited_at=post.edited_at,
        )
        for post in posts
    )
    await session.flush()
    return list(copies.values())


async def move_threads(
    session: AsyncSession,
    source_study_id: uuid.UUID,
    target: Node,
    chapters: dict[uuid.UUID, uuid.UUID],
) -> list[uuid.UUID]:
    """Threads on moved chapters follow them to their new study and chapter ids."""
    moved: list[uuid.UUID] = []
    for old, new in chapters.items():
        moved += (
            await session.scalars(
                update(Thread)
                .where(Thread.study_id == source_study_id, Thread.chapter_id == old)
                .values(study_id=target.id, chapter_id=new, workspace_id=target.workspace_id)
                .returning(Thread.id)
            )
        ).all()
        await session.execute(
            update(Post)
            .where(Post.thread_id.in_(select(Thread.id).where(Thread.chapter_id == new)))
            .values(workspace_id=target.workspace_id)
        )
    return moved
