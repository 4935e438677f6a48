"""An event is part of its change: both commit, or neither does; forgetting it is refused."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import delete, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.app import create_app
from catachess.auth.deps import CurrentUser, Session
from catachess.config import Settings
from catachess.errors import Conflict
from catachess.events import service as events
from catachess.events.guard import UnrecordedWrite
from catachess.events.models import ActivityEntry, EventDelivery
from catachess.events.service import Target
from catachess.events.types import EventType, NodeCreated
from catachess.nodes import service as nodes
from catachess.nodes.models import Node, NodeKind
from catachess.nodes.schemas import NodeCreate
from catachess.routing import TransactionalRoute
from tests.events.support import count
from tests.factories import a_user, a_workspace

faulty = APIRouter(route_class=TransactionalRoute)


@faulty.post("/test/fails-at-commit")
async def fails_at_commit(user: CurrentUser, session: Session) -> dict[str, str]:
    """Creates a workspace (and its event), then adds a row that breaks a deferred FK."""
    await nodes.create_node(session, user, NodeCreate(kind=NodeKind.workspace, name="Doomed"))
    await session.execute(
        text(
            "CREATE TEMP TABLE doomed (node_id uuid REFERENCES nodes (id) "
            "DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP"
        )
    )
    await session.execute(text("INSERT INTO doomed VALUES (gen_random_uuid())"))
    return {"status": "looks fine until the commit"}


@faulty.post("/test/fails-after-change")
async def fails_after_change(user: CurrentUser, session: Session) -> None:
    """Creates a workspace (and its event), then fails the request."""
    await nodes.create_node(session, user, NodeCreate(kind=NodeKind.workspace, name="Doomed"))
    raise Conflict("something after the change went wrong")


@faulty.post("/test/forgets-its-event")
async def forgets_its_event(user: CurrentUser, session: Session) -> dict[str, str]:
    """Changes a node without recording an event (what the guard must refuse)."""
    await session.execute(update(Node).where(Node.created_by == user.id).values(name="Sneaky"))
    return {"status": "changed silently"}


@pytest.fixture(scope="module")
async def faulty_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, migrate_on_start=False)
    app.include_router(faulty)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_failure_at_commit_leaves_neither_change_nor_event(
    faulty_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(faulty_client, "alice")
    response = await faulty_client.post(
        "/test/fails-at-commit", headers={**alice.headers, "X-Correlation-ID": "doomed-commit"}
    )
    assert response.status_code >= 400
    assert await count(engine, "SELECT count(*) FROM nodes WHERE name = 'Doomed'") == 0
    assert (
        await count(engine, "SELECT count(*) FROM events WHERE correlation_id = 'doomed-commit'")
        == 0
    )
    assert await count(engine, "SELECT count(*) FROM event_deliveries") == 0


async def test_a_failure_after_the_change_leaves_neither_change_nor_event(
    faulty_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(faulty_client, "alice")
    response = await faulty_client.post(
        "/test/fails-after-change", headers={**alice.headers, "X-Correlation-ID": "doomed-after"}
    )
    assert response.status_code == 409
    assert await count(engine, "SELECT count(*) FROM nodes") == 0
    assert (
        await count(engine, "SELECT count(*) FROM events WHERE correlation_id = 'doomed-after'")
        == 0
    )


async def test_a_write_without_an_event_fails_and_stores_nothing(
    faulty_client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(faulty_client, "alice")
    await a_workspace(faulty_client, alice, "Openings")
    response = await faulty_client.post("/test/forgets-its-event", headers=alice.headers)
    assert response.status_code == 500
    assert await count(engine, "SELECT count(*) FROM nodes WHERE name = 'Sneaky'") == 0


def an_activity_entry() -> dict[str, Any]:
    return {
        "id": uuid.uuid4(), "workspace_id": uuid.uuid4(), "event_id": uuid.uuid4(),
        "event_type": "node.created", "node_id": uuid.uuid4(), "node_kind": "study",
        "actor_id": None, "summary": "s", "occurred_at": datetime.now(UTC),
    }  # fmt: skip


async def test_guard_sees_orm_core_and_raw_sql_writes(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    entry = an_activity_entry()
    async with engine.begin() as connection:
        await connection.execute(insert(ActivityEntry).values(entry))
    row = ActivityEntry.id == entry["id"]
    writes: list[Any] = [
        lambda s: s.add(ActivityEntry(**an_activity_entry())),
        lambda s: s.execute(update(ActivityEntry).where(row).values(summary="x")),
        lambda s: s.execute(
            insert(ActivityEntry).values(an_activity_entry()).returning(ActivityEntry.id)
        ),
        lambda s: s.execute(text("UPDATE activity_entries SET summary = 'y'")),
        lambda s: s.execute(text("delete from public.activity_entries where true")),
    ]
    for write in writes:
        async with sessions() as session:
            result = write(session)
            if asyncio.iscoroutine(result):
                await result
            with pytest.raises(UnrecordedWrite):
                await session.commit()


async def test_guard_ignores_bookkeeping_and_rolled_back_savepoints(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with sessions() as session, session.begin():
        await _record_a_node_event(session)  # owes the activity subscriber a delivery
    async with sessions() as session:
        await session.execute(update(EventDelivery).values(attempts=5))
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                session.add(ActivityEntry(**an_activity_entry()))
                await session.flush()
                raise RuntimeError("the savepoint and its write are rolled back")
        await session.commit()
    assert await count(engine, "SELECT count(*) FROM event_deliveries WHERE attempts = 5") == 1
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 0


async def test_guard_ignores_statements_that_changed_no_row(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    entry = an_activity_entry()
    async with engine.begin() as connection:
        await connection.execute(insert(ActivityEntry).values(entry))
    async with sessions() as session:
        # An idempotent repeat: the row is there already, so nothing changes.
        await session.execute(
            insert(ActivityEntry).values(entry).on_conflict_do_nothing().returning(ActivityEntry.id)
        )
        await session.execute(delete(ActivityEntry).where(ActivityEntry.id == uuid.uuid4()))
        await session.commit()
    async with sessions() as session:
        await session.execute(delete(ActivityEntry).where(ActivityEntry.id == entry["id"]))
        with pytest.raises(UnrecordedWrite):
            await session.commit()


async def test_an_event_in_a_released_savepoint_counts(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with sessions() as session:
        session.add(ActivityEntry(**an_activity_entry()))
        async with session.begin_nested():
            await _record_a_node_event(session)
        await session.commit()
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1
    assert await count(engine, "SELECT count(*) FROM events") == 1


async def _record_a_node_event(session: AsyncSession) -> None:
    await events.record(
        session,
        EventType.node_created,
        actor_id=None,
        target=Target(uuid.uuid4(), "folder"),
        workspace_id=uuid.uuid4(),
        version=1,
        payload=NodeCreated(kind="folder", name="f", parent_id=None),
    )


async def test_concurrent_publishes_of_one_event_id_store_one(
    sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    event_id, target, workspace = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    async def publish(name: str) -> tuple[str, str]:
        async with sessions() as session, session.begin():
            stored = await events.record(
                session,
                EventType.node_created,
                actor_id=None,
                target=Target(target, "study"),
                workspace_id=workspace,
                version=1,
                payload=NodeCreated(kind="study", name=name, parent_id=None),
                event_id=event_id,
                correlation_id=f"publisher-{name}",
            )
            await asyncio.sleep(0)  # hold the transaction open while the others arrive
            return stored.payload["name"], stored.correlation_id

    results = await asyncio.gather(*(publish(f"p{n}") for n in range(8)))
    assert await count(engine, "SELECT count(*) FROM events") == 1
    # Every publisher got the one stored event back, not its own version of it.
    assert len(set(results)) == 1
    # The subscriber owes exactly one delivery of it, too.
    assert await count(engine, "SELECT count(*) FROM event_deliveries") == 1
