"""Helpers of the history tests: a chapter and the calls that edit and read its history."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Actor, a_user, a_workspace
from tests.studies.helpers import a_chapter, mainline, read_chapter


class Chapter:
    """One chapter of a fresh study, with the URLs of its edits and its history."""

    def __init__(self, client: httpx.AsyncClient, actor: Actor, study_id: str, chapter_id: str):
        self.client, self.actor = client, actor
        self.study_id, self.id = study_id, chapter_id
        self.url = f"/studies/{study_id}/chapters/{chapter_id}"

    def as_(self, actor: Actor) -> Chapter:
        return Chapter(self.client, actor, self.study_id, self.id)

    async def read(self) -> dict[str, Any]:
        return await read_chapter(self.client, self.actor, self.study_id, self.id)

    async def version(self) -> int:
        return int((await self.read())["version"])

    async def pgn(self) -> str:
        response = await self.client.get(f"{self.url}/pgn", headers=self.actor.headers)
        assert response.status_code == 200, response.text
        return response.text

    async def last_move(self) -> dict[str, Any]:
        return mainline((await self.read())["tree"])[-1]

    async def add(self, move: str, after: str | None = None) -> dict[str, Any]:
        response = await self.client.post(
            f"{self.url}/moves", json={"after": after, "move": move}, headers=self.actor.headers
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def history(self, **params: Any) -> dict[str, Any]:
        response = await self.client.get(
            f"{self.url}/history", params=params, headers=self.actor.headers
        )
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page

    async def at(self, number: int, **params: Any) -> httpx.Response:
        return await self.client.get(
            f"{self.url}/versions/{number}", params=params, headers=self.actor.headers
        )

    async def restore(self, number: int, if_match: int | None = None) -> httpx.Response:
        headers = dict(self.actor.headers)
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return await self.client.post(f"{self.url}/versions/{number}/restore", headers=headers)

    async def undo(self, if_match: int | None = None) -> httpx.Response:
        headers = dict(self.actor.headers)
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return await self.client.post(f"{self.url}/undo", headers=headers)


async def a_history_chapter(
    client: httpx.AsyncClient,
    pgn: str = "1. e4 e5 2. Nf3 Nc6 (2... d6 { Philidor } 3. d4) 3. Bc4 *",
) -> Chapter:
    alice = await a_user(client, "alice")
    ws = await a_workspace(client, alice)
    return Chapter(client, alice, *await a_chapter(client, alice, ws, pgn=pgn))
