"""Edits of a chapter's move tree: add, delete, promote, annotate, cut, extract.

Each edit locks the study (writes to one study are serialized), loads the chapter's tree
through its study, checks If-Match against the chapter version, lets the pgn package
change the tree (python-chess checks every move), stores the tree whole with the next
version and records one event naming the moves it touched. An edit that changes nothing
(the move already exists, the same comment again) stores nothing and records nothing.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.events import service as events
from catachess.events.types import (
    ChapterClockSet,
    ChapterCommentSet,
    ChapterCut,
    ChapterEvalSet,
    ChapterMoveAdded,
    ChapterMovesDeleted,
    ChapterNagsSet,
    ChapterShapesSet,
    ChapterVariationExtracted,
    ChapterVariationPromoted,
    EventType,
    Payload,
)
from catachess.history import recording as history
from catachess.history import repository as history_repository
from catachess.history.compare import label as move_label
from catachess.history.state import State
from catachess.pgn import (
    MoveNode,
    MoveTree,
    ParsedGame,
    PgnError,
    PgnLimits,
    TreeEditError,
    add_move,
    cut_at,
    delete_from,
    find_node,
    promote,
    set_clock,
    set_comment,
    set_eval,
    set_nags,
    set_shapes,
    setup_headers,
    variation_to_tree,
)
from catachess.search import indexing as search_index
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.studies import repository
from catachess.studies.errors import ChapterNotFound, from_edit_error, from_pgn_error
from catachess.studies.models import Chapter
from catachess.studies.service import FilledStudy, fill, require_study, target_of
from catachess.versioning import check_if_match

T = TypeVar("T")


@dataclass
class Edited:
    chapter: Chapter
    move: MoveNode | None  # the added or annotated move
    move_ids: list[str]  # every move the edit touched
    changed: bool


@dataclass
class _Editing:
    user: User
    granted: Access
    chapter: Chapter
    tree: MoveTree
    before: State  # the chapter before the edit, for its version in the history
    chain_end: history_repository.ChainEnd | None  # of the chapter's history, read with it


async def _open(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
) -> _Editing:
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    found = await history_repository.get_chapter_and_chain_end(session, granted.node.id, chapter_id)
    if found is None:
        raise ChapterNotFound(chapter_id)
    chapter, chain_end = found
    check_if_match(if_match, chapter.version)
    tree = cast(MoveTree, chapter.tree)
    return _Editing(user, granted, chapter, tree, history.capture(chapter), chain_end)


def _apply(change: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a pgn-package edit, turning its errors into client errors (404/422)."""
    try:
        return change(*args, **kwargs)
    except TreeEditError as error:
        raise from_edit_error(error) from None
    except PgnError as error:
        raise from_pgn_error(error) from None


async def _store(
    session: AsyncSession,
    editing: _Editing,
    event_type: EventType,
    payload: Payload,
    *,
    summary: str | None = None,
) -> None:
    chapter, tree = editing.chapter, editing.tree
    chapter.tree = cast(dict[str, Any], tree)
    flag_modified(chapter, "tree")  # changed in place: tell the ORM the document is dirty
    chapter.node_count = len(tree["nodes"])
    chapter.start_fen = tree["fen"]
    chapter.version += 1
    chapter.updated_at = utcnow()
    await session.flush()
    # The new positions' index rows and the new version ride on the event's statement.
    index_rows = await search_index.chapter_tree_changes(session, chapter)
    version_rows = await history.change_rows(
        session,
        chapter,
        editing.before,
        chain_end=editing.chain_end,
        actor_id=editing.user.id,
        kind=str(event_type),
        summary=summary,
    )
    await events.record(
        session,
        event_type,
        actor_id=editing.user.id,
        target=target_of(chapter),
        workspace_id=editing.granted.node.workspace_id,
        version=chapter.version,
        payload=payload,
        along_with=[*index_rows, history_repository.versions_along(version_rows)],
    )


def _node(editing: _Editing, move_id: str) -> MoveNode:
    return _apply(find_node, editing.tree, move_id)


async def add(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    after: str | None,
    move: str,
    limits: PgnLimits,
) -> Edited:
    """Play a move (SAN or UCI) after `after`; a move already there is returned as is."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    added = _apply(add_move, editing.tree, after, move, limits)
    node = editing.tree["nodes"][added.move_id]
    if added.created:
        payload = ChapterMoveAdded(
            study_id=study_id,
            move_id=node["id"],
            parent_move_id=after,
            san=node["san"],
            uci=node["uci"],
        )
        await _store(session, editing, EventType.chapter_move_added, payload)
    return Edited(editing.chapter, node, [added.move_id], added.created)


async def delete(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
) -> Edited:
    """Delete a move and every move after it."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    removed = _apply(delete_from, editing.tree, move_id)
    payload = ChapterMovesDeleted(study_id=study_id, move_ids=removed)
    await _store(session, editing, EventType.chapter_moves_deleted, payload)
    return Edited(editing.chapter, None, removed, True)


async def promote_line(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    to_mainline: bool,
    limits: PgnLimits,
) -> Edited:
    """Promote the line of a move one step up, or all the way to the main line."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    moved = _apply(promote, editing.tree, move_id, to_mainline=to_mainline, limits=limits)
    if moved:
        payload = ChapterVariationPromoted(
            study_id=study_id, move_id=move_id, to_mainline=to_mainline, move_ids=moved
        )
        await _store(session, editing, EventType.chapter_variation_promoted, payload)
    return Edited(editing.chapter, _node(editing, move_id), moved, bool(moved))


async def comment(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str | None,
    text: str,
    limits: PgnLimits,
) -> Edited:
    """Set or clear the comment after a move (or, with no move, before the first move)."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    tree = editing.tree
    before = tree["comment"] if move_id is None else _node(editing, move_id)["comment"]
    touched = _apply(set_comment, tree, move_id, text, limits)
    after = tree["comment"] if move_id is None else tree["nodes"][move_id]["comment"]
    node = None if move_id is None else tree["nodes"][move_id]
    if after == before:
        return Edited(editing.chapter, node, touched, False)
    payload = ChapterCommentSet(study_id=study_id, move_id=move_id, length=len(after))
    await _store(session, editing, EventType.chapter_comment_set, payload)
    return Edited(editing.chapter, node, touched, True)


