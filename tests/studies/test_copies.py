"""Clone a study, copy and move chapters between studies: new ids, sources named."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import a_folder, a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import GAME, a_chapter, games, import_study, read_chapter


async def a_thread(
    client: httpx.AsyncClient, actor: Any, study_id: str, chapter_id: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"study_id": study_id, "title": "Why 4. b4?", "body": "The gambit"}
    if chapter_id:
        body["chapter_id"] = chapter_id
    response = await client.post("/discussions", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    thread: dict[str, Any] = response.json()
    return thread


async def test_a_reader_clones_a_study_into_their_own_workspace(
    client: httpx.AsyncClient, engine: Any
) -> None:
    coach = await a_user(client, "coach")
    student = await a_user(client, "student")
    ws = await a_workspace(client, coach)
    study_id, chapter_id = await a_chapter(client, coach, ws)
    await a_thread(client, coach, study_id, chapter_id)
    await shared_with(client, coach, ws, student, "viewer")
    mine = await a_workspace(client, student, "Mine")
    response = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": mine["id"]}, headers=student.headers
    )
    assert response.status_code == 201, response.text
    [clone] = response.json()["studies"]
    assert response.headers["Location"] == f"/studies/{clone['id']}"
    assert clone["name"] == "Najdorf" and clone["parent_id"] == mine["id"]
    assert clone["role"] == "owner" and clone["id"] != study_id
    [copied] = clone["chapters"]
    assert copied["id"] != chapter_id
    original = await read_chapter(client, coach, study_id, chapter_id)
    again = await read_chapter(client, student, clone["id"], copied["id"])
    assert again["tree"] == original["tree"] and again["headers"] == original["headers"]
    # Discussions stay behind unless asked for.
    threads = await client.get(
        "/discussions", params={"target_id": clone["id"]}, headers=student.headers
    )
    assert threads.json()["items"] == []
    # Events name the source, and the chapter's event was caused by the clone's.
    [cloned] = [
        e for e in await events_of(client, engine, clone["id"]) if "cloned" in e["event_type"]
    ]
    assert cloned["payload"]["source_study_id"] == study_id
    [added] = await events_of(client, engine, copied["id"])
    assert added["payload"]["source_chapter_id"] == chapter_id
    assert added["causation_id"] == cloned["event_id"]
    # The original is untouched, and the viewer still cannot edit it.
    assert (await read_chapter(client, coach, study_id, chapter_id))["version"] == 1


async def test_clone_with_discussions_copies_threads_and_posts(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    study_id, chapter_id = await a_chapter(client, coach, ws)
    thread = await a_thread(client, coach, study_id, chapter_id)
    reply = await client.post(
        f"/discussions/{thread['id']}/replies", json={"body": "Sharp!"}, headers=coach.headers
    )
    assert reply.status_code == 201, reply.text
    folder = await a_folder(client, coach, ws, "Copies")
    response = await client.post(
        f"/studies/{study_id}/clone",
        json={"parent_id": folder["id"], "with_discussions": True},
        headers=coach.headers,
    )
    [clone] = response.json()["studies"]
    listed = await client.get(
        "/discussions", params={"target_id": clone["id"]}, headers=coach.headers
    )
    [copy] = listed.json()["items"]
    assert copy["id"] != thread["id"] and copy["chapter_id"] == clone["chapters"][0]["id"]
    full = (await client.get(f"/discussions/{copy['id']}", headers=coach.headers)).json()
    assert [post["body"] for post in full["posts"]] == ["The gambit", "Sharp!"]


async def test_clone_into_the_same_folder_gets_a_numbered_name(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    study_id, _ = await a_chapter(client, coach, ws)
    response = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": ws["id"]}, headers=coach.headers
    )
    assert response.json()["studies"][0]["name"] == "Najdorf (2)"


async def test_clone_needs_read_on_the_source_and_edit_on_the_target(
    client: httpx.AsyncClient,
) -> None:
    coach = await a_user(client, "coach")
    stranger = await a_user(client, "stranger")
    ws = await a_workspace(client, coach)
    study_id, _ = await a_chapter(client, coach, ws)
    theirs = await a_workspace(client, stranger, "Theirs")
    hidden = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": theirs["id"]}, headers=stranger.headers
    )
    assert hidden.status_code == 404
    viewer = await a_user(client, "viewer")
    await shared_with(client, coach, ws, viewer, "viewer")
    into_read_only = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": ws["id"]}, headers=viewer.headers
    )
    assert into_read_only.status_code == 403


async def test_copying_chapters_past_64_continues_in_a_new_study(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    source = (await import_study(client, coach, ws, games(10), name="Source"))["studies"][0]
    target = (await import_study(client, coach, ws, games(60), name="Target"))["studies"][0]
    ids = [chapter["id"] for chapter in source["chapters"]]
    response = await client.post(
        f"/studies/{target['id']}/chapters/copy",
        json={"source_study_id": source["id"], "chapter_ids": ids[::-1]},
        headers=coach.headers,
    )
    assert response.status_code == 201, response.text
    first, second = response.json()["studies"]
    assert first["id"] == target["id"] and len(first["chapters"]) == 4
    assert second["name"] == "Target (2)" and len(second["chapters"]) == 6
    assert [c["name"] for c in first["chapters"]] == ["W10 - B10", "W9 - B9", "W8 - B8", "W7 - B7"]
    assert [c["position"] for c in first["chapters"]] == [60, 61, 62, 63]
    assert response.json()["chapter_count"] == 10
    # The source keeps its chapters.
    kept = await client.get(f"/studies/{source['id']}", headers=coach.headers)
    assert len(kept.json()["chapters"]) == 10


async def test_moving_a_chapter_takes_its_threads_and_closes_the_gap(
    client: httpx.AsyncClient, engine: Any
) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    source = (await import_study(client, coach, ws, games(3), name="Source"))["studies"][0]
    target_id, _ = await a_chapter(client, coach, ws, GAME, name="Target")
    moving = source["chapters"][1]
    thread = await a_thread(client, coach, source["id"], moving["id"])
    response = await client.post(
        f"/studies/{target_id}/chapters/copy",
        json={"source_study_id": source["id"], "chapter_ids": [moving["id"]], "move": True},
        headers=coach.headers,
    )
    assert response.status_code == 201, response.text
    [moved] = response.json()["studies"][0]["chapters"]
    left = (await client.get(f"/studies/{source['id']}", headers=coach.headers)).json()
    assert [(c["name"], c["position"]) for c in left["chapters"]] == [
        ("W1 - B1", 0),
        ("W3 - B3", 1),
    ]
    followed = (await client.get(f"/discussions/{thread['id']}", headers=coach.headers)).json()
    assert followed["study_id"] == target_id and followed["chapter_id"] == moved["id"]
    [deleted] = [
        e for e in await events_of(client, engine, moving["id"]) if "deleted" in e["event_type"]
    ]
    assert deleted["causation_id"] is not None


async def test_moving_needs_editor_on_the_source(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    student = await a_user(client, "student")
    ws = await a_workspace(client, coach)
    source_id, chapter_id = await a_chapter(client, coach, ws)
    await shared_with(client, coach, ws, student, "viewer")
    mine = await a_workspace(client, student, "Mine")
    target_id, _ = await a_chapter(client, student, mine, name="Mine")
    body = {"source_study_id": source_id, "chapter_ids": [chapter_id], "move": True}
    refused = await client.post(
        f"/studies/{target_id}/chapters/copy", json=body, headers=student.headers
    )
    assert refused.status_code == 403
    body["move"] = False
    copied = await client.post(
        f"/studies/{target_id}/chapters/copy", json=body, headers=student.headers
    )
    assert copied.status_code == 201
    unknown = await client.post(
        f"/studies/{target_id}/chapters/copy",
        json={**body, "chapter_ids": ["00000000-0000-4000-8000-000000000000"]},
        headers=student.headers,
    )
    assert unknown.status_code == 404
    same = await client.post(
        f"/studies/{target_id}/chapters/copy",
        json={**body, "source_study_id": target_id},
        headers=student.headers,
    )
    assert same.status_code == 422 and same.json()["field"] == "source_study_id"


async def test_copies_and_tag_edits_are_searchable_in_the_same_transaction(
    client: httpx.AsyncClient,
) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    study_id, chapter_id = await a_chapter(client, coach, ws)
    folder = await a_folder(client, coach, ws, "Copies")
    response = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": folder["id"]}, headers=coach.headers
    )
    [clone] = response.json()["studies"]
    found = await client.get(
        "/search", params={"q": "philidor", "under": folder["id"]}, headers=coach.headers
    )
    assert [hit["chapter"]["id"] for hit in found.json()["items"]] == [clone["chapters"][0]["id"]]
    await client.patch(
        f"/studies/{study_id}/chapters/{chapter_id}",
        json={"headers": {"White": "Kieseritzky"}},
        headers=coach.headers,
    )
    by_player = await client.get("/search", params={"white": "Kieseritzky"}, headers=coach.headers)
    assert [hit["chapter"]["id"] for hit in by_player.json()["items"]] == [chapter_id]


async def test_finding_a_clone_keeps_its_sources_description_when_the_node_insert_skips_the_orm(
    client: httpx.AsyncClient,
) -> None:
    """The new node of a create comes back from a statement sent past the ORM (db.raw); a
    clone then sets its description on it, which must still be flushed with the clone."""
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    study_id, _ = await a_chapter(client, coach, ws)
    described = await client.patch(
        f"/nodes/{study_id}", json={"description": "Sharp lines"}, headers=coach.headers
    )
    assert described.status_code == 200, described.text
    response = await client.post(
        f"/studies/{study_id}/clone", json={"parent_id": ws["id"]}, headers=coach.headers
    )
    assert response.status_code == 201, response.text
    [clone] = response.json()["studies"]
    read = await client.get(f"/nodes/{clone['id']}", headers=coach.headers)
    assert read.json()["description"] == "Sharp lines"
