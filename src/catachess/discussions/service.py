"""The rules of discussions: who may post, reply, edit, resolve, pin and react."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.discussions import repository
from catachess.discussions.models import Post, PostRevision, Thread
from catachess.discussions.schemas import (
    MAX_DEPTH,
    ReactionKind,
    ReplyCreate,
    ThreadCreate,
    ThreadUpdate,
)
from catachess.errors import Forbidden, NotFound, Unprocessable
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    DiscussionPostEdited,
    DiscussionReaction,
    DiscussionReplyAdded,
    DiscussionThreadCreated,
    DiscussionThreadUpdated,
    EventType,
)
from catachess.nodes.errors import NodeNotFound
from catachess.nodes.models import Node, NodeKind
from catachess.pagination import cursor_datetime, decode_cursor, encode_cursor, invalid_cursor
from catachess.search import indexing as search_index
from catachess.sharing import access
from catachess.sharing.access import Access
from catachess.sharing.policy import Action, allows
from catachess.studies import service as studies
from catachess.versioning import check_if_match


class ThreadNotFound(NotFound):
    code = "discussion_not_found"


class PostNotFound(NotFound):
    code = "post_not_found"


class NestingTooDeep(Unprocessable):
    code = "nesting_too_deep"


@dataclass(frozen=True)
class ThreadAccess:
    thread: Thread
    study: Access


async def _study(session: AsyncSession, user: User, study_id: uuid.UUID, action: Action) -> Access:
    granted = await access.require(session, user.id, study_id, action)
    if granted.node.kind is not NodeKind.study:
        raise Unprocessable("discussions belong to a study", field="study_id")
    return granted


async def _thread(
    session: AsyncSession, user: User, thread_id: uuid.UUID, action: Action, *, lock: bool = False
) -> ThreadAccess:
    """The thread, loaded through its study; unreadable and missing look the same."""
    thread = await repository.get_thread(session, thread_id, for_update=lock)
    if thread is None:
        raise ThreadNotFound(f"discussion {thread_id} does not exist")
    try:
        study = await access.require(session, user.id, thread.study_id, action)
    except NodeNotFound:
        raise ThreadNotFound(f"discussion {thread_id} does not exist") from None
    return ThreadAccess(thread=thread, study=study)


def _thread_target(thread: Thread) -> Target:
    return Target(thread.id, "discussion", thread.study_id)


async def _index(session: AsyncSession, thread: Thread, post: Post) -> None:
    """Keep the post's text searchable (same transaction)."""
    await search_index.post_written(
        session,
        search_index.PostText(
            post_id=post.id,
            thread_id=thread.id,
            workspace_id=thread.workspace_id,
            study_id=thread.study_id,
            chapter_id=thread.chapter_id,
            move_id=thread.move_id,
            body=post.body,
        ),
    )


async def create_thread(session: AsyncSession, user: User, body: ThreadCreate) -> Thread:
    """Open a thread on a study, one of its chapters, or one move, with its first post."""
    study = await _study(session, user, body.study_id, Action.comment)
    if body.chapter_id is not None:
        await studies.require_discussable(session, study, body.chapter_id, body.move_id)
    now = utcnow()
    thread = Thread(
        workspace_id=study.node.workspace_id,
        study_id=study.node.id,
        chapter_id=body.chapter_id,
        move_id=body.move_id,
        title=body.title,
        created_by=user.id,
        updated_at=now,
        post_count=1,
    )
    session.add(thread)
    await session.flush()
    post = Post(
        workspace_id=thread.workspace_id,
        thread_id=thread.id,
        depth=0,
        author_id=user.id,
        body=body.body,
        created_at=now,
    )
    session.add(post)
    await session.flush()
    await _index(session, thread, post)
    await events.record(
        session,
        EventType.discussion_thread_created,
        actor_id=user.id,
        target=_thread_target(thread),
        workspace_id=thread.workspace_id,
        version=thread.version,
        payload=DiscussionThreadCreated(
            study_id=thread.study_id,
            chapter_id=thread.chapter_id,
            move_id=thread.move_id,
            title=thread.title,
            post_id=post.id,
        ),
    )
    return thread


@dataclass(frozen=True)
class ThreadPage:
    items: list[Thread]
    next_cursor: str | None


