"""DELETE /nodes/{id}/purge: gone for good, with everything that references the subtree."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_user, events_of, shared_with
from tests.nodes.trash.helpers import (
    assert_tree_consistent,
    purge,
    restore,
    rows,
    trash,
    trash_ids,
    trashed,
)
from tests.nodes.trash.test_trash import world

# Every foreign key that points at nodes.id, found in the catalog (not hard-coded), so a
# table added later is checked too.
REFERENCES_TO_NODES = """
    SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name,
           c.confdeltype::text AS on_delete
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.contype = 'f' AND c.confrelid = 'nodes'::regclass
"""


async def test_every_foreign_key_to_nodes_cascades_on_delete(engine: AsyncEngine) -> None:
    references = await rows(engine, REFERENCES_TO_NODES)
    assert ("grants", "node_id", "c") in {tuple(r.values()) for r in references}
    not_cascading = [
        (r["table_name"], r["column_name"])
        for r in references
        if r["on_delete"] != "c" and (r["table_name"], r["column_name"]) != ("nodes", "parent_id")
    ]
    # nodes.parent_id is the tree itself: purge deletes parent and children in one statement.
    assert not_cascading == [], "a purge would leave these rows behind or fail"


async def count_references(engine: AsyncEngine, node_ids: list[str]) -> dict[str, int]:
    """Rows in every table (nodes included) that reference one of these nodes."""
    counts: dict[str, int] = {}
    for ref in await rows(engine, REFERENCES_TO_NODES):
        table, column = ref["table_name"], ref["column_name"]
        found = await rows(
            engine,
            f"SELECT count(*) AS n FROM {table} WHERE {column}::text = ANY(:ids)",
            ids=node_ids,
        )
        counts[f"{table}.{column}"] = found[0]["n"]
    nodes = await rows(
        engine, "SELECT count(*) AS n FROM nodes WHERE id::text = ANY(:ids)", ids=node_ids
    )
    counts["nodes.id"] = nodes[0]["n"]
    return counts


async def test_purge_leaves_nothing_that_referenced_the_subtree(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice, bob = w["alice"], await a_user(client, "bob")
    await shared_with(client, alice, w["sub"], bob, "editor")
    await shared_with(client, alice, w["other"], bob, "viewer")
    for key in ("study", "other"):
        await client.post(
            f"/nodes/{w[key]['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
        )
    subtree = [w[k]["id"] for k in ("folder", "sub", "study", "dragon")]
    before = await count_references(engine, subtree)
    assert before["grants.node_id"] == 1 and before["share_links.node_id"] == 1
    await trashed(client, alice, w["folder"])

    response = await purge(client, alice, w["folder"], **{"X-Correlation-ID": "purge-1"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": w["folder"]["id"],
        "kind": "folder",
        "name": "Sicilian",
        "node_count": 4,
        "kept_in_trash": [],
    }
    assert set((await count_references(engine, subtree)).values()) == {0}
    # The rest of the workspace is untouched.
    untouched = await count_references(engine, [w["other"]["id"], w["ws"]["id"]])
    assert untouched["nodes.id"] == 2 and untouched["grants.node_id"] == 2
    assert untouched["share_links.node_id"] == 1
    # The event log keeps the history of the purged node.
    history = await events_of(client, engine, w["folder"]["id"])
    assert [e["event_type"] for e in history] == ["node.created", "node.trashed", "node.purged"]
    purged = history[-1]
    assert str(purged["actor_id"]) == alice.id and purged["target_type"] == "folder"
    assert (purged["version"], purged["correlation_id"]) == (2, "purge-1")
    assert purged["payload"] == {
        "name": "Sicilian",
        "node_count": 4,
        "reason": "user",
        "kept_in_trash": [],
    }
    await assert_tree_consistent(engine)


async def test_purging_a_workspace_purges_all_its_trash(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice, bob = w["alice"], await a_user(client, "bob")
    await shared_with(client, alice, w["ws"], bob, "viewer")
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["ws"])
    response = await purge(client, alice, w["ws"])
    assert response.status_code == 200, response.text
    assert response.json()["node_count"] == 6
    left = await rows(
        engine,
        "SELECT (SELECT count(*) FROM nodes) AS nodes, (SELECT count(*) FROM grants) AS grants, "
        "(SELECT count(*) FROM trash_entries) AS entries",
    )
    assert left == [{"nodes": 0, "grants": 0, "entries": 0}]
    nested = (await events_of(client, engine, w["sub"]["id"]))[-1]
    assert nested["event_type"] == "node.purged"
    assert nested["payload"]["reason"] == "workspace_purged"
    assert (await events_of(client, engine, w["ws"]["id"]))[-1]["event_type"] == "node.purged"
    assert await trash_ids(client, alice) == []


async def test_purge_keeps_subtrees_trashed_separately_and_says_so(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    await trashed(client, alice, w["sub"])
    await trashed(client, alice, w["folder"])
    response = await purge(client, alice, w["folder"])
    assert response.json()["node_count"] == 2
    assert response.json()["kept_in_trash"] == [w["sub"]["id"]]
    event = (await events_of(client, engine, w["folder"]["id"]))[-1]
    assert event["payload"]["kept_in_trash"] == [w["sub"]["id"]]
    moved = await rows(
        engine, "SELECT parent_id::text AS parent FROM nodes WHERE id = :id", id=w["sub"]["id"]
    )
    assert moved == [{"parent": w["ws"]["id"]}]
    assert await trash_ids(client, alice) == [w["sub"]["id"]]
    await assert_tree_consistent(engine)


async def test_purge_only_from_the_trash(client: httpx.AsyncClient) -> None:
    w = await world(client)
    alice = w["alice"]
    live = await purge(client, alice, w["folder"])
    assert live.status_code == 409 and live.json()["code"] == "not_in_trash"
    await trashed(client, alice, w["folder"])
    inside = await purge(client, alice, w["study"])
    assert inside.status_code == 409 and inside.json()["code"] == "not_a_trash_root"
    assert (await purge(client, alice, w["folder"])).status_code == 200
    again = await purge(client, alice, w["folder"])
    assert again.status_code == 404 and again.json()["code"] == "node_not_found"
    assert (await trash(client, alice, w["folder"])).status_code == 404


async def test_purge_honours_if_match(client: httpx.AsyncClient) -> None:
    w = await world(client)
    await trashed(client, w["alice"], w["folder"])
    stale = await purge(client, w["alice"], w["folder"], **{"If-Match": '"1"'})
    assert stale.status_code == 412
    assert await trash_ids(client, w["alice"]) == [w["folder"]["id"]]


async def test_purge_keeps_nested_entries_inside_nested_entries_in_place(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    w = await world(client)
    alice = w["alice"]
    for key in ("study", "sub", "folder"):  # innermost first: three separate entries
        await trashed(client, alice, w[key])
    response = await purge(client, alice, w["folder"])
    assert response.json()["kept_in_trash"] == [w["sub"]["id"]]
    await assert_tree_consistent(engine)  # the study moved along, still under its folder
    assert (await restore(client, alice, w["sub"])).json()["restored_to_workspace_root"] is True
    back = (await restore(client, alice, w["study"])).json()
    assert (back["restored_to_workspace_root"], back["node"]["parent_id"]) == (
        False,
        w["sub"]["id"],
    )
    crumbs = await client.get(f"/nodes/{w['study']['id']}/breadcrumbs", headers=alice.headers)
    assert [c["name"] for c in crumbs.json()["items"]] == ["Openings", "Najdorf lines", "Main line"]
