"""Duplicate a folder (issue 16): every live folder and study below it, new ids, one
`node.duplicated` event that causes every creation, read on the source and edit on the
target, nothing copied twice on a retry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from catachess.config import Settings
from tests.factories import a_folder, a_user, a_workspace, events_of, shared_with
from tests.studies.helpers import GAME, PROBLEM, game, import_study
from tests.studies.test_copies import a_thread


async def trash(client: httpx.AsyncClient, actor: Any, node: dict[str, Any]) -> None:
    response = await client.delete(f"/nodes/{node['id']}", headers=actor.headers)
    assert response.status_code == 200, response.text


async def tree_of(client: httpx.AsyncClient, actor: Any, node_id: str) -> dict[str, Any]:
    """{name: subtree or the study's PGN}, read through the API."""
    children = await client.get(f"/nodes/{node_id}/children", headers=actor.headers)
    assert children.status_code == 200, children.text
    tree: dict[str, Any] = {}
    for child in children.json()["items"]:
        if child["kind"] == "study":
            pgn = await client.get(f"/studies/{child['id']}/pgn", headers=actor.headers)
            tree[child["name"]] = pgn.text
        else:
            tree[child["name"]] = await tree_of(client, actor, child["id"])
    return tree


async def a_club_folder(
    client: httpx.AsyncClient, coach: Any
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    ws = await a_workspace(client, coach, "Club")
    openings = await a_folder(client, coach, ws, "Openings")
    sicilian = await a_folder(client, coach, openings, "Sicilian")
    await import_study(client, coach, sicilian, GAME, name="Najdorf")
    await import_study(client, coach, openings, game(moves="1. d4 d5 2. c4 *"), name="QGD")
    await import_study(client, coach, openings, None, name="Empty")
    gone = await a_folder(client, coach, openings, "Old")
    await import_study(client, coach, gone, game(), name="Under the trash")
    await trash(client, coach, gone)
    trashed_study = (await import_study(client, coach, openings, game(), name="Gone"))["studies"]
    await trash(client, coach, trashed_study[0])
    return ws, openings, sicilian


async def duplicate(
    client: httpx.AsyncClient, actor: Any, node_id: str, **body: Any
) -> httpx.Response:
    return await client.post(f"/nodes/{node_id}/duplicate", json=body, headers=actor.headers)


async def test_duplicate_copies_every_live_folder_study_and_chapter(
    client: httpx.AsyncClient,
) -> None:
    coach = await a_user(client, "coach")
    ws, openings, _ = await a_club_folder(client, coach)
    response = await duplicate(client, coach, openings["id"], parent_id=ws["id"])
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["node"]["name"] == "Openings (2)" and made["node"]["role"] == "owner"
    assert (made["node_count"], made["chapter_count"]) == (5, 2)
    assert response.headers["location"] == f"/nodes/{made['node']['id']}"
    original = await tree_of(client, coach, openings["id"])
    copied = await tree_of(client, coach, made["node"]["id"])
    assert copied == original
    assert set(copied) == {"Sicilian", "QGD", "Empty"}
    assert "Anderssen" in copied["Sicilian"]["Najdorf"]


async def test_every_creation_is_caused_by_one_duplicated_event(
    client: httpx.AsyncClient, engine: Any
) -> None:
    coach = await a_user(client, "coach")
    ws, openings, sicilian = await a_club_folder(client, coach)
    made = (await duplicate(client, coach, openings["id"], parent_id=ws["id"])).json()
    root_events = await events_of(client, engine, made["node"]["id"])
    assert [event["event_type"] for event in root_events] == ["node.created", "node.duplicated"]
    duplicated = root_events[1]
    assert duplicated["payload"]["source_id"] == openings["id"]
    assert duplicated["payload"]["node_count"] == 5
    copy_sicilian = next(
        child
        for child in (
            await client.get(f"/nodes/{made['node']['id']}/children", headers=coach.headers)
        ).json()["items"]
        if child["name"] == "Sicilian"
    )
    assert copy_sicilian["id"] != sicilian["id"]
    [created] = await events_of(client, engine, copy_sicilian["id"])
    assert created["causation_id"] == duplicated["event_id"]
    assert created["correlation_id"] == duplicated["correlation_id"]


async def test_a_reader_duplicates_into_their_own_workspace_without_discussions(
    client: httpx.AsyncClient,
) -> None:
    coach = await a_user(client, "coach")
    student = await a_user(client, "student")
    stranger = await a_user(client, "stranger")
    ws, openings, sicilian = await a_club_folder(client, coach)
    najdorf = (await client.get(f"/nodes/{sicilian['id']}/children", headers=coach.headers)).json()
    await a_thread(client, coach, najdorf["items"][0]["id"], None)
    await shared_with(client, coach, ws, student, "viewer")
    mine = await a_workspace(client, student, "Mine")

    # Not into a folder the student may only read; nothing from a folder a stranger cannot see.
    refused = await duplicate(client, student, openings["id"], parent_id=ws["id"])
    assert refused.status_code == 403 and refused.headers["content-type"] == PROBLEM
    hidden = await duplicate(client, stranger, openings["id"], parent_id=ws["id"])
    assert hidden.status_code == 404

    response = await duplicate(client, student, openings["id"], parent_id=mine["id"])
    assert response.status_code == 201, response.text
    copy_id = response.json()["node"]["id"]
    assert response.json()["node"]["name"] == "Openings"
    tree = await tree_of(client, student, copy_id)
    assert "Anderssen" in tree["Sicilian"]["Najdorf"]
    copied = (await client.get(f"/nodes/{copy_id}/children", headers=student.headers)).json()
    sicilian_copy = next(item for item in copied["items"] if item["name"] == "Sicilian")
    [study] = (
        await client.get(f"/nodes/{sicilian_copy['id']}/children", headers=student.headers)
    ).json()["items"]
    threads = await client.get(
        "/discussions", params={"target_id": study["id"]}, headers=student.headers
    )
    assert threads.json()["items"] == []
    # The coach sees nothing of the student's copy.
    assert (await client.get(f"/nodes/{copy_id}", headers=coach.headers)).status_code == 404


async def test_only_a_folder_is_duplicated(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    study = (await import_study(client, coach, ws, GAME))["studies"][0]
    response = await duplicate(client, coach, study["id"], parent_id=ws["id"])
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert "clone" in response.json()["detail"]
    into_study = await duplicate(client, coach, ws["id"], parent_id=study["id"])
    assert into_study.status_code == 422


async def test_a_retried_duplicate_makes_one_copy(client: httpx.AsyncClient) -> None:
    coach = await a_user(client, "coach")
    ws, openings, _ = await a_club_folder(client, coach)
    headers = {**coach.headers, "Idempotency-Key": "duplicate-openings-1"}
    url = f"/nodes/{openings['id']}/duplicate"
    first, second = await asyncio.gather(
        client.post(url, json={"parent_id": ws["id"]}, headers=headers),
        client.post(url, json={"parent_id": ws["id"]}, headers=headers),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses in ([201, 201], [201, 409]), (first.text, second.text)
    names = [
        child["name"]
        for child in (
            await client.get(f"/nodes/{ws['id']}/children", headers=coach.headers)
        ).json()["items"]
    ]
    assert names.count("Openings (2)") == 1 and "Openings (3)" not in names


async def names_below(client: httpx.AsyncClient, actor: Any, node_id: str) -> list[str]:
    children = await client.get(f"/nodes/{node_id}/children", headers=actor.headers)
    assert children.status_code == 200, children.text
    return sorted(child["name"] for child in children.json()["items"])


async def test_a_folder_is_never_duplicated_into_itself_or_below_it(
    client: httpx.AsyncClient,
) -> None:
    """Into itself, a duplicate would copy its own earlier copies: each request doubled the
    folder (found by the fuzz gate: 12,288 nodes after 13 requests, the last taking 27 s)."""
    coach = await a_user(client, "coach")
    ws, openings, sicilian = await a_club_folder(client, coach)
    before = await tree_of(client, coach, ws["id"])
    for parent in (openings, sicilian):
        refused = await duplicate(client, coach, openings["id"], parent_id=parent["id"])
        assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
        problem = refused.json()
        assert (problem["code"], problem["field"]) == ("duplicate_into_itself", "parent_id")
        assert "Openings" in problem["detail"]
    assert await tree_of(client, coach, ws["id"]) == before
    # Beside itself, in its own parent, is a copy like any other.
    beside = await duplicate(client, coach, sicilian["id"], parent_id=openings["id"])
    assert beside.status_code == 201, beside.text
    assert await names_below(client, coach, openings["id"]) == [
        "Empty",
        "QGD",
        "Sicilian",
        "Sicilian (2)",
    ]


@pytest.fixture
def small_duplicates(settings: Settings) -> Iterator[Settings]:
    """Room for the club folder's five nodes and two chapters, not one more."""
    saved = settings.duplicate_max_nodes, settings.duplicate_max_chapters
    settings.duplicate_max_nodes, settings.duplicate_max_chapters = 5, 2
    yield settings
    settings.duplicate_max_nodes, settings.duplicate_max_chapters = saved


async def test_a_duplicate_past_its_limits_is_refused_before_anything_is_copied(
    client: httpx.AsyncClient, small_duplicates: Settings
) -> None:
    coach = await a_user(client, "coach")
    ws, openings, _ = await a_club_folder(client, coach)
    before = await names_below(client, coach, ws["id"])
    for field, setting in (
        ("duplicate_max_nodes", "DUPLICATE_MAX_NODES"),
        ("duplicate_max_chapters", "DUPLICATE_MAX_CHAPTERS"),
    ):
        limit = getattr(small_duplicates, field)
        setattr(small_duplicates, field, limit - 1)
        refused = await duplicate(client, coach, openings["id"], parent_id=ws["id"])
        setattr(small_duplicates, field, limit)
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
        problem = refused.json()
        assert problem["code"] == "duplicate_too_large"
        assert (problem["setting"], problem["limit_value"]) == (setting, limit - 1)
        assert setting in problem["detail"]
        assert await names_below(client, coach, ws["id"]) == before
    # Exactly at both limits: copied.
    made = await duplicate(client, coach, openings["id"], parent_id=ws["id"])
    assert made.status_code == 201, made.text
    assert (made.json()["node_count"], made.json()["chapter_count"]) == (5, 2)
