"""GET /search: what is indexed, kept in step with every write, and only what you may read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import Actor, a_folder, a_study, a_user, a_workspace, shared_with
from tests.search.helpers import get_page
from tests.studies.helpers import a_chapter, game, import_study, move_by_san, read_chapter

REti = """[Event "Hastings Premier"]
[Site "Hastings"]
[Date "1925.12.29"]
[Round "?"]
[White "Réti, Richard"]
[Black "Nepomniachtchi, Ian"]
[Result "1-0"]
[ECO "A09"]
[Opening "Réti Opening"]
[Annotator "Tartakower"]

1. Nf3 { the Réti idea: hypermodern control } d5 2. c4 { a gambit of sorts } d4
(2... dxc4 { the Berlin endgame lookalike } 3. e3) 3. b4 1-0
"""


async def search(
    client: httpx.AsyncClient, actor: Actor, status: int = 200, **params: Any
) -> dict[str, Any]:
    return await get_page(client, actor, "/search", status, **params)


def kinds(page: dict[str, Any]) -> list[str]:
    return sorted(hit["kind"] for hit in page["items"])


async def test_accents_fold_both_ways_and_names_match_as_typed(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, REti, name="Hastings")
    reti = await search(client, alice, q="Reti")
    assert "chapter" in kinds(reti) and "comment" in kinds(reti)
    assert (await search(client, alice, q="réti"))["items"] == reti["items"]
    nepo = await search(client, alice, q="Nepomniachtchi")
    assert kinds(nepo) == ["chapter"]
    [hit] = nepo["items"]
    assert hit["snippet"][hit["highlights"][0][0] : hit["highlights"][0][1]] == "Nepomniachtchi"
    # The snippet keeps the original spelling while the match ignores accents.
    comment = next(h for h in reti["items"] if h["kind"] == "comment")
    start, end = comment["highlights"][0]
    assert comment["snippet"][start:end] == "Réti"
    assert "<mark>Réti</mark>" in comment["snippet_html"]
    assert comment["move"]["san"] == "Nf3" and comment["move"]["ply"] == 1
    assert comment["chapter"]["name"] == "Réti, Richard - Nepomniachtchi, Ian"
    assert [crumb["name"] for crumb in comment["breadcrumb"]] == ["Openings", "Hastings"]


async def test_websearch_syntax_phrase_exclude_or(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, REti)
    comments = {"kind": "comment"}
    assert len((await search(client, alice, q='"berlin endgame"', **comments))["items"]) == 1
    assert (await search(client, alice, q='"endgame berlin"', **comments))["items"] == []
    assert (await search(client, alice, q="gambit -sorts", **comments))["items"] == []
    assert len((await search(client, alice, q="gambit or hypermodern", **comments))["items"]) == 2


async def test_prefix_matches_while_typing(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_chapter(client, alice, ws, REti)
    assert (await search(client, alice, q="Nepomn"))["items"] == []
    assert kinds(await search(client, alice, q="Nepomn", prefix="true")) == ["chapter"]
    assert kinds(await search(client, alice, q="hastings tarta", prefix="true")) == ["chapter"]


async def test_header_filters(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await import_study(
        client,
        alice,
        ws,
        REti + "\n" + game(white="Ding Liren", black="Carlsen, Magnus", event="Ding match"),
    )
    ding = await search(client, alice, player="ding")
    assert [hit["chapter"]["name"] for hit in ding["items"]] == ["Ding Liren - Carlsen, Magnus"]
    assert len((await search(client, alice, white="reti", eco="A0"))["items"]) == 1
    assert (await search(client, alice, black="reti"))["items"] == []
    assert len((await search(client, alice, result="1-0"))["items"]) == 1
    old = await search(client, alice, date_from="1900-01-01", date_to="1930-01-01")
    assert len(old["items"]) == 1
    # With words, the filters keep matching chapters and comments of the filtered games.
    assert kinds(await search(client, alice, q="gambit", player="Nepomniachtchi")) == ["comment"]
    assert (await search(client, alice, q="gambit", player="ding"))["items"] == []


async def test_every_write_updates_the_index(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws, "Zukertort")
    study_id, chapter_id = await a_chapter(client, alice, folder, REti)
    assert kinds(await search(client, alice, q="zukertort")) == ["node"]
    renamed = await client.patch(
        f"/nodes/{folder['id']}", json={"name": "Colle"}, headers=alice.headers
    )
    assert renamed.status_code == 200
    assert (await search(client, alice, q="zukertort"))["items"] == []
    assert kinds(await search(client, alice, q="colle")) == ["node"]

    url = f"/studies/{study_id}/chapters/{chapter_id}"
    patched = await client.patch(url, json={"name": "Bogoljubow lines"}, headers=alice.headers)
    assert patched.status_code == 200, patched.text
    assert kinds(await search(client, alice, q="bogoljubow")) == ["chapter"]

    tree = (await read_chapter(client, alice, study_id, chapter_id))["tree"]
    nf3 = move_by_san(tree, "Nf3")
    commented = await client.put(
        f"{url}/moves/{nf3['id']}/comment",
        json={"comment": "Quiet Zwischenzug"},
        headers=alice.headers,
    )
    assert commented.status_code == 200, commented.text
    assert (await search(client, alice, q="hypermodern"))["items"] == []
    [hit] = (await search(client, alice, q="zwischenzug"))["items"]
    assert hit["move"]["id"] == nf3["id"]

    dxc4 = move_by_san(tree, "dxc4")
    deleted = await client.delete(f"{url}/moves/{dxc4['id']}", headers=alice.headers)
    assert deleted.status_code in (200, 204), deleted.text
    assert (await search(client, alice, q="berlin"))["items"] == []

    thread = await client.post(
        "/discussions",
        json={
            "study_id": study_id,
            "chapter_id": chapter_id,
            "move_id": nf3["id"],
            "title": "Why?",
            "body": "Is the Katalymov trick sound?",
        },
        headers=alice.headers,
    )
    assert thread.status_code == 201, thread.text
    [post] = (await search(client, alice, q="katalymov"))["items"]
    assert post["kind"] == "post" and post["move"]["san"] == "Nf3"
    thread_body = thread.json()
    post_id = post["post_id"]
    edited = await client.patch(
        f"/discussions/{thread_body['id']}/posts/{post_id}",
        json={"body": "Never mind"},
        headers={**alice.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200, edited.text
    assert (await search(client, alice, q="katalymov"))["items"] == []

    gone = await client.delete(url, headers=alice.headers)
    assert gone.status_code == 204, gone.text
    assert (await search(client, alice, q="zwischenzug"))["items"] == []


async def permission_world(client: httpx.AsyncClient) -> dict[str, Any]:
    """A workspace with an open folder and a hidden study whose comments match "Marshall"."""
    owner = await a_user(client, "owner")
    ws = await a_workspace(client, owner, "Club")
    open_folder = await a_folder(client, owner, ws, "Open")
    hidden_folder = await a_folder(client, owner, ws, "Hidden")
    marshall = REti.replace("hypermodern control", "Marshall attack idea")
    await a_chapter(client, owner, open_folder, marshall, name="Open study")
    await a_chapter(client, owner, hidden_folder, marshall, name="Hidden study")
    return {"owner": owner, "ws": ws, "open": open_folder, "hidden": hidden_folder}


@pytest.mark.parametrize("role", ["owner", "admin", "editor", "commenter", "viewer"])
async def test_permission_matrix_a_grant_on_one_folder_finds_only_that_folder(
    client: httpx.AsyncClient, role: str
) -> None:
    world = await permission_world(client)
    member = await a_user(client, role)
    await shared_with(client, world["owner"], world["open"], member, role)
    page = await search(client, member, q="marshall")
    assert [hit["node"]["name"] for hit in page["items"]] == ["Open study"]
    # The folder above the grant is not named in the breadcrumb.
    assert [crumb["name"] for crumb in page["items"][0]["breadcrumb"]] == ["Open", "Open study"]
    assert (await search(client, member, q="hidden"))["items"] == []
    everything = await search(client, world["owner"], q="marshall")
    assert sorted(hit["node"]["name"] for hit in everything["items"]) == [
        "Hidden study",
        "Open study",
    ]


async def test_hidden_study_with_matching_comments_leaks_nothing(
    client: httpx.AsyncClient,
) -> None:
    world = await permission_world(client)
    stranger = await a_user(client, "stranger")
    assert (await search(client, stranger, q="marshall"))["items"] == []
    assert (await search(client, stranger, q="marshall", workspace_id=world["ws"]["id"]))[
        "items"
    ] == []
    # Asking for a subtree one may not read is a 404, as for a missing node.
    await search(client, stranger, 404, q="marshall", under=world["hidden"]["id"])
    # Pages are cut after the access filter: a reader of the open folder gets full pages.
    viewer = await a_user(client, "viewer")
    await shared_with(client, world["owner"], world["open"], viewer, "viewer")
    page = await search(client, viewer, q="reti", limit=1)
    seen = [page["items"][0]]
    while page["next_cursor"]:
        page = await search(client, viewer, q="reti", limit=1, cursor=page["next_cursor"])
        assert len(page["items"]) == 1
        seen += page["items"]
    assert {hit["node"]["name"] for hit in seen} == {"Open study"}


async def test_trashed_nodes_never_appear(client: httpx.AsyncClient) -> None:
    world = await permission_world(client)
    owner = world["owner"]
    trashed = await client.delete(f"/nodes/{world['hidden']['id']}", headers=owner.headers)
    assert trashed.status_code in (200, 204), trashed.text
    page = await search(client, owner, q="marshall")
    assert [hit["node"]["name"] for hit in page["items"]] == ["Open study"]
    assert (await search(client, owner, q="hidden"))["items"] == []


async def test_under_limits_to_a_subtree_and_pages_follow_the_rank(
    client: httpx.AsyncClient,
) -> None:
    world = await permission_world(client)
    owner = world["owner"]
    under = await search(client, owner, q="marshall", under=world["open"]["id"])
    assert [hit["node"]["name"] for hit in under["items"]] == ["Open study"]
    full = await search(client, owner, q="reti")
    pages, page = [], await search(client, owner, q="reti", limit=2)
    pages += page["items"]
    while page["next_cursor"]:
        page = await search(client, owner, q="reti", limit=2, cursor=page["next_cursor"])
        pages += page["items"]
    assert pages == full["items"]
    scores = [hit["score"] for hit in full["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_bad_input_is_a_problem_naming_the_field(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    for params, field in [
        ({}, "q"),
        ({"q": "x", "kind": "study"}, "kind"),
        ({"q": "x", "eco": "Z12"}, "eco"),
        ({"q": "x", "date_from": "yesterday"}, "date_from"),
        ({"q": "x", "cursor": "nonsense"}, "cursor"),
        ({"q": "x" * 501}, "q"),
        ({"q": "x\x00"}, "q"),
    ]:
        response = await client.get("/search", params=params, headers=alice.headers)
        assert 400 <= response.status_code < 500, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text, (params, response.text)
    assert (await client.get("/search", params={"q": "x"})).status_code == 401


async def test_only_stop_words_or_punctuation_find_nothing_without_error(
    client: httpx.AsyncClient,
) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    await a_study(client, alice, ws, "The")
    assert kinds(await search(client, alice, q="the")) == ["node"]
    assert (await search(client, alice, q="!!! ???"))["items"] == []
    assert (await search(client, alice, q='"'))["items"] == []
