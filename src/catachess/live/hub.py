"""The live hub of one server process: one LISTEN connection, fan-out to its streams.

The event log is what streams send; PostgreSQL `NOTIFY catachess_events` (sent at commit
by the trigger that assigns positions) only wakes the hub. On each wake-up the hub reads
the log once from its position to the committed head, for every stream of the process
at once, and offers each event to the streams that want it. A missed notification costs
latency, never an event: the hub also reads every LIVE_POLL_INTERVAL seconds and after
its listening connection comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.events.models import COMMITTED_CHANNEL, Event
from catachess.events.repository import SHARING_EVENTS
from catachess.events.types import EventType
from catachess.live import presence, repository
from catachess.live.schemas import PresenceList
from catachess.sharing.policy import Action, Role, allows

log = logging.getLogger(__name__)

# Seconds a stopping hub waits for its dispatch in progress before cancelling it.
STOP_TIMEOUT = 5.0
# Events read per query while catching up (the hub and a resuming stream alike).
PAGE = 500
SHARING_TYPES = frozenset(str(t) for t in SHARING_EVENTS)
# After one of these in a stream's workspace, its access is checked again.
ACCESS_TYPES = frozenset(
    str(t)
    for t in (
        EventType.acl_granted,
        EventType.acl_revoked,
        EventType.node_moved,
        EventType.node_trashed,
        EventType.node_purged,
    )
)


@dataclass(frozen=True)
class Closing:
    """The last item of a stream: why it ends."""

    reason: str


NOBODY = PresenceList(viewers=[], anonymous=0)


@dataclass(frozen=True)
class Presence:
    """Who views the stream's study now (not an event: it has no position)."""

    viewers: PresenceList


@dataclass(eq=False)
class Subscription:
    """One open stream: a study's events, or a user's own events of some types.

    The inbox is bounded: a client that stops reading is dropped with `queue_full`
    instead of growing the server's memory (it resumes from the log on reconnect).
    """

    user_id: uuid.UUID
    capacity: int
    study_id: uuid.UUID | None = None
    workspace_id: uuid.UUID | None = None
    role: Role | None = None
    own_types: frozenset[str] = frozenset()
    inbox: asyncio.Queue[Event | Closing | Presence] = field(init=False)
    closed: str | None = None

    def __post_init__(self) -> None:
        self.inbox = asyncio.Queue(self.capacity + 1)  # one more for the Closing

    @property
    def route(self) -> uuid.UUID:
        return self.study_id or self.user_id

    def wants(self, event: Event) -> bool:
        if self.study_id is not None:
            if event.node_id != self.study_id:
                return False
            # Who may access what is for those who manage the shares (docs/events.md).
            return event.event_type not in SHARING_TYPES or allows(self.role, Action.manage_shares)
        return (
            event.target_type == "user"
            and event.target_id == self.user_id
            and event.event_type in self.own_types
        )

    def offer(self, item: Event | Presence) -> None:
        if self.closed is not None or (isinstance(item, Event) and not self.wants(item)):
            return
        if self.inbox.qsize() >= self.capacity:
            self.close("queue_full")
            return
        self.inbox.put_nowait(item)

    def close(self, reason: str) -> None:
        """End the stream: what it has not read yet is dropped (the log keeps it)."""
        if self.closed is not None:
            return
        self.closed = reason
        while not self.inbox.empty():
            self.inbox.get_nowait()
        self.inbox.put_nowait(Closing(reason))

    def filters(self) -> dict[str, Any]:
        """What list_after needs to read this stream's events from the log."""
        if self.study_id is not None:
            return {"node_ids": [self.study_id]}
        return {"user_types": ([self.user_id], sorted(self.own_types))}


# Checks a stream's access now: None if it may go on, else why it must close.
AccessCheck = Callable[[AsyncSession, Subscription], Awaitable[str | None]]


