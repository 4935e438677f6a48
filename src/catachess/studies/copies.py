"""Clone a study, copy or move chapters between studies, duplicate a folder (as Lichess
users expect).

A copy is a new set of ids: the new chapters' `study.chapter_added` events name the
chapter they copied and are caused by the one `study.cloned` / `study.chapters_copied`
event of the request. Past 64 chapters a copy continues in new studies "Name (2)" ...,
exactly as an import does (`service.place`). Discussions are copied only when asked;
moved chapters take their threads with them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess import context
from catachess.auth.models import User
from catachess.discussions import service as discussions
from catachess.errors import Unprocessable
from catachess.events import service as events
from catachess.events.models import Event
from catachess.events.service import Target
from catachess.events.types import (
    ChapterDeleted,
    EventType,
    NodeDuplicated,
    StudyChapterCopied,
    StudyChaptersCopied,
    StudyCloned,
)
from catachess.history import recording as history
from catachess.nodes import repository as nodes_repository
from catachess.nodes import service as nodes
from catachess.nodes.errors import InvalidParent
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.schemas import NodeCreate
from catachess.sharing import access
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.studies import repository
from catachess.studies.chapters import MAX_POSITION
from catachess.studies.errors import ChapterNotFound, DuplicateIntoItself, DuplicateTooLarge
from catachess.studies.models import Chapter
from catachess.studies.schemas import ChaptersCopy, StudyClone
from catachess.studies.service import FilledStudy, add_all, place, require_study, target_of


async def clone_study(
    session: AsyncSession, user: User, study_id: uuid.UUID, body: StudyClone
) -> list[FilledStudy]:
    """A copy of a readable study, chapters and description, in a folder you may edit."""
    source = await require_study(session, user, study_id, Action.read)
    chapters = list(await repository.list_full(session, study_id))
    name = body.name or await nodes.free_sibling_name(session, body.parent_id, source.node.name)
    created = await nodes.create_node(
        session, user, NodeCreate(kind=NodeKind.study, name=name, parent_id=body.parent_id)
    )
    created.node.description = source.node.description
    filled = await _copy_rows(session, user, created, chapters, existing=0)
    cloned = await events.record(
        session,
        EventType.study_cloned,
        actor_id=user.id,
        target=Target(created.node.id, "study"),
        workspace_id=created.node.workspace_id,
        version=created.node.version,
        payload=StudyCloned(
            source_study_id=study_id,
            copy_ids=[entry.granted.node.id for entry in filled],
            chapter_count=len(chapters),
        ),
    )
    await _record_copies(session, user, filled, chapters, cause=cloned.event_id)
    if body.with_discussions:
        chapter_map: dict[uuid.UUID | None, uuid.UUID | None] = dict(_pairs(filled, chapters))
        chapter_map[None] = None
        await discussions.copy_threads(session, study_id, created.node, chapter_map)
    return filled


@dataclass(frozen=True)
class Duplicate:
    root: Access
    node_count: int  # the copied root and every live node below it
    chapter_count: int


async def duplicate_folder(
    session: AsyncSession,
    user: User,
    node_id: uuid.UUID,
    body: StudyClone,
    *,
    max_nodes: int,
    max_chapters: int,
) -> Duplicate:
    """A copy of a readable folder and every live folder and study below it (chapters and
    descriptions; discussions when asked; no grants, stars or visibility) in a folder you
    may edit. Every new node and chapter is caused by one `node.duplicated` event.

    Never into the folder itself or below it, and at most `max_nodes` nodes and
    `max_chapters` chapters: the copy runs in one transaction, and a folder copied into
    itself would double with every request."""
    source = (await access.require(session, user.id, node_id, Action.read)).node
    if source.kind is not NodeKind.folder:
        raise InvalidParent(
            f"only a folder can be duplicated (this is a {source.kind.value}); "
            "clone a study with POST /studies/{id}/clone",
            field="node_id",
        )
    below = await nodes_repository.list_live_below(session, source)
    if body.parent_id == source.id or any(row.id == body.parent_id for row in below):
        raise DuplicateIntoItself(
            f"cannot duplicate {source.name!r} into itself or one of its folders; "
            "choose a folder outside it",
            field="parent_id",
        )
    _within(1 + len(below), max_nodes, "folders and studies", "DUPLICATE_MAX_NODES")
    studies = [row.id for row in below if row.kind is NodeKind.study]
    counted = await repository.count_in_studies(session, studies)
    _within(counted, max_chapters, "chapters", "DUPLICATE_MAX_CHAPTERS")
    chapters = {
        row.id: list(await repository.list_full(session, row.id))
        for row in below
        if row.kind is NodeKind.study
    }
    chapter_count = sum(len(rows) for rows in chapters.values())
    name = body.name or await nodes.free_sibling_name(session, body.parent_id, source.name)
    root = await nodes.create_node(
        session, user, NodeCreate(kind=NodeKind.folder, name=name, parent_id=body.parent_id)
    )
    root.node.description = source.description
    duplicated = await events.record(
        session,
        EventType.node_duplicated,
        actor_id=user.id,
        target=Target(root.node.id, "folder"),
        workspace_id=root.node.workspace_id,
        version=root.node.version,
        payload=NodeDuplicated(
            source_id=source.id,
            copy_id=root.node.id,
            parent_id=body.parent_id,
            node_count=1 + len(below),
            chapter_count=chapter_count,
        ),
    )
    copies = {source.id: root.node}  # source id -> its copy; parents are copied first
    token = context.causation_id.set(str(duplicated.event_id))
    try:
        for row in below:
            assert row.parent_id is not None  # below a folder, every node has a parent
            created = await nodes.create_node(
                session,
                user,
                NodeCreate(kind=row.kind, name=row.name, parent_id=copies[row.parent_id].id),
            )
            created.node.description = row.description
            copies[row.id] = created.node
            if chapters.get(row.id):
                await _copy_study(session, user, row, created, chapters[row.id], body, duplicated)
    finally:
        context.causation_id.reset(token)
    return Duplicate(root=root, node_count=1 + len(below), chapter_count=chapter_count)


def _within(count: int, limit: int, what: str, setting: str) -> None:
    """422 when a duplicate would copy more than `limit` of these."""
    if count > limit:
        raise DuplicateTooLarge(
            f"this folder holds {count} {what}; one duplicate copies at most {limit} "
            f"({setting}): duplicate the folders inside it one at a time",
            field="node_id",
            limit=setting.lower(),
            limit_value=limit,
            setting=setting,
        )


async def _copy_study(
    session: AsyncSession,
    user: User,
    source: Node,
    target: Access,
    chapters: list[Chapter],
    body: StudyClone,
    cause: Event,
) -> None:
    filled = await _copy_rows(session, user, target, chapters, existing=0)
    await _record_copies(session, user, filled, chapters, cause=cause.event_id)
    if body.with_discussions:
        chapter_map: dict[uuid.UUID | None, uuid.UUID | None] = dict(_pairs(filled, chapters))
        chapter_map[None] = None
        await discussions.copy_threads(session, source.id, target.node, chapter_map)


async def copy_chapters(
    session: AsyncSession, user: User, study_id: uuid.UUID, body: ChaptersCopy
) -> list[FilledStudy]:
    """Copy (or move) chapters of one study to the end of another, in the given order."""
    if body.source_study_id == study_id:
        raise Unprocessable(
            "source and target are the same study; reorder with PATCH instead",
            field="source_study_id",
        )
    action = Action.edit if body.move else Action.read
    # Permissions first (404/403 tell nothing more), then both locks in one global
    # order, so two crossing moves between the same studies cannot deadlock.
    await require_study(session, user, body.source_study_id, action)
    await require_study(session, user, study_id, Action.edit)
    locked: dict[uuid.UUID, Access] = {}
    for locked_id in sorted({study_id, body.source_study_id} if body.move else {study_id}):
        locked[locked_id] = await require_study(
            session, user, locked_id, Action.edit, for_update=True
        )
    target = locked[study_id]
    chapters = await _chapters_in_order(session, body.source_study_id, body.chapter_ids)
    existing = await repository.count_in_study(session, study_id)
    filled = await _copy_rows(session, user, target, chapters, existing=existing)
    copied = await events.record(
        session,
        EventType.study_chapters_copied,
        actor_id=user.id,
        target=Target(study_id, "study"),
        workspace_id=target.node.workspace_id,
        version=target.node.version,
        payload=StudyChaptersCopied(
            source_study_id=body.source_study_id,
            source_chapter_ids=[chapter.id for chapter in chapters],
            target_study_ids=[entry.granted.node.id for entry in filled],
            moved=body.move,
        ),
    )
    await _record_copies(session, user, filled, chapters, cause=copied.event_id)
    pairs = _pairs(filled, chapters)
    if body.move:
        # Threads first: deleting a chapter row would delete its threads with it.
        await discussions.move_threads(session, body.source_study_id, target.node, dict(pairs))
        await _remove(session, user, locked[body.source_study_id].node, chapters, copied.event_id)
    elif body.with_discussions:
        await discussions.copy_threads(session, body.source_study_id, target.node, dict(pairs))
    return filled


async def _chapters_in_order(
    session: AsyncSession, study_id: uuid.UUID, chapter_ids: list[uuid.UUID]
) -> list[Chapter]:
    found = {chapter.id: chapter for chapter in await repository.list_full(session, study_id)}
    missing = [chapter_id for chapter_id in chapter_ids if chapter_id not in found]
    if missing:
        raise ChapterNotFound(missing[0])
    return [found[chapter_id] for chapter_id in dict.fromkeys(chapter_ids)]


async def _copy_rows(
    session: AsyncSession, user: User, first: Access, chapters: Sequence[Chapter], *, existing: int
) -> list[FilledStudy]:
    filled: list[FilledStudy] = []
    sources = iter(chapters)
    for slot in await place(session, user, first, len(chapters), existing=existing):
        rows = [_copy_of(next(sources), slot.study.node, user, p) for p in slot.positions]
        filled.append(FilledStudy(slot.study, rows))
    await add_all(session, [chapter for entry in filled for chapter in entry.chapters])
    return filled


def _copy_of(source: Chapter, study: Node, user: User, position: int) -> Chapter:
    return Chapter(
        id=uuid.uuid4(),
        workspace_id=study.workspace_id,
        study_id=study.id,
        name=source.name,
        description=source.description,
        position=position,
        orientation=source.orientation,
        start_fen=source.start_fen,
        headers=copy.deepcopy(source.headers),
        tree=copy.deepcopy(source.tree),
        node_count=source.node_count,
        version=1,
        created_by=user.id,
    )


def _pairs(
    filled: list[FilledStudy], chapters: Sequence[Chapter]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(source chapter id, copy id), in order."""
    copies = [chapter for entry in filled for chapter in entry.chapters]
    return [(source.id, made.id) for source, made in zip(chapters, copies, strict=True)]


