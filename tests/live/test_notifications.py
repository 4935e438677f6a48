"""Notifications made from events by the `notifications` subscriber (issue 13)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from catachess.config import Settings
from catachess.db.engine import make_sessionmaker
from catachess.events import relay
from catachess.events.models import Event
from catachess.notifications import service
from tests.factories import Actor, a_user, a_workspace, shared_with
from tests.studies.helpers import a_chapter, read_chapter


async def deliver(engine: AsyncEngine, settings: Settings) -> None:
    await relay.drain(make_sessionmaker(engine), settings)


async def inbox(client: httpx.AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    response = await client.get("/notifications", params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def a_thread(
    client: httpx.AsyncClient, actor: Actor, study_id: str, body: str = "why?", **where: Any
) -> dict[str, Any]:
    response = await client.post(
        "/discussions",
        json={"study_id": study_id, "title": "The plan", "body": body, **where},
        headers=actor.headers,
    )
    assert response.status_code == 201, response.text
    thread: dict[str, Any] = response.json()
    return thread


async def a_reply(
    client: httpx.AsyncClient,
    actor: Actor,
    thread: dict[str, Any],
    body: str,
    parent: str | None = None,
) -> None:
    response = await client.post(
        f"/discussions/{thread['id']}/replies",
        json={"body": body, "parent_post_id": parent},
        headers=actor.headers,
    )
    assert response.status_code == 201, response.text


async def a_shared_study(
    client: httpx.AsyncClient, owner: Actor, *members: tuple[Actor, str]
) -> tuple[str, str]:
    workspace = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, workspace)
    for member, role in members:
        await shared_with(client, owner, {"id": study_id}, member, role)
    return study_id, chapter_id


async def test_a_reply_to_your_thread_notifies_you_once_even_when_delivered_twice(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, _ = await a_shared_study(client, alice, (bob, "commenter"))
    thread = await a_thread(client, alice, study_id)
    await a_reply(client, bob, thread, "because of the knight")
    await deliver(engine, settings)
    async with engine.begin() as connection:  # the relay delivers the reply again
        redone = await connection.execute(
            text(
                "UPDATE event_deliveries d SET delivered_at = NULL, next_attempt_at = now() "
                "FROM events e WHERE e.event_id = d.event_id AND d.subscriber = 'notifications' "
                "AND e.event_type = 'discussion.reply_added'"
            )
        )
        assert redone.rowcount == 1
    await deliver(engine, settings)
    page = await inbox(client, alice)
    assert [(n["kind"], n["actor_id"]) for n in page["items"]] == [("reply", bob.id)]
    assert page["items"][0]["summary"] == "bob replied in “The plan”"
    assert page["items"][0]["link"]["thread_id"] == thread["id"]
    assert page["unread_count"] == 1
    # Nobody hears of their own action: bob was only told of his share.
    assert [n["kind"] for n in (await inbox(client, bob))["items"]] == ["share"]


async def test_two_processes_delivering_one_event_at_once_make_one_notification(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, _ = await a_shared_study(client, alice, (bob, "commenter"))
    thread = await a_thread(client, alice, study_id)
    await a_reply(client, bob, thread, "because of the knight")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        reply = await session.scalar(
            select(Event).where(Event.event_type == "discussion.reply_added")
        )
    assert reply is not None

    async def one_delivery() -> int:
        session: AsyncSession
        async with sessions() as session, session.begin():
            return await service.notify(session, reply)

    made = await asyncio.gather(one_delivery(), one_delivery())
    assert sorted(made) == [0, 1]
    assert len((await inbox(client, alice))["items"]) == 1
    async with engine.connect() as connection:
        created = await connection.scalar(
            text("SELECT count(*) FROM events WHERE event_type = 'notification.created'")
        )
    assert created == 1


async def test_a_mention_reaches_members_and_nobody_who_cannot_read_the_study(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    outsider = await a_user(client, "outsider")
    study_id, _ = await a_shared_study(client, alice, (bob, "viewer"))
    await a_thread(client, alice, study_id, body=f"@bob and @outsider and @{outsider.email}: look")
    await deliver(engine, settings)
    mention, share = (await inbox(client, bob))["items"]
    assert (mention["kind"], share["kind"]) == ("mention", "share")
    assert mention["summary"] == "alice mentioned you in “The plan”"
    assert (await inbox(client, outsider))["items"] == []


async def test_a_share_notifies_the_grantee(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, _ = await a_shared_study(client, alice, (bob, "editor"))
    await deliver(engine, settings)
    [share] = (await inbox(client, bob))["items"]
    assert share["kind"] == "share"
    assert share["summary"] == "alice shared “Najdorf” with you as editor"
    assert share["node_id"] == study_id


async def test_a_share_revoked_before_delivery_notifies_nobody(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, _ = await a_shared_study(client, alice, (bob, "viewer"))
    revoked = await client.delete(f"/nodes/{study_id}/shares/{bob.id}", headers=alice.headers)
    assert revoked.status_code == 204, revoked.text
    await deliver(engine, settings)
    assert (await inbox(client, bob))["items"] == []


async def test_a_thread_on_a_move_notifies_the_study_owner(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, chapter_id = await a_shared_study(client, alice, (bob, "commenter"))
    chapter = await read_chapter(client, alice, study_id, chapter_id)
    move_id = next(iter(chapter["tree"]["nodes"]))
    await a_thread(client, bob, study_id, chapter_id=chapter_id, move_id=move_id)
    await a_thread(client, bob, study_id)  # not on a move: nobody to tell
    await deliver(engine, settings)
    [comment] = (await inbox(client, alice))["items"]
    assert comment["kind"] == "move_comment"
    assert comment["link"]["move_id"] == move_id


async def test_preferences_turn_a_kind_off(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    off = await client.put(
        "/me/notification-preferences", json={"kinds": {"share": False}}, headers=bob.headers
    )
    assert off.status_code == 200, off.text
    assert off.json()["kinds"] == {
        "mention": True,
        "reply": True,
        "move_comment": True,
        "share": False,
    }
    study_id, _ = await a_shared_study(client, alice, (bob, "commenter"))
    await a_thread(client, alice, study_id, body="over to you @bob")
    await deliver(engine, settings)
    assert [n["kind"] for n in (await inbox(client, bob))["items"]] == ["mention"]
    bad = await client.put(
        "/me/notification-preferences", json={"kinds": {"gossip": False}}, headers=bob.headers
    )
    assert bad.status_code == 422


async def test_reading_by_ids_and_up_to_one(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    study_id, _ = await a_shared_study(client, alice, (bob, "commenter"))
    for n in range(4):
        await a_thread(client, alice, study_id, body=f"@bob number {n}")
    await deliver(engine, settings)
    items = (await inbox(client, bob))["items"]
    assert len(items) == 5  # the share and four mentions, newest first
    first = await client.post(
        "/notifications/read", json={"ids": [items[0]["id"]]}, headers=bob.headers
    )
    assert first.json() == {"marked": [items[0]["id"]], "unread_count": 4}
    rest = await client.post(
        "/notifications/read", json={"up_to": items[2]["id"]}, headers=bob.headers
    )
    assert sorted(rest.json()["marked"]) == sorted(n["id"] for n in items[2:])
    unread = await inbox(client, bob, unread="true")
    assert [n["id"] for n in unread["items"]] == [items[1]["id"]]
    count = await client.get("/notifications/unread-count", headers=bob.headers)
    assert count.json() == {"unread_count": 1}
    page = await inbox(client, bob, limit=2)
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest_page = await inbox(client, bob, limit=10, cursor=page["next_cursor"])
    assert [n["id"] for n in page["items"] + rest_page["items"]] == [n["id"] for n in items]
    nothing = await client.post("/notifications/read", json={}, headers=bob.headers)
    assert nothing.status_code == 422
    foreign = await client.post(
        "/notifications/read", json={"up_to": items[0]["id"]}, headers=alice.headers
    )
    assert foreign.status_code == 404
