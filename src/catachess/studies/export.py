"""PGN export of studies and chapters, and stored exports of a study or a whole folder.

A folder or workspace export is a zip holding one .pgn file per live study below it,
named by the folder path from the exported node down ("Sicilian/Najdorf.pgn"), so the
tree survives the export and every study stays a file that other tools open as is.
"""

from __future__ import annotations

import io
import math
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, cast

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from catachess import heavy, heavy_tasks
from catachess.auth.models import User, id_of
from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.errors import Gone, NotFound, TooManyRequests
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import EventType, ExportCreated, ExportDeleted
from catachess.heavy_tasks import ExportedChapter
from catachess.nodes.errors import NodeNotFound
from catachess.nodes.models import Node, NodeKind
from catachess.pgn import ExportOptions, MoveTree, PgnError, TreeEditError
from catachess.sharing import access
from catachess.sharing.policy import Action
from catachess.studies import repository
from catachess.studies.errors import StudyNotFound, from_edit_error, from_pgn_error
from catachess.studies.models import Chapter, Export
from catachess.studies.repository import ExportRow
from catachess.studies.service import require_chapter, require_study


class ExportNotFound(NotFound):
    code = "export_not_found"

    def __init__(self, export_id: uuid.UUID) -> None:
        super().__init__(f"export {export_id} does not exist")


class ExportExpired(Gone):
    code = "export_expired"


class ExportOutdated(Gone):
    code = "export_outdated"


def exported(chapter: Chapter | ExportRow) -> ExportedChapter:
    """What writing a chapter as PGN reads of it (its tree as JSON text when read so)."""
    tree = chapter.tree_json if isinstance(chapter, ExportRow) else cast(MoveTree, chapter.tree)
    return (chapter.headers, chapter.orientation, tree)


def chapter_text(
    chapter: Chapter | ExportRow, options: ExportOptions, *, from_move: str | None = None
) -> str:
    """One chapter as a PGN game, here and now (short work: the command line, a version);
    `from_move` clips it to start after that move."""
    with problems_named():
        return heavy_tasks.chapter_text(exported(chapter), options, from_move)


def games_text(chapters: Iterable[Chapter | ExportRow], options: ExportOptions) -> str:
    """Several chapters as one PGN file, games in chapter order (here and now)."""
    with problems_named():
        return heavy_tasks.games_text([exported(chapter) for chapter in chapters], options)


@contextmanager
def problems_named() -> Iterator[None]:
    """PGN writing's errors as the problems a client reads."""
    try:
        yield
    except TreeEditError as error:
        raise from_edit_error(error) from None
    except PgnError as error:
        raise from_pgn_error(error) from None


# Tree JSON sent to a worker process in one job: pickling holds the GIL, so a large study
# goes in several jobs of a few MB each rather than one of hundreds.
JOB_BYTES = 8_000_000


async def _games_text(chapters: Iterable[ExportRow], options: ExportOptions) -> str:
    """games_text in worker processes: writing PGN is CPU-bound (catachess.heavy)."""
    parts: list[str] = []
    job: list[ExportedChapter] = []
    size = 0
    for chapter in chapters:
        job.append(exported(chapter))
        size += len(chapter.tree_json)
        if size >= JOB_BYTES:
            parts.append(await _write_games(job, options))
            job, size = [], 0
    if job:
        parts.append(await _write_games(job, options))
    return "".join(parts)


async def _write_games(job: list[ExportedChapter], options: ExportOptions) -> str:
    with problems_named():
        return await heavy.run(heavy_tasks.games_text, job, options)


async def study_pgn(
    session: AsyncSession,
    user: User | None,
    study_id: uuid.UUID,
    options: ExportOptions,
) -> tuple[Node, str]:
    """Every chapter of a readable study as one multi-game PGN."""
    granted = await require_study(session, user, study_id, Action.read)
    await heavy.claim_slot(session, id_of(user))
    chapters = await repository.list_for_export(session, study_id)
    return granted.node, await _games_text(chapters, options)


async def study_text(
    session: AsyncSession, study_id: uuid.UUID, options: ExportOptions
) -> tuple[Node, str]:
    """A study as PGN without a permission check: for the command line, which runs with
    the server's own database access."""
    node = await repository.get_live_study(session, study_id)
    if node is None:
        raise StudyNotFound(study_id)
    chapters = await repository.list_for_export(session, study_id)
    return node, games_text(chapters, options)


