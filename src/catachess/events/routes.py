"""HTTP endpoints of the event log (read-only) and the activity feed."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Header, Path, Query, Request, Response

from catachess.auth.deps import CurrentUser, Session
from catachess.correlation import CORRELATION_ID
from catachess.events import cloudevents, reads
from catachess.events.chains import ChainEntry
from catachess.events.models import Event
from catachess.events.repository import EventFilter
from catachess.events.schemas import (
    ActivityPage,
    ActivityRead,
    ChainLink,
    EventChain,
    EventPage,
    EventRead,
)
from catachess.events.types import EventType
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.timestamps import UtcDatetime

router = APIRouter(route_class=TransactionalRoute, tags=["events"])

Format = Annotated[
    Literal["json", "cloudevents"] | None,
    Query(alias="format", description="cloudevents: CloudEvents 1.0 JSON (as does Accept)"),
]
Accept = Annotated[str | None, Header(include_in_schema=False)]


def _cloudevents(content: Any, media_type: str, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content), media_type=media_type, headers=headers)


def _batch_example() -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "content": {
                cloudevents.BATCH_MEDIA_TYPE: {"schema": {"type": "array", "items": {}}},
                cloudevents.MEDIA_TYPE: {"schema": {"type": "object"}},
            }
        }
    }


@router.get(
    "/events",
    response_model=EventPage,
    responses={**problems(400, 401, 422), **_batch_example()},
)
async def list_events(
    request: Request,
    user: CurrentUser,
    session: Session,
    target_id: uuid.UUID | None = None,
    event_type: EventType | None = None,
    actor_id: uuid.UUID | None = None,
    correlation_id: Annotated[str | None, Query(pattern=CORRELATION_ID.pattern)] = None,
    workspace_id: uuid.UUID | None = None,
    since: Annotated[UtcDatetime | None, Query(description="inclusive, with a zone")] = None,
    until: Annotated[UtcDatetime | None, Query(description="exclusive, with a zone")] = None,
    order: Literal["desc", "asc"] = "desc",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    format_: Format = None,
    accept: Accept = None,
) -> EventPage | Response:
    """Events of targets you may read, newest first (order=asc for oldest first).

    With CloudEvents the page is a JSON batch and the next page is in the `Link` header.
    """
    where = EventFilter(
        target_id=target_id,
        event_type=event_type,
        actor_id=actor_id,
        correlation_id=correlation_id,
        workspace_id=workspace_id,
        since=since,
        until=until,
    )
    page = await reads.list_events(
        session, user, where, cursor=cursor, limit=limit, newest_first=order == "desc"
    )
    if cloudevents.wanted(format_, accept):
        headers = {}
        if page.next_cursor:
            headers["Link"] = (
                f'<{request.url.include_query_params(cursor=page.next_cursor)}>; rel="next"'
            )
        return _cloudevents(
            [cloudevents.to_cloudevent(e) for e in page.items],
            cloudevents.BATCH_MEDIA_TYPE,
            headers,
        )
    return EventPage(items=[EventRead.of(e) for e in page.items], next_cursor=page.next_cursor)


@router.get(
    "/events/chains/{correlation_id}",
    response_model=EventChain,
    responses={**problems(401, 404, 422), **_batch_example()},
)
async def event_chain(
    correlation_id: Annotated[str, Path(pattern=CORRELATION_ID.pattern)],
    user: CurrentUser,
    session: Session,
    format_: Format = None,
    accept: Accept = None,
) -> EventChain | Response:
    """The causation tree of one correlation id: each event nested under its cause."""
    chain = await reads.event_chain(session, user.id, correlation_id)
    if cloudevents.wanted(format_, accept):
        return _cloudevents(
            [cloudevents.to_cloudevent(e) for e in chain.events], cloudevents.BATCH_MEDIA_TYPE
        )
    return EventChain(
        correlation_id=chain.correlation_id,
        event_count=len(chain.events),
        truncated=chain.truncated,
        roots=[_link(entry) for entry in chain.roots],
    )


def _link(entry: ChainEntry) -> ChainLink:
    return ChainLink(
        **EventRead.of(entry.event).model_dump(), children=[_link(c) for c in entry.children]
    )


@router.get(
    "/events/{event_id}",
    response_model=EventRead,
    responses={**problems(401, 404), **_batch_example()},
)
async def get_event(
    event_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    format_: Format = None,
    accept: Accept = None,
) -> EventRead | Response:
    """One event of a target you may read."""
    event: Event = await reads.get_event(session, user, event_id)
    if cloudevents.wanted(format_, accept):
        return _cloudevents(cloudevents.to_cloudevent(event), cloudevents.MEDIA_TYPE)
    return EventRead.of(event)


@router.get(
    "/nodes/{node_id}/activity", response_model=ActivityPage, responses=problems(400, 401, 404)
)
async def node_activity(
    node_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ActivityPage:
    """What happened in this node's subtree, newest first (a workspace's keeps purged nodes)."""
    page = await reads.list_activity(session, user, node_id, cursor=cursor, limit=limit)
    return ActivityPage(
        items=[ActivityRead.model_validate(entry) for entry in page.items],
        next_cursor=page.next_cursor,
    )
