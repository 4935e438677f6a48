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
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

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
    PgnError,
    PgnLimits,
    PgnPart,
    PgnWarning,
    TreeEditError,
    count_nodes,
    new_tree,
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


# Parts per worker process of an API import: more than one, so a worker that is done
# early (or slowed by other work on the machine) takes over the rest, and the first
# parts are stored while the last ones are parsed.
PARTS_PER_WORKER = 2


@dataclass
class ParsingPgn:
    """An import's PGN as the worker processes parse it, part by part (`parsing_heavy`)."""

    games: int  # counted before any is parsed
    parts: list[PgnPart]
    jobs: Sequence[asyncio.Future[PreparedPgn]]
    warnings: list[PgnWarning] = field(default_factory=list)  # filled as parts are read

    async def batches(self) -> AsyncGenerator[list[PreparedGame], None]:
        """The games part by part, in order, ready to store as soon as their part is;
        the first problem in the text, as 422, where it comes."""
        before = 0
        for part, job in zip(self.parts, self.jobs, strict=True):
            try:
                parsed = await job
            except PgnError as error:
                raise from_pgn_error(error.renumbered(before)) from None
            # The count that placed the chapters is the one the parse gives
            # (tests/pgn/test_parts.py); a difference would misplace them.
            if len(parsed.games) != part.games:
                raise RuntimeError(
                    f"a part counted {part.games} games and held {len(parsed.games)}"
                )
            self.warnings += parsed.warnings
            yield [dataclasses.replace(game, number=game.number + before) for game in parsed.games]
            before += part.games


@asynccontextmanager
async def parsing_heavy(
    session: AsyncSession, user: User, pgn: str, limits: PgnLimits
) -> AsyncIterator[ParsingPgn]:
    """`parse` in the worker processes (catachess.heavy), holding one of the user's heavy
    slots: the games come back ready to store (trees as JSON, index rows made), part by
    part, so that the first are stored while the others are parsed."""
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
    except PgnError as error:
        raise from_pgn_error(error) from None
    jobs = [asyncio.ensure_future(heavy.run(parse_part, part, limits)) for part in parts]
    try:
        parsing = ParsingPgn(sum(part.games for part in parts), parts, jobs)
        if parsing.games == 0:
            # The text's own problem comes first, as read_pgn names it.
            async for _ in parsing.batches():
                pass
            raise from_pgn_error(PgnError("no games found", code="empty"))
        yield parsing
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)


# A game to store as a chapter: parsed here (FEN chapters, the command line) or prepared
# by a worker process (API imports).
NewGame = ParsedGame | PreparedGame


async def create_study(
    session: AsyncSession, user: User, body: StudyCreate, limits: PgnLimits
) -> Imported:
    """Create a study, one chapter per game of the optional PGN, splitting past 64."""
    if body.pgn is None:
        return Imported(
            await create_study_of_games(session, user, body.parent_id, body.name, []), []
        )
    # Permission first: a stranger's upload is refused before any parsing.
    await access.require(session, user.id, body.parent_id, Action.edit)
    async with parsing_heavy(session, user, body.pgn, limits) as parsing:
        granted = await _new_study(session, user, body.parent_id, body.name)
        filled = await fill_batches(
            session, user, granted, parsing.games, parsing.batches(), existing=0
        )
    return Imported(filled, parsing.warnings)


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
    granted = await _new_study(session, user, parent_id, name, numbered_from=numbered_from)
    return await fill(session, user, granted, games, existing=0)


async def _new_study(
    session: AsyncSession,
    user: User,
    parent_id: uuid.UUID,
    name: str,
    *,
    numbered_from: int | None = None,
) -> Access:
    if numbered_from is not None:
        name, _ = await nodes.numbered_sibling_name(session, parent_id, name, start=numbered_from)
    return await nodes.create_node(
        session, user, NodeCreate(kind=NodeKind.study, name=name, parent_id=parent_id)
    )


async def add_chapters(
    session: AsyncSession, user: User, study_id: uuid.UUID, body: ChaptersCreate, limits: PgnLimits
) -> Imported:
    """Add one chapter per PGN game, or one empty chapter at a FEN, at the end of a study."""
    # Permission first, so strangers learn nothing; the lock once the text is cut into
    # parts (its games counted), held while the parts are parsed and stored.
    await require_study(session, user, study_id, Action.edit)
    if body.pgn is None:
        assert body.fen is not None  # the schema requires one of them
        granted = await require_study(session, user, study_id, Action.edit, for_update=True)
        existing = await repository.count_in_study(session, study_id)
        filled = await fill(
            session,
            user,
            granted,
            [game_at(body.fen)],
            existing=existing,
            name=body.name,
            orientation=body.orientation,
            source="fen",
        )
        return Imported(filled, [])
    async with parsing_heavy(session, user, body.pgn, limits) as parsing:
        granted = await require_study(session, user, study_id, Action.edit, for_update=True)
        existing = await repository.count_in_study(session, study_id)
        filled = await fill_batches(
            session,
            user,
            granted,
            parsing.games,
            parsing.batches(),
            existing=existing,
            name=body.name if parsing.games == 1 else None,
            orientation=body.orientation,
        )
    return Imported(filled, parsing.warnings)


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
    return await fill_batches(
        session,
        user,
        first,
        len(games),
        _one_batch(games),
        existing=existing,
        name=name,
        orientation=orientation,
        source=source,
    )


async def _one_batch(games: Sequence[NewGame]) -> AsyncIterator[Sequence[NewGame]]:
    yield games


async def fill_batches(
    session: AsyncSession,
    user: User,
    first: Access,
    count: int,
    batches: AsyncIterator[Sequence[NewGame]],
    *,
    existing: int,
    name: str | None = None,
    orientation: str | None = None,
    source: str = "pgn",
) -> list[FilledStudy]:
    """`fill` with `count` games that arrive in batches (an import parsed part by part):
    each batch is written as it comes; the study.chapter_added events of all of them are
    appended at the end, by one statement."""
    slots = await place(session, user, first, count, existing=existing)
    filled = [FilledStudy(slot.study, []) for slot in slots]
    places = iter(
        [
            (entry, position)
            for entry, slot in zip(filled, slots, strict=True)
            for position in slot.positions
        ]
    )
    added: list[Chapter] = []
    async for batch in batches:
        chapters: list[Chapter] = []
        prepared: dict[uuid.UUID, PreparedGame] = {}
        for game in batch:
            entry, position = next(places)
            chapter = chapter_of(
                entry.granted.node, user, game, position, name=name, orientation=orientation
            )
            if isinstance(game, PreparedGame):
                prepared[chapter.id] = game
            entry.chapters.append(chapter)
            chapters.append(chapter)
        await add_all(session, chapters, prepared)
        trees = {chapter_id: game.tree_json for chapter_id, game in prepared.items()}
        await history.record_created(
            session, chapters, actor_id=user.id, source=source, trees=trees
        )
        added += chapters
    await record_added(session, user, added, source=source)
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
    everything: Sequence[Chapter],
    prepared: dict[uuid.UUID, PreparedGame] | None = None,
) -> None:
    """Write new chapters, and their search entries in the same transaction.

    `prepared`: chapters (by id) whose games a worker process prepared: their trees are
    written as the JSON text it made, never decoded here (`add_prepared`)."""
    prepared = prepared or {}
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
