"""Reading, renaming, reordering, turning and deleting chapters of a study."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.discussions.archive import archive_chapter
from catachess.errors import Unprocessable
from catachess.events import service as events
from catachess.events.types import (
    ChapterDeleted,
    ChapterDescriptionSet,
    ChapterHeadersSet,
    ChapterOrientationSet,
    ChapterRenamed,
    ChapterReordered,
    EventType,
    Payload,
)
from catachess.history import recording as history
from catachess.pgn.headers import HeaderError, edit_headers
from catachess.search import indexing as search_index
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.studies import repository
from catachess.studies.errors import ChapterNotFound
from catachess.studies.models import Chapter
from catachess.studies.schemas import ChapterUpdate
from catachess.studies.service import require_study, target_of
from catachess.versioning import check_if_match

# Past any position a study can hold (MAX_CHAPTERS); bounds the "everything after" shift.
MAX_POSITION = 1_000_000


async def get_study(
    session: AsyncSession, user: User | None, study_id: uuid.UUID
) -> tuple[Access, Sequence[Chapter]]:
    """A readable study and its chapters in order (without their trees)."""
    granted = await require_study(session, user, study_id, Action.read)
    return granted, await repository.list_summaries(session, study_id)


async def read_chapter(
    session: AsyncSession, user: User | None, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> tuple[Chapter, str, str]:
    """A chapter of a readable study with its headers and tree as JSON text (one query)."""
    await require_study(session, user, study_id, Action.read)
    row = await repository.get_json_in_study(session, study_id, chapter_id)
    if row is None:
        raise ChapterNotFound(chapter_id)
    chapter, headers_json, tree_json = row
    return chapter, headers_json, tree_json


async def update_chapter(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    body: ChapterUpdate,
    if_match: str | None,
) -> Chapter:
    """Rename, reorder, turn, describe and/or retag a chapter; one version step for all."""
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    # New tags reindex the whole chapter for search, moves included: then the tree is read.
    chapter = await repository.get_in_study(
        session, study_id, chapter_id, with_tree=bool(body.headers)
    )
    if chapter is None:
        raise ChapterNotFound(chapter_id)
    check_if_match(if_match, chapter.version)
    old_meta = {"name": chapter.name, "orientation": chapter.orientation}
    # New tags change the state history keeps whole (the tree is loaded for them).
    before = history.capture(chapter) if body.headers else None
    moved: dict[str, int] = {}
    changes: list[tuple[EventType, Payload]] = []
    old_name = chapter.name
    if body.name is not None and body.name != chapter.name:
        changes.append(
            (
                EventType.chapter_renamed,
                ChapterRenamed(study_id=study_id, old_name=chapter.name, new_name=body.name),
            )
        )
        chapter.name = body.name
    if body.position is not None and body.position != chapter.position:
        old = chapter.position
        await _reorder(session, chapter, body.position)
        moved = {"old_position": old, "new_position": body.position}
        changes.append(
            (
                EventType.chapter_reordered,
                ChapterReordered(study_id=study_id, old_position=old, new_position=body.position),
            )
        )
    if body.orientation is not None and body.orientation != chapter.orientation:
        chapter.orientation = body.orientation
        changes.append(
            (
                EventType.chapter_orientation_set,
                ChapterOrientationSet(study_id=study_id, orientation=body.orientation),
            )
        )
    if body.description is not None and body.description != chapter.description:
        chapter.description = body.description
        changes.append(
            (
                EventType.chapter_description_set,
                ChapterDescriptionSet(study_id=study_id, length=len(body.description)),
            )
        )
    if body.headers:
        try:
            edited = edit_headers(chapter.headers, body.headers)
        except HeaderError as error:
            raise Unprocessable(str(error), field=f"headers.{error.tag}") from None
        if edited.set or edited.removed:
            chapter.headers = edited.headers
            changes.append(
                (
                    EventType.chapter_headers_set,
                    ChapterHeadersSet(study_id=study_id, set=edited.set, removed=edited.removed),
                )
            )
    if changes:
        chapter.version += 1
        chapter.updated_at = utcnow()
        await session.flush()
        if any(event_type is EventType.chapter_headers_set for event_type, _ in changes):
            await search_index.chapter_reindexed(session, chapter)
        elif chapter.name != old_name:
            await search_index.chapter_renamed(session, chapter)
        for event_type, payload in changes:
            await events.record(
                session,
                event_type,
                actor_id=user.id,
                target=target_of(chapter),
                workspace_id=granted.node.workspace_id,
                version=chapter.version,
                payload=payload,
            )
        kind = str(changes[0][0]) if len(changes) == 1 else "chapter.updated"
        if before is not None and chapter.headers != before["headers"]:
            await history.record_change(
                session, chapter, before, actor_id=user.id, kind=kind, details=moved
            )
        else:
            await history.record_meta_change(
                session, chapter, old_meta, actor_id=user.id, kind=kind, details=moved
            )
    return chapter


async def _reorder(session: AsyncSession, chapter: Chapter, position: int) -> None:
    count = await repository.count_in_study(session, chapter.study_id)
    if position >= count:
        raise Unprocessable(
            f"position {position} is past the last chapter (positions 0..{count - 1})",
            field="position",
        )
    old = chapter.position
    # The chapters between the old and the new place slide by one; the unique
    # (study_id, position) constraint is deferred to commit, so the overlap is allowed.
    if position < old:
        await repository.shift_positions(
            session, chapter.study_id, first=position, last=old - 1, by=1
        )
    else:
        await repository.shift_positions(
            session, chapter.study_id, first=old + 1, last=position, by=-1
        )
    chapter.position = position


async def delete_chapter(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
) -> None:
    """Delete a chapter; the chapters after it move up one place."""
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    chapter = await repository.get_in_study(session, study_id, chapter_id, with_tree=False)
    if chapter is None:
        raise ChapterNotFound(chapter_id)
    check_if_match(if_match, chapter.version)
    archive = await archive_chapter(session, chapter.id)
    await history.record_deleted(session, chapter, actor_id=user.id, archive=archive)
    await repository.delete_chapter(session, chapter.id)
    await repository.shift_positions(
        session, study_id, first=chapter.position + 1, last=MAX_POSITION, by=-1
    )
    await events.record(
        session,
        EventType.chapter_deleted,
        actor_id=user.id,
        target=target_of(chapter),
        workspace_id=granted.node.workspace_id,
        version=chapter.version + 1,
        payload=ChapterDeleted(
            study_id=study_id,
            name=chapter.name,
            position=chapter.position,
            node_count=chapter.node_count,
        ),
    )
