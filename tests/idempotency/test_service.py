"""The service layer for non-HTTP callers (CLI import, jobs): same table, same rules."""

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.db.engine import make_sessionmaker
from catachess.idempotency.errors import IdempotencyKeyReused, RequestInFlight
from catachess.idempotency.service import Scope, claim, run_once

IMPORT = Scope(user_id=uuid.uuid4(), operation="pgn.import")
TTL = 3600


class Work:
    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> dict[str, object]:
        self.calls += 1
        return {"chapters": 3, "study": "s-1"}


async def test_run_once_runs_the_work_once_and_returns_its_result_after(
    engine: AsyncEngine,
) -> None:
    sessions = make_sessionmaker(engine)
    work = Work()
    async with sessions() as session, session.begin():
        first = await run_once(session, IMPORT, "file-1", "sha-a", work, ttl_seconds=TTL)
    async with sessions() as session, session.begin():
        again = await run_once(session, IMPORT, "file-1", "sha-a", work, ttl_seconds=TTL)
    assert work.calls == 1
    assert (first.replayed, again.replayed) == (False, True)
    assert first.value == again.value == {"chapters": 3, "study": "s-1"}


async def test_run_once_refuses_a_key_reused_for_other_input(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        await run_once(session, IMPORT, "file-1", "sha-a", Work(), ttl_seconds=TTL)
    async with sessions() as session, session.begin():
        with pytest.raises(IdempotencyKeyReused):
            await run_once(session, IMPORT, "file-1", "sha-b", Work(), ttl_seconds=TTL)


async def test_run_once_refuses_a_key_another_transaction_is_running(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    work = Work()
    async with sessions() as running, running.begin():

        async def also_in_the_other_session() -> dict[str, object]:
            async with sessions() as other, other.begin():
                with pytest.raises(RequestInFlight):
                    await run_once(other, IMPORT, "file-1", "sha-a", work, ttl_seconds=TTL)
            return await work()

        await run_once(
            running, IMPORT, "file-1", "sha-a", also_in_the_other_session, ttl_seconds=TTL
        )
    assert work.calls == 1


async def test_work_rolled_back_leaves_the_key_free(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)

    async def failing() -> object:
        raise ValueError("bad PGN")

    with pytest.raises(ValueError):
        async with sessions() as session, session.begin():
            await run_once(session, IMPORT, "file-1", "sha-a", failing, ttl_seconds=TTL)
    work = Work()
    async with sessions() as session, session.begin():
        outcome = await run_once(session, IMPORT, "file-1", "sha-a", work, ttl_seconds=TTL)
    assert (work.calls, outcome.replayed) == (1, False)


async def test_claim_committed_without_a_result_is_run_again(engine: AsyncEngine) -> None:
    """A caller that swallows its work's error and commits leaves a claim, not a result."""
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        assert await claim(session, IMPORT, "file-1", "sha-a", ttl_seconds=TTL) is None
    work = Work()
    async with sessions() as session, session.begin():
        outcome = await run_once(session, IMPORT, "file-1", "sha-a", work, ttl_seconds=TTL)
    assert (work.calls, outcome.replayed) == (1, False)


async def test_scopes_keep_keys_apart(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    work = Work()
    scopes = [IMPORT, Scope(uuid.uuid4(), "pgn.import"), Scope(IMPORT.user_id, "pgn.export")]
    async with sessions() as session, session.begin():
        for scope in scopes:
            await run_once(session, scope, "same-key", "sha-a", work, ttl_seconds=TTL)
    assert work.calls == 3


async def test_keys_and_operations_are_bounded(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    with pytest.raises(ValueError):
        Scope(IMPORT.user_id, "x" * 301)
    async with sessions() as session:
        with pytest.raises(ValueError):
            await run_once(session, IMPORT, "k" * 256, "sha-a", Work(), ttl_seconds=TTL)
