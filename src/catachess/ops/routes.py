"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.db.base import utcnow
from catachess.events import deliveries
from catachess.openapi import problems
from catachess.ops import metrics, readiness
from catachess.routing import PrefixedRoute

router = APIRouter(route_class=PrefixedRoute, tags=["ops"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The process is alive (it does not look at the database; see /ready)."""
    return {"status": "ok"}


@router.get("/ready", responses=problems(503))
async def ready(request: Request) -> dict[str, str]:
    """The database answers and its schema is at the newest migration; 503 otherwise."""
    await readiness.check(request.app.state.engine)
    return {"status": "ready"}


@router.get("/metrics", response_class=Response)
async def metrics_endpoint(request: Request) -> Response:
    """Prometheus metrics of this process in the text exposition format."""
    metrics.observe_pool(request.app.state.engine)
    await observe_outbox(request.app.state.sessionmaker)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


async def observe_outbox(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Copy the outbox backlog into its gauges (two counts on partial indexes)."""
    async with sessions() as session:
        stats = await deliveries.outbox_stats(session)
    metrics.outbox_pending.set(stats.pending)
    metrics.outbox_dead.set(stats.dead)
    oldest = stats.oldest_pending_at
    metrics.outbox_oldest_pending_age.set(
        0 if oldest is None else max((utcnow() - oldest).total_seconds(), 0)
    )
