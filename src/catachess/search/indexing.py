"""Keeping the search indexes in step with the data, in the writer's transaction.

Every write that changes indexed text or a move tree calls one function of this module
before it commits (nothing here commits or records events; the caller's event covers
the change):

- `node_named`        a node was created, renamed, or renamed by a restore
- `chapters_added`    chapters were created (PGN import, FEN, extracted variation)
- `chapter_renamed`   a chapter's name changed
- `chapter_tree_changed`  a move-tree edit stored a new tree (diffed against the index);
  `chapter_tree_changes` the same, the new positions' rows left to the edit's event
- `post_written`      a discussion post was written or edited

Deleting a chapter, a post or purging nodes removes rows through foreign keys; moving or
trashing nodes needs nothing (searches join the node's path and trash state).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    String,
    Table,
    TextClause,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CTE

from catachess import heavy
from catachess.db import arrays
from catachess.events import service as events
from catachess.heavy_tasks import IDS, PreparedGame
from catachess.nodes.models import Node
from catachess.pgn import MoveTree
from catachess.search.models import SearchEntry, SearchPosition
from catachess.search.positions import key_of_fen
from catachess.search.text import fold
from catachess.search.tree_rows import START_MOVE
from catachess.search.tree_rows import comments_of as _comments
from catachess.search.tree_rows import position_ids as _position_ids
from catachess.search.tree_rows import positions_of as _positions
from catachess.studies.models import Chapter

# Headers a chapter is found by, in the order its snippet shows them.
PLAYER_TAGS = ("White", "Black")
OTHER_TAGS = ("Event", "Site", "Date", "Opening", "ECO", "Annotator")
UNKNOWN = ("", "?", "-", "??")

# Text search configurations: names as typed, prose with English stemming.
NAME_CONFIG = "simple"
PROSE_CONFIG = "english"


def _headers(chapter: Chapter) -> dict[str, str]:
    return {tag: value for tag, value in chapter.headers if value.strip() not in UNKNOWN}


def _played_on(value: str | None) -> date | None:
    """A PGN date "2023.04.??" as 2023-04-01; None when even the year is unknown."""
    if not value:
        return None
    parts = [*value.split("."), "", ""][:3]
    try:
        year = int(parts[0])
        month = int(parts[1]) if parts[1].isdigit() else 1
        day = int(parts[2]) if parts[2].isdigit() else 1
        return date(year, month, day)
    except ValueError:
        try:
            return date(int(parts[0]), 1, 1)
        except ValueError:
            return None


@dataclass
class _Rows:
    """Column arrays of rows to insert with one `unnest` statement."""

    columns: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, **values: Any) -> None:
        for name, value in values.items():
            self.columns.setdefault(name, []).append(value)

    def __bool__(self) -> bool:
        return any(self.columns.values())


@dataclass(frozen=True)
class _ChapterFacts:
    """What every row of a chapter carries: where it is and the header filters."""

    workspace_id: uuid.UUID
    study_id: uuid.UUID
    chapter_id: uuid.UUID
    white: str | None
    black: str | None
    eco: str | None
    result: str | None
    played_on: date | None

    @classmethod
    def of(cls, chapter: Chapter) -> _ChapterFacts:
        headers = _headers(chapter)
        white, black = headers.get("White"), headers.get("Black")
        return cls(
            workspace_id=chapter.workspace_id,
            study_id=chapter.study_id,
            chapter_id=chapter.id,
            white=fold(white) if white else None,
            black=fold(black) if black else None,
            eco=(headers.get("ECO") or "")[:8].upper() or None,
            result=(headers.get("Result") or "")[:8] or None,
            played_on=_played_on(headers.get("Date")),
        )

    def columns(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "node_id": self.study_id,
            "chapter_id": self.chapter_id,
            "white": self.white,
            "black": self.black,
            "eco": self.eco,
            "result": self.result,
            "played_on": self.played_on,
        }


_ENTRY_TYPES = {
    "workspace_id": "uuid",
    "kind": "text",
    "node_id": "uuid",
    "chapter_id": "uuid",
    "move_id": "text",
    "post_id": "uuid",
    "thread_id": "uuid",
    "ply": "int",
    "san": "text",
    "body": "text",
    "white": "text",
    "black": "text",
    "eco": "text",
    "result": "text",
    "played_on": "date",
}


Statement = tuple[TextClause | Insert, dict[str, list[Any]]]


def _entries_statement(rows: _Rows, tsv: str) -> list[Statement]:
    """The INSERT of search_entries rows; `tsv` is the SQL of the tsvector over t.<column>."""
    if not rows:
        return []
    names = [name for name in _ENTRY_TYPES if name in rows.columns]
    extra = sorted(set(rows.columns) - set(_ENTRY_TYPES))
    arrays = ", ".join(f"CAST(:{name} AS {_ENTRY_TYPES[name]}[])" for name in names)
    arrays += "".join(f", CAST(:{name} AS text[])" for name in extra)
    aliases = ", ".join([*names, *extra])
    statement = text(
        f"INSERT INTO search_entries ({', '.join(names)}, tsv) "
        f"SELECT {', '.join('t.' + name for name in names)}, {tsv} "
        f"FROM unnest({arrays}) AS t({aliases})"
    )
    return [(statement, rows.columns)]


async def _run(session: AsyncSession, statements: list[Statement]) -> None:
    for statement, params in statements:
        await session.execute(statement, params)


POSITION_BATCH = 20_000
_POSITION_COLUMNS = ["workspace_id", "study_id", "chapter_id", "move_id", "ply", "zobrist", "key"]
# Position rows from column arrays (db.arrays, parameters "sp_<column>"): run on its own,
# or sent in the statement of an edit's event (events.Companion).
_INSERT_POSITIONS = insert(cast(Table, SearchPosition.__table__)).from_select(
    _POSITION_COLUMNS,
    arrays.unnest_rows([SearchPosition.__table__.c[name] for name in _POSITION_COLUMNS], "sp_"),
)
_PROSE_TSV = f"to_tsvector('{PROSE_CONFIG}', t.folded)"
_NAME_TSV = f"to_tsvector('{NAME_CONFIG}', t.folded)"
_CHAPTER_TSV = (
    f"setweight(to_tsvector('{NAME_CONFIG}', t.folded_name), 'A') || "
    f"setweight(to_tsvector('{NAME_CONFIG}', t.folded_players), 'B') || "
    f"setweight(to_tsvector('{NAME_CONFIG}', t.folded_other), 'C')"
)


def node_statements(nodes: Iterable[tuple[uuid.UUID, uuid.UUID, str]]) -> list[Statement]:
    """The inserts that index (node id, workspace id, name) triples."""
    rows = _Rows()
    for node_id, workspace_id, name in nodes:
        rows.add(
            workspace_id=workspace_id, kind="node", node_id=node_id, body=name, folded=fold(name)
        )
    return _entries_statement(rows, _NAME_TSV)


_NEW_NODE_ENTRY = insert(SearchEntry).values(
    workspace_id=bindparam("entry_workspace_id", type_=SearchEntry.workspace_id.type),
    kind="node",
    node_id=bindparam("entry_node_id", type_=SearchEntry.node_id.type),
    body=bindparam("entry_body", type_=SearchEntry.body.type),
    tsv=func.to_tsvector(
        literal_column(f"'{NAME_CONFIG}'"), bindparam("entry_folded", type_=String)
    ),
)


def new_node_entry(node: Node) -> events.Companion:
    """A new node's search entry as one INSERT (nothing to delete: the node is new), sent
    in the statement of the node's event (events.record(along_with=...))."""
    return events.Companion(
        "new_node_search_entry",
        _NEW_NODE_ENTRY,
        {
            "entry_workspace_id": node.workspace_id,
            "entry_node_id": node.id,
            "entry_body": node.name,
            "entry_folded": fold(node.name),
        },
    )


