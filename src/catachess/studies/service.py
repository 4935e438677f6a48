"""Studies and their chapters: create (with PGN import), read, rename, reorder, delete.

A study is a node of kind "study"; its chapters are rows that belong to it. Writes to
one study are serialized by locking the study's node row (`access.require(...,
for_update=True)`) before any chapter of it changes, as lila serializes them with its
per-study sequencer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from catachess import heavy
from catachess.auth.models import User, id_of
from catachess.config import Settings, get_settings
from catachess.db.base import utcnow
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    EventType,
    StudyChapterAdded,
)
from catachess.heavy_tasks import PreparedGame, PreparedPgn, parse_part
from catachess.history import recording as history
from catachess.nodes import service as nodes
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.schemas import NodeCreate
from catachess.pgn import (
    ParsedGame,
    ParsedPgn,
    PgnError,
    PgnLimits,
    PgnPart,
    PgnWarning,
    TreeEditError,
    count_nodes,
    new_tree,
    read_pgn,
    setup_headers,
    split_pgn,
)
from catachess.search import indexing as search_index
from catachess.sharing import access
from catachess.sharing.access import Access
from catachess.sharing.policy import Action
from catachess.studies import repository
from catachess.studies.errors import (
    ChapterNotFound,
    MoveNotInChapter,
    StudyNotFound,
    from_edit_error,
    from_pgn_error,
)
from catachess.studies.models import Chapter
from catachess.studies.schemas import ChaptersCreate, StudyCreate

# Chapters per study, as on Lichess: a study is read and listed whole, so it stays a
# size a person can work through. An import beyond it continues in further studies
# "Name (2)", "Name (3)" ... next to the first one (docs/pgn.md); no game is dropped.
MAX_CHAPTERS = 64

NAME_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class FilledStudy:
    """A study an import wrote to, with the chapters it added there."""

    granted: Access
    chapters: list[Chapter]


@dataclass
class Imported:
    """What an import wrote, and what it skipped between games (for the answer)."""

    studies: list[FilledStudy]
    warnings: list[PgnWarning]


def limits_from(settings: Settings) -> PgnLimits:
    """The PGN limits in force, from the PGN_* settings."""
    return PgnLimits(
        max_bytes=settings.pgn_max_bytes,
        max_games=settings.pgn_max_games,
        max_nodes_per_chapter=settings.pgn_max_nodes_per_chapter,
        max_variation_depth=settings.pgn_max_variation_depth,
        max_comment_length=settings.pgn_max_comment_length,
        max_shapes_per_move=settings.pgn_max_shapes_per_move,
    )


def target_of(chapter: Chapter) -> Target:
    return Target(chapter.id, "chapter", chapter.study_id)


async def require_study(
    session: AsyncSession,
    user: User | None,
    study_id: uuid.UUID,
    action: Action,
    *,
    for_update: bool = False,
) -> Access:
    """The study node if the caller (None: anonymous) may perform `action` on it
    (404/403 otherwise)."""
    granted = await access.require(session, id_of(user), study_id, action, for_update=for_update)
    if granted.node.kind is not NodeKind.study:
        raise StudyNotFound(study_id)
    return granted


async def require_chapter(session: AsyncSession, granted: Access, chapter_id: uuid.UUID) -> Chapter:
    """A chapter of the already authorized study; a chapter of another study is 404."""
    chapter = await repository.get_in_study(session, granted.node.id, chapter_id)
    if chapter is None:
        raise ChapterNotFound(chapter_id)
    return chapter


async def require_discussable(
    session: AsyncSession, granted: Access, chapter_id: uuid.UUID, move_id: str | None
) -> None:
    """The chapter belongs to the authorized study and, when given, the move is in it."""
    found = await repository.chapter_has_move(session, granted.node.id, chapter_id, move_id)
    if found is None:
        raise ChapterNotFound(chapter_id)
    if not found:
        raise MoveNotInChapter(f"move {move_id} is not in this chapter", field="move_id")


async def study_of_chapter(session: AsyncSession, chapter_id: uuid.UUID) -> uuid.UUID | None:
    """The study a chapter belongs to (no permission check: callers check the study)."""
    return await repository.get_study_id_of_chapter(session, chapter_id)


def parse(text: str, limits: PgnLimits) -> ParsedPgn:
    """Every game of `text` (and warnings about what was skipped between games), or a
    problem naming game, line and token (nothing is partial)."""
    try:
        return read_pgn(text, limits)
    except PgnError as error:
        raise from_pgn_error(error) from None


async def parse_heavy(
    session: AsyncSession, user: User, pgn: str, limits: PgnLimits
) -> PreparedPgn:
    """`parse` in the worker processes (catachess.heavy), holding one of the user's heavy
    slots; the games come back ready to store (trees as JSON, index rows made)."""
    await heavy.claim_slot(session, user.id)
    try:
        # Cut where games start (a pass that reads no move, ~3 ms per MB: in a thread)
        # into parts that the workers parse at once: a big import takes every worker
        # (HEAVY_WORKERS) instead of one, and no single result is large to unpickle.
        parts = await asyncio.to_thread(
            split_pgn,
            pgn,
            limits,
            parts=PARTS_PER_WORKER * get_settings().heavy_workers,
            max_part_games=MAX_CHAPTERS,
        )
        return await _parse_parts(parts, limits)
    except PgnError as error:
        raise from_pgn_error(error) from None


# Parts per worker process of an API import: more than one, so a worker that is done
# early (or slowed by other work on the machine) takes over the rest.
PARTS_PER_WORKER = 2


async def _parse_parts(parts: list[PgnPart], limits: PgnLimits) -> PreparedPgn:
    """The parts parsed in the worker processes, joined in order (the first problem in
    the text, as `PgnError`, if any)."""
    jobs = [asyncio.ensure_future(heavy.run(parse_part, part, limits)) for part in parts]
    joined = PreparedPgn([], [])
    try:
        for job in jobs:
            before = len(joined.games)
            try:
                parsed = await job
            except PgnError as error:
                raise error.renumbered(before) from None
            joined.games.extend(
                dataclasses.replace(game, number=game.number + before) for game in parsed.games
            )
            joined.warnings.extend(parsed.warnings)
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
    if not joined.games:
        raise PgnError("no games found", code="empty")
    return joined


# A game to store as a chapter: parsed here (FEN chapters, the command line) or prepared
# by a worker process (API imports).
NewGame = ParsedGame | PreparedGame


async def create_study(
    session: AsyncSession, user: User, body: StudyCreate, limits: PgnLimits
) -> Imported:
    """Create a study, one chapter per game of the optional PGN, splitting past 64."""
    parsed: ParsedPgn | PreparedPgn = ParsedPgn([], [])
    if body.pgn is not None:
        # Permission first: a stranger's upload is refused before any parsing.
        await access.require(session, user.id, body.parent_id, Action.edit)
        parsed = await parse_heavy(session, user, body.pgn, limits)
    filled = await create_study_of_games(session, user, body.parent_id, body.name, parsed.games)
    return Imported(filled, parsed.warnings)


async def create_study_of_games(
    session: AsyncSession,
    user: User,
    parent_id: uuid.UUID,
    name: str,
    games: Sequence[NewGame],
    *,
    numbered_from: int | None = None,
) -> list[FilledStudy]:
    """A new study under `parent_id` holding `games` (further studies past 64).

    With `numbered_from`, the study is named "name (n)" with the first free n from there
    (the command-line import continues a collection this way).
    """
    if numbered_from is not None:
        name, _ = await nodes.numbered_sibling_name(session, parent_id, name, start=numbered_from)
    granted = await nodes.create_node(
        session, user, NodeCreate(kind=NodeKind.study, name=name, parent_id=parent_id)
    )
    return await fill(session, user, granted, games, existing=0)


async def add_chapters(
    session: AsyncSession, user: User, study_id: uuid.UUID, body: ChaptersCreate, limits: PgnLimits
) -> Imported:
    """Add one chapter per PGN game, or one empty chapter at a FEN, at the end of a study."""
    # Permission first, so strangers learn nothing; the lock only after the (slow) parse.
    await require_study(session, user, study_id, Action.edit)
    parsed: ParsedPgn | PreparedPgn
    if body.pgn is not None:
        parsed = await parse_heavy(session, user, body.pgn, limits)
    else:
        assert body.fen is not None  # the schema requires one of them
        parsed = ParsedPgn([game_at(body.fen)], [])
    games = parsed.games
    granted = await require_study(session, user, study_id, Action.edit, for_update=True)
    existing = await repository.count_in_study(session, study_id)
    name = body.name if len(games) == 1 else None
    filled = await fill(
        session,
        user,
        granted,
        games,
        existing=existing,
        name=name,
        orientation=body.orientation,
        source="pgn" if body.pgn is not None else "fen",
    )
    return Imported(filled, parsed.warnings)


def game_at(fen: str) -> ParsedGame:
    """An empty game starting at `fen` (a chapter to fill by hand)."""
    try:
        tree = new_tree(fen)
    except TreeEditError as error:
        raise from_edit_error(error) from None
    headers = setup_headers({}, tree)
    return ParsedGame(number=1, line=1, headers=headers, tree=tree, result="*")


async def fill(
    session: AsyncSession,
    user: User,
    first: Access,
    games: Sequence[NewGame],
    *,
    existing: int,
    name: str | None = None,
    orientation: str | None = None,
    source: str = "pgn",
) -> list[FilledStudy]:
    """Append `games` as chapters: to `first` while it has room, then to new studies.

    The further studies are siblings of `first` named "Name (2)", "Name (3)" ...
    """
    filled: list[FilledStudy] = []
    prepared: dict[uuid.UUID, PreparedGame] = {}
    placed = iter(games)
    for slot in await place(session, user, first, len(games), existing=existing):
        rows = []
        for position in slot.positions:
            game = next(placed)
            chapter = chapter_of(
                slot.study.node, user, game, position, name=name, orientation=orientation
            )
            if isinstance(game, PreparedGame):
                prepared[chapter.id] = game
            rows.append(chapter)
        filled.append(FilledStudy(slot.study, rows))
    await add_all(session, filled, prepared)
    await record_added(
        session, user, [chapter for entry in filled for chapter in entry.chapters], source=source
    )
    trees = {chapter_id: game.tree_json for chapter_id, game in prepared.items()}
    for entry in filled:
        await history.record_created(
            session, entry.chapters, actor_id=user.id, source=source, trees=trees
        )
    return filled


@dataclass
class Slot:
    """Positions that new chapters take in one study."""

    study: Access
    positions: range


async def place(
    session: AsyncSession, user: User, first: Access, count: int, *, existing: int
) -> list[Slot]:
    """Where `count` new chapters go: `first` while it has room (it holds `existing`),
    then new sibling studies "Name (2)", "Name (3)" ... of 64 each (created here).
    `first` is always in the answer, if only with no position."""
    room = max(min(MAX_CHAPTERS - existing, count), 0)
    slots = [Slot(first, range(existing, existing + room))]
    number, left = 1, count - room
    while left > 0:
        study, number = await _next_study(session, user, first.node, number + 1)
        slots.append(Slot(study, range(min(left, MAX_CHAPTERS))))
        left -= MAX_CHAPTERS
    return slots


FLUSH_NODES = 20_000


async def add_all(
    session: AsyncSession,
    filled: list[FilledStudy],
    prepared: dict[uuid.UUID, PreparedGame] | None = None,
) -> None:
    """Write new chapters, and their search entries in the same transaction.

    `prepared`: chapters (by id) whose games a worker process prepared: their trees are
    written as the JSON text it made, never decoded here (`add_prepared`)."""
    prepared = prepared or {}
    everything = [chapter for entry in filled for chapter in entry.chapters]
    chapters = [chapter for chapter in everything if chapter.id not in prepared]
    await add_prepared(
        session, [chapter for chapter in everything if chapter.id in prepared], prepared
    )
    # Flushed in batches of about FLUSH_NODES moves: the trees are encoded to JSON on the
    # event loop, and a large import's in one flush would stall every other request.
    pending = 0
    for chapter in chapters:
        session.add(chapter)
        pending += chapter.node_count
        if pending >= FLUSH_NODES:
            await session.flush()
            pending = 0
    await session.flush()
    if chapters:
        await search_index.chapters_added(session, chapters)


_INSERT_CHAPTERS = text(
    "INSERT INTO chapters (id, workspace_id, study_id, name, description, position, "
    "orientation, start_fen, headers, tree, node_count, version, created_by, created_at, "
    "updated_at) VALUES (:id, :workspace_id, :study_id, :name, :description, :position, "
    ":orientation, :start_fen, CAST(:headers AS jsonb), CAST(:tree AS jsonb), :node_count, "
    ":version, :created_by, :created_at, :updated_at)"
)


async def add_prepared(
    session: AsyncSession, chapters: list[Chapter], prepared: dict[uuid.UUID, PreparedGame]
) -> None:
    """Insert chapters whose trees arrive as JSON text from a worker process, in batches
    of about FLUSH_NODES moves (each a few ms on the event loop: the text is copied, not
    encoded), then their search entries and positions."""
    if not chapters:
        return
    batch: list[dict[str, object]] = []
    pending = 0
    for chapter in chapters:
        chapter.description = ""
        chapter.created_at = chapter.updated_at = utcnow()
        batch.append(_chapter_params(chapter, prepared[chapter.id].tree_json))
        pending += chapter.node_count
        if pending >= FLUSH_NODES:
            await session.execute(_INSERT_CHAPTERS, batch)
            batch, pending = [], 0
    if batch:
        await session.execute(_INSERT_CHAPTERS, batch)
    await search_index.prepared_chapters_added(session, chapters, prepared)


def _chapter_params(chapter: Chapter, tree_json: str) -> dict[str, object]:
    return {
        "id": chapter.id,
        "workspace_id": chapter.workspace_id,
        "study_id": chapter.study_id,
        "name": chapter.name,
        "description": chapter.description,
        "position": chapter.position,
        "orientation": chapter.orientation,
        "start_fen": chapter.start_fen,
        "headers": orjson.dumps(chapter.headers).decode(),
        "tree": tree_json,
        "node_count": chapter.node_count,
        "version": chapter.version,
        "created_by": chapter.created_by,
        "created_at": chapter.created_at,
        "updated_at": chapter.updated_at,
    }


async def _next_study(
    session: AsyncSession, user: User, first: Node, number: int
) -> tuple[Access, int]:
    assert first.parent_id is not None  # a study always has a parent
    name, number = await nodes.numbered_sibling_name(
        session, first.parent_id, first.name, start=number
    )
    created = await nodes.create_node(
        session, user, NodeCreate(kind=NodeKind.study, name=name, parent_id=first.parent_id)
    )
    return created, number


def chapter_of(
    study: Node,
    user: User,
    game: NewGame,
    position: int,
    *,
    name: str | None = None,
    orientation: str | None = None,
) -> Chapter:
    """A new chapter row for a parsed game at `position` of `study` (a prepared game's
    tree stays JSON text, out of the row: `add_prepared` writes it)."""
    chapter = Chapter(
        id=uuid.uuid4(),
        workspace_id=study.workspace_id,
        study_id=study.id,
        name=name or chapter_name(game.headers, position + 1),
        position=position,
        orientation=orientation or _orientation_of(game.headers),
        headers=[[tag, value] for tag, value in game.headers.items()],
        version=1,
        created_by=user.id,
    )
    if isinstance(game, PreparedGame):
        chapter.start_fen, chapter.node_count = game.start_fen, game.node_count
    else:
        chapter.start_fen, chapter.node_count = game.tree["fen"], count_nodes(game.tree)
        chapter.tree = dict(game.tree)
    return chapter


def chapter_name(headers: dict[str, str], number: int) -> str:
    """ "White - Black" when both are known, else the Event, else "Chapter N"."""
    white, black = _known(headers.get("White")), _known(headers.get("Black"))
    event = _known(headers.get("Event"))
    if white and black:
        name = f"{white} - {black}"
    elif event:
        name = event
    else:
        name = f"Chapter {number}"
    return name[:NAME_LENGTH].rstrip()


def _known(value: str | None) -> str:
    """A header value with control characters removed; "" for PGN's unknown ("?")."""
    cleaned = " ".join(_CONTROL.sub(" ", value or "").split())
    return "" if cleaned in ("?", "-", "??") else cleaned


def _orientation_of(headers: dict[str, str]) -> str:
    # Lichess writes the board orientation of a study chapter as an [Orientation] tag.
    value = headers.get("Orientation", "").lower()
    return value if value in ("white", "black") else "white"


async def record_added(
    session: AsyncSession, user: User, chapters: Sequence[Chapter], *, source: str
) -> None:
    """The study.chapter_added events of new chapters (one statement for all of them)."""
    await events.record_many(
        session,
        EventType.study_chapter_added,
        [
            events.NewEvent(
                actor_id=user.id,
                target=target_of(chapter),
                workspace_id=chapter.workspace_id,
                version=chapter.version,
                payload=StudyChapterAdded(
                    study_id=chapter.study_id,
                    name=chapter.name,
                    position=chapter.position,
                    node_count=chapter.node_count,
                    source=source,
                ),
            )
            for chapter in chapters
        ],
    )
