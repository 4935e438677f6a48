"""HTTP endpoints of discussions (never part of a PGN export)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from catachess.auth.deps import CurrentUser, Session
from catachess.auth.models import User
from catachess.discussions import service
from catachess.discussions.models import Post, Thread
from catachess.discussions.schemas import (
    MoveId,
    PostHistory,
    PostRead,
    PostUpdate,
    ReactionCount,
    ReactionKind,
    ReplyCreate,
    RevisionRead,
    ThreadCreate,
    ThreadDetail,
    ThreadPage,
    ThreadRead,
    ThreadUpdate,
)
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.versioning import etag

router = APIRouter(route_class=TransactionalRoute, tags=["discussions"])

IfMatch = Annotated[str | None, Header(description='ETag from a read, e.g. "2"')]


async def _post_reads(session: Session, user: User, posts: list[Post]) -> list[PostRead]:
    reactions = await service.reactions_of(session, user, posts)
    return [
        PostRead.model_validate(post).model_copy(
            update={
                "reactions": [
                    ReactionCount(kind=ReactionKind(kind), count=count, mine=mine)
                    for kind, count, mine in reactions.get(post.id, [])
                ]
            }
        )
        for post in posts
    ]


async def _detail(session: Session, user: User, thread: Thread) -> ThreadDetail:
    posts = await service.list_posts(session, thread)
    return ThreadDetail(
        **ThreadRead.model_validate(thread).model_dump(),
        posts=await _post_reads(session, user, posts),
    )


@router.post(
    "/discussions",
    status_code=status.HTTP_201_CREATED,
    response_model=ThreadDetail,
    responses=problems(401, 403, 404, 422),
)
async def create_thread(
    body: ThreadCreate, user: CurrentUser, session: Session, response: Response
) -> ThreadDetail:
    """Open a discussion on a study, a chapter or a move (commenter or above)."""
    thread = await service.create_thread(session, user, body)
    response.headers["Location"] = f"/discussions/{thread.id}"
    response.headers["ETag"] = etag(thread.version)
    return await _detail(session, user, thread)


@router.get("/discussions", response_model=ThreadPage, responses=problems(400, 401, 404, 422))
async def list_threads(
    user: CurrentUser,
    session: Session,
    target_id: Annotated[uuid.UUID, Query(description="a study, or one of its chapters")],
    chapter_id: uuid.UUID | None = None,
    move_id: Annotated[MoveId | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ThreadPage:
    """Discussions of a study (optionally of one chapter or move), pinned first."""
    page = await service.list_threads(
        session,
        user,
        target_id,
        chapter_id=chapter_id,
        move_id=move_id,
        cursor=cursor,
        limit=limit,
    )
    return ThreadPage(
        items=[ThreadRead.model_validate(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.get("/discussions/{thread_id}", response_model=ThreadDetail, responses=problems(401, 404))
async def get_thread(
    thread_id: uuid.UUID, user: CurrentUser, session: Session, response: Response
) -> ThreadDetail:
    """A discussion with all its posts, oldest first."""
    thread = await service.get_thread(session, user, thread_id)
    response.headers["ETag"] = etag(thread.version)
    return await _detail(session, user, thread)


@router.patch(
    "/discussions/{thread_id}",
    response_model=ThreadRead,
    responses=problems(401, 403, 404, 412, 422),
)
async def update_thread(
    thread_id: uuid.UUID,
    body: ThreadUpdate,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> ThreadRead:
    """Retitle, resolve/reopen, pin/unpin."""
    thread = await service.update_thread(session, user, thread_id, body, if_match)
    response.headers["ETag"] = etag(thread.version)
    return ThreadRead.model_validate(thread)


@router.post(
    "/discussions/{thread_id}/replies",
    status_code=status.HTTP_201_CREATED,
    response_model=PostRead,
    responses=problems(401, 403, 404, 422),
)
async def reply(
    thread_id: uuid.UUID,
    body: ReplyCreate,
    user: CurrentUser,
    session: Session,
    response: Response,
) -> PostRead:
    """Reply to the discussion or to one of its posts."""
    post = await service.reply(session, user, thread_id, body)
    response.headers["Location"] = f"/discussions/{thread_id}/posts/{post.id}"
    response.headers["ETag"] = etag(post.version)
    return PostRead.model_validate(post)


@router.patch(
    "/discussions/{thread_id}/posts/{post_id}",
    response_model=PostRead,
    responses=problems(401, 403, 404, 412, 422),
)
async def edit_post(
    thread_id: uuid.UUID,
    post_id: uuid.UUID,
    body: PostUpdate,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> PostRead:
    """Edit your own post; the old text goes to its history."""
    post = await service.edit_post(session, user, thread_id, post_id, body.body, if_match)
    response.headers["ETag"] = etag(post.version)
    return (await _post_reads(session, user, [post]))[0]


@router.get(
    "/discussions/{thread_id}/posts/{post_id}/history",
    response_model=PostHistory,
    responses=problems(401, 404),
)
async def post_history(
    thread_id: uuid.UUID, post_id: uuid.UUID, user: CurrentUser, session: Session
) -> PostHistory:
    """A post's current text and every earlier one."""
    post, revisions = await service.post_history(session, user, thread_id, post_id)
    return PostHistory(
        post_id=post.id,
        current=(await _post_reads(session, user, [post]))[0],
        revisions=[RevisionRead.model_validate(r) for r in revisions],
    )


@router.put(
    "/discussions/{thread_id}/posts/{post_id}/reactions/{kind}",
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 404, 422),
)
async def add_reaction(
    thread_id: uuid.UUID,
    post_id: uuid.UUID,
    kind: ReactionKind,
    user: CurrentUser,
    session: Session,
) -> Response:
    """React to a post (201 new, 200 already there)."""
    added = await service.react(session, user, thread_id, post_id, kind, add=True)
    return Response(status_code=status.HTTP_201_CREATED if added else status.HTTP_200_OK)


@router.delete(
    "/discussions/{thread_id}/posts/{post_id}/reactions/{kind}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404, 422),
)
async def remove_reaction(
    thread_id: uuid.UUID,
    post_id: uuid.UUID,
    kind: ReactionKind,
    user: CurrentUser,
    session: Session,
) -> Response:
    """Take your reaction back."""
    await service.react(session, user, thread_id, post_id, kind, add=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