def entry_of_inserted(name: str, inserted: CTE) -> events.Companion:
    """new_node_entry for a node named `name` inserted by the same statement (`inserted`, the CTE of
    its INSERT ... RETURNING, as nodes.repository.NEW_NODE_BELOW): the entry is made from the
    row it returns, so an insert that skipped (the name is taken) indexes nothing."""
    return events.Companion(
        "inserted_node_search_entry", _entry_from(inserted), {"entry_folded": fold(name)}
    )


@functools.cache
def _entry_from(inserted: CTE) -> Insert:
    return insert(SearchEntry).from_select(
        ["workspace_id", "kind", "node_id", "body", "tsv"],
        select(
            inserted.c.workspace_id,
            literal("node"),
            inserted.c.id,
            inserted.c.name,
            func.to_tsvector(
                literal_column(f"'{NAME_CONFIG}'"), bindparam("entry_folded", type_=String)
            ),
        ),
    )


async def node_named(session: AsyncSession, node: Node) -> None:
    """Index a node's (new) name."""
    await session.execute(
        text("DELETE FROM search_entries WHERE node_id = :id AND kind = 'node'"), {"id": node.id}
    )
    await _run(session, node_statements([(node.id, node.workspace_id, node.name)]))


def _chapter_row(rows: _Rows, chapter: Chapter, facts: _ChapterFacts) -> None:
    headers = _headers(chapter)
    players = [headers[tag] for tag in PLAYER_TAGS if tag in headers]
    others = [headers[tag] for tag in OTHER_TAGS if tag in headers]
    body = " · ".join([chapter.name, *players, *others])
    rows.add(
        **facts.columns(),
        kind="chapter",
        body=body,
        folded_name=fold(chapter.name),
        folded_players=fold(" ".join(players)),
        folded_other=fold(" ".join(others)),
    )


