"""The relay: delivers owed events to their subscribers after commit, at least once.

It never follows the log by id (ids are assigned in insert order, not commit order); it
claims due rows of `event_deliveries`, which only become visible once the transaction
that recorded the event has committed. One batch is two transactions:

1. claim: lock due rows with FOR UPDATE SKIP LOCKED, count the attempt, lease them;
2. deliver: lock the claimed rows again and, for each, run the handler in a savepoint
   and mark the row delivered — or, if the handler raised, roll its savepoint back and
   schedule a retry with exponential backoff (dead letter after EVENT_MAX_ATTEMPTS).
   The handlers' writes and the delivery marks commit together.

A process that dies anywhere in between loses nothing: the rows stay pending and are due
again when their lease ends, in this process after a restart or in any other one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from typing import Any

import asyncpg
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, SessionTransaction

from catachess import context
from catachess.config import Settings, get_settings
from catachess.events import deliveries, guard, subscribers
from catachess.events.deliveries import Claim
from catachess.events.models import COMMITTED_CHANNEL, Event, EventDelivery
from catachess.events.service import DELIVERIES_OWED
from catachess.ops import metrics

log = logging.getLogger(__name__)

# Ceiling of the backoff between two attempts of one delivery.
MAX_RETRY_DELAY = timedelta(hours=1)
# Seconds a stopping relay waits for its batch in progress before cancelling it.
STOP_TIMEOUT = 10.0
# Upper bound on batches of one drain() call, so a drain always ends.
MAX_DRAIN_BATCHES = 10_000


def retry_delay(attempt: int, base_seconds: float) -> timedelta:
    """Exponential backoff after failed attempt n: base, 2·base, 4·base … at most an hour."""
    exponent = min(max(attempt - 1, 0), 30)
    return min(timedelta(seconds=base_seconds * 2**exponent), MAX_RETRY_DELAY)


@contextlib.contextmanager
def caused_by(event: Event) -> Iterator[None]:
    """Events recorded inside carry this event's correlation id and it as their cause."""
    correlation = context.correlation_id.set(event.correlation_id)
    causation = context.causation_id.set(str(event.event_id))
    try:
        yield
    finally:
        context.causation_id.reset(causation)
        context.correlation_id.reset(correlation)


async def deliver_batch(
    sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None
) -> int:
    """Claim and deliver one batch of due deliveries; returns how many were claimed."""
    settings = settings or get_settings()
    known = list(subscribers.registered())
    if not known:
        return 0
    # Rows of subscribers this process does not know (an older release during a rolling
    # deploy) are left for a process that does.
    async with sessions() as session, session.begin():
        claims = await deliveries.claim_due(
            session,
            known,
            limit=settings.event_relay_batch,
            lease=timedelta(seconds=settings.event_delivery_lease),
        )
    if claims:
        await deliver_claims(sessions, claims, settings)
    return len(claims)


async def deliver_claims(
    sessions: async_sessionmaker[AsyncSession], claims: list[Claim], settings: Settings
) -> None:
    """Run the handlers of claimed deliveries and mark them, all in one transaction.

    The common case first: no handler fails, so the handlers run one after another
    without a savepoint each (a subscriber that handles several events at once gets the
    batch's events together), and one statement marks the batch delivered. If one
    raises, that transaction rolls back whole and the batch runs again with a savepoint
    per delivery: the failed delivery is counted failed without running again (a retry
    waits for its backoff, as always), the others are delivered. When a handler of
    several events raised, which event failed is unknown: each runs again alone.
    """
    failed: _Failed | None = None
    try:
        delivered = await _deliver_together(sessions, claims)
    except _Failed as failure:
        failed = failure
    else:
        # One labels() per subscriber, not per delivery: it hashes, checks and locks.
        for subscriber, count in Counter(delivered).items():
            metrics.event_deliveries.labels(subscriber, "delivered").inc(count)
        return
    async with sessions() as session, session.begin():
        for delivery, event in await deliveries.lock_claimed(session, claims):
            known = failed.error if delivery.id == failed.delivery_id else None
            await _deliver(session, delivery, event, settings, known_failure=known)


