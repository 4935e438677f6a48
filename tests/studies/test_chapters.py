"""Reading, renaming, reordering and deleting chapters; nested ids; permissions."""

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from catachess.studies.schemas import ChapterRead
from tests.factories import Actor, a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import GAME, PROBLEM, a_chapter, games, import_study, types_of


async def a_study_of(client: httpx.AsyncClient, actor: Actor, count: int) -> dict[str, Any]:
    ws = await a_workspace(client, actor)
    return (await import_study(client, actor, ws, games(count)))["studies"][0]


async def test_chapter_read_matches_the_documented_schema(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws)
    response = await client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=alice.headers)
    assert response.headers["etag"] == '"1"'
    chapter = ChapterRead.model_validate(response.json())
    assert chapter.node_count == len(chapter.tree.nodes) == 9
    variation = next(n for n in chapter.tree.nodes.values() if n.san == "d6")
    assert variation.comment == "Philidor"


async def test_rename_reorder_and_orientation_in_one_patch(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 4)
    ids = [c["id"] for c in study["chapters"]]
    response = await client.patch(
        f"/studies/{study['id']}/chapters/{ids[3]}",
        json={"name": "Finale", "position": 1, "orientation": "black"},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["name"], response.json()["position"]) == ("Finale", 1)
    listing = (await client.get(f"/studies/{study['id']}", headers=alice.headers)).json()
    assert [c["id"] for c in listing["chapters"]] == [ids[0], ids[3], ids[1], ids[2]]
    assert [c["position"] for c in listing["chapters"]] == [0, 1, 2, 3]
    events = await events_of(client, engine, ids[3])
    assert types_of(events) == [
        "study.chapter_added",
        "chapter.renamed",
        "chapter.reordered",
        "chapter.orientation_set",
    ]
    assert events[1]["payload"] == {
        "study_id": study["id"],
        "old_name": "W4 - B4",
        "new_name": "Finale",
    }
    assert events[2]["payload"] == {"study_id": study["id"], "old_position": 3, "new_position": 1}
    assert {event["version"] for event in events[1:]} == {2}


async def test_reorder_down_shifts_the_chapters_between(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 4)
    ids = [c["id"] for c in study["chapters"]]
    response = await client.patch(
        f"/studies/{study['id']}/chapters/{ids[0]}", json={"position": 3}, headers=alice.headers
    )
    assert response.status_code == 200
    listing = (await client.get(f"/studies/{study['id']}", headers=alice.headers)).json()
    assert [c["id"] for c in listing["chapters"]] == [ids[1], ids[2], ids[3], ids[0]]


async def test_reorder_past_the_end_is_422(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 2)
    response = await client.patch(
        f"/studies/{study['id']}/chapters/{study['chapters'][0]['id']}",
        json={"position": 2},
        headers=alice.headers,
    )
    assert response.status_code == 422 and response.json()["field"] == "position"


async def test_concurrent_reorders_keep_positions_unique(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 5)
    ids = [c["id"] for c in study["chapters"]]
    responses = await asyncio.gather(
        *(
            client.patch(
                f"/studies/{study['id']}/chapters/{chapter_id}",
                json={"position": target},
                headers=alice.headers,
            )
            for chapter_id, target in zip(ids, [4, 0, 3, 1, 2], strict=True)
        )
    )
    assert {r.status_code for r in responses} <= {200, 409}
    listing = (await client.get(f"/studies/{study['id']}", headers=alice.headers)).json()
    assert sorted(c["position"] for c in listing["chapters"]) == [0, 1, 2, 3, 4]


