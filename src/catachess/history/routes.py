"""HTTP endpoints of version history: list, read, diff, restore, undo, replace."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response

from catachess.auth.deps import CurrentUser, Session
from catachess.history import nodes, service, study
from catachess.history import replace as replacing
from catachess.history.schemas import (
    ChapterDiff,
    ChapterVersionRead,
    DeletedChapterRestored,
    HistoryPage,
    MoveRef,
    MoveReplace,
    MoveReplaced,
    NodeHistoryPage,
    Restored,
    StudyHistoryPage,
    Undone,
)
from catachess.history.service import Version
from catachess.openapi import problems
from catachess.pgn import FULL_EXPORT
from catachess.studies.body import LimitedBodyRoute
from catachess.studies.deps import IfMatch
from catachess.studies.export import chapter_text, file_name
from catachess.studies.models import Chapter
from catachess.studies.routes import PGN_MEDIA_TYPE, pgn_response
from catachess.studies.schemas import ChapterSummary, MoveNode
from catachess.versioning import etag

router = APIRouter(route_class=LimitedBodyRoute, tags=["history"])

CHAPTER = "/studies/{study_id}/chapters/{chapter_id}"
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="a version of the chapter")]
MoveId = Annotated[str, Path(min_length=1, max_length=32, description="a move id of the tree")]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of a page")]


@router.get(f"{CHAPTER}/history", response_model=HistoryPage, responses=problems(400, 401, 404))
async def chapter_history(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> HistoryPage:
    """Every version of a chapter, newest first: who, when, what changed, correlation id."""
    page = await service.list_history(
        session, user, study_id, chapter_id, cursor=cursor, limit=limit
    )
    return HistoryPage.model_validate({"items": page.items, "next_cursor": page.next_cursor})


def version_body(version: Version) -> dict[str, Any]:
    state = version.state
    return {
        "id": str(version.chapter_id),
        "study_id": str(version.study_id),
        "version": version.version,
        "kind": version.kind,
        "author_id": None if version.actor_id is None else str(version.actor_id),
        "created_at": version.created_at,
        "name": state["name"],
        "orientation": state["orientation"],
        "start_fen": state["tree"]["fen"],
        "node_count": len(state["tree"]["nodes"]),
        "headers": state["headers"],
        "tree": state["tree"],
    }


@router.get(
    f"{CHAPTER}/versions/{{number}}",
    response_model=ChapterVersionRead,
    responses={200: {"content": {PGN_MEDIA_TYPE: {}}}, **problems(401, 404)},
)
async def read_version(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    number: VersionNumber,
    user: CurrentUser,
    session: Session,
    format: Annotated[Literal["json", "pgn"], Query(description="json or pgn")] = "json",
) -> Response:
    """The chapter as it was at version `number` (JSON like a chapter read, or PGN)."""
    version = await service.read_version(session, user, study_id, chapter_id, number)
    if format == "pgn":
        state = version.state
        transient = Chapter(
            headers=state["headers"],
            tree=state["tree"],
            name=state["name"],
            orientation=state["orientation"],  # export writes [Orientation] from it
        )
        text = chapter_text(transient, FULL_EXPORT)
        return pgn_response(text, f"{file_name(state['name'])} v{number}.pgn")
    body = orjson.dumps(version_body(version))
    return Response(body, media_type="application/json", headers={"ETag": etag(number)})


@router.get(f"{CHAPTER}/diff", response_model=ChapterDiff, responses=problems(401, 404, 422))
async def diff(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> ChapterDiff:
    """What changed from version `from` to version `to`: moves, comments, NAGs, shapes."""
    found = await service.diff(session, user, study_id, chapter_id, from_, to)
    return ChapterDiff.model_validate({"from_version": from_, "to_version": to, **found})


@router.post(
    f"{CHAPTER}/versions/{{number}}/restore",
    response_model=Restored,
    responses=problems(401, 403, 404, 409, 412),
)
async def restore_version(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    number: VersionNumber,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> Restored:
    """Make version `number` the current chapter, as a new version (event chapter.restored)."""
    chapter = await service.restore(session, user, study_id, chapter_id, number, if_match)
    response.headers["ETag"] = etag(chapter.version)
    return Restored(chapter=ChapterSummary.model_validate(chapter), restored_version=number)


@router.post(f"{CHAPTER}/undo", response_model=Undone, responses=problems(401, 403, 404, 409, 412))
async def undo(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> Undone:
    """Take back your own last change; 409 naming who and when if someone changed it since."""
    chapter, undone = await service.undo(session, user, study_id, chapter_id, if_match)
    response.headers["ETag"] = etag(chapter.version)
    return Undone(
        chapter=ChapterSummary.model_validate(chapter),
        undone_version=undone,
        restored_version=undone - 1,
    )


@router.post(
    f"{CHAPTER}/moves/{{move_id}}/replace",
    response_model=MoveReplaced,
    responses=problems(401, 403, 404, 409, 412, 422),
)
async def replace_move(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: MoveReplace,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveReplaced:
    """Play another move in place of this one; the moves after it are kept while legal."""
    done = await replacing.replace(
        session, user, study_id, chapter_id, if_match, move_id=move_id, move=body.move
    )
    response.headers["ETag"] = etag(done.chapter.version)
    return MoveReplaced(
        chapter_id=done.chapter.id,
        version=done.chapter.version,
        move=MoveNode.model_validate(done.move),
        replaced=done.old_label,
        kept=[MoveRef.model_validate(each) for each in done.kept],
        cut=[MoveRef.model_validate(each) for each in done.cut],
    )


@router.get(
    "/studies/{study_id}/history",
    response_model=StudyHistoryPage,
    responses=problems(400, 401, 404),
)
async def study_history(
    study_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> StudyHistoryPage:
    """Chapters added, deleted (restorable), restored, renamed and reordered, newest first."""
    page = await study.list_study_history(session, user, study_id, cursor=cursor, limit=limit)
    return StudyHistoryPage.model_validate({"items": page.items, "next_cursor": page.next_cursor})


@router.post(
    f"{CHAPTER}/restore",
    response_model=DeletedChapterRestored,
    status_code=201,
    responses=problems(401, 403, 404, 409),
)
async def restore_deleted_chapter(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    response: Response,
) -> DeletedChapterRestored:
    """Bring a deleted chapter back (at the end of the study) with its discussions."""
    done = await study.restore_chapter(session, user, study_id, chapter_id)
    response.headers["ETag"] = etag(done.chapter.version)
    response.headers["Location"] = f"/studies/{study_id}/chapters/{chapter_id}"
    return DeletedChapterRestored(
        chapter=ChapterSummary.model_validate(done.chapter), thread_count=done.thread_count
    )


@router.get(
    "/nodes/{node_id}/history", response_model=NodeHistoryPage, responses=problems(400, 401, 404)
)
async def node_history(
    node_id: uuid.UUID,
    user: CurrentUser,
    session: Session,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> NodeHistoryPage:
    """A node's renames, moves, shares and trash/restore from the event log, newest first."""
    items, next_cursor = await nodes.node_history(
        session, user, node_id, cursor=cursor, limit=limit
    )
    return NodeHistoryPage.model_validate({"items": items, "next_cursor": next_cursor})
