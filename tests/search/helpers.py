"""Calls of the search tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import Actor


async def get_page(
    client: httpx.AsyncClient, actor: Actor, path: str, status: int = 200, **params: Any
) -> dict[str, Any]:
    """GET a search endpoint as `actor`, expecting `status`; the JSON body."""
    response = await client.get(path, params=params, headers=actor.headers)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body
