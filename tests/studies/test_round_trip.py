"""Import -> export (full) -> import through the API gives the same chapters."""

from typing import Any

import chess.pgn
import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from tests.factories import Actor, a_user, a_workspace
from tests.pgn.helpers import GOOD_FILES, corpus_text, shape_of
from tests.pgn.test_round_trip_property import games
from tests.studies.helpers import import_study, read_chapter


async def chapters_of(
    client: httpx.AsyncClient, actor: Actor, result: dict[str, Any]
) -> list[tuple[list[list[str]], dict[str, Any]]]:
    """(headers, id-free tree) of every chapter an import created, in order."""
    found = []
    for study in result["studies"]:
        for summary in study["chapters"]:
            chapter = await read_chapter(client, actor, study["id"], summary["id"])
            found.append((chapter["headers"], shape_of(chapter["tree"])))
    return found


async def round_trip(client: httpx.AsyncClient, actor: Actor, ws: dict[str, Any], pgn: str) -> None:
    first = await import_study(client, actor, ws, pgn, name="first")
    study_id = first["studies"][0]["id"]
    exported = await client.get(f"/studies/{study_id}/pgn?mode=full", headers=actor.headers)
    assert exported.status_code == 200
    second = await import_study(client, actor, ws, exported.text, name="second")
    assert await chapters_of(client, actor, second) == await chapters_of(client, actor, first)


@pytest.mark.parametrize("name", GOOD_FILES)
async def test_corpus_file_survives_import_export_import(
    client: httpx.AsyncClient, name: str
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await round_trip(client, alice, ws, corpus_text(name))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(game=games())
async def test_random_games_survive_import_export_import(
    client: httpx.AsyncClient, game: chess.pgn.Game
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await round_trip(client, alice, ws, str(game))
