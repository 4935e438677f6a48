"""Stars, study and chapter descriptions, and editable chapter tags (as on Lichess)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import PROBLEM, a_chapter, read_chapter


async def test_star_is_counted_once_per_user_and_listed_while_readable(
    client: httpx.AsyncClient, engine: Any
) -> None:
    owner = await a_user(client, "owner")
    fan = await a_user(client, "fan")
    ws = await a_workspace(client, owner)
    study_id, _ = await a_chapter(client, owner, ws)
    await shared_with(client, owner, ws, fan, "viewer")
    for _ in range(2):  # a second star changes nothing
        starred = await client.put(f"/studies/{study_id}/star", headers=fan.headers)
        assert starred.status_code == 200
        assert starred.json() == {"star_count": 1, "starred": True}
    await client.put(f"/studies/{study_id}/star", headers=owner.headers)
    study = (await client.get(f"/studies/{study_id}", headers=fan.headers)).json()
    assert (study["star_count"], study["starred"]) == (2, True)
    mine = (await client.get("/users/me/starred", headers=fan.headers)).json()["items"]
    assert [item["id"] for item in mine] == [study_id]
    logged = [e["event_type"] for e in await events_of(client, engine, study_id)]
    assert logged.count("study.starred") == 2
    # Access revoked: the star stays counted but the study leaves the fan's list.
    await client.delete(f"/nodes/{ws['id']}/shares/{fan.id}", headers=owner.headers)
    assert (await client.get("/users/me/starred", headers=fan.headers)).json()["items"] == []
    unstar = await client.delete(f"/studies/{study_id}/star", headers=owner.headers)
    assert unstar.json() == {"star_count": 1, "starred": False}


async def test_a_stranger_cannot_star_a_private_study(client: httpx.AsyncClient) -> None:
    owner = await a_user(client, "owner")
    stranger = await a_user(client, "stranger")
    ws = await a_workspace(client, owner)
    study_id, _ = await a_chapter(client, owner, ws)
    response = await client.put(f"/studies/{study_id}/star", headers=stranger.headers)
    assert response.status_code == 404
    assert (await client.put(f"/studies/{study_id}/star")).status_code == 401


async def test_study_and_chapter_descriptions_with_if_match(
    client: httpx.AsyncClient, engine: Any
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    text = "# Najdorf\n\n*Sharp* lines <script>alert(1)</script> stay text."
    described = await client.patch(
        f"/nodes/{study_id}",
        json={"description": text},
        headers={**owner.headers, "If-Match": '"1"'},
    )
    assert described.status_code == 200 and described.json()["description"] == text
    stale = await client.patch(
        f"/nodes/{study_id}",
        json={"description": "other"},
        headers={**owner.headers, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert (await client.get(f"/studies/{study_id}", headers=owner.headers)).json()[
        "description"
    ] == text
    chapter = await client.patch(
        f"/studies/{study_id}/chapters/{chapter_id}",
        json={"description": "Move 10 is the point."},
        headers={**owner.headers, "If-Match": '"1"'},
    )
    assert chapter.status_code == 200 and chapter.json()["version"] == 2
    assert (await read_chapter(client, owner, study_id, chapter_id))["description"] == (
        "Move 10 is the point."
    )
    too_long = await client.patch(
        f"/studies/{study_id}/chapters/{chapter_id}",
        json={"description": "x" * 20_001},
        headers=owner.headers,
    )
    assert too_long.status_code == 422 and "description" in too_long.text
    types = [e["event_type"] for e in await events_of(client, engine, chapter_id)]
    assert types[-1] == "chapter.description_set"


async def test_chapter_tags_are_edited_kept_in_order_and_exported(
    client: httpx.AsyncClient, engine: Any
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    url = f"/studies/{study_id}/chapters/{chapter_id}"
    edited = await client.patch(
        url,
        json={"headers": {"White": "Adolf Anderssen", "Annotator": "Coach", "Date": "1852.??.??"}},
        headers=owner.headers,
    )
    assert edited.status_code == 200, edited.text
    headers = (await read_chapter(client, owner, study_id, chapter_id))["headers"]
    assert headers[:7] == [
        ["Event", "Casual"],
        ["Site", "Berlin"],
        ["Date", "1852.??.??"],
        ["Round", "?"],
        ["White", "Adolf Anderssen"],
        ["Black", "Dufresne"],
        ["Result", "1-0"],
    ]
    assert ["Annotator", "Coach"] in headers
    pgn = (await client.get(f"{url}/pgn", headers=owner.headers)).text
    assert '[White "Adolf Anderssen"]' in pgn and '[Annotator "Coach"]' in pgn
    removed = await client.patch(url, json={"headers": {"Annotator": None}}, headers=owner.headers)
    assert removed.status_code == 200
    assert '[Annotator "' not in (await client.get(f"{url}/pgn", headers=owner.headers)).text
    [*_, last] = await events_of(client, engine, chapter_id)
    assert last["event_type"] == "chapter.headers_set"
    assert last["payload"]["removed"] == ["Annotator"]


async def test_chapter_tag_edits_that_break_pgn_are_refused_naming_the_tag(
    client: httpx.AsyncClient,
) -> None:
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner)
    study_id, chapter_id = await a_chapter(client, owner, ws)
    url = f"/studies/{study_id}/chapters/{chapter_id}"
    refused = {
        "White": None,  # the Seven Tag Roster stays
        "FEN": "8/8/8/8/8/8/8/K6k w - - 0 1",  # the tree decides the position
        "Result": "won",
        "Date": "yesterday",
        "Bad Tag": "x",
        "Annotator": "line\nbreak",
    }
    for tag, value in refused.items():
        response = await client.patch(url, json={"headers": {tag: value}}, headers=owner.headers)
        assert response.status_code == 422, (tag, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert tag in response.json()["detail"] or tag in str(response.json())
    chapter = await read_chapter(client, owner, study_id, chapter_id)
    assert chapter["version"] == 1  # nothing half-written