async def list_threads(
    session: AsyncSession,
    user: User,
    target_id: uuid.UUID,
    *,
    chapter_id: uuid.UUID | None,
    move_id: str | None,
    cursor: str | None,
    limit: int,
) -> ThreadPage:
    """Threads of a study (or of a chapter, when `target_id` is one) you may read, pinned
    first, then most recently active."""
    try:
        study = await _study(session, user, target_id, Action.read)
    except NodeNotFound:
        study_id = await studies.study_of_chapter(session, target_id)
        if study_id is None:
            raise
        try:
            study = await _study(session, user, study_id, Action.read)
        except NodeNotFound:
            # Name what was asked for: the study's id would reveal the chapter exists.
            raise NodeNotFound(target_id) from None
        chapter_id = target_id
    after = _decode_cursor(cursor) if cursor else None
    rows = list(
        await repository.list_threads(
            session,
            study.node.id,
            chapter_id=chapter_id,
            move_id=move_id,
            after=after,
            limit=limit + 1,
        )
    )
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return ThreadPage(items=rows[:limit], next_cursor=next_cursor)


def _encode_cursor(thread: Thread) -> str:
    return encode_cursor(
        [thread.pinned_at is not None, thread.updated_at.isoformat(), str(thread.id)]
    )


def _decode_cursor(cursor: str) -> tuple[bool, datetime, uuid.UUID]:
    pinned, updated_at, thread_id = decode_cursor(cursor, 3)
    try:
        return bool(pinned), cursor_datetime(updated_at), uuid.UUID(str(thread_id))
    except ValueError:
        raise invalid_cursor() from None


async def get_thread(session: AsyncSession, user: User, thread_id: uuid.UUID) -> Thread:
    return (await _thread(session, user, thread_id, Action.read)).thread


async def list_posts(session: AsyncSession, thread: Thread) -> list[Post]:
    return list(await repository.list_posts(session, thread.id))


async def reactions_of(
    session: AsyncSession, user: User, posts: list[Post]
) -> dict[uuid.UUID, list[tuple[str, int, bool]]]:
    counts: dict[uuid.UUID, list[tuple[str, int, bool]]] = {}
    for post_id, kind, count, mine in await repository.reaction_counts(
        session, [p.id for p in posts], user.id
    ):
        counts.setdefault(post_id, []).append((kind, count, mine))
    return counts


async def reply(session: AsyncSession, user: User, thread_id: uuid.UUID, body: ReplyCreate) -> Post:
    """Add a post to a thread, optionally as a reply to another post (bounded depth)."""
    found = await _thread(session, user, thread_id, Action.comment, lock=True)
    thread = found.thread
    depth = 0
    if body.parent_post_id is not None:
        parent = await repository.get_post(session, thread.id, body.parent_post_id)
        if parent is None:
            raise PostNotFound(
                f"post {body.parent_post_id} is not in this discussion", field="parent_post_id"
            )
        depth = parent.depth + 1
        if depth > MAX_DEPTH:
            raise NestingTooDeep(
                f"replies nest at most {MAX_DEPTH} levels deep; reply to an earlier post",
                field="parent_post_id",
                limit=MAX_DEPTH,
            )
    now = utcnow()
    post = Post(
        workspace_id=thread.workspace_id,
        thread_id=thread.id,
        parent_post_id=body.parent_post_id,
        depth=depth,
        author_id=user.id,
        body=body.body,
        created_at=now,
    )
    session.add(post)
    await session.flush()
    await _index(session, thread, post)
    await repository.bump_post_count(session, thread, now)
    await events.record(
        session,
        EventType.discussion_reply_added,
        actor_id=user.id,
        target=_thread_target(thread),
        workspace_id=thread.workspace_id,
        version=thread.version,
        payload=DiscussionReplyAdded(
            post_id=post.id, parent_post_id=post.parent_post_id, depth=depth
        ),
    )
    return post


