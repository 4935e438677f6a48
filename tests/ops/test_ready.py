"""GET /ready: 200 when the database answers at the newest schema, 503 problem+json otherwise."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.app import create_app
from catachess.config import Settings


@asynccontextmanager
async def app_on(url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(DATABASE_URL=url), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def assert_not_ready(response: httpx.Response, detail: str) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "not_ready" and body["status"] == 503
    assert detail in body["detail"]


async def test_ready_when_the_database_is_at_the_newest_schema(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_not_ready_on_a_database_without_the_schema(
    engine: AsyncEngine, database_url: str
) -> None:
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("DROP DATABASE IF EXISTS ready_empty"))
        await connection.execute(text("CREATE DATABASE ready_empty"))
    empty = make_url(database_url).set(database="ready_empty")
    try:
        async with app_on(empty.render_as_string(hide_password=False)) as client:
            response = await client.get("/ready")
        assert_not_ready(response, "run `catachess migrate`")
        assert response.json()["current"] == []
    finally:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("DROP DATABASE ready_empty"))


async def test_not_ready_when_the_database_does_not_answer() -> None:
    with tempfile.TemporaryDirectory() as nowhere:
        async with app_on(f"postgresql+asyncpg://postgres@/postgres?host={nowhere}") as client:
            response = await client.get("/ready")
            health = await client.get("/health")
    assert_not_ready(response, "the database does not answer")
    assert health.status_code == 200  # alive, just not ready
