"""Reading and restoring versions of a chapter: history, version n, diff, restore, undo.

Readers of a study read its history (it shows what they can already read); editors
restore and undo. Every restore, undo and replace is a new version: history is only
ever appended to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.events import service as events
from catachess.events.types import ChapterRestored, ChapterUndone, EventType
from catachess.history import recording, repository
from catachess.history.compare import compare, describe
from catachess.history.errors import (
    AlreadyCurrent,
    ChangedBySomeoneElse,
    NothingToUndo,
    VersionNotFound,
)
from catachess.history.state import Delta, State, apply_delta, copy_state, decode
from catachess.nodes.errors import NodeNotFound
from catachess.nodes.trash import service as trash
from catachess.pagination import decode_cursor, encode_cursor
from catachess.search import indexing as search_index
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.studies.models import Chapter
from catachess.studies.service import require_chapter, require_study, target_of
from catachess.versioning import check_if_match

# Versions an undo looks back through to find the caller's own last change.
UNDO_WINDOW = 500


@dataclass
class Version:
    """A chapter as it was at one version."""

    chapter_id: uuid.UUID
    study_id: uuid.UUID
    version: int
    kind: str
    created_at: datetime
    actor_id: uuid.UUID | None
    state: State


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def entry(row: Any) -> dict[str, Any]:
    """One line of a history list."""
    return {
        "version": row.version,
        "chapter_id": row.chapter_id,
        "kind": row.kind,
        "author": None
        if row.actor_id is None
        else {"id": row.actor_id, "display_name": row.display_name},
        "created_at": row.created_at,
        "summary": row.summary,
        "correlation_id": row.correlation_id,
        "details": row.details,
    }


async def require_reader(session: AsyncSession, user: User, study_id: uuid.UUID) -> None:
    """Readers of a live study read its history; of a trashed study, only those who may
    restore it (what GET /trash shows them); 404 for anyone else."""
    try:
        await require_study(session, user, study_id, Action.read)
    except NodeNotFound:
        if not await trash.may_restore(session, user, study_id):
            raise


async def list_history(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> Page:
    """The versions of a chapter, newest first."""
    await require_reader(session, user, study_id)
    before = int(decode_cursor(cursor, 1)[0]) if cursor else None
    rows = await repository.list_chapter(
        session, study_id, chapter_id, before=before, limit=limit + 1
    )
    if not rows and before is None:
        raise VersionNotFound(f"chapter {chapter_id} of this study has no history")
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        [entry(row) for row in rows],
        encode_cursor([rows[-1].version]) if more else None,
    )


async def _states(
    session: AsyncSession,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    wanted: list[int],
) -> dict[int, Version]:
    """The chapter at each of the `wanted` versions, from one statement."""
    first, last = min(wanted), max(wanted)
    rows = await repository.get_chain(session, study_id, chapter_id, first, last)
    found: dict[int, Version] = {}
    state: State | None = None
    for row in rows:
        if row.snapshot is not None:
            state = cast(State, decode(row.snapshot))
        elif row.delta is not None and state is not None:
            apply_delta(state, cast(Delta, decode(row.delta)))
        if row.version in wanted and state is not None:
            keep = state if row.version == last else copy_state(state)
            found[row.version] = Version(
                chapter_id, study_id, row.version, row.kind, row.created_at, row.actor_id, keep
            )
    for number in wanted:
        if number not in found:
            raise VersionNotFound(
                f"version {number} of chapter {chapter_id} is not in its history "
                "(never existed, or older than the retention window)",
                version=number,
            )
    return found


async def state_at(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID, number: int
) -> Version:
    return (await _states(session, study_id, chapter_id, [number]))[number]


async def read_version(
    session: AsyncSession, user: User, study_id: uuid.UUID, chapter_id: uuid.UUID, number: int
) -> Version:
    """The chapter as it was at version `number`."""
    await require_reader(session, user, study_id)
    return await state_at(session, study_id, chapter_id, number)


async def diff(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    first: int,
    second: int,
) -> dict[str, Any]:
    """What changed from version `first` to version `second` (moves, annotations, names)."""
    await require_reader(session, user, study_id)
    states = await _states(session, study_id, chapter_id, [first, second])
    return compare(states[first].state, states[second].state)


def apply_state(chapter: Chapter, state: State) -> None:
    """Make `state` the chapter's content (the caller bumps the version)."""
    chapter.name = state["name"]
    chapter.orientation = state["orientation"]
    chapter.headers = state["headers"]
    chapter.tree = cast(dict[str, Any], state["tree"])
    chapter.node_count = len(state["tree"]["nodes"])
    chapter.start_fen = state["tree"]["fen"]


