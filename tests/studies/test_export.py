"""PGN export: modes, clip, stored exports of a study or a folder, their expiry."""

import io
import uuid
import zipfile
from datetime import datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from catachess.config import Settings
from catachess.db.base import utcnow
from catachess.maintenance.registry import JOBS
from catachess.maintenance.runner import load_jobs, run_job
from tests.factories import a_folder, a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import (
    GAME,
    a_chapter,
    engine_of,
    game,
    import_study,
    move_by_san,
    read_chapter,
)

PGN = "application/x-chess-pgn"


async def test_study_pgn_full_has_every_chapter_in_order(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    pgn = GAME + "\n" + game(white="Tal", black="Botvinnik", moves="1. c4 e5 *")
    study = (await import_study(client, alice, ws, pgn, name="Classics"))["studies"][0]
    response = await client.get(f"/studies/{study['id']}/pgn", headers=alice.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == PGN
    assert 'filename="Classics.pgn"' in response.headers["content-disposition"]
    exported = response.text
    assert exported.index("Anderssen") < exported.index("Botvinnik")
    assert "{ [%cal Ge2e4] the king's pawn }" in exported
    assert "( 2... d6" in exported and "$1" in exported


async def test_export_modes(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws)

    async def export(query: str) -> str:
        response = await client.get(f"/studies/{study_id}/pgn?{query}", headers=alice.headers)
        assert response.status_code == 200, response.text
        return response.text.split("\n\n")[1]

    no_comments = await export("mode=no_comments")
    assert "d6" in no_comments and "{" not in no_comments and "$1" not in no_comments
    mainline = await export("mode=mainline")
    assert "d6" not in mainline and "the king's pawn" in mainline and "$1" in mainline
    bare = await export("mode=mainline&comments=false")
    assert bare.split() == [
        "1.",
        "e4",
        "e5",
        "2.",
        "Nf3",
        "Nc6",
        "3.",
        "Bc4",
        "Bc5",
        "4.",
        "b4",
        "1-0",
    ]
    unknown = await client.get(f"/studies/{study_id}/pgn?mode=pretty", headers=alice.headers)
    assert unknown.status_code == 422


async def test_chapter_pgn_clipped_from_a_move(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws)
    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    nf3 = move_by_san(tree, "Nf3")
    url = f"/studies/{study_id}/chapters/{chapter_id}/pgn"
    response = await client.get(url, params={"from_move": nf3["id"]}, headers=alice.headers)
    assert response.status_code == 200 and response.headers["content-type"] == PGN
    headers, moves = response.text.split("\n\n")[:2]
    assert '[SetUp "1"]' in headers and f'[FEN "{nf3["fen"]}"]' in headers
    assert '[White "Anderssen"]' in headers
    assert moves.startswith("2... Nc6 ( 2... d6")
    # The chapter itself is unchanged by an export.
    assert (await read_chapter(client, alice, study_id, chapter_id))["tree"] == tree
    missing = await client.get(url, params={"from_move": "nope"}, headers=alice.headers)
    assert missing.status_code == 404 and missing.json()["code"] == "move_not_found"


async def test_stored_export_of_a_study(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws)
    response = await client.post(
        "/exports", json={"node_id": study_id, "mode": "no_comments"}, headers=alice.headers
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["format"], stored["status"], stored["mode"]) == ("pgn", "ready", "no_comments")
    assert (stored["study_count"], stored["chapter_count"]) == (1, 1)
    assert response.headers["location"] == f"/exports/{stored['id']}"
    meta = await client.get(f"/exports/{stored['id']}", headers=alice.headers)
    assert meta.status_code == 200 and meta.json() == stored
    download = await client.get(stored["download_url"], headers=alice.headers)
    direct = await client.get(f"/studies/{study_id}/pgn?mode=no_comments", headers=alice.headers)
    assert download.headers["content-type"] == PGN and download.text == direct.text
    assert len(download.content) == stored["size_bytes"]
    [event] = await events_of(client, engine, stored["id"])
    assert (event["event_type"], event["target_type"]) == ("export.created", "export")
    assert event["payload"]["node_id"] == study_id and event["payload"]["format"] == "pgn"


async def set_trashed(engine: AsyncEngine, node_id: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE nodes SET trashed_at = now() WHERE id = :id"), {"id": uuid.UUID(node_id)}
        )


async def test_folder_export_is_a_zip_of_one_pgn_per_live_study(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice, "Openings")
    sicilian = await a_folder(client, alice, ws, "Sicilian")
    await import_study(client, alice, sicilian, GAME, name="Najdorf")
    await import_study(client, alice, sicilian, None, name="Dragon")
    await import_study(client, alice, ws, game(moves="1. d4 *"), name="Queen's Gambit")
    await import_study(client, alice, ws, game(moves="1. b3 *"), name="a/b: odd?")
    gone = (await import_study(client, alice, ws, game(), name="Gone"))["studies"][0]
    await set_trashed(engine_of(client), gone["id"])
    response = await client.post("/exports", json={"node_id": ws["id"]}, headers=alice.headers)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["format"], stored["filename"]) == ("zip", "Openings.zip")
    assert (stored["study_count"], stored["chapter_count"]) == (4, 3)
    download = await client.get(stored["download_url"], headers=alice.headers)
    assert download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert sorted(archive.namelist()) == [
        "Queen's Gambit.pgn",
        "Sicilian/Dragon.pgn",
        "Sicilian/Najdorf.pgn",
        "a_b_ odd_.pgn",
    ]
    assert "Anderssen" in archive.read("Sicilian/Najdorf.pgn").decode()
    assert archive.read("Sicilian/Dragon.pgn") == b""


async def test_exports_are_readable_only_by_readers_of_the_node(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    bob = await a_user(client, "bob")
    carol = await a_user(client, "carol")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "Shared")
    other = await a_folder(client, alice, ws, "Private")
    await import_study(client, alice, folder, GAME)
    await shared_with(client, alice, folder, bob, "viewer")
    await shared_with(client, alice, other, carol, "editor")
    stored = (
        await client.post("/exports", json={"node_id": folder["id"]}, headers=alice.headers)
    ).json()
    for reader, expected in ((bob, 200), (carol, 404)):
        meta = await client.get(f"/exports/{stored['id']}", headers=reader.headers)
        download = await client.get(stored["download_url"], headers=reader.headers)
        assert (meta.status_code, download.status_code) == (expected, expected)
    # A viewer may export what they can read; nobody exports what they cannot.
    mine = await client.post("/exports", json={"node_id": folder["id"]}, headers=bob.headers)
    theirs = await client.post("/exports", json={"node_id": folder["id"]}, headers=carol.headers)
    assert (mine.status_code, theirs.status_code) == (201, 404)


async def test_expired_exports_are_gone_and_deleted_by_the_job(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws)
    old = (await client.post("/exports", json={"node_id": study_id}, headers=alice.headers)).json()
    fresh = (
        await client.post("/exports", json={"node_id": study_id}, headers=alice.headers)
    ).json()
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE exports SET expires_at = :t WHERE id = :id"),
            {"t": utcnow() - timedelta(minutes=1), "id": uuid.UUID(old["id"])},
        )
    assert (await client.get(f"/exports/{old['id']}", headers=alice.headers)).status_code == 410
    load_jobs()
    result = await run_job(engine, async_sessionmaker(engine), JOBS["exports.expire"], settings)
    assert (result.ran, result.items) == (True, 1)
    assert (await client.get(f"/exports/{old['id']}", headers=alice.headers)).status_code == 404
    assert (await client.get(f"/exports/{fresh['id']}", headers=alice.headers)).status_code == 200