class LiveHub:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        settings: Settings,
        check_access: AccessCheck,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.check_access = check_access
        # Every position up to this one has been offered to the streams.
        self.position = 0
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        self._routes: dict[uuid.UUID, set[Subscription]] = {}
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._restore_signals: list[tuple[int, Any]] = []
        # Presence: studies whose list changed (NOTIFY), the list each study's streams
        # were last sent, and when all lists were last read (for expiries).
        self._presence_changed: set[uuid.UUID] = set()
        self._presence_sent: dict[uuid.UUID, PresenceList] = {}
        self._presence_read_at = 0.0

    @property
    def streams(self) -> int:
        return sum(len(subs) for subs in self._routes.values())

    def subscriptions(self) -> Iterator[Subscription]:
        for subs in list(self._routes.values()):
            yield from list(subs)

    async def start(self) -> None:
        # No database work here: a server whose database is down must still start (and
        # answer /ready 503). The position is read when the first stream subscribes.
        self._close_streams_on_exit_signals()
        self._task = asyncio.create_task(self._run(), name="live-hub")

    async def stop(self) -> None:
        self.close_all("server_shutdown")
        for signum, handler in self._restore_signals:
            signal.signal(signum, handler)
        self._stopping = True
        self.wake()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), STOP_TIMEOUT)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()

    def close_all(self, reason: str) -> None:
        for sub in self.subscriptions():
            sub.close(reason)

    async def subscribe(self, sub: Subscription) -> int:
        """Add a stream; it is offered every event after the returned position."""
        async with self._lock:  # not in the middle of a dispatch
            if not self._routes:
                # Nobody listened, so dispatch skipped the log: catch the position up now.
                async with self.sessions() as session:
                    self.position = max(self.position, await repository.head_position(session))
            self._routes.setdefault(sub.route, set()).add(sub)
            self.wake()  # the loop LISTENs now if it did not yet
            return self.position

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._routes.get(sub.route)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._routes[sub.route]

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            await self._listen()
            # Not cancelled to stop (Python 3.11's wait_for can lose a cancellation that
            # races its timeout): stop() sets the flag and wakes the loop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._wait_time()):
                    await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.dispatch()
            except Exception:
                log.exception("live hub could not read the event log; retrying")
            try:
                await self.send_presence()
            except Exception:
                log.exception("live hub could not read presence; retrying")

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        if not self._routes:
            return  # nobody to wake: no LISTEN connection until a stream subscribes
        try:
            listener = await asyncpg.connect(self._dsn)
            await listener.add_listener(COMMITTED_CHANNEL, self._notified)
            await listener.add_listener(repository.PRESENCE_CHANNEL, self._presence_notified)
            listener.add_termination_listener(lambda _: self.wake())
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("live hub cannot LISTEN (%r); polling until it can", error)
            return
        self._listener = listener
        self.wake()  # what committed while nobody listened is read now

    def _notified(self, connection: object, pid: int, channel: str, payload: object) -> None:
        self.wake()

    def _presence_notified(
        self, connection: object, pid: int, channel: str, payload: object
    ) -> None:
        with contextlib.suppress(ValueError):
            study_id = uuid.UUID(str(payload))
            if study_id in self._routes:
                self._presence_changed.add(study_id)
                self.wake()

    def _wait_time(self) -> float:
        """The backstop poll, shortened to the presence refresh while studies stream."""
        if any(s.study_id is not None for s in self.subscriptions()):
            return min(self.settings.live_poll_interval, self.presence_refresh)
        return self.settings.live_poll_interval

    @property
    def presence_refresh(self) -> float:
        """Seconds between reads of every list: a page that vanished leaves within
        PRESENCE_TTL plus this."""
        return min(5.0, self.settings.presence_ttl / 4)

    async def send_presence(self) -> None:
        """Send the streams of each study whose presence list changed the new list: those
        NOTIFY named, and every study's every `presence_refresh` seconds (expiries)."""
        studies = {s.study_id for s in self.subscriptions() if s.study_id is not None}
        for gone in set(self._presence_sent) - studies:
            del self._presence_sent[gone]
        now = time.monotonic()
        if now - self._presence_read_at >= self.presence_refresh:
            self._presence_read_at = now
            wanted = studies
        else:
            wanted = self._presence_changed & studies
        self._presence_changed.clear()
        if not wanted:
            return
        async with self.sessions() as session:
            lists = await presence.lists_of(session, sorted(wanted), self.settings.presence_ttl)
        for study_id, viewers in lists.items():
            # Streams start from "nobody" (the page's own heartbeat answers the list).
            if self._presence_sent.get(study_id, NOBODY) == viewers:
                continue
            self._presence_sent[study_id] = viewers
            for sub in list(self._routes.get(study_id, ())):
                sub.offer(Presence(viewers))

    async def dispatch(self) -> None:
        """Offer every event committed since the last dispatch to the streams wanting it."""
        if not self._routes:
            # No stream here: no query either (subscribe reads the head when one comes).
            return
        async with self._lock, self.sessions() as session:
            head = await repository.head_position(session)
            if head <= self.position or not self._routes:
                self.position = max(self.position, head)
                return
            subs = list(self.subscriptions())
            studies = [s.study_id for s in subs if s.study_id is not None]
            workspaces = {s.workspace_id for s in subs if s.workspace_id is not None}
            users = [s.user_id for s in subs if s.study_id is None]
            own_types = set().union(*(s.own_types for s in subs))
            while True:
                batch = await repository.list_after(
                    session,
                    self.position,
                    head,
                    node_ids=studies,
                    workspace_types=(sorted(workspaces), sorted(ACCESS_TYPES)),
                    user_types=(users, sorted(own_types)),
                    limit=PAGE,
                )
                for event in batch:
                    await self._offer(session, event)
                if len(batch) < PAGE:
                    break
                self.position = batch[-1].position or head
            self.position = head

    async def _offer(self, session: AsyncSession, event: Event) -> None:
        if event.event_type in ACCESS_TYPES:
            await self.recheck(session, [s for s in self.subscriptions() if _in(s, event)])
        for sub in list(self._routes.get(event.node_id or event.target_id, ())):
            sub.offer(event)

    async def recheck(self, session: AsyncSession, subs: Sequence[Subscription]) -> None:
        """Close the streams whose access is gone (their reason is the closing event)."""
        for sub in subs:
            if sub.closed is None:
                reason = await self.check_access(session, sub)
                if reason is not None:
                    sub.close(reason)

    def _close_streams_on_exit_signals(self) -> None:
        """A server stopping waits for its responses to finish; streams never do unless
        told: the exit signal closes them first (each client gets `server_shutdown`)."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue

            def on_exit(number: int, frame: FrameType | None, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(self.close_all, "server_shutdown")
                previous(number, frame)

            signal.signal(signum, on_exit)
            self._restore_signals.append((signum, previous))


def _in(sub: Subscription, event: Event) -> bool:
    return sub.study_id is not None and sub.workspace_id == event.workspace_id
