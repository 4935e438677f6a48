"""Export switches as on Lichess (issue 16): comments, variations, clocks, shapes, evals,
orientation and headers, each independent, on a study, a chapter, a folder zip and a
stored export."""

import io
import zipfile
from typing import Any

import httpx
import pytest

from tests.factories import a_folder, a_user, a_workspace
from tests.studies.helpers import PROBLEM, import_study

ANNOTATED = """[Event "Club championship"]
[Site "Berlin"]
[Date "2026.11.30"]
[Round "3"]
[White "Anderssen"]
[Black "Dufresne"]
[Result "1-0"]
[Annotator "Coach"]
[WhiteElo "2100"]
[Orientation "black"]

{ A sharp game } 1. e4 { [%cal Ge2e4] the king's pawn [%eval 0.3] [%clk 0:05:00] } e5
2. Nf3 $1 Nc6 (2... d6 { Philidor } 3. d4) 3. Bc4 1-0
"""

# What each switch governs, as it appears in the exported text.
MARKS = {
    "comments": ["the king's pawn", "A sharp game", "$1"],
    "variations": ["2... d6"],
    "clocks": ["[%clk 0:05:00]"],
    "shapes": ["[%cal Ge2e4]"],
    "evals": ["[%eval 0.3]"],
    "orientation": ['[Orientation "black"]'],
}


async def annotated_study(client: httpx.AsyncClient) -> tuple[Any, str]:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, ANNOTATED))["studies"][0]
    return alice, study["id"]


async def test_every_switch_is_on_by_default(client: httpx.AsyncClient) -> None:
    alice, study_id = await annotated_study(client)
    text = (await client.get(f"/studies/{study_id}/pgn", headers=alice.headers)).text
    for marks in MARKS.values():
        for mark in marks:
            assert mark in text, mark
    assert '[Annotator "Coach"]' in text


@pytest.mark.parametrize("switch", sorted(MARKS))
async def test_each_switch_drops_only_what_it_names(client: httpx.AsyncClient, switch: str) -> None:
    alice, study_id = await annotated_study(client)
    response = await client.get(
        f"/studies/{study_id}/pgn", params={switch: "false"}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    for name, marks in MARKS.items():
        for mark in marks:
            assert (mark in response.text) is (name != switch), (switch, mark)
    assert "1. e4" in response.text and "3. Bc4 1-0" in response.text


async def test_headers_roster_keeps_the_seven_tags_only(client: httpx.AsyncClient) -> None:
    alice, study_id = await annotated_study(client)
    text = (
        await client.get(
            f"/studies/{study_id}/pgn",
            params={"headers": "roster", "orientation": "false"},
            headers=alice.headers,
        )
    ).text
    tags = [line.split(" ")[0][1:] for line in text.splitlines() if line.startswith("[")]
    assert tags == ["Event", "Site", "Date", "Round", "White", "Black", "Result"]


async def test_roster_keeps_the_position_of_a_set_up_game(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    fen = "4k3/8/8/8/8/8/4P3/4K3 w - - 0 1"
    pgn = f'[Event "Ending"]\n[SetUp "1"]\n[FEN "{fen}"]\n[Annotator "X"]\n\n1. e4 *\n'
    study = (await import_study(client, alice, ws, pgn))["studies"][0]
    text = (
        await client.get(
            f"/studies/{study['id']}/pgn", params={"headers": "roster"}, headers=alice.headers
        )
    ).text
    assert f'[FEN "{fen}"]' in text and '[SetUp "1"]' in text and "Annotator" not in text


async def test_clocks_without_comments_keep_the_clock_alone(client: httpx.AsyncClient) -> None:
    alice, study_id = await annotated_study(client)
    text = (
        await client.get(
            f"/studies/{study_id}/pgn",
            params={"comments": "false", "shapes": "false", "evals": "false"},
            headers=alice.headers,
        )
    ).text
    assert "1. e4 { [%clk 0:05:00] } 1... e5" in text


async def test_switches_refine_a_mode_and_the_old_mainline_comments_meaning_holds(
    client: httpx.AsyncClient,
) -> None:
    alice, study_id = await annotated_study(client)
    url = f"/studies/{study_id}/pgn"

    async def get(**params: str) -> str:
        response = await client.get(url, params=params, headers=alice.headers)
        assert response.status_code == 200, response.text
        return response.text

    # no_comments drops every annotation; a switch given brings one back.
    assert "[%clk" not in await get(mode="no_comments")
    assert "[%clk 0:05:00]" in await get(mode="no_comments", clocks="true")
    # mainline with comments=false dropped every annotation before the switches: it still does.
    bare = await get(mode="mainline", comments="false")
    assert "{" not in bare and "2... d6" not in bare
    assert "[%cal Ge2e4]" in await get(mode="mainline", comments="false", shapes="true")


async def test_a_bad_switch_is_a_clear_422(client: httpx.AsyncClient) -> None:
    alice, study_id = await annotated_study(client)
    response = await client.get(
        f"/studies/{study_id}/pgn", params={"headers": "some"}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert "headers" in response.text


async def test_chapter_export_takes_the_switches(client: httpx.AsyncClient) -> None:
    alice, study_id = await annotated_study(client)
    study = (await client.get(f"/studies/{study_id}", headers=alice.headers)).json()
    chapter_id = study["chapters"][0]["id"]
    text = (
        await client.get(
            f"/studies/{study_id}/chapters/{chapter_id}/pgn",
            params={"variations": "false", "evals": "false"},
            headers=alice.headers,
        )
    ).text
    assert "2... d6" not in text and "[%eval" not in text and "Philidor" not in text
    assert "the king's pawn" in text and "[%clk 0:05:00]" in text


async def test_folder_zip_and_stored_exports_take_the_switches(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Club")
    folder = await a_folder(client, alice, ws, "Games")
    await import_study(client, alice, folder, ANNOTATED, name="Round 3")
    response = await client.post(
        "/exports",
        json={"node_id": ws["id"], "clocks": False, "headers": "roster"},
        headers=alice.headers,
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["options"] == {
        "comments": True,
        "variations": True,
        "clocks": False,
        "shapes": True,
        "evals": True,
        "orientation": True,
        "headers": "roster",
    }
    download = await client.get(stored["download_url"], headers=alice.headers)
    text = zipfile.ZipFile(io.BytesIO(download.content)).read("Games/Round 3.pgn").decode()
    assert "[%clk" not in text and "Annotator" not in text
    assert "the king's pawn" in text and '[Orientation "black"]' in text
    again = await client.get(f"/exports/{stored['id']}", headers=alice.headers)
    assert again.json() == stored
