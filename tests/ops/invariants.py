"""What the database must show after a workload through several processes: each query
lists the rows that break one guarantee, so a failure names the offending rows."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.nodes.trash.helpers import rows
from tests.ops.cluster import Cluster, EventKey, expected_events, replayed

# Events with no version: they are about users or the feed, not a versioned resource.
UNVERSIONED = {"user.registered", "user.logged_in", "activity.recorded"}


def created_ids(cluster: Cluster) -> dict[str, set[str]]:
    """Node ids by kind, from the first-run answers of the creates."""
    ids: dict[str, set[str]] = {}
    for answer in cluster.answers:
        response = answer.response
        if answer.method != "POST" or response.status_code != 201 or replayed(response):
            continue
        if answer.path == "/nodes":
            ids.setdefault(response.json()["kind"], set()).add(response.json()["id"])
        elif answer.path == "/studies":
            for study in response.json()["studies"]:
                ids.setdefault("study", set()).add(study["id"])
    return ids


async def assert_no_duplicate_effects(cluster: Cluster, engine: AsyncEngine) -> None:
    """One row per effect a first run announced; races and retries added nothing."""
    nodes = await rows(engine, "SELECT id::text, kind, trashed_at FROM nodes")
    stored: dict[str, set[str]] = {}
    for node in nodes:
        stored.setdefault(node["kind"], set()).add(node["id"])
    assert stored == created_ids(cluster)
    assert [n["id"] for n in nodes if n["trashed_at"] is not None] == []  # all restored
    assert await rows(engine, "SELECT * FROM trash_entries") == []
    twice = {
        "users": "SELECT lower(email) FROM users GROUP BY 1 HAVING count(*) > 1",
        "owner grants": "SELECT node_id FROM grants WHERE role = 'owner' "
        "GROUP BY node_id HAVING count(*) > 1",
        "chapter positions": "SELECT study_id, position FROM chapters "
        "GROUP BY 1, 2 HAVING count(*) > 1",
    }
    found = {name: await rows(engine, sql) for name, sql in twice.items()}
    assert {name: duplicates for name, duplicates in found.items() if duplicates} == {}
    logins = [a for a in cluster.answers if a.path == "/auth/login" and a.response.is_success]
    [tokens] = await rows(engine, "SELECT count(*) AS n FROM api_tokens")
    assert tokens["n"] == len(logins)
    [records] = await rows(
        engine, "SELECT count(*) AS n, bool_and(completed) AS done FROM idempotency_records"
    )
    keys = {answer.key for answer in cluster.answers if answer.key is not None}
    assert (records["n"], records["done"]) == (len(keys), True)


async def assert_events_match_the_answers(cluster: Cluster, engine: AsyncEngine) -> None:
    """Every successful write's event is in the log exactly once, and nothing else is."""
    logged: Counter[EventKey] = Counter(
        (e["event_type"], e["target_id"], e["version"])
        for e in await rows(
            engine,
            "SELECT event_type, target_id::text, version FROM events "
            "WHERE event_type <> 'activity.recorded'",
        )
    )
    expected = expected_events(cluster.answers)
    assert {"missing": expected - logged, "unexpected": logged - expected} == {
        "missing": Counter(),
        "unexpected": Counter(),
    }
    unversioned = await rows(engine, "SELECT DISTINCT event_type FROM events WHERE version IS NULL")
    assert {e["event_type"] for e in unversioned} <= UNVERSIONED


async def assert_one_order_per_target(engine: AsyncEngine) -> None:
    """Per target, versions strictly increase in log (seq) order: one history, not two."""
    out_of_order = await rows(
        engine,
        """
        SELECT target_id, event_type, seq, version, previous FROM (
            SELECT target_id, event_type, seq, version,
                   lag(version) OVER (PARTITION BY target_id ORDER BY seq) AS previous
            FROM events WHERE version IS NOT NULL
        ) ordered
        WHERE previous IS NOT NULL AND version <= previous
        """,
    )
    assert out_of_order == []


async def assert_delivered_exactly_once(engine: AsyncEngine) -> None:
    """Each delivery was claimed once and done; each node event has one feed line and one
    activity.recorded caused by it, whichever process's relay delivered it."""
    unclean = await rows(
        engine,
        "SELECT id, event_id, subscriber, attempts, last_error FROM event_deliveries "
        "WHERE delivered_at IS NULL OR dead_at IS NOT NULL OR attempts <> 1 "
        "OR last_error IS NOT NULL",
    )
    assert unclean == []
    per_event = await rows(
        engine,
        """
        SELECT e.event_id, e.event_type,
               (SELECT count(*) FROM event_deliveries d
                WHERE d.event_id = e.event_id AND d.subscriber = 'activity') AS deliveries,
               (SELECT count(*) FROM activity_entries a WHERE a.event_id = e.event_id) AS lines,
               (SELECT count(*) FROM events r
                WHERE r.causation_id = e.event_id AND r.event_type = 'activity.recorded'
                  AND r.correlation_id = e.correlation_id) AS recorded
        FROM events e WHERE e.event_type LIKE 'node.%'
        """,
    )
    assert per_event, "the workload recorded no node events"
    assert [e for e in per_event if (e["deliveries"], e["lines"], e["recorded"]) != (1, 1, 1)] == []
    totals = await rows(
        engine,
        "SELECT (SELECT count(*) FROM activity_entries) AS lines, "
        "(SELECT count(*) FROM events WHERE event_type = 'activity.recorded') AS recorded",
    )
    assert totals == [{"lines": len(per_event), "recorded": len(per_event)}]
