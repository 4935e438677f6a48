"""Read routes run without a transaction (no BEGIN/COMMIT round trips); a write there fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import func, select, text

from catachess.app import create_app
from catachess.auth.deps import Session
from catachess.config import Settings
from catachess.events.guard import WriteInReadRoute
from catachess.routing import TransactionalRoute
from tests.factories import a_user

ROUTER = APIRouter(route_class=TransactionalRoute)


@ROUTER.get("/test-only/read-that-writes")
async def read_that_writes(session: Session) -> dict[str, str]:
    await session.execute(text("UPDATE users SET display_name = 'changed by a GET'"))
    return {"status": "wrote"}


@ROUTER.get("/test-only/read")
async def plain_read(session: Session) -> dict[str, bool]:
    # now() is when the transaction began: equal for two statements of one transaction.
    first = await session.scalar(select(func.now()))
    second = await session.scalar(select(func.now()))
    return {"one_transaction": first == second}


@asynccontextmanager
async def app_with_test_routes(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, migrate_on_start=False)
    app.include_router(ROUTER)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_read_route_that_writes_fails_instead_of_answering(settings: Settings) -> None:
    async with app_with_test_routes(settings) as client:
        await a_user(client, "alice")
        with pytest.raises(WriteInReadRoute):
            await client.get("/test-only/read-that-writes")


async def test_a_read_route_runs_without_begin(settings: Settings) -> None:
    async with app_with_test_routes(settings) as client:
        response = await client.get("/test-only/read")
    assert response.json() == {"one_transaction": False}
