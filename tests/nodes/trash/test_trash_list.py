"""GET /trash: the roots the caller may restore, newest first, with where they were."""

from datetime import datetime, timedelta

import httpx

from tests.factories import a_folder, a_user, shared_with
from tests.nodes.trash.helpers import trash_ids, trashed
from tests.nodes.trash.test_trash import world


async def test_trash_lists_roots_newest_first_with_their_origin(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["study"])
    await trashed(client, alice, w["dragon"])
    await trashed(client, alice, w["other"])
    response = await client.get("/trash", headers=alice.headers)
    items = response.json()["items"]
    assert [i["name"] for i in items] == ["Other", "Dragon", "Main line"]
    main_line = items[2]
    assert main_line["original_path"] == ["Openings", "Sicilian", "Najdorf lines"]
    assert main_line["original_parent_id"] == w["sub"]["id"]
    assert main_line["kind"] == "study" and main_line["node_count"] == 1
    assert main_line["trashed_by_name"] == "alice"
    trashed_at = datetime.fromisoformat(main_line["trashed_at"])
    assert datetime.fromisoformat(main_line["purge_after"]) - trashed_at == timedelta(days=30)


async def test_trash_is_paginated_by_cursor(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice = w["alice"]
    folders = [await a_folder(client, alice, w["other"], f"f{n}") for n in range(5)]
    for folder in folders:
        await trashed(client, alice, folder)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/trash", params=params, headers=alice.headers)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["f4", "f3", "f2", "f1", "f0"]


async def test_a_bad_cursor_is_400(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    for cursor in (
        "nonsense",
        "WyJub3QgYSBkYXRlIiwgIjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCJd",
    ):
        response = await client.get("/trash", params={"cursor": cursor}, headers=alice.headers)
        assert response.status_code == 400, cursor
        assert response.json()["field"] == "cursor"


async def test_trash_shows_only_what_the_caller_may_restore(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice = w["alice"]
    folder_editor, viewer, stranger = (
        await a_user(client, "folder-editor"),
        await a_user(client, "viewer"),
        await a_user(client, "stranger"),
    )
    await shared_with(client, alice, w["folder"], folder_editor, "editor")
    await shared_with(client, alice, w["ws"], viewer, "viewer")
    await trashed(client, alice, w["study"])  # under the folder: the folder editor may restore
    await trashed(client, alice, w["other"])  # at the workspace root: needs editor there
    assert await trash_ids(client, alice) == [w["other"]["id"], w["study"]["id"]]
    assert await trash_ids(client, folder_editor) == [w["study"]["id"]]
    assert await trash_ids(client, viewer) == []
    assert await trash_ids(client, stranger) == []
    # Once the parent is gone too, the study would land at the workspace root, where the
    # folder editor has no role: it leaves their list (restore would answer 403).
    await trashed(client, alice, w["folder"])
    assert await trash_ids(client, folder_editor) == []


async def test_finding_5_trash_and_its_event_never_name_ancestors_the_reader_cannot_read(
    client: httpx.AsyncClient,
) -> None:
    from tests.factories import a_study, a_workspace

    alice, member = await a_user(client, "alice"), await a_user(client, "member")
    ws = await a_workspace(client, alice, "Acme Secret Workspace")
    project = await a_folder(client, alice, ws, "Project X - layoffs")
    team = await a_folder(client, alice, project, "Team")
    study = await a_study(client, alice, team, "Notes")
    await shared_with(client, alice, team, member, "editor")

    assert (await client.delete(f"/nodes/{study['id']}", headers=member.headers)).is_success
    listed = (await client.get("/trash", headers=member.headers)).json()["items"]
    assert [item["original_path"] for item in listed] == [["Team"]]
    # Restored, the study is live again and its node.trashed event readable by the member.
    restored = await client.post(f"/nodes/{study['id']}/restore", headers=member.headers)
    assert restored.status_code == 200, restored.text
    events = await client.get(
        "/events",
        params={"target_id": study["id"], "event_type": "node.trashed"},
        headers=member.headers,
    )
    [event] = events.json()["items"]
    assert event["payload"]["original_path_ids"] == [ws["id"], project["id"], team["id"]]
    assert "Acme" not in events.text and "layoffs" not in events.text
    assert (await client.delete(f"/nodes/{study['id']}", headers=member.headers)).is_success
    # The owner, who reads everything, still sees the whole path.
    owners = (await client.get("/trash", headers=alice.headers)).json()["items"]
    assert owners[0]["original_path"] == ["Acme Secret Workspace", "Project X - layoffs", "Team"]
