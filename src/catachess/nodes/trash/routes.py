"""HTTP endpoints of the trash: delete (to the trash), list, restore, purge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from catachess.auth.deps import CurrentUser, Session
from catachess.nodes.routes import IfMatch
from catachess.nodes.schemas import NodeRead
from catachess.nodes.trash import service
from catachess.nodes.trash.schemas import PurgeResult, RestoreResult, TrashEntryRead, TrashPage
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.versioning import etag

router = APIRouter(route_class=TransactionalRoute, tags=["trash"])


def retention(request: Request) -> timedelta:
    return timedelta(days=request.app.state.settings.trash_retention_days)


Retention = Annotated[timedelta, Depends(retention)]


def entry_read(view: service.TrashView, keep_for: timedelta) -> TrashEntryRead:
    entry, node = view.entry, view.node
    return TrashEntryRead(
        id=node.id,
        kind=node.kind,
        name=node.name,
        workspace_id=node.workspace_id,
        version=node.version,
        original_parent_id=entry.original_parent_id,
        original_path=view.original_path,
        node_count=entry.node_count,
        trashed_by=entry.trashed_by,
        trashed_by_name=view.trashed_by_name,
        trashed_at=entry.trashed_at,
        purge_after=entry.trashed_at + keep_for,
    )


@router.delete(
    "/nodes/{node_id}", response_model=TrashEntryRead, responses=problems(401, 403, 404, 409, 412)
)
async def trash_node(
    node_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    keep_for: Retention,
    if_match: IfMatch = None,
) -> TrashEntryRead:
    """Move a node and everything under it to the trash; answers with its trash entry."""
    view = await service.trash_node(session, user, node_id, if_match)
    return entry_read(view, keep_for)


@router.get("/trash", response_model=TrashPage, responses=problems(400, 401))
async def list_trash(
    user: CurrentUser,
    session: Session,
    keep_for: Retention,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TrashPage:
    """Trashed roots you may restore, newest first; follow next_cursor for more."""
    page = await service.list_trash(session, user, cursor=cursor, limit=limit)
    return TrashPage(
        items=[entry_read(view, keep_for) for view in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/nodes/{node_id}/restore",
    response_model=RestoreResult,
    responses=problems(401, 403, 404, 409, 412),
)
async def restore_node(
    node_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> RestoreResult:
    """Put a trashed root back with its subtree (at the workspace root if its parent is gone)."""
    restored = await service.restore_node(session, user, node_id, if_match)
    response.headers["ETag"] = etag(restored.node.version)
    return RestoreResult(
        node=NodeRead.model_validate(restored.node).model_copy(update={"role": restored.role}),
        node_count=restored.node_count,
        original_parent_id=restored.original_parent_id,
        restored_to_workspace_root=restored.restored_to_root,
        renamed_from=restored.renamed_from,
    )


@router.delete(
    "/nodes/{node_id}/purge",
    response_model=PurgeResult,
    responses=problems(401, 403, 404, 409, 412),
)
async def purge_node(
    node_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    if_match: IfMatch = None,
) -> PurgeResult:
    """Delete a trashed root and everything under it for good (admin); not undoable."""
    purged = await service.purge_node(session, user, node_id, if_match)
    return PurgeResult(
        id=purged.node_id,
        kind=purged.kind,
        name=purged.name,
        node_count=purged.node_count,
        kept_in_trash=purged.kept_in_trash,
    )
