import asyncio
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor, a_study, a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import a_chapter, mainline, read_chapter


async def a_thread(
    client: httpx.AsyncClient,
    actor: Actor,
    study: dict[str, Any],
    title: str = "Why 6.Bg5?",
    **extra: Any,
) -> dict[str, Any]:
    body = {"study_id": study["id"], "title": title, "body": "Main line question", **extra}
    response = await client.post("/discussions", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    thread: dict[str, Any] = response.json()
    return thread


async def study_with(
    client: httpx.AsyncClient, **members: str
) -> tuple[Actor, dict[str, Any], dict[str, Actor]]:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study = await a_study(client, owner, ws)
    people = {}
    for name, role in members.items():
        people[name] = await a_user(client, name)
        await shared_with(client, owner, ws, people[name], role)
    return owner, study, people


async def test_open_a_thread_on_a_move(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    tree = (await read_chapter(client, owner, study_id, chapter_id))["tree"]
    move_id = mainline(tree)[1]["id"]
    thread = await a_thread(client, owner, {"id": study_id}, chapter_id=chapter_id, move_id=move_id)
    assert thread["post_count"] == 1
    assert (thread["chapter_id"], thread["move_id"]) == (chapter_id, move_id)
    assert [p["body"] for p in thread["posts"]] == ["Main line question"]
    [event] = await events_of(client, engine, thread["id"])
    assert event["event_type"] == "discussion.thread_created"
    assert event["payload"]["move_id"] == move_id
    assert event["payload"]["post_id"] == thread["posts"][0]["id"]
    by_chapter = await client.get(
        "/discussions", params={"target_id": chapter_id}, headers=owner.headers
    )
    assert [t["id"] for t in by_chapter.json()["items"]] == [thread["id"]]


async def test_a_thread_target_must_exist_in_its_study(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    _other_study, other_chapter = await a_chapter(client, owner, ws, name="Other")
    base = {"study_id": study_id, "title": "t", "body": "b"}
    foreign = await client.post(
        "/discussions", json={**base, "chapter_id": other_chapter}, headers=owner.headers
    )
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "chapter_not_found"
    no_move = await client.post(
        "/discussions",
        json={**base, "chapter_id": chapter_id, "move_id": "nosuchmv"},
        headers=owner.headers,
    )
    assert no_move.status_code == 404
    assert no_move.json()["field"] == "move_id"


async def test_threads_go_with_their_chapter(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    await a_thread(client, owner, {"id": study_id}, chapter_id=chapter_id)
    deleted = await client.delete(
        f"/studies/{study_id}/chapters/{chapter_id}", headers=owner.headers
    )
    assert deleted.status_code in (200, 204), deleted.text
    async with engine.connect() as connection:
        left = await connection.scalar(text("SELECT count(*) FROM discussion_threads"))
    assert left == 0


async def test_move_id_needs_a_chapter(client: httpx.AsyncClient) -> None:
    owner, study, _ = await study_with(client)
    response = await client.post(
        "/discussions",
        json={"study_id": study["id"], "title": "t", "body": "b", "move_id": "x"},
        headers=owner.headers,
    )
    assert response.status_code == 422


async def test_threads_only_on_studies(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    response = await client.post(
        "/discussions",
        json={"study_id": ws["id"], "title": "t", "body": "b"},
        headers=owner.headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "study_id"


async def test_who_may_discuss(client: httpx.AsyncClient) -> None:
    _owner, study, people = await study_with(client, viewer="viewer", commenter="commenter")
    stranger = await a_user(client, "stranger")
    thread = await a_thread(client, people["commenter"], study)
    denied = await client.post(
        "/discussions",
        json={"study_id": study["id"], "title": "t", "body": "b"},
        headers=people["viewer"].headers,
    )
    assert denied.status_code == 403
    assert (
        await client.get(f"/discussions/{thread['id']}", headers=people["viewer"].headers)
    ).status_code == 200
    hidden = await client.get(f"/discussions/{thread['id']}", headers=stranger.headers)
    assert hidden.status_code == 404
    listing = await client.get(
        "/discussions", params={"target_id": study["id"]}, headers=stranger.headers
    )
    assert listing.status_code == 404
    reply = await client.post(
        f"/discussions/{thread['id']}/replies",
        json={"body": "hi"},
        headers=people["viewer"].headers,
    )
    assert reply.status_code == 403


async def test_replies_nest_up_to_the_bound(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    owner, study, _ = await study_with(client)
    thread = await a_thread(client, owner, study)
    parent = thread["posts"][0]["id"]
    for depth in range(1, 5):
        response = await client.post(
            f"/discussions/{thread['id']}/replies",
            json={"body": f"d{depth}", "parent_post_id": parent},
            headers=owner.headers,
        )
        assert response.status_code == 201
        assert response.json()["depth"] == depth
        parent = response.json()["id"]
    too_deep = await client.post(
        f"/discussions/{thread['id']}/replies",
        json={"body": "d5", "parent_post_id": parent},
        headers=owner.headers,
    )
    assert too_deep.status_code == 422
    assert too_deep.json()["code"] == "nesting_too_deep"
    detail = (await client.get(f"/discussions/{thread['id']}", headers=owner.headers)).json()
    assert detail["post_count"] == 5 and len(detail["posts"]) == 5
    types = [e["event_type"] for e in await events_of(client, engine, thread["id"])]
    assert types == ["discussion.thread_created"] + ["discussion.reply_added"] * 4


async def test_reply_to_a_post_of_another_thread_is_404(client: httpx.AsyncClient) -> None:
    owner, study, _ = await study_with(client)
    one, two = (
        await a_thread(client, owner, study, "one"),
        await a_thread(client, owner, study, "two"),
    )
    response = await client.post(
        f"/discussions/{one['id']}/replies",
        json={"body": "x", "parent_post_id": two["posts"][0]["id"]},
        headers=owner.headers,
    )
    assert response.status_code == 404
    assert response.json()["field"] == "parent_post_id"
    other_post = await client.get(
        f"/discussions/{one['id']}/posts/{two['posts'][0]['id']}/history", headers=owner.headers
    )
    assert other_post.status_code == 404


async def test_edit_keeps_history_and_checks_version(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner, study, people = await study_with(client, commenter="commenter")
    thread = await a_thread(client, owner, study)
    post = thread["posts"][0]
    url = f"/discussions/{thread['id']}/posts/{post['id']}"
    first = await client.patch(
        url, json={"body": "v2"}, headers={**owner.headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await client.patch(
        url, json={"body": "v3"}, headers={**owner.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    await client.patch(url, json={"body": "v3"}, headers=owner.headers)
    history = (await client.get(f"{url}/history", headers=owner.headers)).json()
    assert history["current"]["body"] == "v3"
    assert [(r["version"], r["body"]) for r in history["revisions"]] == [
        (2, "v2"),
        (1, "Main line question"),
    ]
    not_author = await client.patch(
        url, json={"body": "hijack"}, headers=people["commenter"].headers
    )
    assert not_author.status_code == 403
    edits = [
        e
        for e in await events_of(client, engine, post["id"])
        if e["event_type"] == "discussion.post_edited"
    ]
    assert [e["version"] for e in edits] == [2, 3]


async def test_concurrent_edits_of_one_version_one_wins(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner, study, _ = await study_with(client)
    thread = await a_thread(client, owner, study)
    url = f"/discussions/{thread['id']}/posts/{thread['posts'][0]['id']}"
    responses = await asyncio.gather(
        *[
            client.patch(
                url, json={"body": f"edit {i}"}, headers={**owner.headers, "If-Match": '"1"'}
            )
            for i in range(5)
        ]
    )
    assert sorted(r.status_code for r in responses) == [200, 412, 412, 412, 412]
    async with engine.connect() as connection:
        revisions = await connection.scalar(text("SELECT count(*) FROM discussion_post_revisions"))
    assert revisions == 1


async def test_reactions_are_one_per_user_and_kind(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    owner, study, people = await study_with(client, commenter="commenter")
    thread = await a_thread(client, owner, study)
    url = f"/discussions/{thread['id']}/posts/{thread['posts'][0]['id']}/reactions"
    results = await asyncio.gather(
        *[client.put(f"{url}/heart", headers=owner.headers) for _ in range(6)]
    )
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    await client.put(f"{url}/heart", headers=people["commenter"].headers)
    await client.put(f"{url}/+1", headers=people["commenter"].headers)
    detail = (await client.get(f"/discussions/{thread['id']}", headers=owner.headers)).json()
    assert detail["posts"][0]["reactions"] == [
        {"kind": "+1", "count": 1, "mine": False},
        {"kind": "heart", "count": 2, "mine": True},
    ]
    assert (await client.delete(f"{url}/heart", headers=owner.headers)).status_code == 204
    assert (await client.put(f"{url}/party", headers=owner.headers)).status_code == 422
    types = [e["event_type"] for e in await events_of(client, engine, thread["posts"][0]["id"])]
    assert types == ["discussion.reaction_added"] * 3 + ["discussion.reaction_removed"]


async def test_resolve_and_pin_rules(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    owner, study, people = await study_with(client, commenter="commenter", other="commenter")
    thread = await a_thread(client, people["commenter"], study)
    url = f"/discussions/{thread['id']}"
    resolved = await client.patch(url, json={"resolved": True}, headers=people["commenter"].headers)
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    assert (
        await client.patch(url, json={"resolved": False}, headers=people["other"].headers)
    ).status_code == 403
    assert (
        await client.patch(url, json={"pinned": True}, headers=people["commenter"].headers)
    ).status_code == 403
    pinned = await client.patch(
        url, json={"pinned": True}, headers={**owner.headers, "If-Match": '"2"'}
    )
    assert pinned.status_code == 200 and pinned.json()["version"] == 3
    payloads = [e["payload"] for e in await events_of(client, engine, thread["id"])][1:]
    assert [p["resolved"] for p in payloads] == [True, None]
    assert [p["pinned"] for p in payloads] == [None, True]


async def test_listing_puts_pinned_first_and_pages(client: httpx.AsyncClient) -> None:
    owner, study, _ = await study_with(client)
    ids = [(await a_thread(client, owner, study, f"t{i}"))["id"] for i in range(5)]
    await client.patch(f"/discussions/{ids[1]}", json={"pinned": True}, headers=owner.headers)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"target_id": study["id"], "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/discussions", params=params, headers=owner.headers)).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [ids[1], ids[4], ids[3], ids[2], ids[0]]


async def test_unstorable_text_is_a_422_not_a_500(client: httpx.AsyncClient) -> None:
    owner, study, _ = await study_with(client)
    thread = await a_thread(client, owner, study)
    for body in ('{"body": "a\\u0000b"}', '{"body": "a\\ud800b"}'):
        response = await client.post(
            f"/discussions/{thread['id']}/replies",
            content=body.encode(),
            headers={**owner.headers, "content-type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert "body.body" in response.json()["detail"]


async def test_listing_by_an_unreadable_chapter_looks_like_a_missing_one(
    client: httpx.AsyncClient,
) -> None:
    owner, stranger = await a_user(client, "owner"), await a_user(client, "stranger")
    ws = await a_workspace(client, owner)
    _study_id, chapter_id = await a_chapter(client, owner, ws)
    missing = "00000000-0000-4000-8000-000000000009"
    for target in (chapter_id, missing):
        response = await client.get(
            "/discussions", params={"target_id": target}, headers=stranger.headers
        )
        assert response.status_code == 404
        assert response.json()["detail"] == f"node {target} does not exist"
