"""Every move-tree edit: its effect, its event, If-Match, and errors naming the move."""

import asyncio
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor, a_user, a_workspace, events_of
from tests.studies.helpers import (
    PROBLEM,
    a_chapter,
    mainline,
    mainline_sans,
    move_by_san,
    read_chapter,
    types_of,
)


class Chapter:
    """One chapter of a fresh study, with the URL of its edits."""

    def __init__(self, client: httpx.AsyncClient, actor: Actor, study_id: str, chapter_id: str):
        self.client, self.actor = client, actor
        self.study_id, self.id = study_id, chapter_id
        self.url = f"/studies/{study_id}/chapters/{chapter_id}"

    async def read(self) -> dict[str, Any]:
        return await read_chapter(self.client, self.actor, self.study_id, self.id)

    async def tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = (await self.read())["tree"]
        return tree

    def headers(self, version: int | None) -> dict[str, str]:
        extra = {} if version is None else {"If-Match": f'"{version}"'}
        return {**self.actor.headers, **extra}


async def a_game_chapter(client: httpx.AsyncClient) -> Chapter:
    """1. e4 e5 2. Nf3 Nc6 (2... d6 { Philidor } 3. d4) 3. Bc4 Bc5 4. b4"""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    return Chapter(client, alice, *await a_chapter(client, alice, ws))


async def chapter_events(
    client: httpx.AsyncClient, engine: AsyncEngine, chapter: Chapter
) -> list[dict[str, Any]]:
    return (await events_of(client, engine, chapter.id))[1:]  # after study.chapter_added


