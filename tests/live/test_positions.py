"""events.position: commit order, so following the log by position skips nothing.

`seq` is taken when a row is inserted; a transaction that inserted first can commit
last. These tests hold transactions open on real connections to make that happen.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.events import service as events
from catachess.events.models import Event
from catachess.events.service import Target
from catachess.events.types import EventType, UserRegistered
from catachess.live import repository


async def a_user_event(session: AsyncSession) -> uuid.UUID:
    user_id = uuid.uuid4()
    await events.record(
        session,
        EventType.user_registered,
        actor_id=user_id,
        target=Target(user_id, "user"),
        workspace_id=None,
        version=None,
        payload=UserRegistered(email=f"{user_id}@example.com"),
    )
    return user_id


async def stored(engine: AsyncEngine, target_id: uuid.UUID) -> Event:
    async with AsyncSession(engine) as session:
        event = await session.scalar(select(Event).where(Event.target_id == target_id))
        assert event is not None
        return event


async def test_an_event_inserted_first_but_committed_last_gets_the_later_position(
    engine: AsyncEngine,
) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as slow, sessions() as fast, sessions() as reader:
        first = await a_user_event(slow)  # inserted first, still in flight
        second = await a_user_event(fast)
        await fast.commit()
        head = await repository.head_position(reader)
        await reader.commit()
        # A follower by seq would now stand past `first` and never see it.
        assert (await stored(engine, second)).position == head
        await slow.commit()
    early, late = await stored(engine, first), await stored(engine, second)
    assert early.seq < late.seq
    assert early.position is not None and late.position is not None
    assert early.position > late.position > 0


async def test_a_follower_by_position_sees_every_concurrent_commit_exactly_once(
    engine: AsyncEngine,
) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    writers, per_writer = 8, 6
    async with sessions() as session:
        start = await repository.head_position(session)
    written: set[uuid.UUID] = set()
    done = asyncio.Event()

    async def write(n: int) -> None:
        for _ in range(per_writer):
            async with sessions() as session, session.begin():
                for _ in range(n % 3 + 1):  # transactions of one to three events
                    written.add(await a_user_event(session))

    async def follow() -> list[uuid.UUID]:
        seen: list[uuid.UUID] = []
        cursor = start
        while True:
            finished = done.is_set()
            async with sessions() as session:
                head = await repository.head_position(session)
                page = (
                    await repository.list_after(
                        session,
                        cursor,
                        head,
                        user_types=(list(written), ["user.registered"]),
                        limit=10_000,
                    )
                    if written
                    else []
                )
            seen.extend(event.target_id for event in page)
            cursor = head  # everything up to the head has been read: never look back
            if finished:
                return seen
            await asyncio.sleep(0)

    follower = asyncio.create_task(follow())
    await asyncio.gather(*(write(n) for n in range(writers)))
    done.set()
    seen = await follower
    assert len(seen) == len(set(seen)), "an event was delivered twice"
    assert set(seen) == written, f"{len(written - set(seen))} events were skipped"


async def test_the_events_of_one_transaction_are_numbered_in_insert_order(
    engine: AsyncEngine,
) -> None:
    """Each event is numbered by its own trigger call: in `seq` order within the
    transaction, consecutively (nothing else commits meanwhile), and listeners are woken."""
    async with engine.connect() as listening:
        raw = (await listening.get_raw_connection()).driver_connection
        heard = asyncio.Event()

        def wake(*_: object) -> None:
            heard.set()

        await raw.add_listener("catachess_events", wake)
        async with AsyncSession(engine) as session, session.begin():
            targets = [await a_user_event(session) for _ in range(5)]
        await asyncio.wait_for(heard.wait(), 30)
        await raw.remove_listener("catachess_events", wake)
    events_ = sorted([await stored(engine, target) for target in targets], key=lambda e: e.seq)
    assert [event.target_id for event in events_] == targets
    first = events_[0].position
    assert first is not None
    assert [event.position for event in events_] == list(range(first, first + 5))
