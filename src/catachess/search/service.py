"""Search: words, players and openings (`search`), and positions (`positions`).

Both answer only what the caller may read: the access rule is inside the query (see
repository), so a page is never filtered after it was cut and nothing hidden shows in
its length or order.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.errors import Unprocessable
from catachess.pagination import cursor_int, decode_cursor, encode_cursor, invalid_cursor
from catachess.pgn import MoveNotFound, MoveTree, find_node, path_to
from catachess.search import repository
from catachess.search.positions import key_of_fen, normalized, ply_of
from catachess.search.repository import Filters
from catachess.search.text import Snippet, fold, parse_query, snippet_of
from catachess.search.tree_rows import START_MOVE
from catachess.sharing import access
from catachess.sharing.policy import Action
from catachess.studies import service as studies
from catachess.text import storable

KINDS = ("node", "chapter", "comment", "post")
HEADER_KINDS = ("chapter", "comment")


@dataclass(frozen=True)
class Crumb:
    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class MovePlace:
    id: str
    san: str | None
    ply: int | None


@dataclass
class Hit:
    kind: str
    score: float
    snippet: Snippet
    breadcrumb: list[Crumb]
    node: Crumb  # the node itself (kind node) or its study
    chapter: Crumb | None = None
    move: MovePlace | None = None
    thread_id: uuid.UUID | None = None
    post_id: uuid.UUID | None = None


@dataclass
class HitPage:
    items: list[Hit]
    next_cursor: str | None


@dataclass
class TextSearch:
    q: str | None
    prefix: bool = False
    kinds: list[str] = field(default_factory=list)
    workspace_id: uuid.UUID | None = None
    under: uuid.UUID | None = None
    white: str | None = None
    black: str | None = None
    player: str | None = None
    eco: str | None = None
    result: str | None = None
    date_from: Any = None
    date_to: Any = None

    @property
    def has_header_filter(self) -> bool:
        values = (self.white, self.black, self.player, self.eco, self.result)
        return any(values) or self.date_from is not None or self.date_to is not None


async def _subtree(
    session: AsyncSession, user: User, under: uuid.UUID | None
) -> tuple[uuid.UUID, str] | None:
    if under is None:
        return None
    node = (await access.require(session, user.id, under, Action.read)).node
    return node.workspace_id, node.path


async def search(
    session: AsyncSession, user: User, asked: TextSearch, *, cursor: str | None, limit: int
) -> HitPage:
    """Readable node names, chapters (names and headers), comments and posts matching."""
    query = parse_query(asked.q, prefix=asked.prefix) if asked.q and asked.q.strip() else None
    if query is not None and not query.websearch.strip() and not query.prefix:
        query = None
    if query is None and not asked.has_header_filter:
        raise Unprocessable("give q, or at least one header filter", field="q")
    kinds = asked.kinds or (list(KINDS) if query is not None else ["chapter"])
    if asked.has_header_filter:
        kinds = [kind for kind in kinds if kind in HEADER_KINDS]
    filters = Filters(
        kinds=kinds,
        workspace_id=asked.workspace_id,
        under=await _subtree(session, user, asked.under),
        white=fold(asked.white) if asked.white else None,
        black=fold(asked.black) if asked.black else None,
        player=fold(asked.player) if asked.player else None,
        eco=asked.eco.upper() if asked.eco else None,
        result=asked.result,
        date_from=asked.date_from,
        date_to=asked.date_to,
    )
    rows = list(
        await repository.search_entries(
            session, user.id, query, filters, after=_text_cursor(cursor), limit=limit + 1
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = await _hits(session, user, query, rows)
    next_cursor = encode_cursor([rows[-1].rank, rows[-1].id]) if more else None
    return HitPage(items=items, next_cursor=next_cursor)


def _text_cursor(cursor: str | None) -> tuple[float, int] | None:
    if cursor is None:
        return None
    rank, entry_id = decode_cursor(cursor, 2)
    if not isinstance(rank, (int, float)) or isinstance(rank, bool) or not math.isfinite(rank):
        raise invalid_cursor()
    return float(rank), cursor_int(entry_id)


async def _trails(
    session: AsyncSession, user: User, paths: Sequence[str]
) -> dict[str, list[Crumb]]:
    """Breadcrumbs of each path, from the highest node the caller may read down."""
    by_path = {path: [uuid.UUID(part) for part in path.split("/")] for path in set(paths)}
    ids = sorted({node_id for ids in by_path.values() for node_id in ids})
    names, granted = await repository.trail_nodes(session, user.id, ids)
    trails = {}
    for path, ids_on_path in by_path.items():
        first = next((i for i, node_id in enumerate(ids_on_path) if node_id in granted), 0)
        trails[path] = [
            Crumb(node_id, *names[node_id]) for node_id in ids_on_path[first:] if node_id in names
        ]
    return trails


async def _hits(session: AsyncSession, user: User, query: Any, rows: list[Any]) -> list[Hit]:
    if not rows:
        return []
    trails = await _trails(session, user, [row.path for row in rows])
    chapters = await repository.chapter_names(
        session, list({row.chapter_id for row in rows if row.chapter_id})
    )
    moves = await repository.moves_of(
        session,
        list(
            {
                (row.chapter_id, row.move_id)
                for row in rows
                if row.kind == "post" and row.chapter_id and row.move_id
            }
        ),
    )
    if query is not None:
        lines = await repository.headlines(session, query, [(r.kind, fold(r.body)) for r in rows])
        snippets = [snippet_of(row.body, line) for row, line in zip(rows, lines, strict=True)]
    else:
        snippets = [Snippet(row.body[:200], []) for row in rows]
    hits = []
    for row, snippet in zip(rows, snippets, strict=True):
        hit = Hit(
            kind=row.kind,
            score=row.rank,
            snippet=snippet,
            breadcrumb=trails[row.path],
            node=Crumb(row.node_id, row.node_name, row.node_kind),
            thread_id=row.thread_id,
            post_id=row.post_id,
        )
        if row.chapter_id:
            hit.chapter = Crumb(row.chapter_id, chapters.get(row.chapter_id, ""), "chapter")
        if row.move_id:
            san, ply = row.san, row.ply
            if row.kind == "post":
                san, fen = moves.get((row.chapter_id, row.move_id), (None, None))
                ply = ply_of(fen) if fen else None
            hit.move = MovePlace(row.move_id, san, ply)
        hits.append(hit)
    return hits


def _position_cursor(cursor: str) -> tuple[uuid.UUID, str]:
    chapter_id, move_id = decode_cursor(cursor, 2)
    if not isinstance(move_id, str):
        raise invalid_cursor()
    try:
        return uuid.UUID(str(chapter_id)), storable(move_id)
    except ValueError:
        raise invalid_cursor() from None


@dataclass
class PositionHit:
    study: Crumb
    chapter: Crumb
    move_id: str | None  # None: the chapter's own start position
    ply: int
    san: str | None
    line: list[str]  # SAN of the moves from the chapter's start to here
    fen: str
    breadcrumb: list[Crumb]


@dataclass
class PositionPage:
    key: str
    items: list[PositionHit]
    next_cursor: str | None


async def positions(
    session: AsyncSession,
    user: User,
    *,
    fen: str | None,
    study_id: uuid.UUID | None,
    chapter_id: uuid.UUID | None,
    move_id: str | None,
    under: uuid.UUID | None,
    workspace_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> PositionPage:
    """Every readable move (in any study) whose position is the FEN's, or the position after
    a chapter move (that move itself left out)."""
    excluding = None
    if fen is not None:
        try:
            key = key_of_fen(normalized(fen))
        except ValueError as error:
            raise Unprocessable(f"fen is not a position: {error}", field="fen") from None
    elif study_id is not None and chapter_id is not None:
        granted = await studies.require_study(session, user, study_id, Action.read)
        chapter = await studies.require_chapter(session, granted, chapter_id)
        tree = cast(MoveTree, chapter.tree)
        if move_id:
            try:
                position_fen = find_node(tree, move_id)["fen"]
            except MoveNotFound:
                raise Unprocessable(
                    f"move {move_id} is not in this chapter", field="move_id"
                ) from None
        else:
            position_fen = tree["fen"]
        key = key_of_fen(position_fen)
        excluding = (chapter_id, move_id or START_MOVE)
    else:
        raise Unprocessable("give fen, or study_id and chapter_id (and move_id)", field="fen")
    after = _position_cursor(cursor) if cursor else None
    rows = list(
        await repository.search_positions(
            session,
            user.id,
            zobrist=key.zobrist,
            key=key.key,
            under=await _subtree(session, user, under),
            workspace_id=workspace_id,
            excluding=excluding,
            after=after,
            limit=limit + 1,
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    trees = await repository.chapter_trees(session, list({row.chapter_id for row in rows}))
    trails = await _trails(session, user, [row.path for row in rows])
    items = []
    for row in rows:
        name, raw = trees[row.chapter_id]
        tree = cast(MoveTree, raw)
        line = [] if row.move_id == START_MOVE else path_to(tree, row.move_id)
        items.append(
            PositionHit(
                study=Crumb(row.study_id, row.study_name, "study"),
                chapter=Crumb(row.chapter_id, name, "chapter"),
                move_id=row.move_id or None,
                ply=row.ply,
                san=line[-1]["san"] if line else None,
                line=[node["san"] for node in line],
                fen=line[-1]["fen"] if line else tree["fen"],
                breadcrumb=trails[row.path],
            )
        )
    next_cursor = encode_cursor([str(rows[-1].chapter_id), rows[-1].move_id]) if more else None
    return PositionPage(key=key.key, items=items, next_cursor=next_cursor)
