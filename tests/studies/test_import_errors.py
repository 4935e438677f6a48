"""Bad PGN and oversized imports: a precise problem+json and nothing stored."""

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.config import Settings
from tests.factories import a_user, a_workspace
from tests.studies.helpers import PROBLEM, game, games, import_study

BAD_PGN = [
    pytest.param(
        '[White "A"]\n[Black "B"]\n\n1. e4 e5 2. Ke3 *\n',
        {"error": "illegal_move", "game": 1, "line": 4, "token": "Ke3"},
        id="illegal move",
    ),
    pytest.param(
        '[White "A"]\n\n1. e4 *\n\n[White "C"]\n\n1. d4 d5 2. Qxd5 *\n',
        {"error": "illegal_move", "game": 2, "line": 7, "token": "Qxd5"},
        id="illegal move in the second game",
    ),
    pytest.param(
        '[White "A"]\n[Black B]\n\n1. e4 *\n',
        {"error": "broken_tag", "game": 1, "line": 2, "token": "[Black B]"},
        id="broken tag",
    ),
    pytest.param(
        '[White "A"]\n\n1. e4 (1. d4 d5 2. c4\n',
        {"error": "unbalanced_parentheses", "game": 1, "line": 3, "token": "("},
        id="unclosed parenthesis",
    ),
    pytest.param(
        '[White "A"]\n\n1. e4 ) e5 *\n',
        {"error": "unbalanced_parentheses", "game": 1, "line": 3, "token": ")"},
        id="stray closing parenthesis",
    ),
    pytest.param(
        "hello world, this is not PGN\n",
        {"error": "garbage", "game": 1, "line": 1, "token": "hello"},
        id="garbage",
    ),
    pytest.param("", {"error": "empty", "game": None, "line": None}, id="empty"),
    pytest.param(" \n\n", {"error": "empty", "game": None, "line": None}, id="blank"),
]


async def stored(engine: AsyncEngine) -> tuple[int, int, int]:
    """(study nodes, chapters, chapter events) in the database."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM nodes WHERE kind = 'study'),"
                    " (SELECT count(*) FROM chapters),"
                    " (SELECT count(*) FROM events WHERE target_type = 'chapter')"
                )
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


@pytest.mark.parametrize(("pgn", "expected"), BAD_PGN)
async def test_bad_pgn_is_422_naming_game_line_and_token_and_stores_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, pgn: str, expected: dict[str, Any]
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.post(
        "/studies",
        json={"name": "Bad", "parent_id": ws["id"], "pgn": pgn},
        headers=alice.headers,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["code"] == "pgn_invalid"
    assert {key: body.get(key) for key in expected} == expected
    if expected["line"] is not None:
        assert f"line {expected['line']}" in body["detail"]
    assert await stored(engine) == (0, 0, 0)


async def test_bad_game_after_good_ones_stores_none_of_them(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study = (await import_study(client, alice, ws, None))["studies"][0]
    pgn = games(3) + game(moves="1. e4 e5 2. Qxf7 *")
    response = await client.post(
        f"/studies/{study['id']}/chapters", json={"pgn": pgn}, headers=alice.headers
    )
    assert response.status_code == 422
    assert (response.json()["game"], response.json()["token"]) == (4, "Qxf7")
    assert await stored(engine) == (1, 0, 0)


@pytest.mark.parametrize("into", ["new study", "chapters"])
async def test_bad_game_in_a_later_part_is_named_in_the_whole_text_and_nothing_stays(
    client: httpx.AsyncClient, engine: AsyncEngine, into: str
) -> None:
    """Issue 17: an import is parsed in parts by the worker processes and each part is
    stored as it comes; a bad game in the last part still names its game and line in
    the whole text, and rolls back the parts stored before it."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = games(70) + game(moves="1. e4 e5 2. Qxf7 *")
    if into == "new study":
        response = await client.post(
            "/studies",
            json={"name": "Big", "parent_id": ws["id"], "pgn": pgn},
            headers=alice.headers,
        )
        studies = 0
    else:
        study = (await import_study(client, alice, ws, None))["studies"][0]
        response = await client.post(
            f"/studies/{study['id']}/chapters", json={"pgn": pgn}, headers=alice.headers
        )
        studies = 1
    assert response.status_code == 422, response.text
    body = response.json()
    # Every generated game takes 10 lines: the 71st game's moves are on line 709.
    assert (body["game"], body["line"], body["token"]) == (71, 709, "Qxf7")
    assert "game 71, line 709" in body["detail"]
    assert await stored(engine) == (studies, 0, 0)
    async with engine.connect() as connection:
        left = await connection.scalar(
            text(
                "SELECT (SELECT count(*) FROM search_positions)"
                " + (SELECT count(*) FROM chapter_versions)"
            )
        )
    assert left == 0


