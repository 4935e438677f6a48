import hashlib
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_user, a_workspace, events_of, shared_with


async def test_share_by_email_and_revoke(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    granted = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"email": bob.email.upper(), "role": "editor"},
        headers=alice.headers,
    )
    assert granted.status_code == 201
    assert (await client.get(f"/nodes/{ws['id']}", headers=bob.headers)).json()["role"] == "editor"
    changed = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": bob.id, "role": "viewer"},
        headers=alice.headers,
    )
    assert changed.status_code == 200
    shares = (await client.get(f"/nodes/{ws['id']}/shares", headers=alice.headers)).json()["items"]
    assert {(s["email"], s["role"]) for s in shares} == {
        (alice.email, "owner"),
        (bob.email, "viewer"),
    }
    revoked = await client.delete(f"/nodes/{ws['id']}/shares/{bob.id}", headers=alice.headers)
    assert revoked.status_code == 204
    assert (await client.get(f"/nodes/{ws['id']}", headers=bob.headers)).status_code == 404
    types = [e["event_type"] for e in await events_of(client, engine, ws["id"])]
    assert types == ["node.created", "acl.granted", "acl.granted", "acl.revoked"]


async def test_sharing_unknown_user_names_the_field(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": "00000000-0000-4000-8000-000000000001", "role": "viewer"},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "user_id"
    both = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"email": "a@example.com", "user_id": alice.id, "role": "viewer"},
        headers=alice.headers,
    )
    assert both.status_code == 422


async def test_nobody_grants_above_their_own_role(client: httpx.AsyncClient) -> None:
    alice, admin, carol = (
        await a_user(client, "alice"),
        await a_user(client, "admin"),
        await a_user(client, "carol"),
    )
    ws = await a_workspace(client, alice)
    await shared_with(client, alice, ws, admin, "admin")
    response = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": carol.id, "role": "owner"},
        headers=admin.headers,
    )
    assert response.status_code == 403
    demote_owner = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": alice.id, "role": "viewer"},
        headers=admin.headers,
    )
    assert demote_owner.status_code == 403
    revoke_owner = await client.delete(
        f"/nodes/{ws['id']}/shares/{alice.id}", headers=admin.headers
    )
    assert revoke_owner.status_code == 403
    assert (await client.get(f"/nodes/{ws['id']}", headers=alice.headers)).json()["role"] == "owner"


async def test_last_owner_cannot_leave(client: httpx.AsyncClient) -> None:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    response = await client.delete(f"/nodes/{ws['id']}/shares/{alice.id}", headers=alice.headers)
    assert response.status_code == 409
    assert response.json()["code"] == "last_owner"


async def test_share_link_lifecycle(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    alice, bob, carol = (
        await a_user(client, "alice"),
        await a_user(client, "bob"),
        await a_user(client, "carol"),
    )
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws)
    created = await client.post(
        f"/nodes/{folder['id']}/share-links", json={"role": "commenter"}, headers=alice.headers
    )
    assert created.status_code == 201
    link = created.json()
    accepted = await client.post(f"/share-links/{link['token']}/accept", headers=bob.headers)
    assert accepted.status_code == 200
    assert accepted.json() == {"node_id": folder["id"], "role": "commenter"}
    assert (await client.get(f"/nodes/{folder['id']}", headers=bob.headers)).json()[
        "role"
    ] == "commenter"
    listed = (await client.get(f"/nodes/{folder['id']}/share-links", headers=alice.headers)).json()[
        "items"
    ]
    assert "token" not in listed[0]
    assert (
        await client.delete(f"/share-links/{link['id']}", headers=alice.headers)
    ).status_code == 204
    after_revoke = await client.post(f"/share-links/{link['token']}/accept", headers=carol.headers)
    assert after_revoke.status_code == 410
    assert (await client.get(f"/nodes/{folder['id']}", headers=carol.headers)).status_code == 404
    async with engine.connect() as connection:
        stored = await connection.scalar(text("SELECT token_hash FROM share_links"))
    assert stored == hashlib.sha256(link["token"].encode()).hexdigest()
    types = [e["event_type"] for e in await events_of(client, engine, folder["id"])]
    assert types == [
        "node.created",
        "share_link.created",
        "share_link.accepted",
        "acl.granted",
        "share_link.revoked",
    ]