def _chapter_rows(chapters: Iterable[Chapter]) -> list[Statement]:
    rows = _Rows()
    for chapter in chapters:
        _chapter_row(rows, chapter, _ChapterFacts.of(chapter))
    return _entries_statement(rows, _CHAPTER_TSV)


def _comment_rows(
    items: Iterable[tuple[_ChapterFacts, str, tuple[str, int, str | None]]],
) -> list[Statement]:
    rows = _Rows()
    for facts, move_id, (body, ply, san) in items:
        rows.add(
            **facts.columns(),
            kind="comment",
            move_id=move_id,
            ply=ply,
            san=san,
            body=body,
            folded=fold(body),
        )
    return _entries_statement(rows, _PROSE_TSV)


def _position_rows(
    items: Iterable[tuple[_ChapterFacts, list[tuple[str, int, int, str]]]],
) -> list[Statement]:
    columns: dict[str, list[Any]] = {
        name: []
        for name in ("workspace_id", "study_id", "chapter_id", "move_id", "ply", "zobrist", "key")
    }
    for facts, positions in items:
        count = len(positions)
        columns["workspace_id"] += [facts.workspace_id] * count
        columns["study_id"] += [facts.study_id] * count
        columns["chapter_id"] += [facts.chapter_id] * count
        for move_id, ply, zobrist, key in positions:
            columns["move_id"].append(move_id)
            columns["ply"].append(ply)
            columns["zobrist"].append(zobrist)
            columns["key"].append(key)
    total = len(columns["move_id"])
    # Batches: asyncpg encodes a statement's arrays on the event loop in one go, so a
    # large import is written in statements of POSITION_BATCH rows (a few ms each).
    return [
        (
            _INSERT_POSITIONS,
            {
                f"sp_{name}": values[start : start + POSITION_BATCH]
                for name, values in columns.items()
            },
        )
        for start in range(0, total, POSITION_BATCH)
    ]


async def chapters_added(session: AsyncSession, chapters: Sequence[Chapter]) -> None:
    """Index new chapters whole: name and headers, comments, positions (3 statements).

    Hashing every position of long games is CPU-bound, so the statements are built in a
    worker thread (catachess.heavy), off the event loop. A PGN import's chapters come
    with their rows made in a worker process instead (`prepared_chapters_added`).
    """
    await _run(session, await heavy.run_thread(new_chapter_statements, chapters))