async def _record_copies(
    session: AsyncSession,
    user: User,
    filled: list[FilledStudy],
    chapters: Sequence[Chapter],
    *,
    cause: uuid.UUID,
) -> None:
    sources = iter(chapters)
    for entry in filled:
        await history.record_created(session, entry.chapters, actor_id=user.id, source="copy")
        for chapter in entry.chapters:
            await events.record(
                session,
                EventType.study_chapter_added,
                actor_id=user.id,
                target=target_of(chapter),
                workspace_id=chapter.workspace_id,
                version=chapter.version,
                causation_id=cause,
                payload=StudyChapterCopied(
                    study_id=chapter.study_id,
                    name=chapter.name,
                    position=chapter.position,
                    node_count=chapter.node_count,
                    source="copy",
                    source_chapter_id=next(sources).id,
                ),
            )


async def _remove(
    session: AsyncSession, user: User, study: Node, chapters: Sequence[Chapter], cause: uuid.UUID
) -> None:
    """Delete moved chapters from their old study and close the gaps they leave."""
    for chapter in sorted(chapters, key=lambda row: row.position, reverse=True):
        # The source's history keeps it as a deleted chapter (its threads went with it).
        await history.record_deleted(session, chapter, actor_id=user.id, archive=None)
        await repository.delete_chapter(session, chapter.id)
        await repository.shift_positions(
            session, study.id, first=chapter.position + 1, last=MAX_POSITION, by=-1
        )
        await events.record(
            session,
            EventType.chapter_deleted,
            actor_id=user.id,
            target=target_of(chapter),
            workspace_id=study.workspace_id,
            version=chapter.version + 1,
            causation_id=cause,
            payload=ChapterDeleted(
                study_id=study.id,
                name=chapter.name,
                position=chapter.position,
                node_count=chapter.node_count,
            ),
        )