async def chapter_pgn(
    session: AsyncSession,
    user: User | None,
    study_id: uuid.UUID,
    chapter_id: uuid.UUID,
    options: ExportOptions,
    *,
    from_move: str | None,
) -> tuple[Chapter, str]:
    """One chapter of a readable study as PGN, optionally clipped after a move."""
    granted = await require_study(session, user, study_id, Action.read)
    chapter = await require_chapter(session, granted, chapter_id)
    await heavy.claim_slot(session, id_of(user))
    row = (chapter.headers, chapter.orientation, orjson.dumps(chapter.tree).decode())
    with problems_named():
        return chapter, await heavy.run(heavy_tasks.chapter_text, row, options, from_move)


@dataclass
class Built:
    format: str
    filename: str
    content: bytes
    study_ids: list[uuid.UUID]
    chapter_count: int

    @property
    def study_count(self) -> int:
        return len(self.study_ids)


async def create_export(
    session: AsyncSession,
    user: User,
    node_id: uuid.UUID,
    options: ExportOptions,
    *,
    mode: str,
    settings: Settings,
) -> Export:
    """Build and store the export of a study (.pgn) or of a folder/workspace (.zip)."""
    node = (await access.require(session, user.id, node_id, Action.read)).node
    await _within_quota(session, user, settings)
    await heavy.claim_slot(session, user.id)
    if node.kind is NodeKind.study:
        chapters = await repository.list_for_export(session, node.id)
        text = await _games_text(chapters, options)
        built = Built("pgn", pgn_file_name(node.name), text.encode(), [node.id], len(chapters))
    else:
        built = await _build_zip(session, node, options)
    now = utcnow()
    export = Export(
        id=uuid.uuid4(),
        workspace_id=node.workspace_id,
        node_id=node.id,
        requested_by=user.id,
        status="ready",
        format=built.format,
        mode=mode,
        comments=options.comments,
        options=asdict(options),
        filename=built.filename,
        study_count=built.study_count,
        study_ids=built.study_ids,
        chapter_count=built.chapter_count,
        size_bytes=len(built.content),
        content=built.content,
        created_at=now,
        expires_at=now + timedelta(hours=settings.export_retention_hours),
    )
    session.add(export)
    await session.flush()
    await events.record(
        session,
        EventType.export_created,
        actor_id=user.id,
        target=Target(export.id, "export", export.node_id),
        workspace_id=export.workspace_id,
        version=1,
        payload=ExportCreated(
            export_id=export.id,
            node_id=node.id,
            mode=mode,
            format=built.format,
            study_count=built.study_count,
            chapter_count=built.chapter_count,
            size_bytes=export.size_bytes,
        ),
    )
    return export


async def _build_zip(session: AsyncSession, root: Node, options: ExportOptions) -> Built:
    rows = await repository.list_subtree_names(session, root)
    live = {row.id: row for row in rows}
    # A study counts only if every node from the export root down to it is live.
    paths = {row.id: _zip_path(root, row.path, live) for row in rows if row.kind is NodeKind.study}
    studies = _unique({study_id: path for study_id, path in paths.items() if path is not None})
    buffer = io.BytesIO()
    chapter_count = 0
    texts: dict[uuid.UUID, list[str]] = {study_id: [] for study_id in studies}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        current: uuid.UUID | None = None
        async for chapter in repository.stream_subtree_chapters(session, root):
            if chapter.study_id not in texts:
                continue
            if current is not None and chapter.study_id != current:
                await heavy.run_thread(_write, archive, studies[current], texts.pop(current))
            current = chapter.study_id
            texts[current].append(await _write_games([exported(chapter)], options))
            chapter_count += 1
        # The last study streamed, then the studies without chapters (empty files).
        for study_id, parts in texts.items():
            await heavy.run_thread(_write, archive, studies[study_id], parts)
    return Built(
        "zip", file_name(root.name) + ".zip", buffer.getvalue(), list(studies), chapter_count
    )


def _write(archive: zipfile.ZipFile, name: str, parts: list[str]) -> None:
    """One study's file into the zip (in a thread: zlib lets go of the GIL)."""
    archive.writestr(name, "".join(parts).encode())