async def prepared_chapters_added(
    session: AsyncSession, chapters: Sequence[Chapter], prepared: Mapping[uuid.UUID, PreparedGame]
) -> None:
    """Index new chapters whose comments and positions a worker process extracted (an
    import): the positions are COPYed as the worker wrote them, in batches of about
    POSITION_BATCH rows, so the event loop only splices in each chapter's ids."""
    facts = [(chapter, _ChapterFacts.of(chapter)) for chapter in chapters]
    await _run(session, _chapter_rows(chapters))
    await _run(
        session,
        _comment_rows(
            (fact, move_id, (body, ply, san))
            for chapter, fact in facts
            for move_id, body, ply, san in prepared[chapter.id].comments
        ),
    )
    parts: list[bytes] = []
    rows = 0
    for chapter, fact in facts:
        ids = f"{fact.workspace_id}\t{fact.study_id}\t{fact.chapter_id}\t".encode()
        parts.append(prepared[chapter.id].positions.replace(IDS, ids))
        rows += chapter.node_count
        if rows >= POSITION_BATCH:
            await copy_rows(session, "search_positions", _POSITION_COLUMNS, b"".join(parts))
            parts, rows = [], 0
    if parts:
        await copy_rows(session, "search_positions", _POSITION_COLUMNS, b"".join(parts))


async def copy_rows(session: AsyncSession, table: str, columns: list[str], data: bytes) -> None:
    """COPY rows (text format) into `table` on the session's connection, in its
    transaction: asyncpg streams the bytes, with no per-value work in Python."""
    if not data:
        return
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None  # an open connection of the asyncpg driver
    # A memoryview: asyncpg would take bytes for a file name.
    await driver.copy_to_table(table, source=memoryview(data), columns=columns)


def new_chapter_statements(chapters: Sequence[Chapter]) -> list[Statement]:
    """The inserts that index `chapters` whole (also used by the migration's backfill)."""
    if not chapters:
        return []
    facts = [(chapter, _ChapterFacts.of(chapter)) for chapter in chapters]
    statements = _chapter_rows(chapters)
    statements += _comment_rows(
        (
            (fact, move_id, comment)
            for chapter, fact in facts
            for move_id, comment in _comments(cast(MoveTree, chapter.tree)).items()
        )
    )
    statements += _position_rows(
        (fact, _positions(tree, _position_ids(tree)))
        for chapter, fact in facts
        for tree in [cast(MoveTree, chapter.tree)]
    )
    return statements


async def chapter_renamed(session: AsyncSession, chapter: Chapter) -> None:
    """Index a chapter's new name (its headers did not change)."""
    await session.execute(
        text("DELETE FROM search_entries WHERE chapter_id = :id AND kind = 'chapter'"),
        {"id": chapter.id},
    )
    await _run(session, _chapter_rows([chapter]))


# What a chapter's index holds, read in one round trip: (what, move id, value) rows, the
# comments' bodies and the positions' moves (with the key of the start position, whose
# row is replaced when a chapter's start changes).
_INDEXED = text("""
SELECT 'comment', move_id, body FROM search_entries WHERE chapter_id = :id AND kind = 'comment'
UNION ALL
SELECT 'position', move_id, CASE WHEN move_id = '' THEN key END
FROM search_positions WHERE chapter_id = :id
""")


