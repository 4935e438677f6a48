"""GET /search/positions: transpositions across studies, exact, in step with edits, filtered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import Actor, a_folder, a_user, a_workspace, shared_with
from tests.search.helpers import get_page
from tests.studies.helpers import a_chapter, move_by_san, read_chapter

PGN_DIR = Path(__file__).parent.parent / "data" / "pgn"

# 1. d4 Nf6 2. c4 e6 and 1. c4 e6 2. d4 Nf6 reach the same position (move counters too).
QUEENS = (
    '[Event "A"]\n[Site "?"]\n[Date "????.??.??"]\n[Round "?"]\n[White "?"]\n'
    '[Black "?"]\n[Result "*"]\n\n1. d4 Nf6 2. c4 e6 3. Nc3 *\n'
)
ENGLISH = (
    '[Event "B"]\n[Site "?"]\n[Date "????.??.??"]\n[Round "?"]\n[White "?"]\n'
    '[Black "?"]\n[Result "*"]\n\n1. c4 e6 2. d4 Nf6 3. Nf3 *\n'
)
AFTER_BOTH = "rnbqkb1r/pppp1ppp/4pn2/8/2PP4/8/PP2PPPP/RNBQKBNR w KQkq - 0 3"


async def positions(
    client: httpx.AsyncClient, actor: Actor, status: int = 200, **params: Any
) -> dict[str, Any]:
    return await get_page(client, actor, "/search/positions", status, **params)


async def test_a_transposition_is_found_in_both_studies_with_its_line(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, QUEENS, name="Queens")
    await a_chapter(client, alice, ws, ENGLISH, name="English")
    # Move counters are ignored: a FEN with other numbers is the same position.
    page = await positions(client, alice, fen=AFTER_BOTH.replace(" 0 3", " 7 30"))
    found = sorted(
        (hit["study"]["name"], hit["san"], hit["ply"], tuple(hit["line"])) for hit in page["items"]
    )
    assert found == [
        ("English", "Nf6", 4, ("c4", "e6", "d4", "Nf6")),
        ("Queens", "e6", 4, ("d4", "Nf6", "c4", "e6")),
    ]
    assert page["key"] == "rnbqkb1r/pppp1ppp/4pn2/8/2PP4/8/PP2PPPP/RNBQKBNR w KQkq -"


async def test_by_chapter_move_lists_where_else_it_occurs(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws, QUEENS, name="Queens")
    english = await a_chapter(client, alice, ws, ENGLISH, name="English")
    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    e6 = move_by_san(tree, "e6")
    page = await positions(
        client, alice, study_id=study_id, chapter_id=chapter_id, move_id=e6["id"]
    )
    [hit] = page["items"]
    assert (hit["study"]["id"], hit["chapter"]["id"]) == english
    english_tree = (await read_chapter(client, alice, *english))["tree"]
    assert hit["move_id"] == move_by_san(english_tree, "Nf6")["id"]
    await positions(client, alice, 422, study_id=study_id, chapter_id=chapter_id, move_id="nope")


async def test_index_follows_move_edits_and_chapter_delete(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws, QUEENS, name="Queens")
    url = f"/studies/{study_id}/chapters/{chapter_id}"
    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    nc3 = move_by_san(tree, "Nc3")
    after_nf3 = "rnbqkb1r/pppp1ppp/4pn2/8/2PP4/5N2/PP2PPPP/RNBQKB1R b KQkq - 1 3"
    assert (await positions(client, alice, fen=after_nf3))["items"] == []
    added = await client.post(
        f"{url}/moves",
        json={"after": move_by_san(tree, "e6")["id"], "move": "Nf3"},
        headers=alice.headers,
    )
    assert added.status_code in (200, 201), added.text
    [hit] = (await positions(client, alice, fen=after_nf3))["items"]
    assert hit["san"] == "Nf3" and hit["line"] == ["d4", "Nf6", "c4", "e6", "Nf3"]

    deleted = await client.delete(f"{url}/moves/{nc3['id']}", headers=alice.headers)
    assert deleted.status_code in (200, 204), deleted.text
    after_nc3 = "rnbqkb1r/pppp1ppp/4pn2/8/2PP4/2N5/PP2PPPP/R1BQKBNR b KQkq - 1 3"
    assert (await positions(client, alice, fen=after_nc3))["items"] == []

    gone = await client.delete(url, headers=alice.headers)
    assert gone.status_code == 204, gone.text
    async with engine.connect() as connection:
        left = await connection.scalar(text("SELECT count(*) FROM search_positions"))
    assert left == 0


async def test_index_matches_the_trees_after_a_cut(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws, QUEENS, name="Queens")
    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    url = f"/studies/{study_id}/chapters/{chapter_id}"
    cut = await client.post(
        f"{url}/cut", json={"move_id": move_by_san(tree, "Nf6")["id"]}, headers=alice.headers
    )
    assert cut.status_code == 200, cut.text
    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    async with engine.connect() as connection:
        rows = (
            (
                await connection.execute(
                    text("SELECT move_id FROM search_positions WHERE chapter_id = :c"),
                    {"c": chapter_id},
                )
            )
            .scalars()
            .all()
        )
    # The cut chapter starts at a custom position, which is indexed too ("").
    assert sorted(rows) == sorted(["", *tree["nodes"]])
    [start] = (await positions(client, alice, fen=tree["fen"]))["items"]
    assert start["move_id"] is None and start["line"] == []


async def test_chess960_and_custom_starts_are_indexed(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, (PGN_DIR / "chess960.pgn").read_text(), name="960")
    await a_chapter(client, alice, ws, (PGN_DIR / "custom_fen.pgn").read_text(), name="Study")
    start960 = "brqkrnnb/pppppppp/8/8/8/8/PPPPPPPP/BRQKRNNB w KQkq - 0 1"
    [hit] = (await positions(client, alice, fen=start960))["items"]
    assert hit["study"]["name"] == "960" and hit["move_id"] is None
    # After 7... O-O (king to g8 in this 960 setup) the castling rights of black are gone.
    import chess

    board = chess.Board(start960, chess960=True)
    for san in [
        "Nf3",
        "Ng6",
        "Nh4",
        "c6",
        "h3",
        "a5",
        "d3",
        "Nf4",
        "e4",
        "Ne6",
        "f3",
        "Nf6",
        "g3",
        "O-O",
    ]:
        board.push_san(san)
    [castled] = (await positions(client, alice, fen=board.fen()))["items"]
    assert castled["san"] == "O-O" and castled["ply"] == 14
    opposition = "8/8/8/8/4k3/8/4P3/4K3 w - - 4 41"
    [held] = (await positions(client, alice, fen=opposition))["items"]
    assert held["study"]["name"] == "Study" and held["san"] == "Ke4" and held["ply"] == 80


async def test_a_hash_collision_never_returns_another_position(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, QUEENS, name="Queens")
    page = await positions(client, alice, fen=AFTER_BOTH)
    assert len(page["items"]) == 1
    # Forge a collision: another indexed position gets this position's hash.
    async with engine.begin() as connection:
        zobrist = await connection.scalar(
            text("SELECT zobrist FROM search_positions WHERE key = :k"), {"k": page["key"]}
        )
        await connection.execute(
            text("UPDATE search_positions SET zobrist = :z WHERE key <> :k"),
            {"z": zobrist, "k": page["key"]},
        )
    assert len((await positions(client, alice, fen=AFTER_BOTH))["items"]) == 1


async def test_positions_only_where_you_may_read(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    shared = await a_folder(client, owner, ws, "Shared")
    hidden = await a_folder(client, owner, ws, "Hidden")
    await a_chapter(client, owner, shared, QUEENS, name="Queens")
    await a_chapter(client, owner, hidden, ENGLISH, name="English")
    viewer = await a_user(client, "viewer")
    stranger = await a_user(client, "stranger")
    await shared_with(client, owner, shared, viewer, "viewer")
    assert len((await positions(client, owner, fen=AFTER_BOTH))["items"]) == 2
    assert [
        h["study"]["name"] for h in (await positions(client, viewer, fen=AFTER_BOTH))["items"]
    ] == ["Queens"]
    assert (await positions(client, stranger, fen=AFTER_BOTH))["items"] == []
    assert [
        h["study"]["name"]
        for h in (await positions(client, owner, fen=AFTER_BOTH, under=hidden["id"]))["items"]
    ] == ["English"]
    await positions(client, viewer, 404, fen=AFTER_BOTH, under=hidden["id"])
    trashed = await client.delete(f"/nodes/{hidden['id']}", headers=owner.headers)
    assert trashed.status_code in (200, 204)
    assert len((await positions(client, owner, fen=AFTER_BOTH))["items"]) == 1


async def test_pages_and_bad_input(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    for name in ("One", "Two", "Three"):
        await a_chapter(client, alice, ws, QUEENS, name=name)
    first = await positions(client, alice, fen=AFTER_BOTH, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await positions(client, alice, fen=AFTER_BOTH, limit=2, cursor=first["next_cursor"])
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    names = {h["study"]["name"] for h in first["items"] + rest["items"]}
    assert names == {"One", "Two", "Three"}
    for params, field in [
        ({"fen": "not a fen"}, "fen"),
        ({}, "fen"),
        ({"fen": AFTER_BOTH, "cursor": "x"}, "cursor"),
    ]:
        response = await client.get("/search/positions", params=params, headers=alice.headers)
        assert response.status_code in (400, 422), response.text
        assert field in response.text


async def test_a_large_import_is_written_in_batches_and_indexed_whole(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: Any
) -> None:
    """Positions and chapters of a large import are written in several statements (so the
    event loop never encodes one huge statement, finding 1's class); none is lost."""
    from catachess.search import indexing
    from catachess.studies import service

    monkeypatch.setattr(indexing, "POSITION_BATCH", 4)
    monkeypatch.setattr(service, "FLUSH_NODES", 3)
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws, QUEENS + "\n" + ENGLISH, name="Both")
    study = (await client.get(f"/studies/{study_id}", headers=alice.headers)).json()
    assert [chapter["node_count"] for chapter in study["chapters"]] == [5, 5]
    async with engine.connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM search_positions WHERE study_id = :s"), {"s": study_id}
        )
    assert count == 2 * 5  # each chapter: its five moves (the initial position is not)
    found = (await positions(client, alice, fen=AFTER_BOTH))["items"]
    assert len(found) == 2
