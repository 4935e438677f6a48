"""HTTP endpoints of studies and chapters, and their PGN export."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response, status

from catachess.auth.deps import OPTIONAL_BEARER, CurrentUser, Reader, Session
from catachess.nodes.routes import node_read
from catachess.nodes.schemas import NodeRead
from catachess.openapi import problems
from catachess.pgn import PgnWarning
from catachess.sharing.access import Access
from catachess.studies import chapters, copies, export, service, stars
from catachess.studies.body import LimitedBodyRoute
from catachess.studies.deps import AppSettings, IfMatch, Limits, Switches
from catachess.studies.models import Chapter
from catachess.studies.schemas import (
    ChapterRead,
    ChaptersCopy,
    ChaptersCreate,
    ChapterSummary,
    ChapterUpdate,
    FolderDuplicated,
    ImportWarning,
    StarredPage,
    StarredStudy,
    StarState,
    StudyClone,
    StudyCreate,
    StudyImport,
    StudyRead,
)
from catachess.studies.service import FilledStudy
from catachess.versioning import etag

router = APIRouter(route_class=LimitedBodyRoute, tags=["studies"])

PGN_MEDIA_TYPE = "application/x-chess-pgn"


def study_read(granted: Access, chapter_rows: list[Chapter]) -> StudyRead:
    node = NodeRead.model_validate(granted.node).model_dump(exclude={"role"})
    return StudyRead(
        **node,
        role=granted.role,
        chapters=[ChapterSummary.model_validate(chapter) for chapter in chapter_rows],
    )


def import_result(filled: list[FilledStudy], warnings: Sequence[PgnWarning] = ()) -> StudyImport:
    studies = [study_read(entry.granted, entry.chapters) for entry in filled]
    count = sum(len(study.chapters) for study in studies)
    return StudyImport(
        studies=studies,
        game_count=count,
        chapter_count=count,
        warnings=[ImportWarning.model_validate(warning) for warning in warnings],
    )


@router.post(
    "/studies",
    status_code=status.HTTP_201_CREATED,
    response_model=StudyImport,
    responses=problems(401, 403, 404, 409, 413, 422, 429),
)
async def create_study(
    body: StudyCreate, user: CurrentUser, session: Session, response: Response, limits: Limits
) -> StudyImport:
    """Create a study, optionally from PGN (one chapter per game; past 64, more studies)."""
    imported = await service.create_study(session, user, body, limits)
    study = imported.studies[0].granted.node
    response.headers["Location"] = f"/studies/{study.id}"
    response.headers["ETag"] = etag(study.version)
    return import_result(imported.studies, imported.warnings)


@router.get(
    "/studies/{study_id}",
    response_model=StudyRead,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def get_study(
    study_id: uuid.UUID, user: Reader, session: Session, response: Response
) -> StudyRead:
    """A study and its chapters in order (without their move trees)."""
    granted, rows = await chapters.get_study(session, user, study_id)
    response.headers["ETag"] = etag(granted.node.version)
    counted = await stars.stars_of(session, user, granted.node)
    return study_read(granted, list(rows)).model_copy(
        update={"star_count": counted.star_count, "starred": counted.starred}
    )


@router.put("/studies/{study_id}/star", response_model=StarState, responses=problems(401, 404))
async def star_study(study_id: uuid.UUID, user: CurrentUser, session: Session) -> StarState:
    """Star a study you may read (again: no change)."""
    counted = await stars.set_star(session, user, study_id, on=True)
    return StarState(star_count=counted.star_count, starred=counted.starred)


@router.delete("/studies/{study_id}/star", response_model=StarState, responses=problems(401, 404))
async def unstar_study(study_id: uuid.UUID, user: CurrentUser, session: Session) -> StarState:
    """Remove your star (again: no change)."""
    counted = await stars.set_star(session, user, study_id, on=False)
    return StarState(star_count=counted.star_count, starred=counted.starred)


@router.get("/users/me/starred", response_model=StarredPage, responses=problems(400, 401))
async def starred_studies(
    user: CurrentUser,
    session: Session,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> StarredPage:
    """Studies you starred and may still read, most recently starred first."""
    rows, next_cursor = await stars.list_starred(session, user, cursor=cursor, limit=limit)
    return StarredPage(
        items=[
            StarredStudy(**NodeRead.model_validate(node).model_dump(), starred_at=at)
            for node, at in rows
        ],
        next_cursor=next_cursor,
    )


@router.post(
    "/studies/{study_id}/chapters",
    status_code=status.HTTP_201_CREATED,
    response_model=StudyImport,
    responses=problems(401, 403, 404, 409, 413, 422, 429),
)
async def add_chapters(
    study_id: uuid.UUID, body: ChaptersCreate, user: CurrentUser, session: Session, limits: Limits
) -> StudyImport:
    """Add chapters from PGN (one per game) or one empty chapter at a FEN."""
    imported = await service.add_chapters(session, user, study_id, body, limits)
    return import_result(imported.studies, imported.warnings)


@router.post(
    "/studies/{study_id}/clone",
    status_code=status.HTTP_201_CREATED,
    response_model=StudyImport,
    responses=problems(401, 403, 404, 409, 422),
)
async def clone_study(
    study_id: uuid.UUID, body: StudyClone, user: CurrentUser, session: Session, response: Response
) -> StudyImport:
    """Copy a study you may read into a folder you may edit (new ids; past 64, more studies)."""
    filled = await copies.clone_study(session, user, study_id, body)
    response.headers["Location"] = f"/studies/{filled[0].granted.node.id}"
    return import_result(filled)


@router.post(
    "/nodes/{node_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    response_model=FolderDuplicated,
    responses=problems(401, 403, 404, 409, 422),
)
async def duplicate_folder(
    node_id: uuid.UUID,
    body: StudyClone,
    user: CurrentUser,
    session: Session,
    settings: AppSettings,
    response: Response,
) -> FolderDuplicated:
    """Copy a folder you may read, with every live folder and study below it, into a folder
    you may edit outside it (new ids; discussions only with with_discussions; no grants or
    stars). At most DUPLICATE_MAX_NODES nodes and DUPLICATE_MAX_CHAPTERS chapters (422)."""
    made = await copies.duplicate_folder(
        session,
        user,
        node_id,
        body,
        max_nodes=settings.duplicate_max_nodes,
        max_chapters=settings.duplicate_max_chapters,
    )
    response.headers["Location"] = f"/nodes/{made.root.node.id}"
    return FolderDuplicated(
        node=node_read(made.root),
        node_count=made.node_count,
        chapter_count=made.chapter_count,
    )


@router.post(
    "/studies/{study_id}/chapters/copy",
    status_code=status.HTTP_201_CREATED,
    response_model=StudyImport,
    responses=problems(401, 403, 404, 409, 422),
)
async def copy_chapters(
    study_id: uuid.UUID, body: ChaptersCopy, user: CurrentUser, session: Session
) -> StudyImport:
    """Append copies of another study's chapters here, or move them here (move: true)."""
    return import_result(await copies.copy_chapters(session, user, study_id, body))


