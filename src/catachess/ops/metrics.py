"""Prometheus metrics of the process: HTTP requests, database pool, maintenance jobs.

Label values are always drawn from small fixed sets (route templates, known methods,
status codes, job names), never from ids or user input, so the number of series stays
bounded however many distinct URLs clients send.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

# Routes nobody registered (404 before routing, scanners) share one label value.
UNMATCHED_ROUTE = "<unmatched>"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

http_requests = Counter(
    "catachess_http_requests",
    "HTTP requests handled, by method, route template and status code.",
    ["method", "route", "status"],
)
http_request_duration = Histogram(
    "catachess_http_request_duration_seconds",
    "Time from receiving a request to sending the last byte of its response.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

db_pool_checked_out = Gauge(
    "catachess_db_pool_checked_out", "Database connections currently in use by this process."
)
db_pool_size = Gauge(
    "catachess_db_pool_size", "Database connections the pool keeps open (excluding overflow)."
)
db_pool_overflow = Gauge(
    "catachess_db_pool_overflow", "Connections open beyond the pool size (negative: unused room)."
)

maintenance_runs = Counter(
    "catachess_maintenance_runs",
    "Maintenance job ticks by outcome: ran, skipped (another process held the job) or failed.",
    ["job", "outcome"],
)
maintenance_items = Counter(
    "catachess_maintenance_items", "Items handled by maintenance jobs.", ["job"]
)
maintenance_last_success = Gauge(
    "catachess_maintenance_last_success_timestamp_seconds",
    "When this process last finished a job run without error (Unix time); take the max "
    "over processes.",
    ["job"],
)
maintenance_duration = Histogram(
    "catachess_maintenance_duration_seconds",
    "Duration of maintenance job runs that held the job's lock.",
    ["job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)


outbox_pending = Gauge(
    "catachess_outbox_pending_deliveries",
    "Event deliveries waiting for their subscriber (whole database, read at scrape time).",
)
outbox_oldest_pending_age = Gauge(
    "catachess_outbox_oldest_pending_age_seconds",
    "Age of the oldest waiting delivery (0 when none waits): the relay's lag.",
)
outbox_dead = Gauge(
    "catachess_outbox_dead_letters",
    "Deliveries that failed EVENT_MAX_ATTEMPTS times (`catachess events dead-letters`).",
)
event_deliveries = Counter(
    "catachess_event_deliveries",
    "Delivery attempts made by this process, by subscriber and outcome "
    "(delivered, failed: retried later, dead: given up).",
    ["subscriber", "outcome"],
)


def method_label(method: str) -> str:
    return method if method in KNOWN_METHODS else "OTHER"


def observe_pool(engine: AsyncEngine) -> None:
    """Copy the pool's current use into the gauges (called at scrape time)."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        db_pool_checked_out.set(pool.checkedout())
        db_pool_size.set(pool.size())
        db_pool_overflow.set(pool.overflow())


def exposition() -> tuple[bytes, str]:
    """The text exposition of every registered metric and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
