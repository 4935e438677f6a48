"""Queries of search. Access is part of every query: a row is returned only when its
node is live and the caller holds a grant on it or on one of its ancestors (the
effective-role rule of catachess.sharing), so pages and their order never depend on
what the caller may not read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.search.indexing import NAME_CONFIG, PROSE_CONFIG
from catachess.search.text import START, STOP, Query

NAME_KINDS = ("node", "chapter")
# The access rule, applied to each match `m` through the nodes' primary key: the match's
# node is live and the caller holds a grant on it or one of its ancestors. A LATERAL
# subquery with LIMIT cannot be flattened into the join, so each match costs two index
# probes whatever the planner believes about the row counts. A plain join let a wrong
# estimate (correlated words such as "Marshall gambit" are expected in one row) pick a
# nested loop of matches x nodes comparisons, 10x slower at a million entries
# (`test_search_cost_follows_the_matches_not_the_planners_estimate`).
READABLE = (
    "CROSS JOIN LATERAL (SELECT n.name, n.kind, n.path FROM nodes n "
    "WHERE n.id = m.node_id AND n.trashed_at IS NULL{subtree} "
    "AND EXISTS (SELECT 1 FROM grants g WHERE g.user_id = :user_id "
    "AND g.node_id = ANY(CAST(string_to_array(n.path, '/') AS uuid[]))) LIMIT 1) n"
)
SUBTREE = (
    " AND n.workspace_id = :under_workspace AND (n.path = :under_path "
    "OR (n.path > :under_path || '/' AND n.path < :under_path || '0'))"
)


def _readable(params: dict[str, Any], under: tuple[uuid.UUID, str] | None) -> str:
    """SQL joining the matches `m` to their readable nodes `n` (optionally in a subtree)."""
    if under is None:
        return READABLE.format(subtree="")
    params["under_workspace"], params["under_path"] = under
    return READABLE.format(subtree=SUBTREE)


HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12"


def _tsquery(config: str, query: Query) -> str:
    """SQL of the tsquery for `query` under a text search configuration."""
    parts = []
    if query.websearch:
        parts.append(f"websearch_to_tsquery('{config}', :websearch)")
    if query.prefix:
        parts.append(f"to_tsquery('{config}', quote_literal(:prefix) || ':*')")
    return "(" + " && ".join(parts) + ")" if parts else "NULL::tsquery"


@dataclass
class Filters:
    kinds: list[str]
    workspace_id: uuid.UUID | None = None
    under: tuple[uuid.UUID, str] | None = None  # workspace id, path of the subtree root
    white: str | None = None  # folded
    black: str | None = None
    player: str | None = None
    eco: str | None = None
    result: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def sql(self) -> list[str]:
        where = ["e.kind = ANY(CAST(:kinds AS text[]))"]
        self.params["kinds"] = self.kinds
        if self.workspace_id is not None:
            where.append("e.workspace_id = :workspace_id")
            self.params["workspace_id"] = self.workspace_id
        for name in ("white", "black"):
            value = getattr(self, name)
            if value:
                where.append(f"e.{name} LIKE :{name} ESCAPE '\\'")
                self.params[name] = _contains(value)
        if self.player:
            where.append("(e.white LIKE :player ESCAPE '\\' OR e.black LIKE :player ESCAPE '\\')")
            self.params["player"] = _contains(self.player)
        if self.eco:
            where.append("e.eco LIKE :eco")
            self.params["eco"] = self.eco + "%"
        if self.result:
            where.append("e.result = :result")
            self.params["result"] = self.result
        if self.date_from:
            where.append("e.played_on >= :date_from")
            self.params["date_from"] = self.date_from
        if self.date_to:
            where.append("e.played_on <= :date_to")
            self.params["date_to"] = self.date_to
        return where


def _contains(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_entries(
    session: AsyncSession,
    user_id: uuid.UUID,
    query: Query | None,
    filters: Filters,
    *,
    after: tuple[float, int] | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """One page of readable matches, best first (rank, then id).

    The matches are found through the GIN index first (with the filters on the entries),
    then joined with the nodes the caller may read: one access check per node.
    """
    where = filters.sql()
    params: dict[str, Any] = {"user_id": user_id, "limit": limit, **filters.params}
    if query is None:
        rank = "0::float8"
    else:
        names, prose = _tsquery(NAME_CONFIG, query), _tsquery(PROSE_CONFIG, query)
        params["websearch"], params["prefix"] = query.websearch, query.prefix
        where.append(
            f"((e.kind IN ('node', 'chapter') AND e.tsv @@ {names}) "
            f"OR (e.kind IN ('comment', 'post') AND e.tsv @@ {prose}))"
        )
        rank = (
            f"ts_rank(e.tsv, CASE WHEN e.kind IN ('node', 'chapter') THEN {names} "
            f"ELSE {prose} END)::float8"
        )
    page = ""
    if after is not None:
        page = "WHERE m.rank < :after_rank OR (m.rank = :after_rank AND m.id > :after_id)"
        params["after_rank"], params["after_id"] = after
    statement = text(
        "WITH m AS MATERIALIZED ("
        "SELECT e.id, e.kind, e.node_id, e.chapter_id, e.move_id, e.post_id, e.thread_id, "
        f"e.ply, e.san, e.body, {rank} AS rank FROM search_entries e "
        f"WHERE {' AND '.join(where)}) "
        "SELECT m.*, n.name AS node_name, n.kind AS node_kind, n.path "
        f"FROM m {_readable(params, filters.under)} {page} "
        "ORDER BY m.rank DESC, m.id LIMIT :limit"
    )
    return (await session.execute(statement, params)).all()


async def headlines(session: AsyncSession, query: Query, items: list[tuple[str, str]]) -> list[str]:
    """ts_headline of each (kind, folded text) for `query`, in order."""
    if not items:
        return []
    names, prose = _tsquery(NAME_CONFIG, query), _tsquery(PROSE_CONFIG, query)
    statement = text(
        "SELECT CASE WHEN t.kind IN ('node', 'chapter') "
        f"THEN ts_headline('{NAME_CONFIG}', t.body, {names}, :options) "
        f"ELSE ts_headline('{PROSE_CONFIG}', t.body, {prose}, :options) END "
        "FROM unnest(CAST(:kinds AS text[]), CAST(:bodies AS text[])) "
        "WITH ORDINALITY AS t(kind, body, number) ORDER BY t.number"
    )
    rows = await session.scalars(
        statement,
        {
            "kinds": [kind for kind, _ in items],
            "bodies": [body for _, body in items],
            "websearch": query.websearch,
            "prefix": query.prefix,
            "options": HEADLINE_OPTIONS,
        },
    )
    return [str(row) for row in rows.all()]


async def trail_nodes(
    session: AsyncSession, user_id: uuid.UUID, ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, tuple[str, str]], set[uuid.UUID]]:
    """Names and kinds of `ids`, and which of them the caller holds a grant on."""
    rows = await session.execute(
        text("SELECT id, name, kind FROM nodes WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids}
    )
    granted = await session.scalars(
        text(
            "SELECT node_id FROM grants WHERE user_id = :user_id "
            "AND node_id = ANY(CAST(:ids AS uuid[]))"
        ),
        {"user_id": user_id, "ids": ids},
    )
    return {row[0]: (row[1], row[2]) for row in rows.all()}, set(granted.all())


async def chapter_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(
        text("SELECT id, name FROM chapters WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids}
    )
    return {row[0]: row[1] for row in rows.all()}


async def moves_of(
    session: AsyncSession, pairs: list[tuple[uuid.UUID, str]]
) -> dict[tuple[uuid.UUID, str], tuple[str | None, str | None]]:
    """(SAN, FEN after) of each (chapter id, move id) still in its chapter's tree."""
    if not pairs:
        return {}
    rows = await session.execute(
        text(
            "SELECT t.chapter_id, t.move_id, c.tree #>> ARRAY['nodes', t.move_id, 'san'], "
            "c.tree #>> ARRAY['nodes', t.move_id, 'fen'] "
            "FROM unnest(CAST(:chapters AS uuid[]), CAST(:moves AS text[])) "
            "AS t(chapter_id, move_id) JOIN chapters c ON c.id = t.chapter_id"
        ),
        {"chapters": [pair[0] for pair in pairs], "moves": [pair[1] for pair in pairs]},
    )
    return {(row[0], row[1]): (row[2], row[3]) for row in rows.all()}