async def _annotate(
    session: AsyncSession,
    editing: _Editing,
    move_id: str,
    key: str,
    change: Callable[[], list[str]],
    event_type: EventType,
    payload: Callable[[MoveNode], Payload],
) -> Edited:
    """Apply `change` to one annotation (`key`) of a move; store an event when it changed."""
    node = _node(editing, move_id)
    before = copy.deepcopy(node[key])  # type: ignore[literal-required]
    touched = change()
    if node[key] == before:  # type: ignore[literal-required]
        return Edited(editing.chapter, node, touched, False)
    await _store(session, editing, event_type, payload(node))
    return Edited(editing.chapter, node, touched, True)


async def nags(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    values: list[int | str],
) -> Edited:
    """Replace the NAGs of a move (numbers or symbols; empty clears them)."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    return await _annotate(
        session,
        editing,
        move_id,
        "nags",
        lambda: _apply(set_nags, editing.tree, move_id, values),
        EventType.chapter_nags_set,
        lambda node: ChapterNagsSet(study_id=study_id, move_id=move_id, nags=node["nags"]),
    )


async def shapes(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    values: list[dict[str, Any]],
    limits: PgnLimits,
) -> Edited:
    """Replace the arrows and circles of a move (empty clears them)."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    return await _annotate(
        session,
        editing,
        move_id,
        "shapes",
        lambda: _apply(set_shapes, editing.tree, move_id, values, limits),
        EventType.chapter_shapes_set,
        lambda node: ChapterShapesSet(
            study_id=study_id, move_id=move_id, shape_count=len(node["shapes"])
        ),
    )


async def clock(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    seconds: float | None,
) -> Edited:
    """Set or clear the clock ([%clk]) after a move."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    return await _annotate(
        session,
        editing,
        move_id,
        "clock",
        lambda: _apply(set_clock, editing.tree, move_id, seconds),
        EventType.chapter_clock_set,
        lambda node: ChapterClockSet(study_id=study_id, move_id=move_id, clock=node["clock"]),
    )


async def evaluation(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
    pawns: float | None,
    mate: int | None,
    depth: int | None,
) -> Edited:
    """Set or clear the evaluation ([%eval], in the comment) after a move."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    return await _annotate(
        session,
        editing,
        move_id,
        "comment",
        lambda: _apply(set_eval, editing.tree, move_id, pawns=pawns, mate=mate, depth=depth),
        EventType.chapter_eval_set,
        lambda _node: ChapterEvalSet(study_id=study_id, move_id=move_id, pawns=pawns, mate=mate),
    )


async def cut(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    if_match: str | None,
    *,
    move_id: str,
) -> Edited:
    """Clip in place: the chapter starts at the position after `move_id` (SetUp/FEN)."""
    editing = await _open(session, user, study_id, chapter_id, if_match)
    removed = _apply(cut_at, editing.tree, move_id)
    chapter = editing.chapter
    headers = setup_headers(dict(chapter.headers), editing.tree)
    chapter.headers = [[tag, value] for tag, value in headers.items()]
    payload = ChapterCut(
        study_id=study_id,
        move_id=move_id,
        removed_move_ids=removed,
        start_fen=editing.tree["fen"],
    )
    await _store(session, editing, EventType.chapter_cut, payload)
    return Edited(chapter, None, removed, True)


async def to_chapter(
    session: AsyncSession,
    user: User,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    *,
    move_id: str,
    name: str | None,
) -> list[FilledStudy]:
    """Copy a move and everything after it into a new chapter that starts before the move.

    The source chapter keeps its moves (delete them separately if wanted). Like every
    added chapter, the new one goes to a further study when this one holds 64 already.
    """
    editing = await _open(session, user, study_id, chapter_id, None)
    source = editing.chapter
    node = _node(editing, move_id)
    context = {tag: value for tag, value in source.headers if tag in KEPT_BY_VARIATION}
    headers, tree = _apply(variation_to_tree, editing.tree, move_id, context)
    game = ParsedGame(number=1, line=1, headers=headers, tree=tree, result="*")
    existing = await repository.count_in_study(session, study_id)
    filled = await fill(
        session,
        user,
        editing.granted,
        [game],
        existing=existing,
        name=name or f"{source.name}: {move_label(editing.tree, node)}"[:200],
        orientation=source.orientation,
        source="variation",
    )
    new_chapter = next(entry.chapters[0] for entry in filled if entry.chapters)
    await events.record(
        session,
        EventType.chapter_variation_extracted,
        actor_id=user.id,
        target=target_of(source),
        workspace_id=editing.granted.node.workspace_id,
        version=source.version,
        payload=ChapterVariationExtracted(
            study_id=study_id,
            move_id=move_id,
            new_chapter_id=new_chapter.id,
            move_ids=list(tree["nodes"]),
        ),
    )
    return filled


# What a chapter made of a variation keeps of its source's tags: where and between whom
# the game was played. Not its Result (the variation was not played to it), nor tags
# that describe the game's own moves (ECO, Opening, PlyCount, Termination ...).
KEPT_BY_VARIATION = frozenset({"Event", "Site", "Date", "Round", "White", "Black"})