class _Failed(Exception):
    """A handler of a batch delivered together raised `error`: the delivery's, or None
    when a subscriber's handler of several events raised (which one failed is unknown)."""

    def __init__(self, delivery_id: int | None, error: Exception) -> None:
        super().__init__(delivery_id, error)
        self.delivery_id = delivery_id
        self.error = error


async def _deliver_together(
    sessions: async_sessionmaker[AsyncSession], claims: list[Claim]
) -> list[str]:
    """Deliver the claims in one transaction without savepoints; the subscribers served.
    A subscriber with a handler of several events gets its events of the batch at once.
    Raises _Failed (the transaction rolled back) when a handler raises."""
    handlers = subscribers.registered()
    async with sessions() as session, session.begin():
        locked = await deliveries.lock_claimed(session, claims)
        by_subscriber: dict[str, list[tuple[EventDelivery, Event]]] = {}
        for delivery, event in locked:
            by_subscriber.setdefault(delivery.subscriber, []).append((delivery, event))
        for name, group in by_subscriber.items():
            handler = handlers[name]
            if handler.handle_many is not None:
                try:
                    with guard.apart(session.sync_session):
                        await handler.handle_many(session, [event for _, event in group])
                        await session.flush()
                except Exception as error:
                    raise _Failed(group[0][0].id if len(group) == 1 else None, error) from error
                continue
            for delivery, event in group:
                try:
                    with caused_by(event), guard.apart(session.sync_session):
                        await handler.handle(session, event)
                        await session.flush()
                except Exception as error:
                    raise _Failed(delivery.id, error) from error
        await deliveries.mark_all_delivered(session, [delivery.id for delivery, _ in locked])
    return [delivery.subscriber for delivery, _ in locked]


async def _deliver(
    session: AsyncSession,
    delivery: EventDelivery,
    event: Event,
    settings: Settings,
    *,
    known_failure: Exception | None = None,
) -> None:
    """Run one handler in a savepoint and mark its delivery; `known_failure`: it already
    raised this in this claim's attempt, so it is counted failed without running again."""
    error = known_failure or await _attempt(session, delivery, event)
    if error is not None:  # a handler's failure is data: count it and retry later
        log.warning(
            "delivery %d of %s %s to %s failed (attempt %d of %d): %r",
            delivery.id,
            event.event_type,
            event.event_id,
            delivery.subscriber,
            delivery.attempts,
            settings.event_max_attempts,
            error,
        )
        deliveries.mark_failed(
            delivery,
            f"{type(error).__name__}: {error}",
            max_attempts=settings.event_max_attempts,
            retry_in=retry_delay(delivery.attempts, settings.event_retry_base),
        )
        outcome = "dead" if delivery.dead_at is not None else "failed"
        metrics.event_deliveries.labels(delivery.subscriber, outcome).inc()
    else:
        deliveries.mark_delivered(delivery)
        metrics.event_deliveries.labels(delivery.subscriber, "delivered").inc()
    await session.flush()


async def _attempt(
    session: AsyncSession, delivery: EventDelivery, event: Event
) -> Exception | None:
    """Run the delivery's handler in a savepoint; what it raised (writes undone), if any."""
    handler = subscribers.registered()[delivery.subscriber]
    try:
        with caused_by(event):
            async with session.begin_nested():
                await handler.handle(session, event)
                await session.flush()
                guard.check(session.sync_session)  # its writes need their events too
    except Exception as error:
        return error
    return None


async def drain(
    sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None
) -> int:
    """Deliver everything that is due now; returns how many deliveries were attempted."""
    settings = settings or get_settings()
    total = 0
    for _ in range(MAX_DRAIN_BATCHES):
        claimed = await deliver_batch(sessions, settings)
        total += claimed
        if claimed < settings.event_relay_batch:
            break
    return total