def _zip_path(root: Node, path: str, live: dict[uuid.UUID, Any]) -> str | None:
    """ "Folder/Sub/Study.pgn" relative to `root`, or None when a node on the way is gone."""
    ids = [uuid.UUID(part) for part in path.split("/")]
    below = ids[ids.index(root.id) + 1 :]
    if any(node_id not in live for node_id in below):
        return None
    return "/".join(file_name(live[node_id].name) for node_id in below)


def _unique(paths: dict[uuid.UUID, str]) -> dict[uuid.UUID, str]:
    """Entry names with ".pgn"; live sibling names differ ignoring case, but file-name
    cleaning can make two equal ("a/b", "a_b"), so a clash gets " (2)", " (3)" ..."""
    used: set[str] = set()
    named: dict[uuid.UUID, str] = {}
    for study_id, path in sorted(paths.items(), key=lambda item: (item[1], item[0])):
        path = _without_pgn_suffix(path)
        name, number = f"{path}.pgn", 1
        while name.lower() in used:
            number += 1
            name = f"{path} ({number}).pgn"
        used.add(name.lower())
        named[study_id] = name
    return named


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def file_name(name: str) -> str:
    """A node name as a file name that every common file system accepts."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:120] or "_"


def pgn_file_name(name: str) -> str:
    """`file_name` ending in ".pgn" once: a study named "x.pgn" is "x.pgn", not "x.pgn.pgn"."""
    return _without_pgn_suffix(file_name(name)) + ".pgn"


def _without_pgn_suffix(name: str) -> str:
    return name[: -len(".pgn")] if name.lower().endswith(".pgn") and len(name) > 4 else name


class ExportQuotaExceeded(TooManyRequests):
    code = "export_quota_exceeded"


async def _within_quota(session: AsyncSession, user: User, settings: Settings) -> None:
    """429 when the user already keeps EXPORT_MAX_PER_USER live exports."""
    count, oldest_expiry = await repository.live_exports_of(session, user.id)
    if count >= settings.export_max_per_user:
        wait = max(1, math.ceil((oldest_expiry - utcnow()).total_seconds())) if oldest_expiry else 1
        raise ExportQuotaExceeded(
            f"you keep {count} stored exports (EXPORT_MAX_PER_USER = "
            f"{settings.export_max_per_user}); delete one (DELETE /exports/{{id}}) or wait "
            "for the oldest to expire",
            headers={"Retry-After": str(wait)},
            limit="export_max_per_user",
            limit_value=settings.export_max_per_user,
        )


async def delete_export(session: AsyncSession, user: User, export_id: uuid.UUID) -> None:
    """Delete one of your own stored exports (404 for anyone else's)."""
    deleted = await repository.delete_export_of(session, user.id, export_id)
    if deleted is None:
        raise ExportNotFound(export_id)
    node_id, workspace_id = deleted
    await events.record(
        session,
        EventType.export_deleted,
        actor_id=user.id,
        target=Target(export_id, "export", node_id),
        workspace_id=workspace_id,
        version=None,
        payload=ExportDeleted(export_id=export_id, node_id=node_id),
    )


async def get_export(
    session: AsyncSession, user: User, export_id: uuid.UUID, *, with_content: bool = False
) -> Export:
    """A stored export, if the caller may read the node it was made of (404 otherwise)."""
    export = await repository.get_export(session, export_id, with_content=with_content)
    if export is None:
        raise ExportNotFound(export_id)
    try:
        await access.require(session, user.id, export.node_id, Action.read)
    except NodeNotFound:
        raise ExportNotFound(export_id) from None
    if export.expires_at <= utcnow():
        raise ExportExpired(f"export {export_id} expired at {export.expires_at.isoformat()}")
    if with_content:
        # The file is a snapshot; what the caller may read is decided now: a study moved
        # into a private folder, or trashed, since the export was made stays out of reach.
        readable = await access.readable(session, user.id, export.study_ids)
        if len(readable) < len(export.study_ids):
            raise ExportOutdated(
                f"export {export_id} holds studies you may no longer read (moved, trashed or "
                "unshared since it was made); create a new export with POST /exports"
            )
    return export
