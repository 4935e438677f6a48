"""A search's cost follows its matches, whatever the planner expects.

Words that always come together ("Marshall gambit") are estimated as independent, so the
planner expects about one match where there are thousands. The access rule used to be a
join against a materialized list of readable nodes, which a one-row estimate turned into
a nested loop of matches x nodes comparisons (10x slower at a million entries,
bench/search.py). Now each match costs two index probes, whatever the estimate.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from catachess.search import repository
from catachess.search.text import parse_query
from tests.factories import a_study, a_user, a_workspace

STUDIES = 40
MATCHES = 2_000

NEEDLES = text("""
INSERT INTO search_entries (workspace_id, kind, node_id, move_id, ply, san, body, tsv)
SELECT CAST(:workspace AS uuid), 'comment', (CAST(:studies AS uuid[]))[1 + g % :count],
       'm' || g, 1, 'e4', 'Marshall gambit accepted', to_tsvector('english',
       'Marshall gambit accepted')
FROM generate_series(1, :matches) AS g
""")


def removed_by_join_filters(plan: dict[str, Any]) -> float:
    """Rows every join of the plan compared and threw away (over all its loops)."""
    own = plan.get("Rows Removed by Join Filter", 0) * plan.get("Actual Loops", 1)
    return float(own) + sum(removed_by_join_filters(child) for child in plan.get("Plans", []))


async def test_search_cost_follows_the_matches_not_the_planners_estimate(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    studies = [(await a_study(client, owner, ws, f"S{n}"))["id"] for n in range(STUDIES)]
    async with engine.connect() as connection:
        # Statistics that know no "marshall" (as after ANALYZE of a large table where the
        # words are rare), then the matches, uncommitted: no autovacuum can see them.
        await connection.execute(text("ANALYZE search_entries"))
        await connection.commit()
        await connection.execute(
            NEEDLES,
            {"workspace": ws["id"], "studies": studies, "count": STUDIES, "matches": MATCHES},
        )
        seen: list[tuple[str, Any]] = []

        def keep(_c: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            seen.append((statement, parameters))

        event.listen(connection.sync_connection, "before_cursor_execute", keep)
        try:
            session = AsyncSession(bind=connection)
            filters = repository.Filters(kinds=["node", "chapter", "comment", "post"])
            query = parse_query("marshall gambit", prefix=False)
            page = await repository.search_entries(
                session, uuid.UUID(owner.id), query, filters, after=None, limit=21
            )
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", keep)
        assert len(page) == 21
        statement, parameters = seen[-1]
        explained = await connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
        )
        plan = explained.scalar_one()[0]["Plan"]
        await connection.rollback()
    # Before: 2,000 matches x 40 readable nodes = 80,000 comparisons thrown away.
    assert removed_by_join_filters(plan) <= MATCHES, plan
