"""HTTP endpoints of the node tree."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response, status

from catachess.auth.deps import OPTIONAL_BEARER, CurrentUser, Reader, Session, reader_and_node
from catachess.nodes import service, visibility
from catachess.nodes.schemas import (
    Breadcrumbs,
    NodeCreate,
    NodePage,
    NodeRead,
    NodeUpdate,
    PublicStudy,
    PublicStudyPage,
    VisibilityUpdate,
    WorkspaceEntry,
    WorkspaceList,
)
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.versioning import etag

router = APIRouter(route_class=TransactionalRoute, tags=["nodes"])

IfMatch = Annotated[str | None, Header(description='ETag from a read, e.g. "3"')]


# NodeRead's fields that a node has (all but the caller's role).
NODE_FIELDS = tuple(name for name in NodeRead.model_fields if name != "role")


def node_read(granted: Access) -> NodeRead:
    node = granted.node
    values = {name: getattr(node, name) for name in NODE_FIELDS}
    return NodeRead.model_validate({**values, "role": granted.role})


@router.post(
    "/nodes",
    status_code=status.HTTP_201_CREATED,
    response_model=NodeRead,
    responses=problems(401, 404, 409, 422),
)
async def create_node(body: NodeCreate, user: CurrentUser, session: Session) -> Response:
    """Create a workspace, or a folder or study under a parent you may edit."""
    granted = await service.create_node(session, user, body)
    return node_response(
        granted, status.HTTP_201_CREATED, {"Location": f"/nodes/{granted.node.id}"}
    )


@router.get(
    "/nodes/{node_id}",
    response_model=NodeRead,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def get_node(node_id: uuid.UUID, request: Request) -> Response:
    """One node, with your effective role on it (unlisted and public ones: anyone)."""
    return node_response(await reader_and_node(request, node_id, Action.read))


def node_response(
    granted: Access, status_code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None
) -> Response:
    """The node as NodeRead's own JSON, with its ETag, sent as is: a returned model would
    be validated again by FastAPI before being serialized (the hot routes skip that)."""
    return Response(
        NodeRead.__pydantic_serializer__.to_json(node_read(granted)),
        status_code=status_code,
        media_type="application/json",
        headers={**(headers or {}), "ETag": etag(granted.node.version)},
    )


@router.get(
    "/nodes/{node_id}/children",
    response_model=NodePage,
    responses=problems(400, 401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def list_children(
    node_id: uuid.UUID,
    user: Reader,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NodePage:
    """Children ordered by name; follow next_cursor for the next page."""
    page = await service.list_children(session, user, node_id, cursor=cursor, limit=limit)
    return NodePage(items=[node_read(child) for child in page.items], next_cursor=page.next_cursor)


@router.patch(
    "/nodes/{node_id}", response_model=NodeRead, responses=problems(401, 403, 404, 409, 412, 422)
)
async def update_node(
    node_id: uuid.UUID,
    body: NodeUpdate,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> NodeRead:
    """Rename and/or move a node within its workspace."""
    granted = await service.update_node(session, user, node_id, body, if_match)
    response.headers["ETag"] = etag(granted.node.version)
    return node_read(granted)


@router.put(
    "/nodes/{node_id}/visibility",
    response_model=NodeRead,
    responses=problems(401, 403, 404, 412, 422),
)
async def set_visibility(
    node_id: uuid.UUID,
    body: VisibilityUpdate,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> NodeRead:
    """Make a node private, unlisted or public (admin); a folder's setting covers its subtree."""
    granted = await visibility.set_visibility(session, user, node_id, body.visibility, if_match)
    response.headers["ETag"] = etag(granted.node.version)
    return node_read(granted)


@router.get("/public/studies", response_model=PublicStudyPage, responses=problems(400))
async def list_public_studies(
    session: Session,
    order: Annotated[Literal["newest", "stars"], Query()] = "newest",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> PublicStudyPage:
    """The server's public studies, newest or most starred first (no account needed)."""
    rows, next_cursor = await visibility.list_public_studies(
        session, by_stars=order == "stars", cursor=cursor, limit=limit
    )
    return PublicStudyPage(
        items=[
            PublicStudy(**NodeRead.model_validate(node).model_dump(), star_count=stars)
            for node, stars in rows
        ],
        next_cursor=next_cursor,
    )


@router.get(
    "/nodes/{node_id}/breadcrumbs",
    response_model=Breadcrumbs,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def breadcrumbs(node_id: uuid.UUID, user: Reader, session: Session) -> Breadcrumbs:
    """The path from the highest node you may read down to this one."""
    return Breadcrumbs(
        items=[node_read(a) for a in await service.breadcrumbs(session, user, node_id)]
    )


@router.get("/workspaces", response_model=WorkspaceList, responses=problems(401))
async def list_workspaces(user: CurrentUser, session: Session) -> WorkspaceList:
    """Workspaces you own or that are shared with you, and nodes shared with you inside others."""
    entries = await service.list_workspaces(session, user)
    return WorkspaceList(
        items=[
            WorkspaceEntry(
                **NodeRead.model_validate(node).model_dump(), shared_entry=shared
            ).model_copy(update={"role": role})
            for node, role, shared in entries
        ]
    )