async def test_expired_and_unknown_links(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    past = await client.post(
        f"/nodes/{ws['id']}/share-links",
        json={"role": "viewer", "expires_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
        headers=alice.headers,
    )
    assert past.status_code == 422 and past.json()["field"] == "expires_at"
    naive = await client.post(
        f"/nodes/{ws['id']}/share-links",
        json={"role": "viewer", "expires_at": "2030-01-01T00:00:00"},
        headers=alice.headers,
    )
    assert naive.status_code == 422
    owner_link = await client.post(
        f"/nodes/{ws['id']}/share-links", json={"role": "owner"}, headers=alice.headers
    )
    assert owner_link.status_code == 422
    unknown = await client.post("/share-links/" + "x" * 43 + "/accept", headers=bob.headers)
    assert unknown.status_code == 404


async def test_accepting_never_downgrades(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    await shared_with(client, alice, ws, bob, "editor")
    link = (
        await client.post(
            f"/nodes/{ws['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
        )
    ).json()
    accepted = await client.post(f"/share-links/{link['token']}/accept", headers=bob.headers)
    assert accepted.json()["role"] == "editor"


async def test_a_share_link_dies_with_its_creators_role(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    await shared_with(client, alice, ws, bob, "admin")
    link = (
        await client.post(
            f"/nodes/{ws['id']}/share-links", json={"role": "admin"}, headers=bob.headers
        )
    ).json()
    await client.delete(f"/nodes/{ws['id']}/shares/{bob.id}", headers=alice.headers)
    accepted = await client.post(f"/share-links/{link['token']}/accept", headers=bob.headers)
    assert accepted.status_code == 410
    assert (await client.get(f"/nodes/{ws['id']}", headers=bob.headers)).status_code == 404


async def test_share_link_location_answers_the_link(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    created = await client.post(
        f"/nodes/{ws['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
    )
    location = await client.get(created.headers["Location"], headers=alice.headers)
    assert location.status_code == 200, location.text
    assert location.json()["id"] == created.json()["id"] and "token" not in location.json()
    assert (await client.get(created.headers["Location"], headers=bob.headers)).status_code == 404


async def test_accepting_a_link_weaker_than_an_inherited_role_adds_no_grant(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    folder = await a_folder(client, alice, ws)
    await shared_with(client, alice, ws, bob, "editor")
    link = (
        await client.post(
            f"/nodes/{folder['id']}/share-links", json={"role": "viewer"}, headers=alice.headers
        )
    ).json()
    accepted = await client.post(f"/share-links/{link['token']}/accept", headers=bob.headers)
    assert accepted.json() == {"node_id": folder["id"], "role": "editor"}
    shares = (await client.get(f"/nodes/{folder['id']}/shares", headers=alice.headers)).json()
    assert [s["email"] for s in shares["items"] if s["inherited_from"] is None] == []
    types = [e["event_type"] for e in await events_of(client, engine, folder["id"])]
    assert "acl.granted" not in types and "share_link.accepted" not in types


async def test_children_carry_the_callers_role(client: httpx.AsyncClient) -> None:
    alice, bob = await a_user(client, "alice"), await a_user(client, "bob")
    ws = await a_workspace(client, alice)
    shared = await a_folder(client, alice, ws, "Shared")
    await a_folder(client, alice, ws, "Other")
    await shared_with(client, alice, ws, bob, "viewer")
    await shared_with(client, alice, shared, bob, "editor")
    for actor, expected in [
        (alice, {"Other": "owner", "Shared": "owner"}),
        (bob, {"Other": "viewer", "Shared": "editor"}),
    ]:
        page = await client.get(f"/nodes/{ws['id']}/children", headers=actor.headers)
        assert {item["name"]: item["role"] for item in page.json()["items"]} == expected


async def test_finding_6_a_link_dies_when_its_creator_may_no_longer_share(
    client: httpx.AsyncClient,
) -> None:
    # An admin's editor link: the admin demoted to editor may no longer manage shares (not
    # even list links), so the link must not admit anyone new.
    alice, bob, carol = (
        await a_user(client, "alice"),
        await a_user(client, "bob"),
        await a_user(client, "carol"),
    )
    ws = await a_workspace(client, alice)
    await shared_with(client, alice, ws, bob, "admin")
    link = (
        await client.post(
            f"/nodes/{ws['id']}/share-links", json={"role": "editor"}, headers=bob.headers
        )
    ).json()
    await shared_with(client, alice, ws, bob, "editor")
    listed = await client.get(f"/nodes/{ws['id']}/share-links", headers=bob.headers)
    assert listed.status_code == 403
    accepted = await client.post(f"/share-links/{link['token']}/accept", headers=carol.headers)
    assert accepted.status_code == 410, accepted.text
    assert accepted.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/nodes/{ws['id']}", headers=carol.headers)).status_code == 404
