"""Helpers of the studies tests: PGN samples and calls that read like the domain."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor

PROBLEM = "application/problem+json"

GAME = """[Event "Casual"]
[Site "Berlin"]
[Date "1852.??.??"]
[Round "?"]
[White "Anderssen"]
[Black "Dufresne"]
[Result "1-0"]

1. e4 { [%cal Ge2e4] the king's pawn } e5 2. Nf3 $1 Nc6 (2... d6 { Philidor } 3. d4) 3. Bc4
Bc5 4. b4 1-0
"""


def game(white: str = "?", black: str = "?", event: str = "?", moves: str = "1. d4 d5 *") -> str:
    return (
        f'[Event "{event}"]\n[Site "?"]\n[Date "????.??.??"]\n[Round "?"]\n'
        f'[White "{white}"]\n[Black "{black}"]\n[Result "*"]\n\n{moves}\n\n'
    )


def games(count: int) -> str:
    return "".join(game(white=f"W{n}", black=f"B{n}") for n in range(1, count + 1))


async def import_study(
    client: httpx.AsyncClient,
    actor: Actor,
    parent: dict[str, Any],
    pgn: str | None,
    name: str = "Najdorf",
) -> dict[str, Any]:
    """POST /studies; returns the import result (every study and chapter created)."""
    body: dict[str, Any] = {"name": name, "parent_id": parent["id"]}
    if pgn is not None:
        body["pgn"] = pgn
    response = await client.post("/studies", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def a_chapter(
    client: httpx.AsyncClient,
    actor: Actor,
    parent: dict[str, Any],
    pgn: str = GAME,
    name: str = "Najdorf",
) -> tuple[str, str]:
    """A study with one chapter from `pgn`: (study id, chapter id)."""
    result = await import_study(client, actor, parent, pgn, name=name)
    study = result["studies"][0]
    return study["id"], study["chapters"][0]["id"]


async def read_chapter(
    client: httpx.AsyncClient, actor: Actor, study_id: str, chapter_id: str
) -> dict[str, Any]:
    response = await client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=actor.headers)
    assert response.status_code == 200, response.text
    chapter: dict[str, Any] = response.json()
    return chapter


def mainline(tree: dict[str, Any]) -> list[dict[str, Any]]:
    line = []
    children = tree["children"]
    while children:
        node = tree["nodes"][children[0]]
        line.append(node)
        children = node["children"]
    return line


def mainline_sans(tree: dict[str, Any]) -> list[str]:
    return [node["san"] for node in mainline(tree)]


def move_by_san(tree: dict[str, Any], san: str) -> dict[str, Any]:
    [node] = [node for node in tree["nodes"].values() if node["san"] == san]
    return node


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["event_type"] for event in events]


def engine_of(client: httpx.AsyncClient) -> AsyncEngine:
    """The running app's engine (the test's own engine would do as well)."""
    transport: Any = client._transport
    engine: AsyncEngine = transport.app.state.engine
    return engine