async def _open_for_edit(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
) -> tuple[Access, Chapter]:
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    chapter = await require_chapter(session, granted, chapter_id)
    check_if_match(if_match, chapter.version)
    return granted, chapter


async def _become(
    session: AsyncSession,
    user: User,
    granted: Access,
    chapter: Chapter,
    target: Version,
    *,
    kind: str,
    summary: str,
    details: dict[str, Any],
) -> None:
    """Turn the chapter into `target`'s state as its next version, with the version row."""
    before = recording.capture(chapter)
    old_name, old_headers = chapter.name, chapter.headers
    apply_state(chapter, target.state)
    chapter.version += 1
    chapter.updated_at = utcnow()
    await session.flush()
    # The search index follows the chapter in the same transaction, as for any edit.
    await search_index.chapter_tree_changed(session, chapter)
    if (chapter.name, chapter.headers) != (old_name, old_headers):
        await search_index.chapter_renamed(session, chapter)
    if kind == "undone":
        payload: Any = ChapterUndone(
            study_id=chapter.study_id,
            undone_version=details["undoes"],
            restored_version=target.version,
        )
        event_type = EventType.chapter_undone
    else:
        payload = ChapterRestored(study_id=chapter.study_id, restored_version=target.version)
        event_type = EventType.chapter_restored
    await events.record(
        session,
        event_type,
        actor_id=user.id,
        target=target_of(chapter),
        workspace_id=granted.node.workspace_id,
        version=chapter.version,
        payload=payload,
    )
    old = before
    words = describe(old, target.state)
    await recording.record_change(
        session,
        chapter,
        old,
        actor_id=user.id,
        kind=kind,
        details=details,
        summary=f"{summary} ({words})" if words != "no change" else summary,
    )


async def restore(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    number: int,
    if_match: str | None,
) -> Chapter:
    """Version `number` becomes the current chapter, as a new version."""
    granted, chapter = await _open_for_edit(session, user, study_id, chapter_id, if_match)
    if number >= chapter.version:
        raise AlreadyCurrent(
            f"version {number} is not older than the current version {chapter.version}",
            version=number,
            current_version=chapter.version,
        )
    target = await state_at(session, study_id, chapter_id, number)
    await _become(
        session,
        user,
        granted,
        chapter,
        target,
        kind="restored",
        summary=f"restored version {number}",
        details={"restored_version": number},
    )
    return chapter


async def undo(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
) -> tuple[Chapter, int]:
    """Take back the caller's own last change, when nobody changed the chapter since.

    Undoing again takes back the change before that one: an undo by the caller is
    skipped over together with the change it took back.
    """
    granted, chapter = await _open_for_edit(session, user, study_id, chapter_id, if_match)
    rows = {
        row.version: row
        for row in await repository.latest(session, study_id, chapter_id, UNDO_WINDOW)
    }
    candidate = rows.get(chapter.version)
    while candidate is not None and candidate.actor_id == user.id and candidate.kind == "undone":
        candidate = rows.get(int(candidate.details["undoes"]) - 1)
    if candidate is None or candidate.kind in ("created", "baseline", "chapter_restored"):
        raise NothingToUndo(
            "you have no change of this chapter left to undo; restore a version instead "
            "(GET …/history lists them)"
        )
    if candidate.actor_id != user.id:
        who = candidate.display_name or "someone"
        raise ChangedBySomeoneElse(
            f"{who} changed this chapter at {candidate.created_at.isoformat()} "
            f"(version {candidate.version}: {candidate.summary}) after your last change; "
            "undo only takes back your own last change: restore a version instead",
            changed_by={"id": str(candidate.actor_id), "display_name": candidate.display_name},
            changed_at=candidate.created_at.isoformat(),
            version=candidate.version,
            restore=f"/studies/{study_id}/chapters/{chapter_id}/versions/{{n}}/restore",
        )
    undone = candidate.version
    target = await state_at(session, study_id, chapter_id, undone - 1)
    await _become(
        session,
        user,
        granted,
        chapter,
        target,
        kind="undone",
        summary=f"undid version {undone}",
        details={"undoes": undone, "restored_version": undone - 1},
    )
    return chapter, undone
