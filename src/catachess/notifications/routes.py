"""HTTP endpoints of notifications and the user's own live stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from catachess.auth.deps import CurrentUser, Session
from catachess.config import Settings
from catachess.events.reads import decode_seq_cursor, encode_seq_cursor
from catachess.events.types import EventType
from catachess.live.hub import Subscription
from catachess.live.routes import EVENT_STREAM, After, LastEventId, open_stream, resume_position
from catachess.notifications import service
from catachess.notifications.models import Kind
from catachess.notifications.schemas import (
    MarkedRead,
    MarkRead,
    NotificationPage,
    NotificationRead,
    Preferences,
    UnreadCount,
)
from catachess.openapi import problems
from catachess.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["notifications"])

# What GET /me/stream carries: the user's own events of these types.
ME_STREAM_TYPES = frozenset(
    str(t) for t in (EventType.notification_created, EventType.notifications_read)
)


@router.get("/notifications", response_model=NotificationPage, responses=problems(400, 401))
async def list_notifications(
    user: CurrentUser,
    session: Session,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationPage:
    """Your notifications, newest first, with the unread count."""
    before = decode_seq_cursor(cursor) if cursor else None
    inbox = await service.list_notifications(
        session, user, before_seq=before, unread_only=unread, limit=limit
    )
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in inbox.items],
        next_cursor=encode_seq_cursor(inbox.next_seq) if inbox.next_seq else None,
        unread_count=inbox.unread,
    )


@router.get("/notifications/unread-count", response_model=UnreadCount, responses=problems(401))
async def unread_count(user: CurrentUser, session: Session) -> UnreadCount:
    """How many of your notifications are unread."""
    return UnreadCount(unread_count=await service.unread_count(session, user))


@router.post("/notifications/read", response_model=MarkedRead, responses=problems(401, 404, 422))
async def mark_read(body: MarkRead, user: CurrentUser, session: Session) -> MarkedRead:
    """Mark notifications read: `ids`, and/or every one up to `up_to`."""
    marked = await service.mark_read(session, user, body.ids, body.up_to)
    return MarkedRead(marked=marked, unread_count=await service.unread_count(session, user))


@router.get("/me/notification-preferences", response_model=Preferences, responses=problems(401))
async def get_preferences(user: CurrentUser, session: Session) -> Preferences:
    """Which kinds of notification you receive."""
    enabled = await service.preferences(session, user)
    return Preferences(kinds={kind: kind in enabled for kind in Kind})


@router.put(
    "/me/notification-preferences", response_model=Preferences, responses=problems(401, 422)
)
async def set_preferences(body: Preferences, user: CurrentUser, session: Session) -> Preferences:
    """Turn kinds of notification on or off (kinds left out keep their setting)."""
    enabled = await service.preferences(session, user)
    enabled = {kind for kind in Kind if body.kinds.get(kind, kind in enabled)}
    await service.set_preferences(session, user, enabled)
    return Preferences(kinds={kind: kind in enabled for kind in Kind})


@router.get(
    "/me/stream",
    response_class=StreamingResponse,
    responses={**EVENT_STREAM, **problems(401, 422)},
)
async def my_stream(
    request: Request,
    user: CurrentUser,
    last_event_id: LastEventId = None,
    after: After = None,
) -> StreamingResponse:
    """Your notifications as they are made, and reads from your other tabs (SSE)."""
    after = resume_position(last_event_id, after)
    settings: Settings = request.app.state.settings
    sub = Subscription(
        user_id=user.id, capacity=settings.live_queue_size, own_types=ME_STREAM_TYPES
    )
    return open_stream(request, sub, after)
