"""Statements sent to asyncpg past the ORM (catachess.db.raw) behave as through SQLAlchemy."""

from __future__ import annotations

import asyncio
import gc
import logging
import uuid
import weakref

import pytest
from sqlalchemy import Float, Integer, String, bindparam, cast, func, inspect, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.auth.models import User
from catachess.db.engine import make_engine, make_read_sessionmaker, make_sessionmaker
from catachess.db.raw import Prebuilt, attach
from catachess.events import guard

AS_NUMBER = Prebuilt(select(cast(bindparam("text", type_=String), Integer)), "text")
# A user row whose created_by-free columns are all given: NOT NULL email left NULL.
BAD_USER = Prebuilt(
    select(User.id)
    .where(User.id == bindparam("id", type_=User.id.type))
    .add_cte(
        User.__table__.insert()
        .values(id=bindparam("id", type_=User.id.type), email=None)
        .cte("bad_user")
    ),
    "id",
)


@pytest.mark.parametrize("read_session", [False, True], ids=["transaction", "autocommit read"])
async def test_a_driver_error_is_the_error_sqlalchemy_raises_with_the_drivers_inside(
    engine: AsyncEngine, read_session: bool
) -> None:
    sessions = make_read_sessionmaker(engine) if read_session else make_sessionmaker(engine)
    async with sessions() as session:
        assert await AS_NUMBER.fetchrow(session, text="42") == (42,)
        with pytest.raises(DBAPIError) as through_sqlalchemy:
            await session.execute(AS_NUMBER.statement, {"text": "forty-two"})
    async with sessions() as session:
        with pytest.raises(DBAPIError) as raw:
            await AS_NUMBER.fetchrow(session, text="forty-two")
    assert type(raw.value) is type(through_sqlalchemy.value)
    assert getattr(raw.value.orig, "sqlstate", None) == "22P02"


async def test_a_constraint_violation_is_sqlalchemys_integrity_error(engine: AsyncEngine) -> None:
    async with make_sessionmaker(engine)() as session:
        with pytest.raises(IntegrityError):
            await BAD_USER.fetchrow(session, id=uuid.uuid4())


async def test_finding_a_borrowed_connection_returned_to_a_full_pool_is_closed_cleanly(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An autocommit read borrows a pool connection for its one statement. Returned to a
    pool that is full (an overflow connection), the pool closes it, which awaits the
    driver: outside a greenlet that raised MissingGreenlet, logged as an error by the pool
    (two server processes under load, tests/ops/test_two_processes_as_one.py)."""
    engine = make_engine(database_url, pool_size=1)
    sleep = Prebuilt(select(func.pg_sleep(bindparam("seconds", type_=Float))), "seconds")
    sessions = make_read_sessionmaker(engine)

    async def one_read() -> None:
        async with sessions() as session:
            await sleep.fetchrow(session, seconds=0.2)

    try:
        with caplog.at_level(logging.ERROR, logger="sqlalchemy.pool"):
            await asyncio.gather(*(one_read() for _ in range(4)))
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert engine.pool.overflow() <= 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def stored_user(engine: AsyncEngine, email: str) -> User:
    async with make_sessionmaker(engine)() as session:
        user = User(email=email, display_name="Stored", password_hash="x")
        session.add(user)
        guard.upkeep(session.sync_session, "a test's own row")
        await session.commit()
        return user


async def test_an_attached_instance_is_persistent_unmodified_and_the_sessions_own(
    engine: AsyncEngine,
) -> None:
    """attach() leaves an instance as a query would have loaded it: in the identity map
    (found again without a statement), with no changes to flush, and written back like
    any loaded instance once changed."""
    stored = await stored_user(engine, "attach@example.com")
    async with make_sessionmaker(engine)() as session:
        values = {"id": stored.id, "email": stored.email, "display_name": "Stored"}
        values |= {"password_hash": "x", "disabled_at": None, "created_at": stored.created_at}
        user = attach(session, User, values)
        assert inspect(user).persistent
        assert not session.is_modified(user)
        assert session.identity_map.get(inspect(user).key) is user
        assert await session.get(User, stored.id) is user
        assert attach(session, User, {**values, "display_name": "other"}) is user
        user.display_name = "Renamed"
        guard.upkeep(session.sync_session, "a test's own row")
        await session.commit()
    async with make_sessionmaker(engine)() as session:
        assert await session.scalar(select(User.display_name).where(User.id == stored.id)) == (
            "Renamed"
        )


async def test_an_attribute_attach_was_not_given_is_loaded_when_read(engine: AsyncEngine) -> None:
    """Like make_transient_to_detached: what attach() was not given is expired, not None."""
    stored = await stored_user(engine, "partial@example.com")
    async with make_sessionmaker(engine)() as session:
        user = attach(session, User, {"id": stored.id, "email": stored.email})
        assert "display_name" in inspect(user).expired_attributes
        assert await session.run_sync(lambda _: user.display_name) == "Stored"


TRANSACTION_ID = Prebuilt(select(func.txid_current()))


async def test_statements_of_one_transaction_share_it_and_the_next_transaction_is_new(
    engine: AsyncEngine,
) -> None:
    """The connection of a transaction is looked up once (db.raw._adapter_of): the
    statements after a commit, a rollback or a close run in a new transaction."""
    async with make_sessionmaker(engine)() as session:
        first = await TRANSACTION_ID.fetchrow(session)
        assert await TRANSACTION_ID.fetchrow(session) == first
        async with session.begin_nested():
            assert await TRANSACTION_ID.fetchrow(session) == first
        await session.commit()
        second = await TRANSACTION_ID.fetchrow(session)
        assert second != first
        await session.rollback()
        third = await TRANSACTION_ID.fetchrow(session)
        assert third not in (first, second)
        await session.close()
        assert await TRANSACTION_ID.fetchrow(session) not in (first, second, third)


async def test_a_finished_transaction_is_not_kept_alive_by_its_connection_lookup(
    engine: AsyncEngine,
) -> None:
    """db.raw remembers a transaction's connection weakly: a strong reference kept each
    finished transaction, and what it held, alive until the next statement (a 580-game
    import's peak memory went from 166 to 257 MiB, bench/pgn_import.py e)."""
    async with make_sessionmaker(engine)() as session:
        await TRANSACTION_ID.fetchrow(session)
        transaction = session.sync_session.get_transaction()
        assert transaction is not None
        finished = weakref.ref(transaction)
        del transaction
        await session.commit()
        gc.collect()
        assert finished() is None
