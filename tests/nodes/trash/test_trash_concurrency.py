"""Concurrent trash, restore and purge with real concurrent requests (each on its own
connection): one wins, the other gets a clear 409 or 404, and the tree stays consistent."""

import asyncio
from collections import Counter

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user, events_of, shared_with
from tests.nodes.trash.helpers import (
    assert_tree_consistent,
    node_row,
    purge,
    restore,
    rows,
    trash,
    trashed,
)
from tests.nodes.trash.test_trash import world

ROUNDS = 3


def codes(*responses: httpx.Response) -> list[str]:
    return sorted(
        str(r.status_code) if r.status_code < 400 else f"{r.status_code} {r.json()['code']}"
        for r in responses
    )


async def test_two_restores_of_one_root(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    w = await world(client)
    alice, bob = w["alice"], await a_user(client, "bob")
    await shared_with(client, alice, w["ws"], bob, "editor")
    for _ in range(ROUNDS):
        await trashed(client, alice, w["folder"])
        both = await asyncio.gather(
            restore(client, alice, w["folder"]), restore(client, bob, w["folder"])
        )
        assert codes(*both) == ["200", "409 not_in_trash"]
        await assert_tree_consistent(engine)
    types = Counter(e["event_type"] for e in await events_of(client, engine, w["folder"]["id"]))
    assert (types["node.trashed"], types["node.restored"]) == (ROUNDS, ROUNDS)


async def test_two_trashes_of_one_node(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    w = await world(client)
    alice = w["alice"]
    for _ in range(ROUNDS):
        both = await asyncio.gather(
            trash(client, alice, w["folder"]), trash(client, alice, w["folder"])
        )
        assert codes(*both) == ["200", "409 already_in_trash"]
        await assert_tree_consistent(engine)
        await restore(client, alice, w["folder"])


async def test_two_purges_of_one_root(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["folder"])
    both = await asyncio.gather(
        purge(client, alice, w["folder"]), purge(client, alice, w["folder"])
    )
    assert codes(*both) == ["200", "404 node_not_found"]
    purged = [
        e
        for e in await events_of(client, engine, w["folder"]["id"])
        if e["event_type"] == "node.purged"
    ]
    assert len(purged) == 1
    await assert_tree_consistent(engine)


async def test_restore_against_purge(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["folder"])
    restored, purged = await asyncio.gather(
        restore(client, alice, w["folder"]), purge(client, alice, w["folder"])
    )
    if restored.status_code == 200:  # restore first: there was nothing left to purge
        assert codes(purged) == ["409 not_in_trash"]
        assert (await node_row(engine, w["study"]["id"]))["trashed_at"] is None  # type: ignore[index]
    else:  # purge first: nothing left to restore
        assert codes(restored, purged) == ["200", "404 node_not_found"]
        assert await node_row(engine, w["study"]["id"]) is None
    await assert_tree_consistent(engine)


async def test_trash_against_restore_of_the_same_node(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Whatever the interleaving, the outcome is that of one order, told to both clients."""
    w = await world(client)
    alice = w["alice"]
    for _ in range(ROUNDS):
        trashed_response, restored = await asyncio.gather(
            trash(client, alice, w["folder"]), restore(client, alice, w["folder"])
        )
        assert trashed_response.status_code == 200, trashed_response.text
        folder = await node_row(engine, w["folder"]["id"])
        assert folder is not None
        if restored.status_code == 200:  # trash, then restore
            assert folder["trashed_at"] is None
        else:  # restore found nothing to restore, then trash
            assert codes(restored) == ["409 not_in_trash"]
            assert folder["trash_root_id"] == folder["id"]
            await restore(client, alice, w["folder"])
        await assert_tree_consistent(engine)


async def test_nothing_is_created_or_moved_live_into_a_subtree_being_trashed(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    size = 4
    for n in range(ROUNDS):
        trashed_response, created, moved = await asyncio.gather(
            trash(client, alice, w["folder"]),
            client.post(
                "/nodes",
                json={"kind": "study", "name": f"new {n}", "parent_id": w["sub"]["id"]},
                headers=alice.headers,
            ),
            client.patch(
                f"/nodes/{w['other']['id']}",
                json={"parent_id": w["sub"]["id"]},
                headers=alice.headers,
            ),
        )
        assert trashed_response.status_code == 200
        assert created.status_code in (201, 404), created.text
        assert moved.status_code in (200, 404, 409), moved.text
        await assert_tree_consistent(engine)  # above all: no live node under a trashed one
        # What got in before the trash went to the trash with it, and comes back with it.
        size += created.status_code == 201
        back = await restore(client, alice, w["folder"])
        assert back.json()["node_count"] == size + (moved.status_code == 200)
        if moved.status_code == 200:
            await client.patch(
                f"/nodes/{w['other']['id']}",
                json={"parent_id": w["ws"]["id"]},
                headers=alice.headers,
            )


async def test_restore_against_trash_of_its_parent(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    for _ in range(ROUNDS):
        await trashed(client, alice, w["study"])
        restored, trashed_response = await asyncio.gather(
            restore(client, alice, w["study"]), trash(client, alice, w["folder"])
        )
        assert (restored.status_code, trashed_response.status_code) == (200, 200)
        study = await node_row(engine, w["study"]["id"])
        assert study is not None
        if restored.json()["restored_to_workspace_root"]:  # the folder went first
            assert study["trashed_at"] is None and str(study["parent_id"]) == w["ws"]["id"]
        else:  # the study came back first, then went with the folder
            assert str(study["trash_root_id"]) == w["folder"]["id"]
        await assert_tree_consistent(engine)
        await restore(client, alice, w["folder"])
        if restored.json()["restored_to_workspace_root"]:
            await client.patch(
                f"/nodes/{w['study']['id']}",
                json={"parent_id": w["sub"]["id"]},
                headers=alice.headers,
            )


async def test_a_deadlock_answers_409_concurrent_change_not_500(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Another transaction holds a node inside the subtree and then waits for its root:
    PostgreSQL aborts the trash after deadlock_timeout (1 s), and the client is told to retry."""
    w = await world(client)
    async with engine.connect() as other:
        await other.execute(
            text("SELECT 1 FROM nodes WHERE id = :id FOR UPDATE"), {"id": w["study"]["id"]}
        )
        trashing = asyncio.create_task(trash(client, w["alice"], w["folder"]))
        for _ in range(500):  # until the trash waits for the study row held here
            if await rows(
                engine,
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'UPDATE nodes SET trashed_at%'",
            ):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the trash never waited for the locked study")
        await other.execute(
            text("SELECT 1 FROM nodes WHERE id = :id FOR KEY SHARE"), {"id": w["folder"]["id"]}
        )
        await other.rollback()
    response = await trashing
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "concurrent_change"
    assert (await node_row(engine, w["folder"]["id"]))["trashed_at"] is None  # type: ignore[index]
