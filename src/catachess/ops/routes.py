"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from catachess.openapi import problems
from catachess.ops import metrics, readiness

router = APIRouter(tags=["ops"])


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
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
