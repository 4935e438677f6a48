from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_user, a_workspace, events_of
from tests.studies.helpers import (
    GAME,
    game,
    games,
    import_study,
    mainline_sans,
    read_chapter,
    types_of,
)


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def test_import_single_game_creates_study_with_one_chapter(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    result = await import_study(client, alice, ws, GAME)
    [study] = result["studies"]
    assert (study["name"], study["kind"], study["parent_id"]) == ("Najdorf", "study", ws["id"])
    assert result["game_count"] == result["chapter_count"] == 1
    [summary] = study["chapters"]
    assert summary["name"] == "Anderssen - Dufresne"
    assert summary["position"] == 0 and summary["version"] == 1
    assert summary["node_count"] == 9
    chapter = await read_chapter(client, alice, study["id"], summary["id"])
    assert mainline_sans(chapter["tree"]) == ["e4", "e5", "Nf3", "Nc6", "Bc4", "Bc5", "b4"]
    assert ["White", "Anderssen"] in chapter["headers"]
    first = chapter["tree"]["nodes"][chapter["tree"]["children"][0]]
    assert first["comment"] == "the king's pawn"
    assert first["shapes"] == [{"kind": "arrow", "from": "e2", "to": "e4", "color": "G"}]
    assert [e["event_type"] for e in await events_of(client, engine, study["id"])] == [
        "node.created"
    ]
    [added] = await events_of(client, engine, summary["id"])
    assert added["event_type"] == "study.chapter_added"
    assert added["target_type"] == "chapter" and added["version"] == 1
    assert added["workspace_id"].hex == ws["id"].replace("-", "")
    assert added["payload"] == {
        "study_id": study["id"],
        "name": "Anderssen - Dufresne",
        "position": 0,
        "node_count": 9,
        "source": "pgn",
    }


async def test_headers_keep_their_order(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = '[White "A"]\n[Black "B"]\n[Opening "Sicilian"]\n[Annotator "me"]\n\n1. e4 c5 *\n'
    study = (await import_study(client, alice, ws, pgn))["studies"][0]
    chapter = await read_chapter(client, alice, study["id"], study["chapters"][0]["id"])
    tags = [tag for tag, _ in chapter["headers"]]
    assert tags.index("Opening") < tags.index("Annotator")


async def test_import_multi_game_keeps_file_order_and_names_chapters(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = (
        game(white="Carlsen", black="Nepo", event="WCh")
        + game(event="Linares 1994")
        + game(white="Tal")
        + game()
    )
    [study] = (await import_study(client, alice, ws, pgn))["studies"]
    names = [(c["position"], c["name"]) for c in study["chapters"]]
    assert names == [(0, "Carlsen - Nepo"), (1, "Linares 1994"), (2, "Chapter 3"), (3, "Chapter 4")]
    got = await client.get(f"/studies/{study['id']}", headers=alice.headers)
    assert [c["name"] for c in got.json()["chapters"]] == [name for _, name in names]


async def test_study_without_pgn_has_no_chapters(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    result = await import_study(client, alice, ws, None, name="Empty")
    assert result["studies"][0]["chapters"] == [] and result["chapter_count"] == 0


async def test_import_past_64_games_splits_into_numbered_studies(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "Collection")
    await import_study(client, alice, folder, None, name="Games (2)")  # a name already taken
    result = await import_study(client, alice, folder, games(150), name="Games")
    studies = result["studies"]
    assert [(s["name"], len(s["chapters"])) for s in studies] == [
        ("Games", 64),
        ("Games (3)", 64),
        ("Games (4)", 22),
    ]
    assert all(s["parent_id"] == folder["id"] for s in studies)
    assert result["game_count"] == result["chapter_count"] == 150
    # File order survives the split: game n is chapter n-1 of the sequence.
    flat = [c["name"] for s in studies for c in s["chapters"]]
    assert flat == [f"W{n} - B{n}" for n in range(1, 151)]
    assert [c["position"] for c in studies[2]["chapters"]] == list(range(22))
    assert await count(engine, "chapters") == 150
    for study in studies:
        assert types_of(await events_of(client, engine, study["id"])) == ["node.created"]


async def test_adding_chapters_to_a_nearly_full_study_continues_in_a_new_study(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    first = (await import_study(client, alice, ws, games(60), name="Games"))["studies"][0]
    response = await client.post(
        f"/studies/{first['id']}/chapters", json={"pgn": games(10)}, headers=alice.headers
    )
    assert response.status_code == 201, response.text
    studies = response.json()["studies"]
    assert [(s["name"], len(s["chapters"])) for s in studies] == [("Games", 4), ("Games (2)", 6)]
    assert [c["position"] for c in studies[0]["chapters"]] == [60, 61, 62, 63]
    assert studies[1]["chapters"][0]["name"] == "W5 - B5"


async def test_add_fen_chapter(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, GAME))["studies"][0]
    fen = "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"
    response = await client.post(
        f"/studies/{study['id']}/chapters",
        json={"fen": fen, "name": "Pawn ending", "orientation": "black"},
        headers=alice.headers,
    )
    assert response.status_code == 201, response.text
    [chapter] = response.json()["studies"][0]["chapters"]
    assert (chapter["name"], chapter["position"], chapter["orientation"]) == (
        "Pawn ending",
        1,
        "black",
    )
    assert chapter["start_fen"] == fen and chapter["node_count"] == 0
    full = await read_chapter(client, alice, study["id"], chapter["id"])
    assert ["FEN", fen] in full["headers"] and ["SetUp", "1"] in full["headers"]
    [event] = await events_of(client, engine, chapter["id"])
    assert event["payload"]["source"] == "fen"


async def test_invalid_fen_is_422_naming_the_field(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, None))["studies"][0]
    response = await client.post(
        f"/studies/{study['id']}/chapters", json={"fen": "not a fen"}, headers=alice.headers
    )
    assert response.status_code == 422 and response.json()["field"] == "fen"


async def test_pgn_and_fen_together_are_refused(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, None))["studies"][0]
    body: dict[str, Any] = {"pgn": GAME, "fen": "8/8/8/4k3/8/8/4P3/4K3 w - - 0 1"}
    response = await client.post(
        f"/studies/{study['id']}/chapters", json=body, headers=alice.headers
    )
    assert response.status_code == 422


async def test_a_study_cannot_be_created_in_a_study(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, None))["studies"][0]
    response = await client.post(
        "/studies", json={"name": "x", "parent_id": study["id"]}, headers=alice.headers
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_parent"
