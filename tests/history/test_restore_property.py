"""Property: after any sequence of edits, restoring version n gives back exactly the chapter
as it was after edit n (its JSON tree, headers, name and exported PGN)."""

from __future__ import annotations

from typing import Any

import chess
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.history.support import Chapter, a_history_chapter

OPS = [
    "add",
    "add",
    "add",
    "delete",
    "comment",
    "nags",
    "shapes",
    "promote",
    "rename",
    "orientation",
    "replace",
    "restore",
    "undo",
    "start_comment",
]
COMMENTS = ["", "good", "the idea is d5", "unclear { not } really"]

edits = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 10_000), st.integers(0, 10_000)),
    min_size=1,
    max_size=12,
)


def _pick(ids: list[Any], number: int) -> Any:
    return ids[number % len(ids)]


async def _apply(chapter: Chapter, op: str, a: int, b: int) -> httpx.Response | None:
    """Send one edit chosen by (op, a, b); None when it does not apply to this tree."""
    client, headers, url = chapter.client, chapter.actor.headers, chapter.url
    read = await chapter.read()
    tree, version = read["tree"], read["version"]
    node_ids = list(tree["nodes"])
    if op == "add":
        parent = _pick([None, *node_ids], a)
        fen = tree["fen"] if parent is None else tree["nodes"][parent]["fen"]
        moves = sorted(move.uci() for move in chess.Board(fen).legal_moves)
        if not moves:
            return None
        return await client.post(
            f"{url}/moves", json={"after": parent, "move": _pick(moves, b)}, headers=headers
        )
    if op == "restore":
        if version == 1:
            return None
        return await chapter.restore(1 + a % (version - 1))
    if op == "undo":
        return await chapter.undo()
    if op == "rename":
        return await client.patch(url, json={"name": f"Line {a % 7}"}, headers=headers)
    if op == "orientation":
        side = "black" if a % 2 else "white"
        return await client.patch(url, json={"orientation": side}, headers=headers)
    if op == "start_comment":
        return await client.put(
            f"{url}/comment", json={"comment": _pick(COMMENTS, a)}, headers=headers
        )
    if not node_ids:
        return None
    node = tree["nodes"][_pick(node_ids, a)]
    move_url = f"{url}/moves/{node['id']}"
    if op == "delete":
        return await client.delete(move_url, headers=headers)
    if op == "comment":
        return await client.put(
            f"{move_url}/comment", json={"comment": _pick(COMMENTS, b)}, headers=headers
        )
    if op == "nags":
        return await client.put(f"{move_url}/nags", json={"nags": [1 + b % 6]}, headers=headers)
    if op == "shapes":
        shape = {"kind": "circle", "square": chess.SQUARE_NAMES[b % 64], "color": "G"}
        return await client.put(f"{move_url}/shapes", json={"shapes": [shape]}, headers=headers)
    if op == "promote":
        return await client.post(f"{move_url}/promote", json={"to": "up"}, headers=headers)
    # replace: another legal move where this one was played
    parent = node["parent"]
    fen = tree["fen"] if parent is None else tree["nodes"][parent]["fen"]
    siblings = tree["children"] if parent is None else tree["nodes"][parent]["children"]
    taken = {tree["nodes"][s]["uci"] for s in siblings}
    moves = sorted(m.uci() for m in chess.Board(fen).legal_moves if m.uci() not in taken)
    if not moves:
        return None
    return await client.post(f"{move_url}/replace", json={"move": _pick(moves, b)}, headers=headers)


async def _snapshot(chapter: Chapter) -> dict[str, Any]:
    read = await chapter.read()
    return {
        "tree": read["tree"],
        "headers": read["headers"],
        "name": read["name"],
        "orientation": read["orientation"],
        "pgn": await chapter.pgn(),
    }


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=edits)
async def test_restoring_version_n_gives_the_chapter_after_edit_n(
    client: httpx.AsyncClient, sequence: list[tuple[str, int, int]]
) -> None:
    chapter = await a_history_chapter(client, "1. e4 e5 (1... c5 2. Nf3) 2. Nf3 Nc6 *")
    after = {1: await _snapshot(chapter)}
    for op, a, b in sequence:
        response = await _apply(chapter, op, a, b)
        if response is None:
            continue
        assert response.status_code < 500, response.text
        version = await chapter.version()
        if version not in after:
            after[version] = await _snapshot(chapter)
    assert sorted(after) == list(range(1, max(after) + 1)), "versions are consecutive"
    for number, expected in after.items():
        read = await chapter.at(number)
        assert read.status_code == 200, read.text
        body = read.json()
        assert body["tree"] == expected["tree"]
        assert [list(pair) for pair in body["headers"]] == expected["headers"]
        assert (await chapter.at(number, format="pgn")).text == expected["pgn"]
    for number, expected in after.items():
        current = await chapter.version()
        restored = await chapter.restore(number, if_match=current)
        if number == current:
            assert restored.status_code == 409
            continue
        assert restored.status_code == 200, restored.text
        now = await _snapshot(chapter)
        assert now == expected, f"restoring version {number}"
