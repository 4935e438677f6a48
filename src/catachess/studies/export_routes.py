"""HTTP endpoints of stored exports (a study, or every study below a folder)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from catachess.auth.deps import CurrentUser, Session
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.studies import export
from catachess.studies.deps import AppSettings
from catachess.studies.models import Export
from catachess.studies.routes import PGN_MEDIA_TYPE, content_disposition
from catachess.studies.schemas import ExportCreate, ExportRead

router = APIRouter(route_class=TransactionalRoute, tags=["exports"])

MEDIA_TYPES = {"pgn": PGN_MEDIA_TYPE, "zip": "application/zip"}


def export_read(stored: Export) -> ExportRead:
    return ExportRead.model_validate(
        {
            **{
                field: getattr(stored, field)
                for field in ExportRead.model_fields
                if field != "download_url"
            },
            "download_url": f"/exports/{stored.id}/download",
        }
    )


@router.post(
    "/exports",
    status_code=status.HTTP_201_CREATED,
    response_model=ExportRead,
    responses=problems(401, 404, 422, 429),
)
async def create_export(
    body: ExportCreate,
    user: CurrentUser,
    session: Session,
    response: Response,
    settings: AppSettings,
) -> ExportRead:
    """Build and store the PGN export of a study, or a zip of every study below a folder."""
    stored = await export.create_export(
        session,
        user,
        body.node_id,
        body.options(),
        mode=body.mode,
        settings=settings,
    )
    response.headers["Location"] = f"/exports/{stored.id}"
    return export_read(stored)


@router.delete(
    "/exports/{export_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404)
)
async def delete_export(export_id: uuid.UUID, user: CurrentUser, session: Session) -> Response:
    """Delete one of your stored exports (frees a place in your EXPORT_MAX_PER_USER quota)."""
    await export.delete_export(session, user, export_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/exports/{export_id}", response_model=ExportRead, responses=problems(401, 404, 410))
async def get_export(export_id: uuid.UUID, user: CurrentUser, session: Session) -> ExportRead:
    """An export's metadata; readable by whoever may read the exported node."""
    return export_read(await export.get_export(session, user, export_id))


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={
        200: {"content": {PGN_MEDIA_TYPE: {}, "application/zip": {}}},
        **problems(401, 404, 410),
    },
)
async def download_export(export_id: uuid.UUID, user: CurrentUser, session: Session) -> Response:
    """The exported file (.pgn for a study, .zip for a folder or workspace)."""
    stored = await export.get_export(session, user, export_id, with_content=True)
    return Response(
        stored.content,
        media_type=MEDIA_TYPES[stored.format],
        headers={"Content-Disposition": content_disposition(stored.filename)},
    )