async def test_export_expiry_follows_the_retention_setting(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws)
    stored = (
        await client.post("/exports", json={"node_id": study_id}, headers=alice.headers)
    ).json()
    lifetime = datetime.fromisoformat(stored["expires_at"]) - datetime.fromisoformat(
        stored["created_at"]
    )
    assert lifetime == timedelta(hours=settings.export_retention_hours) == timedelta(hours=24)


async def test_finding_4_a_folder_export_never_hands_out_a_study_the_reader_cannot_read(
    client: httpx.AsyncClient,
) -> None:
    alice, viewer = await a_user(client, "alice"), await a_user(client, "viewer")
    ws = await a_workspace(client, alice)
    shared = await a_folder(client, alice, ws, "Shared")
    private = await a_folder(client, alice, ws, "Private")
    secret = (await import_study(client, alice, shared, GAME, name="Secret"))["studies"][0]
    stored = (
        await client.post("/exports", json={"node_id": shared["id"]}, headers=alice.headers)
    ).json()
    moved = await client.patch(
        f"/nodes/{secret['id']}", json={"parent_id": private["id"]}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    await shared_with(client, alice, shared, viewer, "viewer")
    assert (await client.get(f"/nodes/{secret['id']}", headers=viewer.headers)).status_code == 404

    download = await client.get(stored["download_url"], headers=viewer.headers)
    assert download.status_code == 410, download.status_code
    assert download.json()["code"] == "export_outdated"
    assert b"Anderssen" not in download.content
    # Its creator still reads every study in it, so it still downloads for them.
    assert (await client.get(stored["download_url"], headers=alice.headers)).status_code == 200
