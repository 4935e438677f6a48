"""A study's history (chapters added, deleted, renamed, reordered) and deleted chapters
brought back with their discussions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.discussions.archive import restore_archive
from catachess.errors import Conflict
from catachess.events import service as events
from catachess.events.types import EventType, StudyChapterRestored
from catachess.history import recording, repository
from catachess.history.errors import ChapterNotDeleted
from catachess.history.service import Page, entry, require_reader, state_at
from catachess.history.state import decode
from catachess.pagination import decode_cursor, encode_cursor
from catachess.search import indexing as search_index
from catachess.sharing.policy import Action
from catachess.studies import repository as studies
from catachess.studies.errors import ChapterNotFound
from catachess.studies.models import Chapter
from catachess.studies.service import MAX_CHAPTERS, require_study, target_of

# The versions that change the study's list of chapters (or how a chapter is listed).
STUDY_KINDS = (
    "created",
    "deleted",
    "chapter_restored",
    "chapter.renamed",
    "chapter.reordered",
    "chapter.updated",
)


class StudyFull(Conflict):
    code = "chapter_limit_reached"


async def list_study_history(
    session: AsyncSession, user: User, study_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Page:
    """Chapters added, deleted, restored, renamed and reordered, newest first."""
    await require_reader(session, user, study_id)
    before = int(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repository.list_study(
        session, study_id, STUDY_KINDS, before=before, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    live = {chapter.id for chapter in await studies.list_summaries(session, study_id)}
    items = []
    for row in rows:
        item = entry(row)
        item["restorable"] = row.kind == "deleted" and row.chapter_id not in live
        items.append(item)
    return Page(items, encode_cursor([rows[-1].seq]) if more else None)


@dataclass
class Undeleted:
    chapter: Chapter
    thread_count: int


async def restore_chapter(
    session: AsyncSession, user: User, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> Undeleted:
    """Bring a deleted chapter back, at the end of the study, with its discussions."""
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    if await studies.get_in_study(session, study_id, chapter_id, with_tree=False) is not None:
        raise ChapterNotDeleted(f"chapter {chapter_id} is not deleted", chapter_id=str(chapter_id))
    deletion = await repository.get_deletion(session, study_id, chapter_id)
    if deletion is None:
        raise ChapterNotFound(chapter_id)
    count = await studies.count_in_study(session, study_id)
    # MAX_CHAPTERS: the restored chapter must fit in the study like any added one.
    if count >= MAX_CHAPTERS:
        raise StudyFull(
            f"the study holds {MAX_CHAPTERS} chapters already; delete one to bring this back",
            limit=MAX_CHAPTERS,
        )
    state = (await state_at(session, study_id, chapter_id, deletion.version)).state
    details: dict[str, Any] = deletion.details
    chapter = Chapter(
        id=chapter_id,
        workspace_id=granted.node.workspace_id,
        study_id=study_id,
        name=state["name"],
        position=count,
        orientation=state["orientation"],
        start_fen=state["tree"]["fen"],
        headers=state["headers"],
        tree=cast(dict[str, Any], state["tree"]),
        node_count=len(state["tree"]["nodes"]),
        version=deletion.version + 1,
        created_by=uuid.UUID(details["created_by"]),
        created_at=datetime.fromisoformat(details["created_at"]),
    )
    session.add(chapter)
    await session.flush()
    await search_index.chapters_added(session, [chapter])
    threads = (
        0 if deletion.archive is None else await restore_archive(session, decode(deletion.archive))
    )
    await events.record(
        session,
        EventType.study_chapter_restored,
        actor_id=user.id,
        target=target_of(chapter),
        workspace_id=chapter.workspace_id,
        version=chapter.version,
        payload=StudyChapterRestored(
            study_id=study_id, name=chapter.name, position=count, thread_count=threads
        ),
    )
    await recording.record_snapshot(
        session,
        chapter,
        state,
        actor_id=user.id,
        kind="chapter_restored",
        summary=f"brought back the deleted chapter “{chapter.name}”",
        details={"position": count, "thread_count": threads, "deleted_version": deletion.version},
    )
    return Undeleted(chapter, threads)
