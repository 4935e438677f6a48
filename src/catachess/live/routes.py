"""HTTP endpoints of live pages: the study stream (Server-Sent Events) and presence."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from catachess.auth.deps import OPTIONAL_BEARER, CurrentUser, Reader, Session
from catachess.config import Settings
from catachess.errors import Unprocessable
from catachess.live import presence
from catachess.live.hub import LiveHub, Subscription
from catachess.live.schemas import PresenceList, PresenceUpdate
from catachess.live.streams import HEADERS, follow
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.sharing import access
from catachess.sharing.policy import Action

# The route's transaction (auth, access check) commits before the response starts, so a
# stream holds no database connection: it borrows one per read of the log.
router = APIRouter(route_class=TransactionalRoute, tags=["live"])

EVENT_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events (docs/live.md)",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}
LastEventId = Annotated[
    str | None,
    Header(description="resume after this position (sent by EventSource on reconnect)"),
]
After = Annotated[
    int | None,
    Query(ge=0, le=2**63 - 1, description="resume after this position (as Last-Event-ID)"),
]


def resume_position(last_event_id: str | None, after: int | None) -> int | None:
    if last_event_id is None or not last_event_id.strip():
        return after
    value = last_event_id.strip()
    if not value.isascii() or not value.isdigit() or int(value) > 2**63 - 1:
        raise Unprocessable(
            "Last-Event-ID must be a position this server sent (a non-negative integer)",
            field="Last-Event-ID",
        )
    return int(value)


def open_stream(request: Request, sub: Subscription, after: int | None) -> StreamingResponse:
    hub: LiveHub = request.app.state.live
    settings: Settings = request.app.state.settings
    body = follow(
        hub,
        sub,
        after=after,
        heartbeat=settings.live_heartbeat,
        catch_up_limit=settings.live_catchup_limit,
    )
    return StreamingResponse(body, media_type="text/event-stream", headers=HEADERS)


@router.get(
    "/studies/{study_id}/stream",
    response_class=StreamingResponse,
    responses={**EVENT_STREAM, **problems(401, 404, 422)},
)
async def study_stream(
    study_id: uuid.UUID,
    request: Request,
    user: CurrentUser,
    session: Session,
    last_event_id: LastEventId = None,
    after: After = None,
) -> StreamingResponse:
    """The study's events as they commit, resumable by position (Server-Sent Events)."""
    after = resume_position(last_event_id, after)
    granted = await access.require(session, user.id, study_id, Action.read)
    settings: Settings = request.app.state.settings
    sub = Subscription(
        user_id=user.id,
        capacity=settings.live_queue_size,
        study_id=study_id,
        workspace_id=granted.node.workspace_id,
        role=granted.role,
    )
    return open_stream(request, sub, after)


PRESENCE = "/studies/{study_id}/presence"


@router.get(
    PRESENCE,
    response_model=PresenceList,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def list_presence(
    study_id: uuid.UUID, request: Request, user: Reader, session: Session
) -> PresenceList:
    """Who views the study now, and which chapter (readers of the study only)."""
    settings: Settings = request.app.state.settings
    return await presence.list_viewers(session, user, study_id, settings.presence_ttl)


@router.put(
    PRESENCE + "/{page_id}",
    response_model=PresenceList,
    responses=problems(401, 404, 409, 422),
    openapi_extra=OPTIONAL_BEARER,
)
async def put_presence(
    study_id: uuid.UUID,
    page_id: uuid.UUID,
    body: PresenceUpdate,
    request: Request,
    user: Reader,
    session: Session,
) -> PresenceList:
    """Heartbeat of an open page (every ~8 s): it shows the study at that chapter now.

    `page_id` is a random UUID the page makes once; the answer is who views the study."""
    settings: Settings = request.app.state.settings
    return await presence.heartbeat(
        session, user, study_id, page_id, body.chapter_id, settings.presence_ttl
    )


@router.delete(
    PRESENCE + "/{page_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def delete_presence(
    study_id: uuid.UUID, page_id: uuid.UUID, user: Reader, session: Session
) -> Response:
    """The page closed: it leaves the presence list at once."""
    await presence.leave(session, user, study_id, page_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