@pytest.fixture
def small_limits(settings: Settings) -> Iterator[Settings]:
    """Shrinks the PGN limits of the running app for one test."""
    small = {
        "pgn_max_bytes": 2048,
        "pgn_max_games": 5,
        "pgn_max_nodes_per_chapter": 20,
        "pgn_max_variation_depth": 2,
    }
    saved = {field: getattr(settings, field) for field in small}
    for field, value in small.items():
        setattr(settings, field, value)
    yield settings
    for field, value in saved.items():
        setattr(settings, field, value)


async def test_pgn_over_max_bytes_is_413_naming_the_limit(
    client: httpx.AsyncClient, engine: AsyncEngine, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = game(moves="1. e4 { " + "x" * 3000 + " } *")
    response = await client.post(
        "/studies", json={"name": "Big", "parent_id": ws["id"], "pgn": pgn}, headers=alice.headers
    )
    assert response.status_code == 413
    body = response.json()
    assert (body["code"], body["limit"], body["limit_value"], body["setting"]) == (
        "pgn_too_large",
        "max_bytes",
        2048,
        "PGN_MAX_BYTES",
    )
    assert await stored(engine) == (0, 0, 0)


async def test_declared_content_length_over_the_limit_is_413_before_reading(
    client: httpx.AsyncClient, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    body = b'{"name": "Big", "parent_id": "' + ws["id"].encode() + b'", "pgn": "'
    body += b"x" * 70_000 + b'"}'
    response = await client.post(
        "/studies",
        content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert response.json()["limit_value"] == 2 * 2048 + 64 * 1024


async def test_chunked_body_over_the_limit_is_413(
    client: httpx.AsyncClient, engine: AsyncEngine, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "Big", "parent_id": "' + ws["id"].encode() + b'", "pgn": "'
        for _ in range(20):
            yield b"x" * 4096  # no Content-Length: counted while read
        yield b'"}'

    response = await client.post(
        "/studies",
        content=chunks(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert await stored(engine) == (0, 0, 0)


async def test_too_many_games_is_422_naming_the_limit(
    client: httpx.AsyncClient, engine: AsyncEngine, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.post(
        "/studies",
        json={"name": "Many", "parent_id": ws["id"], "pgn": games(6)},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["limit"], body["limit_value"], body["game"]) == (
        "pgn_limit_exceeded",
        "max_games",
        5,
        6,
    )
    assert body["setting"] == "PGN_MAX_GAMES"
    assert await stored(engine) == (0, 0, 0)


async def test_too_many_moves_in_a_chapter_is_422(
    client: httpx.AsyncClient, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    moves = "1. Nf3 Nf6 2. Ng1 Ng8 " * 6 + "*"
    response = await client.post(
        "/studies",
        json={"name": "Long", "parent_id": ws["id"], "pgn": game(moves=moves)},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["limit"] == "max_nodes_per_chapter"
    assert response.json()["limit_value"] == 20


async def test_variations_nested_too_deep_are_422(
    client: httpx.AsyncClient, small_limits: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    moves = "1. e4 (1. d4 (1. c4 (1. Nf3))) *"
    response = await client.post(
        "/studies",
        json={"name": "Deep", "parent_id": ws["id"], "pgn": game(moves=moves)},
        headers=alice.headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["limit"], body["limit_value"], body["line"]) == ("max_variation_depth", 2, 9)


async def test_characters_that_cannot_be_stored_are_422_not_500(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    headers = {**alice.headers, "Content-Type": "application/json"}
    for pgn, token in (('[White \\"A\\u0000\\"]', "U+0000"), ("1. e4 { \\ud800 } *", "U+D800")):
        body = f'{{"name": "N", "parent_id": "{ws["id"]}", "pgn": "{pgn}"}}'
        response = await client.post("/studies", content=body.encode(), headers=headers)
        assert response.status_code == 422, response.text
        assert (response.json()["error"], response.json()["token"]) == ("invalid_character", token)
    assert await stored(engine) == (0, 0, 0)
