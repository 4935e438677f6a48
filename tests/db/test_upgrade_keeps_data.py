"""An existing database upgrades to the newest schema without losing its rows."""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from catachess.db import migrate
from catachess.db.engine import throwaway_database

FOUNDATION = "20261125_0001"

OLD_ROWS = [
    "INSERT INTO users (id, email, display_name, password_hash, created_at) "
    "VALUES (:user, 'old@example.com', 'Old', 'x', now())",
    "INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by, "
    "created_at, updated_at) VALUES (:ws, :ws, NULL, 'workspace', 'Old WS', "
    ":ws_path, 1, :user, now(), now())",
    "INSERT INTO nodes (id, workspace_id, parent_id, kind, name, path, version, created_by, "
    "created_at, updated_at) VALUES (:folder, :ws, :ws, 'folder', 'Old folder', "
    ":folder_path, 1, :user, now(), now())",
    "INSERT INTO grants (id, workspace_id, node_id, user_id, role, created_at) "
    "VALUES (gen_random_uuid(), :ws, :ws, :user, 'owner', now())",
    "INSERT INTO events (event_id, workspace_id, event_type, actor_id, target_id, "
    "target_type, timestamp, version, payload, correlation_id) VALUES (gen_random_uuid(), "
    ":ws, 'node.created', :user, :folder, 'folder', now(), 1, '{}', 'c1')",
]


async def test_upgrading_a_foundation_database_keeps_its_rows() -> None:
    ids: dict[str, object] = {"user": uuid.uuid4(), "ws": uuid.uuid4(), "folder": uuid.uuid4()}
    ids["ws_path"] = str(ids["ws"])
    ids["folder_path"] = f"{ids['ws']}/{ids['folder']}"
    with throwaway_database(revision=FOUNDATION) as url:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                for statement in OLD_ROWS:
                    await connection.execute(text(statement), ids)
            migrate.upgrade(url)
            async with engine.connect() as connection:
                assert await connection.run_sync(migrate.current_revisions) == (
                    migrate.head_revisions(url)
                )
                users = await connection.scalar(text("SELECT count(*) FROM users"))
                # The path column changed collation; its values and the subtree range hold.
                below = await connection.scalar(
                    text("SELECT count(*) FROM nodes WHERE path > :p AND path < :q"),
                    {"p": f"{ids['ws']}/", "q": f"{ids['ws']}0"},
                )
                grants = await connection.scalar(text("SELECT count(*) FROM grants"))
                node_of_event = await connection.scalar(text("SELECT node_id FROM events"))
        finally:
            await engine.dispose()
    assert (users, below, grants) == (1, 1, 1)
    assert node_of_event == ids["folder"]  # backfilled by 20261125_0010
