"""HTTP endpoints that edit a chapter's move tree.

Every edit needs the editor role on the study, names the chapter through its study (a
chapter of another study is 404), checks If-Match against the chapter's version (412
when stale) and answers with the chapter's new ETag.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from catachess.auth.deps import CurrentUser, Session
from catachess.openapi import problems
from catachess.studies import moves
from catachess.studies.body import LimitedBodyRoute
from catachess.studies.deps import IfMatch, Limits
from catachess.studies.move_schemas import (
    ClockSet,
    CommentSet,
    Cut,
    EvalSet,
    MoveAdd,
    MoveEdit,
    NagsSet,
    Promotion,
    ShapesSet,
    VariationToChapter,
)
from catachess.studies.moves import Edited
from catachess.studies.routes import import_result
from catachess.studies.schemas import MoveNode, StudyImport
from catachess.versioning import etag

router = APIRouter(route_class=LimitedBodyRoute, tags=["moves"])

CHAPTER = "/studies/{study_id}/chapters/{chapter_id}"
MoveId = Annotated[str, Path(min_length=1, max_length=32, description="a move id of the tree")]
EDIT_PROBLEMS = problems(401, 403, 404, 409, 412, 422)


def edit_response(edited: Edited, response: Response) -> MoveEdit:
    response.headers["ETag"] = etag(edited.chapter.version)
    return MoveEdit(
        chapter_id=edited.chapter.id,
        version=edited.chapter.version,
        move=None if edited.move is None else MoveNode.model_validate(edited.move),
        move_ids=edited.move_ids,
    )


@router.post(
    f"{CHAPTER}/moves",
    response_model=MoveEdit,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "the move was already there"}, **EDIT_PROBLEMS},
)
async def add_move(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    body: MoveAdd,
    user: CurrentUser,
    session: Session,
    response: Response,
    limits: Limits,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Play a move (SAN or UCI) after a move, or from the start; illegal moves are 422."""
    edited = await moves.add(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        after=body.after,
        move=body.move,
        limits=limits,
    )
    if not edited.changed:
        response.status_code = status.HTTP_200_OK
    return edit_response(edited, response)


@router.delete(f"{CHAPTER}/moves/{{move_id}}", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def delete_moves(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Delete a move and everything after it (move_ids lists every deleted move)."""
    edited = await moves.delete(session, user, study_id, chapter_id, if_match, move_id=move_id)
    return edit_response(edited, response)


@router.post(
    f"{CHAPTER}/moves/{{move_id}}/promote", response_model=MoveEdit, responses=EDIT_PROBLEMS
)
async def promote(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: Promotion,
    user: CurrentUser,
    session: Session,
    response: Response,
    limits: Limits,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Promote the line of a move to the main line, or one step up."""
    edited = await moves.promote_line(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        move_id=move_id,
        to_mainline=body.to == "mainline",
        limits=limits,
    )
    return edit_response(edited, response)


@router.put(
    f"{CHAPTER}/moves/{{move_id}}/comment", response_model=MoveEdit, responses=EDIT_PROBLEMS
)
async def set_comment(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: CommentSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    limits: Limits,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Set the comment after a move ("" clears it)."""
    edited = await moves.comment(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        move_id=move_id,
        text=body.comment,
        limits=limits,
    )
    return edit_response(edited, response)


@router.put(f"{CHAPTER}/comment", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def set_start_comment(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    body: CommentSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    limits: Limits,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Set the comment before the first move ("" clears it)."""
    edited = await moves.comment(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        move_id=None,
        text=body.comment,
        limits=limits,
    )
    return edit_response(edited, response)


@router.put(f"{CHAPTER}/moves/{{move_id}}/nags", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def set_nags(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: NagsSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Replace the NAGs of a move ([] clears them)."""
    edited = await moves.nags(
        session, user, study_id, chapter_id, if_match, move_id=move_id, values=body.nags
    )
    return edit_response(edited, response)


@router.put(f"{CHAPTER}/moves/{{move_id}}/clock", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def set_clock(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: ClockSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Set the clock after a move in seconds ([%clk]; null clears it)."""
    edited = await moves.clock(
        session, user, study_id, chapter_id, if_match, move_id=move_id, seconds=body.clock
    )
    return edit_response(edited, response)


@router.put(f"{CHAPTER}/moves/{{move_id}}/eval", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def set_eval(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: EvalSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Set the evaluation after a move ([%eval] in its comment; neither pawns nor mate
    clears it)."""
    edited = await moves.evaluation(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        move_id=move_id,
        pawns=body.pawns,
        mate=body.mate,
        depth=body.depth,
    )
    return edit_response(edited, response)


@router.put(f"{CHAPTER}/moves/{{move_id}}/shapes", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def set_shapes(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: ShapesSet,
    user: CurrentUser,
    session: Session,
    response: Response,
    limits: Limits,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Replace the arrows and circles of a move ([] clears them)."""
    values = [shape.model_dump(by_alias=True) for shape in body.shapes]
    edited = await moves.shapes(
        session,
        user,
        study_id,
        chapter_id,
        if_match,
        move_id=move_id,
        values=values,
        limits=limits,
    )
    return edit_response(edited, response)


@router.post(f"{CHAPTER}/cut", response_model=MoveEdit, responses=EDIT_PROBLEMS)
async def cut(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    body: Cut,
    user: CurrentUser,
    session: Session,
    response: Response,
    if_match: IfMatch = None,
) -> MoveEdit:
    """Clip in place: the chapter starts after the move (move_ids lists removed moves)."""
    edited = await moves.cut(session, user, study_id, chapter_id, if_match, move_id=body.move_id)
    return edit_response(edited, response)


@router.post(
    f"{CHAPTER}/moves/{{move_id}}/to-chapter",
    response_model=StudyImport,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 403, 404, 409, 422),
)
async def variation_to_chapter(
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    move_id: MoveId,
    body: VariationToChapter,
    user: CurrentUser,
    session: Session,
) -> StudyImport:
    """Copy a move and all that follows into a new chapter starting before that move."""
    filled = await moves.to_chapter(
        session, user, study_id, chapter_id, move_id=move_id, name=body.name
    )
    return import_result(filled)
