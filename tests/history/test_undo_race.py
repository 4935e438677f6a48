"""Undo racing another member's edit, with real concurrent requests: one wins, the other
gets 409 or 412, and the history stays one line of consecutive versions."""

from __future__ import annotations

import asyncio

import httpx

from tests.factories import a_user, shared_with
from tests.history.support import a_history_chapter


async def test_undo_racing_another_members_edit_one_wins_history_stays_linear(
    client: httpx.AsyncClient,
) -> None:
    outcomes = set()
    for _ in range(4):
        chapter = await a_history_chapter(client)
        bob = await a_user(client, "bob")
        await shared_with(client, chapter.actor, {"id": chapter.study_id}, bob, "editor")
        added = await chapter.add("Nf6", after=(await chapter.last_move())["id"])
        undo, edit = await asyncio.gather(
            chapter.undo(),
            client.post(
                f"{chapter.url}/moves",
                json={"after": added["move"]["id"], "move": "O-O"},
                headers={**bob.headers, "If-Match": '"2"'},
            ),
        )
        statuses = (undo.status_code, edit.status_code)
        assert statuses in ((200, 412), (409, 201)), (undo.text, edit.text)
        outcomes.add(statuses)
        history = await chapter.history()
        versions = [item["version"] for item in history["items"]]
        assert versions == [3, 2, 1]
        assert (await chapter.version()) == 3
        latest = history["items"][0]
        if statuses == (200, 412):
            assert latest["kind"] == "undone" and latest["author"]["id"] == chapter.actor.id
        else:
            assert undo.json()["code"] == "changed_by_someone_else"
            assert latest["kind"] == "chapter.move_added" and latest["author"]["id"] == bob.id


async def test_concurrent_edits_each_get_their_own_readable_version(
    client: httpx.AsyncClient,
) -> None:
    chapter = await a_history_chapter(client)
    last = await chapter.last_move()
    responses = await asyncio.gather(
        *(chapter.add(move, after=last["id"]) for move in ("Nf6", "Bc5", "Be7"))
    )
    assert len(responses) == 3
    history = await chapter.history()
    assert [item["version"] for item in history["items"]] == [4, 3, 2, 1]
    current = await chapter.read()
    at_four = (await chapter.at(4)).json()
    assert at_four["tree"] == current["tree"]
    for number in (2, 3):
        children = (await chapter.at(number)).json()["tree"]["nodes"][last["id"]]["children"]
        assert len(children) == number - 1
