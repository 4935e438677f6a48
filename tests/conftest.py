"""Test fixtures: a real PostgreSQL for the whole run, a clean schema for every test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from catachess.app import create_app
from catachess.config import Settings, get_settings
from catachess.db.engine import throwaway_database
from catachess.db.models import Base

# Cheap Argon2 parameters keep registration fast; the algorithm is the production one.
os.environ.setdefault("ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("ARGON2_TIME_COST", "1")
# Every test client logs in from one address; the address limit is tested on its own.
os.environ.setdefault("LOGIN_MAX_PER_ADDRESS", "100000")
# Tests run maintenance jobs explicitly; no background loop in the shared app.
os.environ.setdefault("MAINTENANCE_INTERVAL", "0")
# Tests deliver events by driving the relay themselves (relay.drain), deterministically.
os.environ.setdefault("EVENT_RELAY", "false")
get_settings.cache_clear()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """CATACHESS_TEST_DATABASE_URL if given, else a throwaway pgserver cluster."""
    given = os.environ.get("CATACHESS_TEST_DATABASE_URL")
    with throwaway_database(Settings(DATABASE_URL=given).database_url if given else None) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(DATABASE_URL=database_url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


TABLES = ", ".join(table.name for table in Base.metadata.sorted_tables)


@pytest.fixture(autouse=True)
async def clean_database(engine: AsyncEngine) -> None:
    """Every test starts from empty tables (pure test folders override this fixture)."""
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {TABLES} CASCADE"))


@pytest.fixture(scope="session")
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
def client(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return app_client