@router.get(
    "/studies/{study_id}/chapters/{chapter_id}",
    response_model=ChapterRead,
    responses=problems(401, 404),
    openapi_extra=OPTIONAL_BEARER,
)
async def get_chapter(
    study_id: uuid.UUID, chapter_id: uuid.UUID, user: Reader, session: Session
) -> Response:
    """A chapter with its headers and whole move tree (one query for the chapter)."""
    chapter, headers_json, tree_json = await chapters.read_chapter(
        session, user, study_id, chapter_id
    )
    summary = orjson.dumps(ChapterSummary.model_validate(chapter).model_dump(mode="json"))
    # The stored JSON goes out as PostgreSQL wrote it: no decode and re-encode of the tree.
    body = b"".join(
        (summary[:-1], b',"headers":', headers_json.encode(), b',"tree":', tree_json.encode())
    )
    return Response(
        body + b"}", media_type="application/json", headers={"ETag": etag(chapter.version)}
    )


@router.patch(
    "/studies/{study_id}/chapters/{chapter_id}",
    response_model=ChapterSummary,
    responses=problems(401, 403, 404, 409, 412, 422),
)
async def update_chapter(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    body: ChapterUpdate,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> ChapterSummary:
    """Rename, reorder (0-based position) or turn the board of a chapter."""
    chapter = await chapters.update_chapter(session, user, study_id, chapter_id, body, if_match)
    response.headers["ETag"] = etag(chapter.version)
    return ChapterSummary.model_validate(chapter)


@router.delete(
    "/studies/{study_id}/chapters/{chapter_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 404, 412),
)
async def delete_chapter(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    if_match: IfMatch = None,
) -> Response:
    """Delete a chapter; the ones after it move up."""
    await chapters.delete_chapter(session, user, study_id, chapter_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def pgn_response(text: str, filename: str) -> Response:
    return Response(
        text.encode(),
        media_type=PGN_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(filename)},
    )


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987)."""
    from urllib.parse import quote

    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/studies/{study_id}/pgn",
    response_class=Response,
    responses={200: {"content": {PGN_MEDIA_TYPE: {}}}, **problems(401, 404, 422, 429)},
    openapi_extra=OPTIONAL_BEARER,
)
async def study_pgn(
    study_id: uuid.UUID,
    user: Reader,
    session: Session,
    options: Switches,
) -> Response:
    """The whole study as one PGN file, one game per chapter in order."""
    node, text = await export.study_pgn(session, user, study_id, options)
    return pgn_response(text, export.pgn_file_name(node.name))


@router.get(
    "/studies/{study_id}/chapters/{chapter_id}/pgn",
    response_class=Response,
    responses={200: {"content": {PGN_MEDIA_TYPE: {}}}, **problems(401, 404, 422, 429)},
    openapi_extra=OPTIONAL_BEARER,
)
async def chapter_pgn(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: Reader,
    session: Session,
    options: Switches,
    from_move: Annotated[
        str | None,
        Query(max_length=32, description="clip: start at the position after this move"),
    ] = None,
) -> Response:
    """One chapter as PGN; with from_move, from that position on (SetUp/FEN headers)."""
    chapter, text = await export.chapter_pgn(
        session, user, study_id, chapter_id, options, from_move=from_move
    )
    return pgn_response(text, export.pgn_file_name(chapter.name))
