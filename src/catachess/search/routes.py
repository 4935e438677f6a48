"""HTTP endpoints of search: GET /search (words) and GET /search/positions."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from catachess.auth.deps import CurrentUser, Session
from catachess.openapi import problems
from catachess.routing import TransactionalRoute
from catachess.search import service
from catachess.search.schemas import PositionPage, SearchHit, SearchPage
from catachess.text import Storable

router = APIRouter(route_class=TransactionalRoute, tags=["search"])

Limit = Annotated[int, Query(ge=1, le=100, description="results per page")]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of a page")]
Under = Annotated[uuid.UUID | None, Query(description="only this node's subtree")]
WorkspaceId = Annotated[uuid.UUID | None, Query(description="only this workspace")]
Name = Annotated[str | None, Query(min_length=1, max_length=200), Storable]
KindName = Annotated[str, Query(pattern="^(node|chapter|comment|post)$")]


@router.get("/search", response_model=SearchPage, responses=problems(400, 401, 404, 422))
async def search(
    user: CurrentUser,
    session: Session,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description='words in websearch syntax: "a phrase", -exclude, or; accents ignored',
        ),
        Storable,
    ] = None,
    prefix: Annotated[
        bool, Query(description="search as you type: the last word matches as a prefix")
    ] = False,
    kind: Annotated[
        list[KindName] | None, Query(description="node, chapter, comment, post")
    ] = None,
    workspace_id: WorkspaceId = None,
    under: Under = None,
    white: Name = None,
    black: Name = None,
    player: Annotated[
        str | None, Query(min_length=1, max_length=200, description="White or Black"), Storable
    ] = None,
    eco: Annotated[
        str | None, Query(pattern="^[A-Ea-e][0-9]{0,2}$", description="ECO code or its prefix")
    ] = None,
    result: Annotated[str | None, Query(pattern=r"^(1-0|0-1|1/2-1/2|\*)$")] = None,
    date_from: Annotated[date | None, Query(description="games played on or after")] = None,
    date_to: Annotated[date | None, Query(description="games played on or before")] = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> SearchPage:
    """Node names, chapters (name and PGN headers), move comments and discussion posts you
    may read, best match first. Header filters keep chapters and comments only."""
    asked = service.TextSearch(
        q=q,
        prefix=prefix,
        kinds=list(dict.fromkeys(kind or [])),
        workspace_id=workspace_id,
        under=under,
        white=white,
        black=black,
        player=player,
        eco=eco,
        result=result,
        date_from=date_from,
        date_to=date_to,
    )
    page = await service.search(session, user, asked, cursor=cursor, limit=limit)
    return SearchPage(
        items=[
            SearchHit(
                kind=hit.kind,
                score=hit.score,
                snippet=hit.snippet.text,
                highlights=hit.snippet.highlights,
                snippet_html=hit.snippet.html,
                breadcrumb=hit.breadcrumb,
                node=hit.node,
                chapter=hit.chapter,
                move=hit.move,
                thread_id=hit.thread_id,
                post_id=hit.post_id,
            )
            for hit in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/search/positions", response_model=PositionPage, responses=problems(400, 401, 404, 422)
)
async def search_positions(
    user: CurrentUser,
    session: Session,
    fen: Annotated[
        str | None, Query(max_length=120, description="move counters are ignored"), Storable
    ] = None,
    study_id: Annotated[
        uuid.UUID | None, Query(description="with chapter_id: its position")
    ] = None,
    chapter_id: uuid.UUID | None = None,
    move_id: Annotated[
        str | None, Query(max_length=32, description="the position after this move")
    ] = None,
    under: Under = None,
    workspace_id: WorkspaceId = None,
    cursor: Cursor = None,
    limit: Limit = 20,
) -> PositionPage:
    """Every move you may read, in any study, that reaches the position: the FEN's, or the
    one after a chapter move (that move itself left out: where else it occurs)."""
    page = await service.positions(
        session,
        user,
        fen=fen,
        study_id=study_id,
        chapter_id=chapter_id,
        move_id=move_id,
        under=under,
        workspace_id=workspace_id,
        cursor=cursor,
        limit=limit,
    )
    return PositionPage.model_validate(page)
