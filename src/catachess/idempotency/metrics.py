"""Prometheus metrics of idempotency, labelled by method and route template only (bounded)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

LABELS = ("method", "route")

KEYED = Counter(
    "catachess_idempotency_keyed_requests",
    "Write requests that carried an idempotency key (explicit or derived)",
    LABELS,
)
REPLAYS = Counter(
    "catachess_idempotency_replays",
    "Keyed requests answered from a stored result without running again",
    LABELS,
)
MISMATCHES = Counter(
    "catachess_idempotency_mismatches",
    "Keyed requests refused with 422: the key was used for a different request",
    LABELS,
)
CONFLICTS = Counter(
    "catachess_idempotency_conflicts",
    "Keyed requests refused with 409: the first request with the key was still running",
    LABELS,
)
HIT_RATIO = Gauge(
    "catachess_idempotency_hit_ratio",
    "Replays / keyed requests since this process started",
)
RECORDS = Gauge(
    "catachess_idempotency_records",
    "Stored idempotency records, counted by the last expiry job this process ran",
)
CACHE_HITS = Counter(
    "catachess_idempotency_cache_hits",
    "Replays and mismatches answered from Redis without reading PostgreSQL's record",
)
CACHE_ERRORS = Counter(
    "catachess_idempotency_cache_errors",
    "Redis failures of the idempotency fast path (the request fell back to PostgreSQL)",
)

_totals = {"keyed": 0, "replays": 0}


def keyed(method: str, route: str) -> None:
    KEYED.labels(method, route).inc()
    _totals["keyed"] += 1
    HIT_RATIO.set(_totals["replays"] / _totals["keyed"])


def replayed(method: str, route: str) -> None:
    REPLAYS.labels(method, route).inc()
    _totals["replays"] += 1
    HIT_RATIO.set(_totals["replays"] / max(_totals["keyed"], 1))