async def _indexed(
    session: AsyncSession, chapter_id: uuid.UUID
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(move id -> comment body, move id -> position key or None) of one chapter."""
    found: dict[str, dict[str, Any]] = {"comment": {}, "position": {}}
    for what, move, value in (await session.execute(_INDEXED, {"id": chapter_id})).all():
        found[what][move] = value
    return found["comment"], found["position"]


async def _delete_moves(
    session: AsyncSession, rows: str, chapter_id: uuid.UUID, moves: list[str]
) -> None:
    """Delete the index rows (`rows`: "table WHERE …") of these moves of a chapter."""
    if moves:
        await session.execute(
            text(f"DELETE FROM {rows} AND move_id = ANY(CAST(:moves AS text[]))"),
            {"id": chapter_id, "moves": moves},
        )


async def chapter_tree_changed(session: AsyncSession, chapter: Chapter) -> None:
    """Bring a chapter's comments and positions in the index to its stored tree.

    A diff, so an edit costs what it changed: only new moves are hashed, only changed
    comments rewritten. Works for any edit (and for a whole tree replaced at once).
    """
    for companion in await chapter_tree_changes(session, chapter):
        assert isinstance(companion.statement, Insert)
        await session.execute(companion.statement, dict(companion.params))


async def chapter_tree_changes(session: AsyncSession, chapter: Chapter) -> list[events.Companion]:
    """chapter_tree_changed, but the new positions' rows (an edit's usual write: the
    position after a move played) are returned as a companion of the change's event,
    to be sent in its statement, not inserted here. More rows than one statement takes
    (a tree replaced whole) are inserted here."""
    tree = cast(MoveTree, chapter.tree)
    facts = _ChapterFacts.of(chapter)
    wanted = _comments(tree)
    stored, indexed = await _indexed(session, chapter.id)
    stale = [move for move, body in stored.items() if wanted.get(move, (None,))[0] != body]
    fresh = [move for move, comment in wanted.items() if stored.get(move) != comment[0]]
    await _delete_moves(
        session, "search_entries WHERE chapter_id = :id AND kind = 'comment'", chapter.id, stale
    )
    await _run(session, _comment_rows((facts, move, wanted[move]) for move in fresh))

    wanted_ids = _position_ids(tree)
    start_key = key_of_fen(tree["fen"]).key if START_MOVE in wanted_ids else None
    gone = [move for move in indexed if move not in tree["nodes"] and move != START_MOVE]
    if START_MOVE in indexed and indexed[START_MOVE] != start_key:
        gone.append(START_MOVE)
    await _delete_moves(session, "search_positions WHERE chapter_id = :id", chapter.id, gone)
    new = [move for move in wanted_ids if move not in indexed or move in gone]
    if not new:
        return []
    statements = _position_rows([(facts, _positions(tree, new))])
    if len(statements) > 1:
        await _run(session, statements)
        return []
    [(statement, params)] = statements
    assert isinstance(statement, Insert)
    return [events.Companion("search_positions", statement, params)]


@dataclass(frozen=True)
class PostText:
    post_id: uuid.UUID
    thread_id: uuid.UUID
    workspace_id: uuid.UUID
    study_id: uuid.UUID
    chapter_id: uuid.UUID | None
    move_id: str | None
    body: str


def post_statements(posts: Iterable[PostText]) -> list[Statement]:
    """The inserts that index discussion posts (also used by the migration's backfill)."""
    rows = _Rows()
    for post in posts:
        rows.add(
            workspace_id=post.workspace_id,
            kind="post",
            node_id=post.study_id,
            chapter_id=post.chapter_id,
            move_id=post.move_id,
            post_id=post.post_id,
            thread_id=post.thread_id,
            body=post.body,
            folded=fold(post.body),
        )
    return _entries_statement(rows, _PROSE_TSV)


async def post_written(session: AsyncSession, post: PostText) -> None:
    """Index a discussion post's (new) text."""
    await session.execute(
        text("DELETE FROM search_entries WHERE post_id = :id"), {"id": post.post_id}
    )
    await _run(session, post_statements([post]))


async def threads_reindexed(session: AsyncSession, thread_ids: Sequence[uuid.UUID]) -> None:
    """Index the posts of threads that were copied or moved, where they are now."""
    if not thread_ids:
        return
    ids = {"ids": list(thread_ids)}
    await session.execute(
        text(
            "DELETE FROM search_entries WHERE kind = 'post' "
            "AND thread_id = ANY(CAST(:ids AS uuid[]))"
        ),
        ids,
    )
    rows = await session.execute(
        text(
            "SELECT p.id, t.id, t.workspace_id, t.study_id, t.chapter_id, t.move_id, p.body "
            "FROM discussion_posts p JOIN discussion_threads t ON t.id = p.thread_id "
            "WHERE t.id = ANY(CAST(:ids AS uuid[]))"
        ),
        ids,
    )
    await _run(session, post_statements(PostText(*row) for row in rows.all()))


async def chapter_reindexed(session: AsyncSession, chapter: Chapter) -> None:
    """Index a chapter whose headers changed: every row of it carries the header facts."""
    await session.execute(
        text(
            "DELETE FROM search_entries WHERE chapter_id = :id AND kind IN ('chapter', 'comment')"
        ),
        {"id": chapter.id},
    )
    await session.execute(
        text("DELETE FROM search_positions WHERE chapter_id = :id"), {"id": chapter.id}
    )
    await chapters_added(session, [chapter])
