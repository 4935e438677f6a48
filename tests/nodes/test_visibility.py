"""Private, unlisted and public nodes: who reads without a grant, and nothing more.

The matrix: every read and write endpoint of a study x {private, unlisted, public} x
{anonymous, stranger, viewer}. Anonymous callers take the viewer's code paths for reads
and never reach a write; an unlisted study is found by nobody who lacks its URL.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Actor, a_folder, a_user, a_workspace, shared_with
from tests.studies.helpers import a_chapter

VISIBILITIES = ["private", "unlisted", "public"]
CALLERS = ["anonymous", "stranger", "viewer"]


async def set_visibility(
    client: httpx.AsyncClient, actor: Actor, node_id: str, visibility: str
) -> httpx.Response:
    return await client.put(
        f"/nodes/{node_id}/visibility", json={"visibility": visibility}, headers=actor.headers
    )


async def a_study_at(
    client: httpx.AsyncClient, visibility: str
) -> tuple[Actor, dict[str, Any], str, str]:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    if visibility != "private":
        assert (await set_visibility(client, owner, study_id, visibility)).status_code == 200
    return owner, ws, study_id, chapter_id


def reads(study_id: str, chapter_id: str) -> list[str]:
    return [
        f"/nodes/{study_id}",
        f"/nodes/{study_id}/breadcrumbs",
        f"/studies/{study_id}",
        f"/studies/{study_id}/chapters/{chapter_id}",
        f"/studies/{study_id}/pgn",
        f"/studies/{study_id}/chapters/{chapter_id}/pgn",
    ]


def writes(study_id: str, chapter_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    chapter = f"/studies/{study_id}/chapters/{chapter_id}"
    return [
        ("POST", f"{chapter}/moves", {"move": "d4"}),
        ("PATCH", chapter, {"name": "Mine now"}),
        ("PATCH", f"/nodes/{study_id}", {"name": "Mine now"}),
        ("DELETE", f"/nodes/{study_id}", {}),
        ("POST", f"/studies/{study_id}/chapters", {"fen": "8/8/8/4k3/8/8/8/4K2R w K - 0 1"}),
        ("POST", "/discussions", {"study_id": study_id, "title": "hi", "body": "hello"}),
        ("PUT", f"/nodes/{study_id}/visibility", {"visibility": "private"}),
    ]


async def caller_headers(
    client: httpx.AsyncClient, kind: str, owner: Actor, ws: dict[str, Any]
) -> dict[str, str]:
    if kind == "anonymous":
        return {}
    caller = await a_user(client, kind)
    if kind == "viewer":
        await shared_with(client, owner, ws, caller, "viewer")
    return caller.headers


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("caller", CALLERS)
async def test_visibility_matrix(client: httpx.AsyncClient, visibility: str, caller: str) -> None:
    owner, ws, study_id, chapter_id = await a_study_at(client, visibility)
    headers = await caller_headers(client, caller, owner, ws)
    readable = caller == "viewer" or visibility != "private"
    for path in reads(study_id, chapter_id):
        response = await client.get(path, headers=headers)
        assert response.status_code == (200 if readable else 404), (path, response.text)
    for method, path, body in writes(study_id, chapter_id):
        kwargs: dict[str, Any] = {"json": body} if method != "DELETE" else {}
        response = await client.request(method, path, headers=headers, **kwargs)
        if caller == "anonymous":
            expected = {401}
        elif caller == "stranger" and method == "DELETE":
            expected = {404}  # trashing is checked on the parent, which stays private
        elif readable:
            expected = {403}
        else:
            expected = {404}
        assert response.status_code in expected, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Nothing was written by any of them.
    chapter = await client.get(f"/studies/{study_id}/chapters/{chapter_id}", headers=owner.headers)
    assert chapter.json()["version"] == 1
    assert chapter.json()["name"] == "Anderssen - Dufresne"
    study = await client.get(f"/studies/{study_id}", headers=owner.headers)
    assert study.json()["name"] == "Najdorf" and len(study.json()["chapters"]) == 1


@pytest.mark.parametrize("visibility", ["unlisted", "public"])
async def test_anonymous_reader_sees_the_viewers_role_and_no_private_ancestor(
    client: httpx.AsyncClient, visibility: str
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner, "Acme Secret Workspace")
    folder = await a_folder(client, owner, ws, "Project X")
    study_id, _ = await a_chapter(client, owner, folder)
    await set_visibility(client, owner, study_id, visibility)
    study = (await client.get(f"/studies/{study_id}")).json()
    assert study["role"] == "viewer"
    crumbs = (await client.get(f"/nodes/{study_id}/breadcrumbs")).json()["items"]
    assert [crumb["id"] for crumb in crumbs] == [study_id]
    assert "Acme" not in str(crumbs) and "Project X" not in str(crumbs)
    # Neither the folder nor the workspace above became readable.
    assert (await client.get(f"/nodes/{folder['id']}")).status_code == 404
    assert (await client.get(f"/nodes/{ws['id']}")).status_code == 404


async def test_a_public_folder_covers_everything_it_holds(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    folder = await a_folder(client, owner, ws, "Lessons")
    inner = await a_folder(client, owner, folder, "Week 1")
    study_id, chapter_id = await a_chapter(client, owner, inner)
    assert (await client.get(f"/studies/{study_id}")).status_code == 404
    await set_visibility(client, owner, folder["id"], "public")
    assert (await client.get(f"/studies/{study_id}/chapters/{chapter_id}")).status_code == 200
    children = (await client.get(f"/nodes/{inner['id']}/children")).json()["items"]
    assert [child["id"] for child in children] == [study_id]
    listed = (await client.get("/public/studies")).json()["items"]
    assert [item["id"] for item in listed] == [study_id]


async def test_unlisted_study_is_listed_nowhere(client: httpx.AsyncClient) -> None:
    _, _, study_id, _ = await a_study_at(client, "unlisted")
    stranger = await a_user(client, "stranger")
    assert (await client.get("/public/studies")).json()["items"] == []
    workspaces = (await client.get("/workspaces", headers=stranger.headers)).json()["items"]
    assert workspaces == []
    found = await client.get("/events", params={"target_id": study_id}, headers=stranger.headers)
    assert found.status_code == 200 and found.json()["items"] == []
    assert (await client.get(f"/nodes/{study_id}")).status_code == 200  # with its URL


async def test_back_to_private_closes_it_again(client: httpx.AsyncClient) -> None:
    owner, _, study_id, _ = await a_study_at(client, "public")
    assert (await client.get(f"/studies/{study_id}")).status_code == 200
    response = await set_visibility(client, owner, study_id, "private")
    assert response.status_code == 200 and response.json()["visibility"] == "private"
    assert (await client.get(f"/studies/{study_id}")).status_code == 404
    assert (await client.get("/public/studies")).json()["items"] == []


async def test_setting_visibility_needs_admin_and_is_an_event(
    client: httpx.AsyncClient, engine: Any
) -> None:
    from tests.factories import events_of

    owner = await a_user(client, "owner")
    editor = await a_user(client, "editor")
    ws = await a_workspace(client, owner)
    study_id, _ = await a_chapter(client, owner, ws)
    await shared_with(client, owner, ws, editor, "editor")
    refused = await set_visibility(client, editor, study_id, "public")
    assert refused.status_code == 403
    assert refused.json()["required_role"] == "admin"
    stale = await client.put(
        f"/nodes/{study_id}/visibility",
        json={"visibility": "public"},
        headers={**owner.headers, "If-Match": '"99"'},
    )
    assert stale.status_code == 412
    done = await set_visibility(client, owner, study_id, "public")
    assert done.status_code == 200 and done.headers["ETag"] == '"2"'
    changes = [
        e for e in await events_of(client, engine, study_id) if "visibility" in e["event_type"]
    ]
    assert [(e["event_type"], e["payload"]) for e in changes] == [
        ("node.visibility_set", {"old_visibility": "private", "new_visibility": "public"})
    ]
    bad = await client.put(
        f"/nodes/{study_id}/visibility", json={"visibility": "everyone"}, headers=owner.headers
    )
    assert bad.status_code == 422 and "visibility" in bad.text


async def test_an_editor_cannot_publish_by_moving_into_a_public_folder(
    client: httpx.AsyncClient,
) -> None:
    owner = await a_user(client, "owner")
    editor = await a_user(client, "editor")
    ws = await a_workspace(client, owner)
    public = await a_folder(client, owner, ws, "Public")
    private = await a_folder(client, owner, ws, "Private")
    await set_visibility(client, owner, public["id"], "public")
    await shared_with(client, owner, ws, editor, "editor")
    study_id, _ = await a_chapter(client, owner, private)
    moved = await client.patch(
        f"/nodes/{study_id}", json={"parent_id": public["id"]}, headers=editor.headers
    )
    assert moved.status_code == 403 and "public" in moved.json()["detail"]
    assert (await client.get(f"/studies/{study_id}")).status_code == 404
    moved = await client.patch(
        f"/nodes/{study_id}", json={"parent_id": public["id"]}, headers=owner.headers
    )
    assert moved.status_code == 200
    assert (await client.get(f"/studies/{study_id}")).status_code == 200


async def test_trashed_public_study_leaves_the_listing(client: httpx.AsyncClient) -> None:
    owner, _, study_id, _ = await a_study_at(client, "public")
    assert len((await client.get("/public/studies")).json()["items"]) == 1
    assert (await client.delete(f"/nodes/{study_id}", headers=owner.headers)).status_code == 200
    assert (await client.get("/public/studies")).json()["items"] == []
    assert (await client.get(f"/studies/{study_id}")).status_code == 404


async def test_public_listing_pages_newest_first_and_by_stars(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    fan = await a_user(client, "fan")
    ws = await a_workspace(client, owner)
    ids = []
    for name in ["A", "B", "C"]:
        study_id, _ = await a_chapter(client, owner, ws, name=name)
        await set_visibility(client, owner, study_id, "public")
        ids.append(study_id)
    await client.put(f"/studies/{ids[0]}/star", headers=fan.headers)
    first = (await client.get("/public/studies", params={"limit": 2})).json()
    second = (
        await client.get("/public/studies", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [s["id"] for s in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None
    starred = (await client.get("/public/studies", params={"order": "stars"})).json()["items"]
    assert starred[0]["id"] == ids[0] and starred[0]["star_count"] == 1
    bad = await client.get("/public/studies", params={"cursor": "nope"})
    assert bad.status_code == 400


def member_reads(study_id: str, chapter_id: str) -> list[str]:
    """Reads that need an account even on a public study (history, discussions)."""
    chapter = f"/studies/{study_id}/chapters/{chapter_id}"
    return [
        f"{chapter}/history",
        f"{chapter}/versions/1",
        f"{chapter}/diff?from=1&to=1",
        f"/studies/{study_id}/history",
        f"/nodes/{study_id}/history",
        f"/discussions?target_id={study_id}",
    ]


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("caller", CALLERS)
async def test_visibility_matrix_history_discussions_stars(
    client: httpx.AsyncClient, visibility: str, caller: str
) -> None:
    owner, ws, study_id, chapter_id = await a_study_at(client, visibility)
    headers = await caller_headers(client, caller, owner, ws)
    readable = caller == "viewer" or visibility != "private"
    for path in member_reads(study_id, chapter_id):
        response = await client.get(path, headers=headers)
        expected = 401 if caller == "anonymous" else 200 if readable else 404
        assert response.status_code == expected, (path, response.text)
    # A star needs an account and a study the caller may read; an undo needs an editor.
    star = await client.put(f"/studies/{study_id}/star", headers=headers)
    assert star.status_code == (401 if caller == "anonymous" else 200 if readable else 404)
    undo = await client.post(
        f"/studies/{study_id}/chapters/{chapter_id}/undo", headers=headers, json={}
    )
    assert undo.status_code == (401 if caller == "anonymous" else 403 if readable else 404)
    # Nobody but a member finds the study by search, whatever its visibility.
    if caller != "anonymous":
        found = await client.get("/search", params={"q": "Anderssen"}, headers=headers)
        assert found.status_code == 200
        assert len(found.json()["items"]) == (1 if caller == "viewer" else 0)
