"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from catachess import __version__, heavy, openapi, problems, webapp
from catachess.auth.routes import router as auth_router
from catachess.auth.throttle import Throttle
from catachess.config import Settings, get_settings
from catachess.correlation import CorrelationMiddleware
from catachess.db import migrate
from catachess.db.engine import (
    make_engine,
    make_read_sessionmaker,
    make_sessionmaker,
    resolve_database_url,
)
from catachess.discussions.routes import router as discussions_router
from catachess.events.relay import Relay
from catachess.events.routes import router as events_router
from catachess.history.routes import router as history_router
from catachess.idempotency.cache import ReplayCache
from catachess.live.access import check_stream_access
from catachess.live.hub import LiveHub
from catachess.live.routes import router as live_router
from catachess.maintenance.loop import MaintenanceLoop
from catachess.nodes.routes import router as nodes_router
from catachess.nodes.trash.routes import router as trash_router
from catachess.notifications.routes import router as notifications_router
from catachess.ops import docs, logs, telemetry
from catachess.ops.middleware import RequestObserver
from catachess.ops.routes import router as ops_router
from catachess.search.routes import router as search_router
from catachess.sharing.routes import router as sharing_router
from catachess.studies.export_routes import router as exports_router
from catachess.studies.move_routes import router as moves_router
from catachess.studies.routes import router as studies_router


def create_app(
    settings: Settings | None = None,
    *,
    migrate_on_start: bool = True,
    observe_requests: bool = True,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build the app; the database is opened (and migrated) when the app starts.

    Tracing is on when `tracer_provider` is given or the OTEL_* variables ask for it.
    `observe_requests=False` drops the per-request metrics and log line (benchmarks only).
    """
    settings = settings or get_settings()
    logs.configure(settings)
    tracing = tracer_provider or telemetry.provider_from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = await asyncio.to_thread(resolve_database_url, settings)
        if migrate_on_start:
            await asyncio.to_thread(migrate.upgrade, url)
        engine = make_engine(
            url, pool_size=settings.db_pool_size, pool_timeout=settings.db_pool_timeout
        )
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.read_sessionmaker = make_read_sessionmaker(engine)
        app.state.read_engine = app.state.read_sessionmaker.kw["bind"]
        app.state.settings = settings
        if tracing is not None:
            telemetry.start(engine, tracing)
        cache = ReplayCache.from_url(settings.redis_url) if settings.redis_url else None
        app.state.idempotency_cache = cache
        app.state.login_throttle = Throttle(
            app.state.sessionmaker, cache.client if cache is not None else None
        )
        relay = Relay(app.state.sessionmaker, settings)
        app.state.relay = relay
        if settings.event_relay:
            relay.start()
        live = LiveHub(app.state.sessionmaker, url, settings, check_stream_access)
        app.state.live = live
        await live.start()
        maintenance = None
        if settings.maintenance_interval > 0:
            maintenance = MaintenanceLoop(engine, app.state.sessionmaker, settings)
            maintenance.start()
        # What is alive now (modules, the app, settings) lives as long as the process: out
        # of the collector's sight, a full collection scans only what requests made, and
        # pauses every request for milliseconds instead of hundreds of them.
        gc.freeze()
        try:
            yield
        finally:
            # Servers call this after in-flight requests finished: stop claiming work
            # (the batch in progress finishes), flush spans, then close the connections.
            if maintenance is not None:
                await maintenance.stop()
            await relay.stop()
            await live.stop()
            # The PGN worker processes (catachess.heavy), once their jobs are done.
            await asyncio.to_thread(heavy.shutdown)
            if cache is not None:
                await cache.close()
            if tracing is not None:
                telemetry.stop()
                if tracer_provider is None:
                    await asyncio.to_thread(tracing.shutdown)
            await engine.dispose()

    app = FastAPI(
        title="catachess",
        version=__version__,
        description="Chess-study workspaces that stay correct under retries, crashes and "
        "concurrency. Errors are application/problem+json (RFC 9457).",
        lifespan=lifespan,
        # /docs is ops.docs: Swagger UI from local files (FastAPI's loads from a CDN).
        docs_url=None,
        redoc_url=None,
        # FastAPI's own OpenTelemetry hooks stay off: the instrumentation below makes the
        # request spans, and two sources would double them.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    problems.install(app)
    openapi.install(app)
    docs.install(app)
    # Added last, so it is outside the others: the id is set before anything logs.
    app.add_middleware(RequestObserver if observe_requests else CorrelationMiddleware)
    for router in (
        ops_router,
        auth_router,
        nodes_router,
        trash_router,
        sharing_router,
        discussions_router,
        studies_router,
        moves_router,
        history_router,
        exports_router,
        events_router,
        live_router,
        notifications_router,
        search_router,
    ):
        # The routes themselves, not app.include_router(router): FastAPI 0.165 keeps an
        # included router as one indirection that matches each request twice, through a
        # context per route (docs/performance.md, seventh pass). These routers have no
        # prefix, dependencies or lifespan of their own, so their routes serve as they are.
        app.router.routes.extend(router.routes)
    webapp.install(app, settings.web_dist)
    if tracing is not None:
        telemetry.instrument_app(app, tracing)
    return app
