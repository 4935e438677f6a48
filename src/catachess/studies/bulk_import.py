"""Importing a large PGN file from the command line: streamed, one transaction per study.

Unlike the API (all or nothing for one request), a collection of thousands of games is
imported study by study: every 64 games are committed as one study, so memory holds at
most three studies' games (one stored, the next read meanwhile in a reading process, one
handed over between them) and an interruption keeps what was committed. Games
python-chess cannot read, or that pass a limit, are skipped and reported, never dropped
silently.

The reading is a process of its own (pgn.stream.read_studies): python-chess parses in
pure Python, and a reading thread held the GIL that storing the current study needed, so
parsing and storing took turns on one core. A thread of this process reads the file and
hands its lines over in small blocks (so the file is read as the parse goes).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.auth import repository as users
from catachess.auth.models import User
from catachess.errors import AppError, NotFound
from catachess.nodes.models import NodeKind
from catachess.pgn import ParsedGame, PgnLimits, PgnWarning
from catachess.pgn.stream import Read, Unreadable, read_studies
from catachess.sharing import access
from catachess.sharing.policy import Action
from catachess.studies.service import MAX_CHAPTERS, create_study_of_games

# Lines per block handed to the reading process, and blocks waiting at most: the file is
# read a few hundred lines ahead of the parse, not whole.
BLOCK_LINES = 64
QUEUED_BLOCKS = 4
POLL_SECONDS = 0.1


class UnknownUser(NotFound):
    code = "user_not_found"


@dataclass(frozen=True)
class Skipped:
    game: int | None
    line: int | None
    reason: str


@dataclass
class ImportSummary:
    games: int = 0  # games read, skipped ones included
    chapters: int = 0
    studies: list[tuple[uuid.UUID, str, int]] = field(default_factory=list)  # id, name, chapters
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[PgnWarning] = field(default_factory=list)  # leftovers between games


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    handle: TextIO,
    *,
    parent_id: uuid.UUID,
    user_email: str,
    name: str,
    limits: PgnLimits,
    progress: Callable[[ImportSummary], None] = lambda _summary: None,
) -> ImportSummary:
    """Import every readable game of `handle` into studies "name", "name (2)" ... under
    `parent_id`, as `user_email` (who needs the editor role there)."""
    async with sessions() as session:
        user = await users.get_by_email(session, user_email.lower())
        if user is None:
            raise UnknownUser(f"no account with e-mail {user_email!r}")
        parent = (await access.require(session, user.id, parent_id, Action.edit)).node
        if parent.kind is NodeKind.study:
            raise AppError("import into a folder or workspace, not into a study")
    summary = ImportSummary()
    spawn = multiprocessing.get_context("spawn")
    blocks: Queue[list[str] | None] = spawn.Queue(maxsize=QUEUED_BLOCKS)
    studies: Queue[list[Read] | BaseException | None] = spawn.Queue(maxsize=1)
    reader = spawn.Process(
        target=read_studies, args=(blocks, studies, limits, MAX_CHAPTERS), daemon=True
    )
    reader.start()
    stop = threading.Event()
    feeding = asyncio.ensure_future(asyncio.to_thread(_feed, handle, blocks, reader, stop))
    try:
        batch: list[ParsedGame] = []
        while (read := await _next(studies, reader, feeding)) is not None:
            for item in read:
                if isinstance(item, PgnWarning):
                    summary.warnings.append(item)
                    continue
                summary.games += 1
                if isinstance(item, Unreadable):
                    summary.skipped.append(Skipped(item.game_number, item.line, item.message))
                else:
                    batch.append(item)
                progress(summary)
            if len(batch) == MAX_CHAPTERS:
                await _store(sessions, user, parent_id, name, batch, summary)
                batch = []
        await feeding  # the file was read to its end (or its error is raised here)
        if batch or not summary.studies:
            await _store(sessions, user, parent_id, name, batch, summary)
    finally:
        stop.set()
        if reader.is_alive():
            reader.terminate()
        await asyncio.gather(feeding, return_exceptions=True)
        reader.join()
        for channel in (blocks, studies):
            channel.cancel_join_thread()  # nothing left to deliver matters now
            channel.close()
    progress(summary)
    return summary


async def _next(
    studies: Queue[list[Read] | BaseException | None],
    reader: BaseProcess,
    feeding: asyncio.Future[None],
) -> list[Read] | None:
    try:
        return await asyncio.to_thread(_next_study, studies, reader)
    except Exception:
        if feeding.done() and not feeding.cancelled() and feeding.exception() is not None:
            await feeding  # the file could not be read: that is the error to report
        raise


def _feed(
    handle: TextIO, blocks: Queue[list[str] | None], reader: BaseProcess, stop: threading.Event
) -> None:
    """Hand the lines of `handle` to the reading process in blocks, then None (the end);
    an empty block if the file cannot be read (the reading process then stops, rather
    than take a game cut short for a whole one)."""
    block: list[str] = []
    try:
        while line := handle.readline():
            block.append(line)
            if len(block) == BLOCK_LINES:
                _put(blocks, block, reader, stop)
                block = []
    except _ReaderGone:
        raise
    except BaseException:
        _put(blocks, [], reader, stop)
        raise
    if block:
        _put(blocks, block, reader, stop)
    _put(blocks, None, reader, stop)


class _ReaderGone(Exception):
    """The reading process ended (or the import stopped) before the file was handed over."""


def _put(
    blocks: Queue[list[str] | None],
    block: list[str] | None,
    reader: BaseProcess,
    stop: threading.Event,
) -> None:
    while True:
        try:
            blocks.put(block, timeout=POLL_SECONDS)
            return
        except queue.Full:
            if stop.is_set() or not reader.is_alive():
                raise _ReaderGone from None


def _next_study(
    studies: Queue[list[Read] | BaseException | None], reader: BaseProcess
) -> list[Read] | None:
    """The reading process's next study's worth of items; None at the end of the file."""
    while True:
        try:
            found = studies.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not reader.is_alive() and studies.empty():
                raise RuntimeError(f"the reading process ended ({reader.exitcode})") from None
            continue
        if isinstance(found, BaseException):
            raise found
        return found


async def _store(
    sessions: async_sessionmaker[AsyncSession],
    user: User,
    parent_id: uuid.UUID,
    name: str,
    games: list[ParsedGame],
    summary: ImportSummary,
) -> None:
    # One transaction per study: committed studies stay if a later one fails.
    numbered_from = len(summary.studies) + 1 if summary.studies else None
    async with sessions() as session, session.begin():
        filled = await create_study_of_games(
            session, user, parent_id, name, games, numbered_from=numbered_from
        )
    for entry in filled:
        node = entry.granted.node
        summary.studies.append((node.id, node.name, len(entry.chapters)))
        summary.chapters += len(entry.chapters)
