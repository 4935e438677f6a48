"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catachess import __version__, problems
from catachess.auth.routes import router as auth_router
from catachess.config import Settings, get_settings
from catachess.correlation import CorrelationMiddleware
from catachess.db import migrate
from catachess.db.engine import make_engine, make_sessionmaker, resolve_database_url
from catachess.idempotency.cache import ReplayCache
from catachess.nodes.routes import router as nodes_router
from catachess.ops.routes import router as ops_router
from catachess.sharing.routes import router as sharing_router


def create_app(settings: Settings | None = None, *, migrate_on_start: bool = True) -> FastAPI:
    """Build the app; the database is opened (and migrated) when the app starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = await asyncio.to_thread(resolve_database_url, settings)
        if migrate_on_start:
            await asyncio.to_thread(migrate.upgrade, url)
        engine = make_engine(url, pool_size=settings.db_pool_size)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.settings = settings
        cache = ReplayCache.from_url(settings.redis_url) if settings.redis_url else None
        app.state.idempotency_cache = cache
        try:
            yield
        finally:
            if cache is not None:
                await cache.close()
            await engine.dispose()

    app = FastAPI(
        title="catachess",
        version=__version__,
        description="Chess-study workspaces that stay correct under retries, crashes and "
        "concurrency. Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
    )
    problems.install(app)
    app.add_middleware(CorrelationMiddleware)
    for router in (ops_router, auth_router, nodes_router, sharing_router):
        app.include_router(router)
    return app
