"""The migration that creates the search indexes fills them from what the database holds."""

import json
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from catachess.db import migrate
from catachess.db.engine import throwaway_database
from catachess.pgn import parse_pgn

BEFORE_SEARCH = "20261125_0010"
PGN = """[Event "Old"]\n[Site "?"]\n[Date "2001.??.??"]\n[Round "?"]\n[White "Kramnik"]
[Black "Kasparov"]\n[Result "1/2-1/2"]\n\n1. e4 e5 2. Nf3 Nc6 3. Bb5 Nf6 { the Berlin wall } 1/2-1/2
"""

OLD_ROWS = [
    "INSERT INTO users (id, email, display_name, password_hash, created_at) "
    "VALUES (:user, 'old@example.com', 'Old', 'x', now())",
    "INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by, "
    "created_at, updated_at) VALUES (:ws, :ws, NULL, 'workspace', 'Old Wörkspace', "
    ":ws_path, 1, :user, now(), now())",
    "INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by, "
    "created_at, updated_at) VALUES (:study, :ws, :ws, 'study', 'Old study', "
    ":study_path, 1, :user, now(), now())",
    "INSERT INTO chapters (id, workspace_id, study_id, name, position, orientation, start_fen, "
    "headers, tree, node_count, version, created_by, created_at, updated_at) VALUES "
    "(:chapter, :ws, :study, 'Kramnik - Kasparov', 0, 'white', :fen, CAST(:headers AS jsonb), "
    "CAST(:tree AS jsonb), :count, 1, :user, now(), now())",
    "INSERT INTO discussion_threads (id, workspace_id, study_id, chapter_id, title, created_by, "
    "version, updated_at, post_count, created_at) VALUES (:thread, :ws, :study, :chapter, "
    "'Q', :user, 1, now(), 1, now())",
    "INSERT INTO discussion_posts (id, workspace_id, thread_id, depth, author_id, body, "
    "version, created_at) VALUES (:post, :ws, :thread, 0, :user, 'Why not the Marshall?', 1, "
    "now())",
]


async def test_upgrade_indexes_existing_names_chapters_comments_positions_posts() -> None:
    [game] = parse_pgn(PGN)
    ids = {name: uuid.uuid4() for name in ("user", "ws", "study", "chapter", "thread", "post")}
    params: dict[str, object] = {
        **ids,
        "ws_path": str(ids["ws"]),
        "study_path": f"{ids['ws']}/{ids['study']}",
        "fen": game.tree["fen"],
        "headers": json.dumps([[tag, value] for tag, value in game.headers.items()]),
        "tree": json.dumps(game.tree),
        "count": len(game.tree["nodes"]),
    }
    with throwaway_database(revision=BEFORE_SEARCH) as url:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                for statement in OLD_ROWS:
                    await connection.execute(text(statement), params)
            migrate.upgrade(url)
            async with engine.connect() as connection:
                kinds = (
                    await connection.execute(
                        text("SELECT kind, count(*) FROM search_entries GROUP BY kind")
                    )
                ).all()
                positions = await connection.scalar(text("SELECT count(*) FROM search_positions"))
                found = await connection.scalar(
                    text(
                        "SELECT count(*) FROM search_entries "
                        "WHERE tsv @@ websearch_to_tsquery('simple', 'workspace')"
                    )
                )
        finally:
            await engine.dispose()
    assert dict(kinds) == {"node": 2, "chapter": 1, "comment": 1, "post": 1}
    assert positions == 6
    assert found == 1  # "Wörkspace", folded