async def update_thread(
    session: AsyncSession,
    user: User,
    thread_id: uuid.UUID,
    body: ThreadUpdate,
    if_match: str | None,
) -> Thread:
    """Retitle, resolve/reopen or pin/unpin a thread.

    The author may retitle and resolve their own thread (commenter is enough); editors may
    do it on any thread, and only editors pin.
    """
    found = await _thread(session, user, thread_id, Action.comment, lock=True)
    thread, role = found.thread, found.study.role
    check_if_match(if_match, thread.version)
    is_editor = allows(role, Action.edit)
    if not is_editor and (body.pinned is not None or thread.created_by != user.id):
        raise Forbidden(
            "only editors may pin, or change threads they did not open",
            required_role="editor",
            your_role=role.value,
        )
    now = utcnow()
    changes: dict[str, object] = {}
    if body.title is not None and body.title != thread.title:
        changes["title"] = body.title
        thread.title = body.title
    if body.resolved is not None and body.resolved != (thread.resolved_at is not None):
        changes["resolved"] = body.resolved
        thread.resolved_at, thread.resolved_by = (now, user.id) if body.resolved else (None, None)
    if body.pinned is not None and body.pinned != (thread.pinned_at is not None):
        changes["pinned"] = body.pinned
        thread.pinned_at, thread.pinned_by = (now, user.id) if body.pinned else (None, None)
    if not changes:
        return thread
    thread.version += 1
    thread.updated_at = now
    await session.flush()
    await events.record(
        session,
        EventType.discussion_thread_updated,
        actor_id=user.id,
        target=_thread_target(thread),
        workspace_id=thread.workspace_id,
        version=thread.version,
        payload=DiscussionThreadUpdated.model_validate(changes),
    )
    return thread


async def edit_post(
    session: AsyncSession,
    user: User,
    thread_id: uuid.UUID,
    post_id: uuid.UUID,
    text: str,
    if_match: str | None,
) -> Post:
    """Change your own post; the previous text is kept in its history."""
    found = await _thread(session, user, thread_id, Action.comment)
    post = await repository.get_post(session, found.thread.id, post_id, for_update=True)
    if post is None:
        raise PostNotFound(f"post {post_id} is not in this discussion")
    if post.author_id != user.id:
        raise Forbidden("only the author may edit a post")
    check_if_match(if_match, post.version)
    if text == post.body:
        return post
    await repository.add_revision(session, post)
    post.body = text
    post.version += 1
    post.edited_at = utcnow()
    await session.flush()
    await _index(session, found.thread, post)
    await events.record(
        session,
        EventType.discussion_post_edited,
        actor_id=user.id,
        target=Target(post.id, "discussion_post", found.thread.study_id),
        workspace_id=post.workspace_id,
        version=post.version,
        payload=DiscussionPostEdited(thread_id=post.thread_id),
    )
    return post


async def post_history(
    session: AsyncSession, user: User, thread_id: uuid.UUID, post_id: uuid.UUID
) -> tuple[Post, list[PostRevision]]:
    found = await _thread(session, user, thread_id, Action.read)
    post = await repository.get_post(session, found.thread.id, post_id)
    if post is None:
        raise PostNotFound(f"post {post_id} is not in this discussion")
    return post, list(await repository.list_revisions(session, post.id))


async def react(
    session: AsyncSession,
    user: User,
    thread_id: uuid.UUID,
    post_id: uuid.UUID,
    kind: ReactionKind,
    *,
    add: bool,
) -> bool:
    """Add or remove your reaction; returns whether anything changed."""
    found = await _thread(session, user, thread_id, Action.comment)
    post = await repository.get_post(session, found.thread.id, post_id)
    if post is None:
        raise PostNotFound(f"post {post_id} is not in this discussion")
    if add:
        changed = await repository.add_reaction(session, post, user.id, kind.value)
    else:
        changed = await repository.remove_reaction(session, post.id, user.id, kind.value)
    if changed:
        await events.record(
            session,
            EventType.discussion_reaction_added if add else EventType.discussion_reaction_removed,
            actor_id=user.id,
            target=Target(post.id, "discussion_post", found.thread.study_id),
            workspace_id=post.workspace_id,
            version=post.version,
            payload=DiscussionReaction(thread_id=post.thread_id, kind=kind.value),
        )
    return changed


async def copy_threads(
    session: AsyncSession,
    source_study_id: uuid.UUID,
    target: Node,
    chapters: dict[uuid.UUID | None, uuid.UUID | None],
) -> None:
    """Copy a study's threads on the given chapters (None: on the study) into `target`.
    The caller has checked read access to the source and edit access to the target."""
    copied = await repository.copy_threads(session, source_study_id, target, chapters)
    await search_index.threads_reindexed(session, copied)


async def move_threads(
    session: AsyncSession,
    source_study_id: uuid.UUID,
    target: Node,
    chapters: dict[uuid.UUID, uuid.UUID],
) -> None:
    """Threads on chapters that moved to `target` follow them (before the old rows go)."""
    moved = await repository.move_threads(session, source_study_id, target, chapters)
    await search_index.threads_reindexed(session, moved)