async def test_add_move_san_and_uci(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_game_chapter(client)
    last = mainline(await chapter.tree())[-1]
    response = await client.post(
        f"{chapter.url}/moves",
        json={"after": last["id"], "move": "Bxb4"},
        headers=chapter.headers(1),
    )
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"2"'
    added = response.json()["move"]
    assert (added["san"], added["uci"], added["parent"]) == ("Bxb4", "c5b4", last["id"])
    uci = await client.post(
        f"{chapter.url}/moves",
        json={"after": added["id"], "move": "c2c3"},
        headers=chapter.headers(2),
    )
    assert uci.status_code == 201 and uci.json()["move"]["san"] == "c3"
    assert mainline_sans(await chapter.tree())[-2:] == ["Bxb4", "c3"]
    events = await chapter_events(client, engine, chapter)
    assert types_of(events) == ["chapter.move_added", "chapter.move_added"]
    assert events[0]["payload"] == {
        "study_id": chapter.study_id,
        "move_id": added["id"],
        "parent_move_id": last["id"],
        "san": "Bxb4",
        "uci": "c5b4",
    }
    assert [e["version"] for e in events] == [2, 3]


async def test_add_existing_move_returns_it_and_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    first = mainline(await chapter.tree())[0]
    response = await client.post(
        f"{chapter.url}/moves", json={"after": None, "move": "e2e4"}, headers=chapter.headers(1)
    )
    assert response.status_code == 200
    assert response.json()["move"]["id"] == first["id"] and response.json()["version"] == 1
    assert await chapter_events(client, engine, chapter) == []


async def test_illegal_move_is_422_naming_move_and_position(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    first = mainline(await chapter.tree())[0]
    response = await client.post(
        f"{chapter.url}/moves",
        json={"after": first["id"], "move": "Ke2"},
        headers=chapter.headers(1),
    )
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["code"], body["move"], body["field"]) == ("illegal_move", "Ke2", "move")
    assert body["fen"] == first["fen"]
    assert "Ke2" in body["detail"] and first["fen"] in body["detail"]


async def test_unknown_move_id_is_404(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    response = await client.post(
        f"{chapter.url}/moves", json={"after": "nope", "move": "e4"}, headers=chapter.headers(1)
    )
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["move_id"]) == ("move_not_found", "nope")


async def test_delete_from_a_move_removes_what_follows(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    tree = await chapter.tree()
    nf3 = move_by_san(tree, "Nf3")
    response = await client.delete(f"{chapter.url}/moves/{nf3['id']}", headers=chapter.headers(1))
    assert response.status_code == 200, response.text
    removed = response.json()["move_ids"]
    assert removed[0] == nf3["id"] and len(removed) == 7  # the variation too
    after = await chapter.tree()
    assert mainline_sans(after) == ["e4", "e5"]
    assert set(after["nodes"]) == set(tree["nodes"]) - set(removed)
    assert (await chapter.read())["node_count"] == 2
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.moves_deleted"
    assert event["payload"]["move_ids"] == removed


async def test_promote_variation_to_mainline(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    d6 = move_by_san(await chapter.tree(), "d6")
    response = await client.post(
        f"{chapter.url}/moves/{d6['id']}/promote",
        json={"to": "mainline"},
        headers=chapter.headers(1),
    )
    assert response.status_code == 200
    assert mainline_sans(await chapter.tree()) == ["e4", "e5", "Nf3", "d6", "d4"]
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.variation_promoted"
    assert event["payload"] == {
        "study_id": chapter.study_id,
        "move_id": d6["id"],
        "to_mainline": True,
        "move_ids": [d6["id"]],
    }


async def test_promote_one_step_up(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    tree = await chapter.tree()
    d6 = move_by_san(tree, "d6")
    # A variation inside the variation: 2... d6 3. d4 (3. Nc3)
    nested = await client.post(
        f"{chapter.url}/moves", json={"after": d6["id"], "move": "Nc3"}, headers=chapter.headers(1)
    )
    nc3 = nested.json()["move"]
    response = await client.post(
        f"{chapter.url}/moves/{nc3['id']}/promote", json={"to": "up"}, headers=chapter.headers(2)
    )
    assert response.json()["move_ids"] == [nc3["id"]]
    after = await chapter.tree()
    assert after["nodes"][d6["id"]]["children"][0] == nc3["id"]
    assert mainline_sans(after)[3] == "Nc6"  # one step: d6 stays a variation


async def test_promote_the_main_line_changes_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    first = mainline(await chapter.tree())[0]
    response = await client.post(
        f"{chapter.url}/moves/{first['id']}/promote", json={}, headers=chapter.headers(1)
    )
    assert response.status_code == 200 and response.json()["version"] == 1
    assert await chapter_events(client, engine, chapter) == []


async def test_set_and_clear_comment(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    url = f"{chapter.url}/moves/{e5['id']}/comment"
    set_ = await client.put(url, json={"comment": "symmetry"}, headers=chapter.headers(1))
    assert set_.status_code == 200 and set_.json()["move"]["comment"] == "symmetry"
    cleared = await client.put(url, json={"comment": ""}, headers=chapter.headers(2))
    assert cleared.json()["move"]["comment"] == "" and cleared.json()["version"] == 3
    events = await chapter_events(client, engine, chapter)
    assert types_of(events) == ["chapter.comment_set", "chapter.comment_set"]
    assert [e["payload"]["length"] for e in events] == [8, 0]
    assert events[0]["payload"]["move_id"] == e5["id"]


async def test_comment_before_the_first_move(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    response = await client.put(
        f"{chapter.url}/comment", json={"comment": "A classic"}, headers=chapter.headers(1)
    )
    assert response.status_code == 200 and response.json()["move"] is None
    assert (await chapter.tree())["comment"] == "A classic"
    [event] = await chapter_events(client, engine, chapter)
    assert event["payload"]["move_id"] is None


async def test_comment_with_shape_commands_is_422(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    response = await client.put(
        f"{chapter.url}/moves/{e5['id']}/comment",
        json={"comment": "look [%cal Ge2e4]"},
        headers=chapter.headers(1),
    )
    assert response.status_code == 422 and response.json()["field"] == "comment"


async def test_set_nags(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    url = f"{chapter.url}/moves/{e5['id']}/nags"
    response = await client.put(url, json={"nags": [14, 2, 2]}, headers=chapter.headers(1))
    assert response.status_code == 200 and response.json()["move"]["nags"] == [2, 14]
    bad = await client.put(url, json={"nags": [256]}, headers=chapter.headers(2))
    assert bad.status_code == 422
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.nags_set"
    assert event["payload"] == {"study_id": chapter.study_id, "move_id": e5["id"], "nags": [2, 14]}


async def test_set_shapes(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    shapes = [
        {"kind": "arrow", "from": "g1", "to": "f3", "color": "R"},
        {"kind": "circle", "square": "e5", "color": "Y"},
    ]
    response = await client.put(
        f"{chapter.url}/moves/{e5['id']}/shapes",
        json={"shapes": shapes},
        headers=chapter.headers(1),
    )
    assert response.status_code == 200
    assert response.json()["move"]["shapes"] == shapes  # in the order drawn
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.shapes_set"
    assert event["payload"]["shape_count"] == 2
    pgn = (await client.get(f"{chapter.url}/pgn", headers=chapter.actor.headers)).text
    assert "{ [%cal Rg1f3][%csl Ye5] }" in pgn


async def test_invalid_shape_is_422(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    response = await client.put(
        f"{chapter.url}/moves/{e5['id']}/shapes",
        json={"shapes": [{"kind": "arrow", "from": "z9", "to": "e4", "color": "G"}]},
        headers=chapter.headers(1),
    )
    assert response.status_code == 422


async def test_cut_makes_the_chapter_start_after_the_move(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    tree = await chapter.tree()
    nf3 = move_by_san(tree, "Nf3")
    response = await client.post(
        f"{chapter.url}/cut", json={"move_id": nf3["id"]}, headers=chapter.headers(1)
    )
    assert response.status_code == 200, response.text
    read = await chapter.read()
    assert read["start_fen"] == nf3["fen"] == read["tree"]["fen"]
    assert mainline_sans(read["tree"]) == ["Nc6", "Bc4", "Bc5", "b4"]
    assert ["SetUp", "1"] in read["headers"] and ["FEN", nf3["fen"]] in read["headers"]
    assert ["White", "Anderssen"] in read["headers"]
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.cut"
    assert set(event["payload"]["removed_move_ids"]) == set(tree["nodes"]) - set(
        read["tree"]["nodes"]
    )
    assert event["payload"]["start_fen"] == nf3["fen"]
    pgn = (await client.get(f"{chapter.url}/pgn", headers=chapter.actor.headers)).text
    assert f'[FEN "{nf3["fen"]}"]' in pgn and pgn.split("\n\n")[1].startswith("2... Nc6")


async def test_variation_to_new_chapter(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    chapter = await a_game_chapter(client)
    tree = await chapter.tree()
    d6 = move_by_san(tree, "d6")
    response = await client.post(
        f"{chapter.url}/moves/{d6['id']}/to-chapter", json={}, headers=chapter.actor.headers
    )
    assert response.status_code == 201, response.text
    [new] = response.json()["studies"][0]["chapters"]
    assert (new["name"], new["position"]) == ("Anderssen - Dufresne: 2... d6", 1)
    read = await read_chapter(client, chapter.actor, chapter.study_id, new["id"])
    assert mainline_sans(read["tree"]) == ["d6", "d4"]
    assert read["tree"]["fen"] == move_by_san(tree, "Nf3")["fen"]
    assert (await chapter.tree()) == tree  # the source keeps its moves
    [event] = await chapter_events(client, engine, chapter)
    assert event["event_type"] == "chapter.variation_extracted"
    assert event["payload"]["new_chapter_id"] == new["id"]
    assert set(event["payload"]["move_ids"]) == set(read["tree"]["nodes"])
    added = await events_of(client, engine, new["id"])
    assert [(e["event_type"], e["payload"]["source"]) for e in added] == [
        ("study.chapter_added", "variation")
    ]


async def test_every_edit_checks_if_match(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    move = f"{chapter.url}/moves/{e5['id']}"
    stale = chapter.headers(9)
    responses = [
        await client.post(f"{chapter.url}/moves", json={"move": "d4"}, headers=stale),
        await client.delete(move, headers=stale),
        await client.post(f"{move}/promote", json={}, headers=stale),
        await client.put(f"{move}/comment", json={"comment": "x"}, headers=stale),
        await client.put(f"{chapter.url}/comment", json={"comment": "x"}, headers=stale),
        await client.put(f"{move}/nags", json={"nags": [1]}, headers=stale),
        await client.put(f"{move}/shapes", json={"shapes": []}, headers=stale),
        await client.post(f"{chapter.url}/cut", json={"move_id": e5["id"]}, headers=stale),
    ]
    assert [r.status_code for r in responses] == [412] * len(responses)
    assert (await chapter.read())["version"] == 1


async def test_concurrent_adds_with_the_same_if_match_one_wins(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    last = mainline(await chapter.tree())[-1]
    first, second = await asyncio.gather(
        *(
            client.post(
                f"{chapter.url}/moves",
                json={"after": last["id"], "move": move},
                headers=chapter.headers(1),
            )
            for move in ("Bxb4", "Bb6")
        )
    )
    assert sorted([first.status_code, second.status_code]) == [201, 412]
    tree = await chapter.tree()
    assert len(tree["nodes"][last["id"]]["children"]) == 1
    assert types_of(await chapter_events(client, engine, chapter)) == ["chapter.move_added"]
    assert (await chapter.read())["version"] == 2


async def test_concurrent_adds_without_if_match_both_land(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    last = mainline(await chapter.tree())[-1]
    responses = await asyncio.gather(
        *(
            client.post(
                f"{chapter.url}/moves",
                json={"after": last["id"], "move": move},
                headers=chapter.headers(None),
            )
            for move in ("Bxb4", "Bb6", "d6")
        )
    )
    assert [r.status_code for r in responses] == [201, 201, 201]
    read = await chapter.read()
    assert read["version"] == 4 and len(read["tree"]["nodes"][last["id"]]["children"]) == 3


async def test_unstorable_comment_or_move_text_is_422(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    headers = {**chapter.headers(1), "Content-Type": "application/json"}
    comment = await client.put(
        f"{chapter.url}/moves/{e5['id']}/comment",
        content=b'{"comment": "a \\u0000 b \\ud800"}',
        headers=headers,
    )
    assert comment.status_code == 422 and comment.json()["field"] == "comment"
    move = await client.post(
        f"{chapter.url}/moves", content=b'{"move": "e4\\ud800"}', headers=headers
    )
    assert move.status_code == 422
    assert (await chapter.read())["version"] == 1