async def test_stale_if_match_is_412_and_changes_nothing(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 1)
    chapter_id = study["chapters"][0]["id"]
    url = f"/studies/{study['id']}/chapters/{chapter_id}"
    first = await client.patch(
        url, json={"name": "A"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200
    stale = await client.patch(
        url, json={"name": "B"}, headers={**alice.headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.headers["content-type"] == PROBLEM
    assert stale.json()["current_etag"] == '"2"'
    assert (await client.get(url, headers=alice.headers)).json()["name"] == "A"


async def test_delete_chapter_closes_the_gap(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice = await a_user(client, "alice")
    study = await a_study_of(client, alice, 3)
    ids = [c["id"] for c in study["chapters"]]
    url = f"/studies/{study['id']}/chapters/{ids[0]}"
    stale = await client.delete(url, headers={**alice.headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    response = await client.delete(url, headers={**alice.headers, "If-Match": '"1"'})
    assert response.status_code == 204
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    listing = (await client.get(f"/studies/{study['id']}", headers=alice.headers)).json()
    assert [(c["id"], c["position"]) for c in listing["chapters"]] == [(ids[1], 0), (ids[2], 1)]
    events = await events_of(client, engine, ids[0])
    assert types_of(events) == ["study.chapter_added", "chapter.deleted"]
    assert events[1]["payload"] == {
        "study_id": study["id"],
        "name": "W1 - B1",
        "position": 0,
        "node_count": 2,
    }


async def test_chapter_of_another_study_is_404(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_a, _ = await a_chapter(client, alice, ws)
    _, chapter_b = await a_chapter(client, alice, (await a_workspace(client, alice, "Other")))
    base = f"/studies/{study_a}/chapters/{chapter_b}"
    calls = [
        client.get(base, headers=alice.headers),
        client.get(f"{base}/pgn", headers=alice.headers),
        client.patch(base, json={"name": "x"}, headers=alice.headers),
        client.delete(base, headers=alice.headers),
        client.post(f"{base}/moves", json={"move": "e4"}, headers=alice.headers),
        client.post(f"{base}/cut", json={"move_id": "abc"}, headers=alice.headers),
        client.put(f"{base}/comment", json={"comment": "x"}, headers=alice.headers),
    ]
    for response in await asyncio.gather(*calls):
        assert response.status_code == 404, response.request.url
        assert response.json()["code"] == "chapter_not_found"


async def test_a_folder_is_not_a_study(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.get(f"/studies/{ws['id']}", headers=alice.headers)
    assert response.status_code == 404 and response.json()["code"] == "study_not_found"


ROLES = ["viewer", "commenter", "editor", "admin", None]


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(client: httpx.AsyncClient, role: str | None) -> None:
    """viewer and commenter read (edits 403), editor and above edit, a stranger gets 404."""
    alice = await a_user(client, "alice")
    bob = await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws)
    if role is not None:
        await shared_with(client, alice, ws, bob, role)
    chapter = f"/studies/{study_id}/chapters/{chapter_id}"
    reads = [
        await client.get(f"/studies/{study_id}", headers=bob.headers),
        await client.get(chapter, headers=bob.headers),
        await client.get(f"/studies/{study_id}/pgn", headers=bob.headers),
        await client.get(f"{chapter}/pgn", headers=bob.headers),
    ]
    tree = (await client.get(chapter, headers=alice.headers)).json()["tree"]
    first = tree["children"][0]
    second = tree["nodes"][first]["children"][0]
    third = tree["nodes"][second]["children"][0]
    writes = [
        await client.post(f"/studies/{study_id}/chapters", json={"pgn": GAME}, headers=bob.headers),
        await client.patch(chapter, json={"name": "x"}, headers=bob.headers),
        await client.post(
            f"{chapter}/moves", json={"after": first, "move": "d5"}, headers=bob.headers
        ),
        await client.put(
            f"{chapter}/moves/{first}/comment", json={"comment": "x"}, headers=bob.headers
        ),
        await client.put(f"{chapter}/moves/{first}/nags", json={"nags": [1]}, headers=bob.headers),
        await client.put(
            f"{chapter}/moves/{first}/shapes", json={"shapes": []}, headers=bob.headers
        ),
        await client.post(f"{chapter}/moves/{first}/promote", json={}, headers=bob.headers),
        await client.post(f"{chapter}/moves/{first}/to-chapter", json={}, headers=bob.headers),
        await client.delete(f"{chapter}/moves/{third}", headers=bob.headers),
        await client.post(f"{chapter}/cut", json={"move_id": second}, headers=bob.headers),
        await client.delete(chapter, headers=bob.headers),
    ]
    read_status = {r.status_code for r in reads}
    write_status = {r.status_code for r in writes}
    if role is None:
        assert read_status == write_status == {404}
    elif role in ("viewer", "commenter"):
        assert read_status == {200}
        assert write_status == {403}, [(r.request.url, r.status_code) for r in writes]
    else:
        assert read_status == {200}
        assert write_status <= {200, 201, 204}, [(r.request.url, r.text) for r in writes]


async def test_anonymous_read_of_a_private_chapter_is_404_and_a_bad_token_401(
    client: httpx.AsyncClient,
) -> None:
    """Anonymous readers exist for unlisted and public studies (docs/visibility.md); a
    private one answers them exactly like a missing one, and a stale token is a 401."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, chapter_id = await a_chapter(client, alice, ws)
    response = await client.get(f"/studies/{study_id}/chapters/{chapter_id}")
    assert response.status_code == 404
    stale = {"Authorization": "Bearer not-a-token"}
    response = await client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=stale)
    assert response.status_code == 401


async def test_deleting_the_study_node_row_deletes_its_chapters_and_exports(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Purge deletes node rows; chapters and exports go with them by FK cascade."""
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    study_id, _ = await a_chapter(client, alice, ws)
    export = await client.post("/exports", json={"node_id": study_id}, headers=alice.headers)
    assert export.status_code == 201
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM nodes WHERE id = :id"), {"id": study_id})
        left = (
            await connection.execute(
                text("SELECT (SELECT count(*) FROM chapters), (SELECT count(*) FROM exports)")
            )
        ).one()
    assert tuple(left) == (0, 0)
