"""Importing a large PGN file from the command line: streamed, one transaction per study.

Unlike the API (all or nothing for one request), a collection of thousands of games is
imported study by study: every 64 games are committed as one study, so memory holds at
most two studies' games (one stored, the next read meanwhile) and an interruption keeps
what was committed. Games python-chess cannot read, or that pass a limit, are skipped and
reported, never dropped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.auth import repository as users
from catachess.auth.models import User
from catachess.errors import AppError, NotFound
from catachess.nodes.models import NodeKind
from catachess.pgn import ParsedGame, PgnError, PgnLimits, PgnWarning, iter_games_or_errors
from catachess.sharing import access
from catachess.sharing.policy import Action
from catachess.studies.service import MAX_CHAPTERS, create_study_of_games

Item = ParsedGame | PgnError | PgnWarning


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
    items = iter_games_or_errors(handle, limits)
    # The next study's games are read in a worker thread while the current one is stored:
    # the loop mostly waits on PostgreSQL then, and the reading fills that time (the
    # profile showed the loop idle for a third of an import, docs/performance.md). At most
    # two studies' games are in memory; one thread reads `handle` at a time.
    reading = asyncio.ensure_future(asyncio.to_thread(_read_study, items))
    batch: list[ParsedGame] = []
    while read := await reading:
        for item in read:
            if isinstance(item, PgnWarning):
                summary.warnings.append(item)
                continue
            summary.games += 1
            if isinstance(item, PgnError):
                summary.skipped.append(Skipped(item.game_number, item.line, item.message))
            else:
                batch.append(item)
            progress(summary)
        reading = asyncio.ensure_future(asyncio.to_thread(_read_study, items))
        if len(batch) == MAX_CHAPTERS:
            try:
                await _store(sessions, user, parent_id, name, batch, summary)
            except BaseException:
                with contextlib.suppress(BaseException):
                    await reading  # the file stays the reader's until it is done
                raise
            batch = []
    if batch or not summary.studies:
        await _store(sessions, user, parent_id, name, batch, summary)
    progress(summary)
    return summary


def _read_study(items: Iterator[Item]) -> list[Item]:
    """The next items up to and including the MAX_CHAPTERS-th game (one study's worth);
    empty at the end of the file."""
    read: list[Item] = []
    games = 0
    for item in items:
        read.append(item)
        games += isinstance(item, ParsedGame)
        if games == MAX_CHAPTERS:
            break
    return read


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
