"""A chapter's history: versions with words, reading version n, diff, restore, undo, replace."""

from __future__ import annotations

import io

import chess.pgn
import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user, events_of, shared_with
from tests.history.support import a_history_chapter
from tests.studies.helpers import PROBLEM, mainline_sans, move_by_san


async def test_every_edit_is_a_version_with_words_a_person_reads(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    tree = (await chapter.read())["tree"]
    bc4 = move_by_san(tree, "Bc4")
    d6 = move_by_san(tree, "d6")
    await chapter.add("Nf6", after=bc4["id"])
    await client.put(
        f"{chapter.url}/moves/{bc4['id']}/comment",
        json={"comment": "Italian"},
        headers=chapter.actor.headers,
    )
    await client.delete(f"{chapter.url}/moves/{d6['id']}", headers=chapter.actor.headers)
    page = await chapter.history()
    summaries = [item["summary"] for item in page["items"]]
    assert summaries == [
        "deleted the variation 2... d6 (2 moves)",
        "added a comment on 3. Bc4",
        "added 3... Nf6",
        "created the chapter “Chapter 1” (7 moves)",
    ]
    assert [item["version"] for item in page["items"]] == [4, 3, 2, 1]
    assert page["items"][0]["author"]["id"] == chapter.actor.id
    assert page["items"][0]["correlation_id"]


async def test_version_n_is_the_chapter_as_it_was(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    first = await chapter.read()
    first_pgn = await chapter.pgn()
    await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    old = await chapter.at(1)
    assert old.status_code == 200, old.text
    body = old.json()
    assert body["tree"] == first["tree"]
    assert body["headers"] == first["headers"]
    assert body["version"] == 1
    as_pgn = await chapter.at(1, format="pgn")
    assert as_pgn.text == first_pgn
    missing = await chapter.at(9)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM


async def test_diff_names_moves_and_annotations(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    bc4 = await chapter.last_move()
    await chapter.add("Nf6", after=bc4["id"])
    await client.put(
        f"{chapter.url}/moves/{bc4['id']}/nags", json={"nags": [1]}, headers=chapter.actor.headers
    )
    response = await client.get(
        f"{chapter.url}/diff", params={"from": 1, "to": 3}, headers=chapter.actor.headers
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert [move["label"] for move in found["moves_added"]] == ["3... Nf6"]
    assert found["moves_removed"] == []
    assert found["nags"] == [{"move_id": bc4["id"], "label": "3. Bc4", "before": [], "after": [1]}]


async def test_restore_writes_a_new_version_and_the_event(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_history_chapter(client)
    first = await chapter.read()
    await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    stale = await chapter.restore(1, if_match=1)
    assert stale.status_code == 412
    restored = await chapter.restore(1, if_match=2)
    assert restored.status_code == 200, restored.text
    assert restored.headers["ETag"] == '"3"'
    now = await chapter.read()
    assert now["tree"] == first["tree"] and now["version"] == 3
    history = await chapter.history()
    assert [item["kind"] for item in history["items"]][:2] == ["restored", "chapter.move_added"]
    assert history["items"][0]["summary"] == "restored version 1 (deleted 3... Nf6)"
    [event] = [
        e
        for e in await events_of(client, engine, chapter.id)
        if e["event_type"] == "chapter.restored"
    ]
    assert event["payload"]["restored_version"] == 1 and event["version"] == 3


async def test_undo_takes_back_my_own_changes_one_by_one(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    first = await chapter.read()
    added = await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    await chapter.add("O-O", after=added["move"]["id"])
    second = await chapter.undo()
    assert second.status_code == 200, second.text
    assert second.json()["undone_version"] == 3
    assert mainline_sans((await chapter.read())["tree"])[-1] == "Nf6"
    again = await chapter.undo()
    assert again.status_code == 200, again.text
    assert again.json()["undone_version"] == 2
    assert (await chapter.read())["tree"] == first["tree"]
    nothing = await chapter.undo()
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_undo"


async def test_undo_after_someone_elses_change_names_them(client: httpx.AsyncClient) -> None:
    chapter = await a_history_chapter(client)
    bob = await a_user(client, "bob")
    await shared_with(client, chapter.actor, {"id": chapter.study_id}, bob, "editor")
    added = await chapter.add("Nf6", after=(await chapter.last_move())["id"])
    await chapter.as_(bob).add("O-O", after=added["move"]["id"])
    refused = await chapter.undo()
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "changed_by_someone_else"
    assert problem["changed_by"]["id"] == bob.id
    assert "bob" in problem["detail"] and "restore" in problem["detail"]


async def test_replace_move_keeps_what_stays_legal_and_names_what_is_cut(
    client: httpx.AsyncClient,
) -> None:
    chapter = await a_history_chapter(client, "1. e4 e5 2. Nf3 Nc6 3. Bb5 a6 4. Ba4 Nf6 *")
    tree = (await chapter.read())["tree"]
    e4 = move_by_san(tree, "e4")
    response = await client.post(
        f"{chapter.url}/moves/{e4['id']}/replace",
        json={"move": "d4"},
        headers={**chapter.actor.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["replaced"] == "1. e4"
    assert body["move"]["id"] == e4["id"] and body["move"]["san"] == "d4"
    assert [m["label"] for m in body["kept"]] == ["1... e5", "2. Nf3", "2... Nc6"]
    assert [m["label"] for m in body["cut"]] == ["3. Bb5", "3... a6", "4. Ba4", "4... Nf6"]
    assert mainline_sans((await chapter.read())["tree"]) == ["d4", "e5", "Nf3", "Nc6"]
    history = await chapter.history()
    assert (
        history["items"][0]["summary"] == "replaced 1. e4 with 1. d4; kept 3 moves after it, cut 4"
    )
    assert history["items"][0]["version"] == 2
    exported = chess.pgn.read_game(io.StringIO(await chapter.pgn()))
    assert exported is not None
    assert [m.uci() for m in exported.mainline_moves()] == ["d2d4", "e7e5", "g1f3", "b8c6"]
