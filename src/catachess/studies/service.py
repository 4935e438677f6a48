"""Studies and their chapters: create (with PGN import), read, rename, reorder, delete.

A study is a node of kind "study"; its chapters are rows that belong to it. Writes to
one study are serialized by locking the study's node row (`access.require(...,
for_update=True)`) before any chapter of it changes, as lila serializes them with its
per-study sequencer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from catachess import heavy
from catachess.auth.models import User, id_of
from catachess.config import Settings
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    EventType,
    StudyChapterAdded,
)
from catachess.history import recording as history
from catachess.nodes import service as nodes
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.schemas import NodeCreate
from catachess.pgn import (
    ParsedGame,
    ParsedPgn,
    PgnError,
    PgnLimits,
    PgnWarning,
    TreeEditError,
    count_nodes,
    new_tree,
    read_pgn,
    setup_headers,
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


async def parse_heavy(session: AsyncSession, user: User, text: str, limits: PgnLimits) -> ParsedPgn:
    """`parse` in a worker thread (catachess.heavy), holding one of the user's heavy slots."""
    await heavy.claim_slot(session, user.id)
    return await heavy.run(parse, text, limits)


async def create_study(
    session: AsyncSession, user: User, body: StudyCreate, limits: PgnLimits
) -> Imported:
    """Create a study, one chapter per game of the optional PGN, splitting past 64."""
    parsed = ParsedPgn([], [])
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
    games: Sequence[ParsedGame],
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
    games: Sequence[ParsedGame],
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
    placed = iter(games)
    for slot in await place(session, user, first, len(games), existing=existing):
        rows = [
            chapter_of(
                slot.study.node, user, next(placed), position, name=name, orientation=orientation
            )
            for position in slot.positions
        ]
        filled.append(FilledStudy(slot.study, rows))
    await add_all(session, filled)
    await record_added(
        session, user, [chapter for entry in filled for chapter in entry.chapters], source=source
    )
    for entry in filled:
        await history.record_created(session, entry.chapters, actor_id=user.id, source=source)
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


async def add_all(session: AsyncSession, filled: list[FilledStudy]) -> None:
    """Write new chapters, and their search entries in the same transaction."""
    chapters = [chapter for entry in filled for chapter in entry.chapters]
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
    await search_index.chapters_added(session, chapters)


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
    game: ParsedGame,
    position: int,
    *,
    name: str | None = None,
    orientation: str | None = None,
) -> Chapter:
    """A new chapter row for a parsed game at `position` of `study`."""
    tree = game.tree
    return Chapter(
        id=uuid.uuid4(),
        workspace_id=study.workspace_id,
        study_id=study.id,
        name=name or chapter_name(game.headers, position + 1),
        position=position,
        orientation=orientation or _orientation_of(game.headers),
        start_fen=tree["fen"],
        headers=[[tag, value] for tag, value in game.headers.items()],
        tree=dict(tree),
        node_count=count_nodes(tree),
        version=1,
        created_by=user.id,
    )


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