async def search_positions(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    zobrist: int,
    key: str,
    under: tuple[uuid.UUID, str] | None,
    workspace_id: uuid.UUID | None,
    excluding: tuple[uuid.UUID, str] | None,
    after: tuple[uuid.UUID, str] | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """One page of readable moves reaching the position (zobrist, then the exact key)."""
    where = ["p.zobrist = :zobrist", "p.key = :key"]
    params: dict[str, Any] = {"user_id": user_id, "zobrist": zobrist, "key": key, "limit": limit}
    if workspace_id is not None:
        where.append("p.workspace_id = :workspace_id")
        params["workspace_id"] = workspace_id
    if excluding is not None:
        where.append("NOT (p.chapter_id = :self_chapter AND p.move_id = :self_move)")
        params["self_chapter"], params["self_move"] = excluding
    if after is not None:
        where.append("(p.chapter_id, p.move_id) > (:after_chapter, :after_move)")
        params["after_chapter"], params["after_move"] = after
    statement = text(
        "WITH m AS MATERIALIZED (SELECT p.study_id AS node_id, p.chapter_id, p.move_id, "
        f"p.ply FROM search_positions p WHERE {' AND '.join(where)}) "
        "SELECT m.node_id AS study_id, m.chapter_id, m.move_id, m.ply, "
        f"n.name AS study_name, n.path FROM m {_readable(params, under)} "
        "ORDER BY m.chapter_id, m.move_id LIMIT :limit"
    )
    return (await session.execute(statement, params)).all()


async def chapter_trees(
    session: AsyncSession, ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, dict[str, Any]]]:
    """(name, tree) of each chapter."""
    rows = await session.execute(
        text("SELECT id, name, tree FROM chapters WHERE id = ANY(CAST(:ids AS uuid[]))"),
        {"ids": ids},
    )
    return {row[0]: (row[1], row[2]) for row in rows.all()}
