"""Finding 9: sharing with an unknown e-mail is an invitation, not a user_not_found oracle."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.factories import a_folder, a_user, a_workspace, events_of

PASSWORD = "correct horse battery"


async def register(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    created = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "display_name": "New"}
    )
    assert created.status_code == 201, created.text
    login = await client.post("/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_finding_9_sharing_with_an_unknown_email_invites_and_registering_grants(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach, "Lessons")
    folder = await a_folder(client, coach, ws, "Endgames")
    invited = await client.post(
        f"/nodes/{folder['id']}/shares",
        json={"email": "Student@Example.com", "role": "commenter"},
        headers=coach.headers,
    )
    assert invited.status_code == 201, invited.text
    body = invited.json()
    assert body["status"] == "invited" and body["user_id"] is None
    assert body["email"] == "student@example.com" and body["role"] == "commenter"
    listed = await client.get(f"/nodes/{folder['id']}/invitations", headers=coach.headers)
    assert [(i["email"], i["role"]) for i in listed.json()["items"]] == [
        ("student@example.com", "commenter")
    ]

    student = await register(client, "student@example.com")

    node = await client.get(f"/nodes/{folder['id']}", headers=student)
    assert node.status_code == 200 and node.json()["role"] == "commenter"
    assert (await client.get(f"/nodes/{folder['id']}/invitations", headers=coach.headers)).json()[
        "items"
    ] == []
    types = [e["event_type"] for e in await events_of(client, engine, folder["id"])]
    assert types[-3:] == ["invitation.created", "invitation.accepted", "acl.granted"]


async def test_finding_9_a_revoked_invitation_grants_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    coach = await a_user(client, "coach")
    ws = await a_workspace(client, coach)
    invitation = (
        await client.post(
            f"/nodes/{ws['id']}/shares",
            json={"email": "later@example.com", "role": "viewer"},
            headers=coach.headers,
        )
    ).json()
    revoked = await client.delete(
        f"/nodes/{ws['id']}/invitations/{invitation['invitation_id']}", headers=coach.headers
    )
    assert revoked.status_code == 204
    later = await register(client, "later@example.com")
    assert (await client.get(f"/nodes/{ws['id']}", headers=later)).status_code == 404
    types = [e["event_type"] for e in await events_of(client, engine, ws["id"])]
    assert types[-2:] == ["invitation.created", "invitation.revoked"]


async def test_finding_9_an_invitation_lapses_with_its_inviters_right_to_share(
    client: httpx.AsyncClient,
) -> None:
    owner, admin = await a_user(client, "owner"), await a_user(client, "admin")
    ws = await a_workspace(client, owner)
    granted = await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"user_id": admin.id, "role": "admin"},
        headers=owner.headers,
    )
    assert granted.is_success
    await client.post(
        f"/nodes/{ws['id']}/shares",
        json={"email": "friend@example.com", "role": "editor"},
        headers=admin.headers,
    )
    await client.delete(f"/nodes/{ws['id']}/shares/{admin.id}", headers=owner.headers)
    friend = await register(client, "friend@example.com")
    assert (await client.get(f"/nodes/{ws['id']}", headers=friend)).status_code == 404
