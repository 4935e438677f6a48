"""Delivery to subscribers after commit: at least once, retried, dead-lettered, never lost."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess import context
from catachess.app import create_app
from catachess.config import Settings
from catachess.events import activity, deliveries, relay
from catachess.events.models import Event
from catachess.events.types import EventType
from catachess.maintenance import runner
from tests.events.support import count, deliveries_of, time_passes
from tests.factories import a_folder, a_user, a_workspace
from tests.ops.test_round_trips import round_trips
from tests.polling import eventually

AddSubscriber = Callable[..., None]
Deliver = Callable[..., Any]


class ProcessDied(BaseException):
    """Stands in for the process being killed in the middle of a handler."""


async def test_a_handler_runs_after_commit_in_the_chain_of_its_event(
    client: httpx.AsyncClient, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    seen: list[tuple[str, str | None, str | None]] = []

    async def remember(session: AsyncSession, event: Event) -> None:
        seen.append((event.event_type, context.correlation_id.get(), context.causation_id.get()))

    add_subscriber("test-remember", [EventType.node_created], remember)
    alice = await a_user(client, "alice")
    response = await client.post(
        "/nodes",
        json={"kind": "workspace", "name": "W"},
        headers={**alice.headers, "X-Correlation-ID": "after-commit"},
    )
    assert seen == []  # nothing runs inside the request
    assert await deliver() >= 1
    event_id = (
        await client.get(
            "/events", params={"target_id": response.json()["id"]}, headers=alice.headers
        )
    ).json()["items"][0]["event_id"]
    assert seen == [("node.created", "after-commit", event_id)]
    assert await deliver() == 0  # delivered once, not again


async def test_a_failed_handler_is_retried_with_backoff_and_its_writes_undone(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    deliver: Deliver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_record = activity.events.record_many
    failures = iter([RuntimeError("feed store hiccup")])

    async def record_failing_once(*args: Any, **kwargs: Any) -> None:
        await real_record(*args, **kwargs)
        for error in failures:
            raise error

    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    # The activity handler writes its feed line and its event, then fails.
    monkeypatch.setattr(activity.events, "record_many", record_failing_once)
    await deliver()
    [failed] = await deliveries_of(engine, "activity")
    assert failed["attempts"] == 1 and failed["delivered_at"] is None
    assert "feed store hiccup" in failed["last_error"]
    assert (failed["next_attempt_at"] - failed["created_at"]).total_seconds() >= 1
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 0  # rolled back
    assert await deliver() == 0  # not due before its backoff
    await time_passes(engine)
    assert await deliver() == 1
    [done] = await deliveries_of(engine, "activity")
    assert done["attempts"] == 2 and done["delivered_at"] is not None
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1
    assert (
        await count(engine, "SELECT count(*) FROM events WHERE event_type = 'activity.recorded'")
        == 1
    )


async def test_a_delivery_interrupted_by_a_dying_process_is_delivered_again(
    client: httpx.AsyncClient, engine: AsyncEngine, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    crashes = iter([ProcessDied()])
    handled: list[str] = []

    async def dies_once(session: AsyncSession, event: Event) -> None:
        for crash in crashes:
            raise crash
        handled.append(event.event_type)

    add_subscriber("test-dies-once", [EventType.node_created], dies_once)
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    with pytest.raises(ProcessDied):
        await deliver()
    # The claim survived the crash; the work of the crashed batch did not.
    [pending] = await deliveries_of(engine, "test-dies-once")
    assert pending["attempts"] == 1 and pending["delivered_at"] is None
    assert await deliver() == 0  # leased to the dead process until the lease runs out
    await time_passes(engine)  # a restarted process finds the row in the outbox
    await deliver()
    [done] = await deliveries_of(engine, "test-dies-once")
    assert done["delivered_at"] is not None and handled == ["node.created"]
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1


async def test_dead_letter_after_max_attempts_then_retry(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    add_subscriber: AddSubscriber,
    deliver: Deliver,
) -> None:
    broken = True

    async def until_fixed(session: AsyncSession, event: Event) -> None:
        if broken:
            raise ValueError("downstream is down")

    add_subscriber("test-until-fixed", [EventType.node_created], until_fixed)
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    for _ in range(3):
        await deliver(event_max_attempts=3)
        await time_passes(engine)
    [dead] = await deliveries_of(engine, "test-until-fixed")
    assert dead["attempts"] == 3 and dead["dead_at"] is not None
    assert dead["last_error"] == "ValueError: downstream is down"
    assert await deliver(event_max_attempts=3) == 0  # dead letters are not retried by themselves
    async with sessions() as session, session.begin():
        [(listed, event)] = await deliveries.list_dead(session, limit=10)
        assert listed.id == dead["id"] and event.event_type == "node.created"
        assert await deliveries.retry_dead(session, [dead["id"]]) == [dead["id"]]
    broken = False
    assert await deliver(event_max_attempts=3) == 1
    [done] = await deliveries_of(engine, "test-until-fixed")
    assert done["dead_at"] is None and done["delivered_at"] is not None


async def test_a_claimed_row_locked_for_a_moment_by_another_relay_is_still_delivered(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    async with sessions() as session, session.begin():
        claims = await deliveries.claim_due(
            session, ["activity"], limit=10, lease=timedelta(minutes=1)
        )
    # Another relay's claim statement can lock a row it then finds leased; meanwhile
    # the owner's deliver transaction must wait for it, not skip the row.
    async with engine.connect() as other:
        await other.execute(text("SELECT id FROM event_deliveries FOR UPDATE"))
        delivering = asyncio.create_task(relay.deliver_claims(sessions, claims, settings))
        for _ in range(1000):
            if delivering.done() or await _someone_waits_for_a_lock(engine):
                break
            await asyncio.sleep(0.01)
        await other.rollback()
    await delivering
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1


async def _someone_waits_for_a_lock(engine: AsyncEngine) -> bool:
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    return await count(engine, waiting) > 0


async def test_a_handler_that_writes_without_an_event_fails_alone(
    client: httpx.AsyncClient, engine: AsyncEngine, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    async def sneaky(session: AsyncSession, event: Event) -> None:
        await session.execute(text("UPDATE nodes SET name = 'sneaky'"))

    add_subscriber("test-sneaky", [EventType.node_created], sneaky)
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    await deliver()
    [refused] = await deliveries_of(engine, "test-sneaky")
    assert refused["delivered_at"] is None and "UnrecordedWrite" in refused["last_error"]
    assert await count(engine, "SELECT count(*) FROM nodes WHERE name = 'sneaky'") == 0
    # The other subscriber of the same event, in the same batch, was delivered.
    [activity] = await deliveries_of(engine, "activity")
    assert activity["delivered_at"] is not None


async def test_a_failing_handler_in_a_batch_runs_once_and_the_rest_are_delivered(
    client: httpx.AsyncClient, engine: AsyncEngine, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    """A batch runs without a savepoint per delivery; when one handler raises, the batch
    runs again with savepoints, and the failed delivery is counted without running the
    handler a second time (its retry waits for the backoff)."""
    calls: list[str] = []

    async def fails(session: AsyncSession, event: Event) -> None:
        calls.append(str(event.target_id))
        raise RuntimeError("broken subscriber")

    add_subscriber("test-fails", [EventType.node_created], fails)
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    await a_workspace(client, alice)
    assert await deliver() == 4  # two events, each owed to activity and test-fails
    assert len(calls) == 2 and len(set(calls)) == 2
    failed = await deliveries_of(engine, "test-fails")
    assert [(row["attempts"], row["delivered_at"]) for row in failed] == [(1, None), (1, None)]
    assert all("broken subscriber" in row["last_error"] for row in failed)
    delivered = await deliveries_of(engine, "activity")
    assert len(delivered) == 2 and all(row["delivered_at"] is not None for row in delivered)
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 2


async def test_a_failing_event_of_a_batch_handler_fails_alone(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    deliver: Deliver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The activity subscriber takes a batch's events at once; when that raises, which
    event failed is unknown, so each runs again alone: the bad one fails, the rest land."""
    real_summarize = activity.summarize

    def summarize(event: Event, actor: str | None, name: str | None) -> str:
        if event.payload.get("name") == "Broken":
            raise ValueError("cannot summarize this one")
        return real_summarize(event, actor, name)

    monkeypatch.setattr(activity, "summarize", summarize)
    alice = await a_user(client, "alice")
    await a_workspace(client, alice, "Fine")
    await a_workspace(client, alice, "Broken")
    await a_workspace(client, alice, "Also fine")
    assert await deliver() == 3
    rows = await deliveries_of(engine, "activity")
    assert sorted(row["delivered_at"] is None for row in rows) == [False, False, True]
    [failed] = [row for row in rows if row["delivered_at"] is None]
    assert failed["attempts"] == 1 and "cannot summarize this one" in failed["last_error"]
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 2


