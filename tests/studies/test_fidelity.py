"""Issue 12 through the API: imports as a player expects, orientation, edits that say
what they store (comments, clocks, evals, NAG symbols), impossible FENs, names."""

import io
import zipfile
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_user, a_workspace
from tests.studies.helpers import PROBLEM, import_study, move_by_san
from tests.studies.test_moves import a_game_chapter, chapter_events


async def test_sibling_variations_import_and_an_illegal_one_is_422_not_500(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    result = await import_study(client, alice, ws, "1. e4 (1. Nf3) (1. d4) 1... e5 *\n")
    assert result["game_count"] == 1
    response = await client.post(
        "/studies",
        json={"name": "x", "parent_id": ws["id"], "pgn": "1. e4 (1. Bc4) (1. d4) 1... e5 *"},
        headers=alice.headers,
    )
    assert response.status_code == 422, response.text
    assert (response.json()["error"], response.json()["token"]) == ("illegal_move", "Bc4")


async def test_tag_sections_without_moves_are_one_chapter_each(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = "".join(f'[White "W{n}"]\n[Black "B{n}"]\n[Result "*"]\n\n' for n in range(1, 4))
    result = await import_study(client, alice, ws, pgn)
    assert result["game_count"] == 3
    names = [chapter["name"] for chapter in result["studies"][0]["chapters"]]
    assert names == ["W1 - B1", "W2 - B2", "W3 - B3"]


async def test_leftovers_between_games_import_with_warnings_in_the_answer(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = '{ file comment }\n\n[Event "A"]\n\n1 .e4 e5 1-0\n\n1-0\n\n[Event "B"]\n\n1. d4 *\n'
    result = await import_study(client, alice, ws, pgn)
    assert result["game_count"] == 2
    assert result["warnings"] == [
        {
            "code": "stray_comment",
            "message": "comment outside any game skipped",
            "line": 1,
            "token": "file comment",
        },
        {
            "code": "stray_result",
            "message": "result token outside any game skipped",
            "line": 7,
            "token": "1-0",
        },
    ]


async def test_export_writes_the_chapters_orientation(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    imported = await import_study(client, alice, ws, '[Orientation "black"]\n\n1. e4 *\n')
    study_id = imported["studies"][0]["id"]
    chapter_id = imported["studies"][0]["chapters"][0]["id"]
    url = f"/studies/{study_id}/chapters/{chapter_id}"
    turned = await client.patch(url, json={"orientation": "white"}, headers=alice.headers)
    assert turned.status_code == 200, turned.text
    pgn = (await client.get(f"{url}/pgn", headers=alice.headers)).text
    assert '[Orientation "white"]' in pgn and "black" not in pgn
    added = await client.post(
        f"/studies/{study_id}/chapters",
        json={"fen": "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", "orientation": "black"},
        headers=alice.headers,
    )
    assert added.status_code == 201, added.text
    study_pgn = (await client.get(f"/studies/{study_id}/pgn", headers=alice.headers)).text
    assert study_pgn.count('[Orientation "black"]') == 1


async def test_comment_with_a_closing_brace_is_422_and_nothing_changes(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    response = await client.put(
        f"{chapter.url}/moves/{e5['id']}/comment",
        json={"comment": "a } brace"},
        headers=chapter.headers(1),
    )
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert response.json()["field"] == "comment" and "}" in response.json()["reason"]
    assert (await chapter.read())["version"] == 1
    assert await chapter_events(client, engine, chapter) == []


async def test_clock_and_eval_are_editable_and_exported(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    url = f"{chapter.url}/moves/{e5['id']}"
    clocked = await client.put(f"{url}/clock", json={"clock": 181.5}, headers=chapter.headers(1))
    assert clocked.status_code == 200, clocked.text
    assert clocked.json()["move"]["clock"] == 181.5
    evaluated = await client.put(
        f"{url}/eval", json={"pawns": -0.35, "depth": 20}, headers=chapter.headers(2)
    )
    assert evaluated.status_code == 200, evaluated.text
    pgn = (await client.get(f"{chapter.url}/pgn", headers=chapter.actor.headers)).text
    assert "[%clk 0:03:01.5]" in pgn and "[%eval -0.35,20]" in pgn
    mate = await client.put(f"{url}/eval", json={"mate": -3}, headers=chapter.headers(3))
    assert "[%eval #-3]" in mate.json()["move"]["comment"]
    cleared = await client.put(f"{url}/clock", json={"clock": None}, headers=chapter.headers(4))
    assert cleared.json()["move"]["clock"] is None
    bad = await client.put(f"{url}/eval", json={"pawns": 1, "mate": 2}, headers=chapter.headers(5))
    assert bad.status_code == 422
    events = await chapter_events(client, engine, chapter)
    assert [event["event_type"] for event in events] == [
        "chapter.clock_set",
        "chapter.eval_set",
        "chapter.eval_set",
        "chapter.clock_set",
    ]
    assert events[0]["payload"] == {
        "study_id": chapter.study_id,
        "move_id": e5["id"],
        "clock": 181.5,
    }


async def test_nag_symbols_are_accepted_and_glyphs_returned(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)
    e5 = move_by_san(await chapter.tree(), "e5")
    response = await client.put(
        f"{chapter.url}/moves/{e5['id']}/nags",
        json={"nags": ["!?", "+-", 14]},
        headers=chapter.headers(1),
    )
    assert response.status_code == 200, response.text
    assert response.json()["move"]["nags"] == [5, 14, 18]
    assert response.json()["move"]["glyphs"] == ["!?", "⩲", "+−"]
    stored = move_by_san(await chapter.tree(), "e5")
    assert stored["glyphs"] == ["!?", "⩲", "+−"]
    bad = await client.put(
        f"{chapter.url}/moves/{e5['id']}/nags", json={"nags": ["!!!"]}, headers=chapter.headers(2)
    )
    assert bad.status_code == 422 and bad.json()["field"] == "NAG"


async def test_imported_nags_carry_their_glyphs(client: httpx.AsyncClient) -> None:
    chapter = await a_game_chapter(client)  # 2. Nf3 $1
    assert move_by_san(await chapter.tree(), "Nf3")["glyphs"] == ["!"]


async def test_impossible_fen_chapter_is_invalid_fen_naming_the_reason(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, None))["studies"][0]
    for fen, reason in [
        ("8/8/8/8/8/8/8/8 w - - 0 1", "empty"),
        ("4k3/8/8/8/8/8/8/K3K3 w - - 0 1", "too many kings"),
        ("P3k3/8/8/8/8/8/8/4K3 w - - 0 1", "pawns on backrank"),
        ("4k3/4R3/8/8/8/8/8/4K3 w - - 0 1", "opposite check"),
    ]:
        response = await client.post(
            f"/studies/{study['id']}/chapters", json={"fen": fen}, headers=alice.headers
        )
        assert response.status_code == 422, response.text
        body = response.json()
        assert (body["code"], body["field"]) == ("invalid_fen", "fen")
        assert reason in body["reasons"] and reason in body["detail"]
    assert (await client.get(f"/studies/{study['id']}", headers=alice.headers)).json()[
        "chapters"
    ] == []


async def test_post_studies_answers_the_studys_etag(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.post(
        "/studies", json={"name": "S", "parent_id": ws["id"]}, headers=alice.headers
    )
    assert response.status_code == 201
    read = await client.get(response.headers["Location"], headers=alice.headers)
    assert response.headers["ETag"] == read.headers["ETag"]


async def test_a_study_named_like_a_pgn_file_is_not_named_twice(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Games")
    folder = await a_folder(client, alice, ws, "Folder")
    study: dict[str, Any] = (await import_study(client, alice, folder, None, name="x.pgn"))[
        "studies"
    ][0]
    direct = await client.get(f"/studies/{study['id']}/pgn", headers=alice.headers)
    assert 'filename="x.pgn"' in direct.headers["content-disposition"]
    export = await client.post("/exports", json={"node_id": ws["id"]}, headers=alice.headers)
    download = await client.get(export.json()["download_url"], headers=alice.headers)
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist() == ["Folder/x.pgn"]


async def test_variation_chapter_keeps_where_and_who_but_not_the_result(
    client: httpx.AsyncClient,
) -> None:
    chapter = await a_game_chapter(client)  # [Result "1-0"], Anderssen - Dufresne
    d6 = move_by_san(await chapter.tree(), "d6")
    response = await client.post(
        f"{chapter.url}/moves/{d6['id']}/to-chapter", json={}, headers=chapter.actor.headers
    )
    [new] = response.json()["studies"][0]["chapters"]
    assert new["name"] == "Anderssen - Dufresne: 2... d6"
    pgn = (
        await client.get(
            f"/studies/{chapter.study_id}/chapters/{new['id']}/pgn",
            headers=chapter.actor.headers,
        )
    ).text
    assert '[Result "*"]' in pgn and "1-0" not in pgn
    assert '[White "Anderssen"]' in pgn and '[Site "Berlin"]' in pgn
