"""Importing a large PGN file from the command line: streamed, one transaction per study.

Unlike the API (all or nothing for one request), a collection of thousands of games is
imported study by study: every 64 games are committed as one study, and an interruption
keeps what was committed. The file is cut into parts of PART_GAMES games that
catachess.heavy's worker processes parse and prepare (trees as JSON, index rows as COPY
data, as for the API) while the main process stores the study before: memory holds the
study being stored and at most HEAVY_WORKERS + 1 parts. Games python-chess cannot read,
or that pass a limit, are skipped and reported, never dropped silently.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import uuid
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess import heavy
from catachess.auth import repository as users
from catachess.auth.models import User
from catachess.config import get_settings
from catachess.errors import AppError, NotFound
from catachess.heavy_tasks import PreparedGame, read_part_prepared
from catachess.nodes.models import NodeKind
from catachess.pgn import PgnError, PgnLimits, PgnPart, PgnWarning, iter_parts
from catachess.sharing import access
from catachess.sharing.policy import Action
from catachess.studies.service import MAX_CHAPTERS, create_study_of_games

Item = PreparedGame | PgnError | PgnWarning


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
    batch: list[PreparedGame] = []
    numbered = 0  # games read so far, skipped ones included (how the file numbers them)
    async with contextlib.aclosing(_parsed_parts(handle, limits)) as parts:
        async for items in parts:
            before = numbered
            for item in items:
                if isinstance(item, PgnWarning):
                    summary.warnings.append(item)
                    continue
                numbered += 1
                summary.games += 1
                if isinstance(item, PgnError):
                    item = item.renumbered(before)
                    summary.skipped.append(Skipped(item.game_number, item.line, item.message))
                else:
                    batch.append(item)
                progress(summary)
                if len(batch) == MAX_CHAPTERS:
                    await _store(sessions, user, parent_id, name, batch, summary)
                    batch = []
    if numbered == 0:
        summary.games += 1
        summary.skipped.append(Skipped(None, None, "no games found"))
    if batch or not summary.studies:
        await _store(sessions, user, parent_id, name, batch, summary)
    progress(summary)
    return summary


# Games per part of the file parsed by a worker process: a few parts to a study (64
# games), so that the workers parse the next ones while a study is stored.
PART_GAMES = 32


async def _parsed_parts(handle: TextIO, limits: PgnLimits) -> AsyncGenerator[list[Item], None]:
    """The file's items part by part, in order, parsed and prepared in catachess.heavy's
    worker processes: a thread cuts the file into parts (reading tags and tokens, no
    move) while the workers parse the parts ahead of the one being stored. At most
    HEAVY_WORKERS + 1 parts are in flight (memory stays flat); one thread at a time
    reads `handle`, and it stays the reader's until that thread is done."""
    parts = iter_parts(handle, PART_GAMES)
    ahead = get_settings().heavy_workers + 1
    jobs: collections.deque[asyncio.Future[list[Item]]] = collections.deque()
    reading: asyncio.Future[PgnPart | None] | None = asyncio.ensure_future(
        asyncio.to_thread(next, parts, None)
    )
    try:
        while True:
            while reading is not None and len(jobs) < ahead:
                part = await reading
                reading = None
                if part is not None:
                    jobs.append(asyncio.ensure_future(_read_part(part, limits)))
                    reading = asyncio.ensure_future(asyncio.to_thread(next, parts, None))
            if not jobs:
                return
            yield await jobs.popleft()
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if reading is not None:
            with contextlib.suppress(BaseException):
                await reading


async def _read_part(part: PgnPart, limits: PgnLimits) -> list[Item]:
    return await heavy.run(read_part_prepared, part, limits)


async def _store(
    sessions: async_sessionmaker[AsyncSession],
    user: User,
    parent_id: uuid.UUID,
    name: str,
    games: list[PreparedGame],
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