async def test_a_batch_of_feed_lines_costs_two_statements_whatever_its_size(
    client: httpx.AsyncClient, deliver: Deliver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the relay's share of every change. A batch where no handler fails runs
    without a savepoint per delivery and is marked delivered by one statement; the
    activity subscriber takes the batch's events at once: one statement reads the names,
    one writes the lines with their activity.recorded events. Every batch sends the same
    statements whatever its size, so each is prepared once per connection, not again
    for every size a batch happens to have under load."""
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    await deliver()  # warm: the relay's statements are prepared on this connection
    statements: dict[int, list[str]] = {}
    for size in (1, 6):
        for _ in range(size):
            await a_workspace(client, alice)
        with round_trips(monkeypatch) as sent:
            assert await deliver() == size
        exchanges = [one for one in sent if one.method != "Connection.prepare"]
        assert not [one for one in exchanges if "SAVEPOINT" in one.query], exchanges
        # claim: BEGIN, UPDATE ... RETURNING, COMMIT; deliver: BEGIN, lock, names,
        # lines + events, mark, COMMIT.
        assert len(exchanges) == 3 + 6, "\n".join(map(str, exchanges))
        # BEGIN may name the isolation level, as the pool connection's last use left it.
        statements[size] = [one.query for one in exchanges if not one.query.startswith("BEGIN")]
    assert statements[1] == statements[6]


async def outbox_rows_read(session: AsyncSession) -> int:
    """Rows of event_deliveries this transaction has read so far (by index or scan)."""
    read = await session.scalar(
        text(
            "SELECT coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0) "
            "FROM pg_stat_xact_user_tables WHERE relname = 'event_deliveries'"
        )
    )
    return int(read or 0)


async def test_a_batch_reads_its_own_deliveries_however_long_the_backlog(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    deliver: Deliver,
) -> None:
    """A relay that comes back to a long backlog (after an outage, or behind a burst)
    works it off in linear time: locking a batch's claims reads those rows, by primary
    key, not every pending row. The planner's statistics still describe the quiet outbox
    of before the surge (few pending rows), as they do until the next ANALYZE; with them
    the join of the claims hashed the whole backlog for every batch, and a backlog of
    10,000 took twice as long per delivery as one of 3,000 (docs/performance.md)."""
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    await deliver()
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE event_deliveries"))
        # 3,000 node events owed to the feed, as a burst leaves them.
        await connection.execute(
            text(
                "WITH made AS ("
                " INSERT INTO events (event_id, workspace_id, event_type, target_id,"
                "  target_type, node_id, timestamp, payload, correlation_id)"
                " SELECT gen_random_uuid(), gen_random_uuid(), 'node.created',"
                "  gen_random_uuid(), 'folder', NULL, now(), '{}', 'backlog'"
                " FROM generate_series(1, 3000) RETURNING event_id, workspace_id)"
                "INSERT INTO event_deliveries (event_id, subscriber, workspace_id, attempts,"
                " next_attempt_at, created_at)"
                "SELECT event_id, 'activity', workspace_id, 0, now(), now() FROM made"
            )
        )
    async with sessions() as session, session.begin():
        claims = await deliveries.claim_due(
            session, ["activity"], limit=10, lease=timedelta(minutes=1)
        )
    assert len(claims) == 10
    async with sessions() as session, session.begin():
        before = await outbox_rows_read(session)
        locked = await deliveries.lock_claimed(session, claims)
        read = await outbox_rows_read(session) - before
    assert sorted(delivery.id for delivery, _ in locked) == sorted(c.delivery_id for c in claims)
    assert read <= 2 * len(claims), f"locking 10 claims read {read} rows of the outbox"


def test_backoff_doubles_up_to_an_hour() -> None:
    delays = [relay.retry_delay(n, 2.0).total_seconds() for n in (1, 2, 3, 4, 12, 500)]
    assert delays == [2, 4, 8, 16, 3600, 3600]


async def test_concurrent_relays_deliver_each_event_once(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    add_subscriber: AddSubscriber,
) -> None:
    handled: list[str] = []

    async def count_calls(session: AsyncSession, event: Event) -> None:
        handled.append(str(event.event_id))
        await asyncio.sleep(0)  # let the other relays run in between

    add_subscriber("test-count", [EventType.node_created], count_calls)
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    for n in range(12):
        await a_folder(client, alice, ws, f"folder {n}")
    small_batches = settings.model_copy(update={"event_relay_batch": 3})
    await asyncio.gather(*(relay.drain(sessions, small_batches) for _ in range(4)))
    assert len(handled) == 13 and len(set(handled)) == 13
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 13


async def test_the_maintenance_job_delivers_what_is_due(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    results = {r.name: r for r in await runner.run_all(engine, sessions, settings)}
    assert results["event-redelivery"].items == 1
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1


async def test_the_server_relay_delivers_in_the_background_and_stops_with_the_app(
    settings: Settings, engine: AsyncEngine, add_subscriber: AddSubscriber
) -> None:
    noticed = asyncio.Event()

    async def notice(session: AsyncSession, event: Event) -> None:
        noticed.set()

    add_subscriber("test-notice", [EventType.node_created], notice)
    app = create_app(settings.model_copy(update={"event_relay": True}), migrate_on_start=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            alice = await a_user(client, "alice")
            await a_workspace(client, alice)
            # The commit wakes the relay at once; the poll interval is only the fallback.
            await asyncio.wait_for(noticed.wait(), 10)
    # Shutting down let the batch in progress finish and commit, then the loop ended.
    assert app.state.relay._task.done()
    pending = "SELECT count(*) FROM event_deliveries WHERE delivered_at IS NULL"
    assert await count(engine, pending) == 0
    assert await count(engine, "SELECT count(*) FROM activity_entries") == 1


async def test_outbox_backlog_and_deliveries_by_subscriber_are_on_metrics(
    client: httpx.AsyncClient, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    from tests.ops.test_metrics import value

    async def refuses(session: AsyncSession, event: Event) -> None:
        raise ValueError("down")

    async def accepts(session: AsyncSession, event: Event) -> None:
        return None

    add_subscriber("test-metrics-dead", [EventType.node_created], refuses)
    add_subscriber("test-metrics-ok", [EventType.node_created], accepts)
    await deliver()
    dead_before = await value(client, "catachess_outbox_dead_letters")
    alice = await a_user(client, "alice")
    await a_workspace(client, alice)
    assert await value(client, "catachess_outbox_pending_deliveries") >= 2
    assert await value(client, "catachess_outbox_oldest_pending_age_seconds") >= 0
    await deliver(event_max_attempts=1)
    assert await value(client, "catachess_outbox_pending_deliveries") == 0
    assert await value(client, "catachess_outbox_oldest_pending_age_seconds") == 0
    assert await value(client, "catachess_outbox_dead_letters") == dead_before + 1
    for subscriber, outcome in [("test-metrics-dead", "dead"), ("test-metrics-ok", "delivered")]:
        counted = await value(
            client, "catachess_event_deliveries_total", subscriber=subscriber, outcome=outcome
        )
        assert counted == 1


async def test_a_batch_delivered_together_counts_every_delivery_on_metrics(
    client: httpx.AsyncClient, add_subscriber: AddSubscriber, deliver: Deliver
) -> None:
    """The relay counts a batch's deliveries per subscriber at once (inc by the count)."""
    from tests.ops.test_metrics import value

    async def accepts(session: AsyncSession, event: Event) -> None:
        return None

    add_subscriber("test-metrics-batch", [EventType.node_created], accepts)
    alice = await a_user(client, "alice")
    for _ in range(3):
        await a_workspace(client, alice)
    await deliver()
    counted = await value(
        client,
        "catachess_event_deliveries_total",
        subscriber="test-metrics-batch",
        outcome="delivered",
    )
    assert counted == 3


async def test_an_import_records_its_chapter_events_in_one_statement_each_owed_and_delivered(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    add_subscriber: AddSubscriber,
    deliver: Deliver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 17: the study.chapter_added events of an import are appended by one statement
    (events.record_many), not one round trip per chapter; each is still owed to every
    subscriber of its type, in the import's chain, and delivered once."""
    seen: list[tuple[str, str | None]] = []

    async def remember(session: AsyncSession, event: Event) -> None:
        seen.append((str(event.target_id), context.correlation_id.get()))

    add_subscriber("test-chapters", [EventType.study_chapter_added], remember)
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = "".join(f'[White "W{n}"]\n[Black "B{n}"]\n\n1. e4 e5 *\n\n' for n in range(70))
    with round_trips(monkeypatch) as sql:  # on asyncpg: appends sent past the ORM count too
        response = await client.post(
            "/studies",
            json={"name": "Seventy", "parent_id": ws["id"], "pgn": pgn},
            headers={**alice.headers, "X-Correlation-ID": "import-70"},
        )
    assert response.status_code == 201, response.text
    chapters = [c["id"] for study in response.json()["studies"] for c in study["chapters"]]
    assert len(chapters) == 70
    # Two studies (64 + 6): their node.created events, and one statement for 70 chapters.
    appends = [sent for sent in sql if "INSERT INTO events" in sent.query]
    # A statement not prepared before is prepared first (one more exchange, same statement).
    assert len([sent for sent in appends if sent.method != "Connection.prepare"]) == 3
    async with engine.connect() as connection:
        owed = await connection.scalar(
            text(
                "SELECT count(*) FROM event_deliveries d JOIN events e USING (event_id) "
                "WHERE d.subscriber = 'test-chapters' AND e.correlation_id = 'import-70'"
            )
        )
        positions = await connection.scalar(
            text(
                "SELECT count(DISTINCT (payload->>'position')) FROM events "
                "WHERE event_type = 'study.chapter_added' AND correlation_id = 'import-70'"
            )
        )
    assert owed == 70 and positions == 64
    assert await deliver() >= 70
    assert sorted(target for target, _ in seen) == sorted(chapters)
    assert {correlation for _, correlation in seen} == {"import-70"}
    assert await deliver() == 0


async def test_a_gathering_relay_claims_the_commits_of_its_pause_in_one_batch(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A relay of its own is woken by every commit (catachess relay): after a batch that
    was not full it pauses (relay.GATHER) so that the commits woken meanwhile share the
    next batch, instead of each claiming its own delivery alone."""
    claimed: list[int] = []
    claim_due = deliveries.claim_due

    async def counted(*args: Any, **kwargs: Any) -> list[deliveries.Claim]:
        claims = await claim_due(*args, **kwargs)
        if claims:
            claimed.append(len(claims))
        return claims

    monkeypatch.setattr(deliveries, "claim_due", counted)
    alice = await a_user(client, "alice")
    delivered = "SELECT count(*) FROM event_deliveries WHERE delivered_at IS NOT NULL"
    # No poll in the meantime: only the commits wake it.
    quiet = settings.model_copy(update={"event_relay_interval": 3600.0})
    gathering = relay.Relay(sessions, quiet, gather=1.0)
    gathering.start()
    try:
        await a_workspace(client, alice, "First")  # its commit wakes the relay
        await eventually(lambda: _counted(engine, delivered, 1), "the first is delivered")
        await a_workspace(client, alice, "Second")  # wakes it: it pauses a second
        await a_workspace(client, alice, "Third")  # committed during the pause
        await eventually(lambda: _counted(engine, delivered, 3), "all three are delivered")
    finally:
        await gathering.stop()
    assert claimed == [1, 2]


async def _counted(engine: AsyncEngine, sql: str, expected: int) -> bool:
    return await count(engine, sql) == expected