class Relay:
    """The background delivery loop of one process: a server's (started in the app
    lifespan) or a relay process's (`run_alone`)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        gather: float = 0.0,
    ) -> None:
        """`gather`: seconds a woken relay waits before its next claim after a batch that
        was not full, so that the deliveries committed meanwhile share one batch."""
        self.sessions = sessions
        self.settings = settings
        self.gather = gather
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        _install_wake_up()
        _RUNNING.add(self)
        self._task = asyncio.create_task(self._run(), name="event-relay")

    def wake(self) -> None:
        """Look for due deliveries now instead of at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop claiming; the batch in progress finishes (or is cancelled after a timeout)."""
        _RUNNING.discard(self)
        self._stopping = True
        self._wake.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT)
        except TimeoutError:
            # Cancelling rolls the batch back; its rows are due again after their lease.
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await deliver_batch(self.sessions, self.settings)
            except Exception:
                log.exception("event relay batch failed; retrying after the poll interval")
                claimed = 0
            if self._stopping or claimed >= self.settings.event_relay_batch:
                continue
            # Other processes' commits are noticed by polling; this process's by wake().
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.event_relay_interval)
                if self.gather and claimed and not self._stopping:
                    await asyncio.sleep(self.gather)


_RUNNING: set[Relay] = set()


# A relay of its own is woken by every commit of any process: without a pause it would
# claim each commit's one delivery alone, and spend more on batches than on deliveries.
GATHER = 0.05


async def run_alone(url: str, settings: Settings, stop: asyncio.Event) -> None:
    """The relay as a process of its own (`catachess relay`), until `stop` is set.

    Servers then run with EVENT_RELAY=false, and deliveries no longer share their
    processes with requests: that pays where cores are to spare (on the 2-core bench
    machine the create's rate stays the same, docs/performance.md, ninth pass). Other
    processes' commits are not seen by wake(): this relay LISTENs on the channel the
    positions trigger notifies at every commit that recorded events, and polls every
    EVENT_RELAY_INTERVAL meanwhile, as every relay does.
    """
    from catachess.db.engine import make_engine, make_sessionmaker

    engine = make_engine(url, pool_size=2)
    relay = Relay(make_sessionmaker(engine), settings, gather=GATHER)
    relay.start()
    try:
        await _wake_on_commits(url, relay, stop, settings.event_relay_interval)
    finally:
        await relay.stop()
        await engine.dispose()


async def _wake_on_commits(url: str, relay: Relay, stop: asyncio.Event, retry: float) -> None:
    """Wake the relay at every NOTIFY of committed events until `stop`, listening again
    (after `retry` seconds) whenever the connection is lost."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    while not stop.is_set():
        try:
            await _listen(dsn, relay, stop)
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("event relay cannot LISTEN (%r); polling until it can", error)
        if not stop.is_set():
            await _first_of(stop.wait(), asyncio.sleep(retry))


async def _listen(dsn: str, relay: Relay, stop: asyncio.Event) -> None:
    """One LISTEN connection: wake the relay at each NOTIFY until `stop` or its loss."""
    lost = asyncio.Event()
    listener = await asyncpg.connect(dsn)
    try:
        listener.add_termination_listener(lambda _: lost.set())
        await listener.add_listener(COMMITTED_CHANNEL, lambda *_: relay.wake())
        relay.wake()  # whatever was committed before it listened
        await _first_of(stop.wait(), lost.wait())
    finally:
        await listener.close()


async def _first_of(*waits: Coroutine[Any, Any, Any]) -> None:
    """Return when the first of these finishes; the others are cancelled."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _wake_after_commit(session: Session) -> None:
    if not session.in_nested_transaction() and session.info.pop(DELIVERIES_OWED, False):
        for relay in _RUNNING:
            relay.wake()


def _forget_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(DELIVERIES_OWED, None)


def _install_wake_up() -> None:
    if not sa_event.contains(Session, "after_commit", _wake_after_commit):
        sa_event.listen(Session, "after_commit", _wake_after_commit)
        sa_event.listen(Session, "after_transaction_end", _forget_after_rollback)
