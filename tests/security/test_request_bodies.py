"""Finding 3: one request-body limit for every route, enforced while the body streams in,
and no body read before the caller is authenticated."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from catachess.config import Settings
from tests.factories import a_user, a_workspace
from tests.security.test_login_flood import PROBLEM, served

MIB = 1024 * 1024


class Body:
    """A request body sent chunk by chunk, counting what the server pulled."""

    def __init__(self, chunks: int, chunk_size: int = MIB) -> None:
        self.chunks, self.chunk_size, self.sent = chunks, chunk_size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.sent += 1
            yield b"x" * self.chunk_size


async def test_finding_3_an_oversized_declared_body_is_413_before_a_byte_is_read(
    client: httpx.AsyncClient,
) -> None:
    body = Body(200)
    answer = await client.post(
        "/auth/login",
        content=body,
        headers={"content-length": str(200 * MIB), "content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["code"] == "body_too_large"
    assert answer.json()["setting"] == "MAX_BODY_BYTES"
    assert body.sent == 0


async def test_finding_3_a_chunked_body_is_cut_off_at_the_limit(settings: Settings) -> None:
    async with served(settings, max_body_bytes=2 * MIB) as (_, client):
        body = Body(50)
        answer = await client.post(
            "/auth/register", content=body, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 413
        assert body.sent <= 3  # the chunk that passed the limit, and nothing after it


async def test_finding_3_a_bad_token_is_401_before_the_body_is_read(
    client: httpx.AsyncClient,
) -> None:
    body = Body(4, chunk_size=64 * 1024)
    answer = await client.post(
        "/nodes",
        content=body,
        headers={"authorization": "Bearer not-a-token", "content-type": "application/json"},
    )
    assert answer.status_code == 401
    assert body.sent == 0


async def test_finding_3_every_write_route_has_the_limit(settings: Settings) -> None:
    async with served(settings, max_body_bytes=64 * 1024) as (_, client):
        alice = await a_user(client, "alice")
        ws = await a_workspace(client, alice)
        big = {"name": "x" * (128 * 1024)}
        for method, path in (
            ("PATCH", f"/nodes/{ws['id']}"),
            ("POST", f"/nodes/{ws['id']}/share-links"),
            ("POST", "/discussions"),
            ("POST", "/exports"),
        ):
            answer = await client.request(method, path, json=big, headers=alice.headers)
            assert answer.status_code == 413, (method, path, answer.status_code)


async def test_finding_3_pgn_routes_allow_more_than_the_general_limit(settings: Settings) -> None:
    async with served(settings, max_body_bytes=64 * 1024) as (_, client):
        alice = await a_user(client, "alice")
        ws = await a_workspace(client, alice)
        note = "{ " + "a long note " * 1500 + "}"
        pgn = f'[Event "Long"]\n\n1. e4 {note} e5 {note} 2. Nf3 {note} Nc6 {note} *\n'
        assert len(pgn) > 64 * 1024
        answer = await client.post(
            "/studies",
            json={"name": "Long", "parent_id": ws["id"], "pgn": pgn},
            headers=alice.headers,
        )
        assert answer.status_code != 413, answer.text
