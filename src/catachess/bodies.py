"""Request bodies: one size limit for every route, enforced while the body streams in, and
read only once the caller is authenticated.

FastAPI reads and decodes a body before any dependency or endpoint runs, so a limit
checked there comes too late (the memory and the parse are already spent), and so does
authentication: an anonymous client could make the server buffer any amount. The unit of
work (catachess.routing) therefore, before FastAPI sees the request:

1. refuses a body whose Content-Length is over the route's limit, without reading it;
2. authenticates the caller when the route needs a user (401 before a byte is read; a
   keyed write declaring at most SMALL_BODY is read first, then its token and its key are
   checked in one statement: idempotency.http.begin_as_caller);
3. reads the body chunk by chunk, stopping with 413 as soon as it passes the limit (a
   chunked body, or a Content-Length that understates it).

The limit is MAX_BODY_BYTES for every route; the PGN routes allow 2 x PGN_MAX_BYTES + 64
KiB (catachess.studies.body).
"""

from __future__ import annotations

from fastapi import Request

from catachess.errors import PayloadTooLarge

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A body this small arrives with its headers; reading it holds nothing for long.
SMALL_BODY = 64 * 1024


class BodyTooLarge(PayloadTooLarge):
    code = "body_too_large"


def refuse_declared(request: Request, limit: int, setting: str) -> None:
    """413 when the declared Content-Length is over `limit` (nothing is read)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit, setting)


def declared_small(request: Request) -> bool:
    declared = request.headers.get("content-length")
    return declared is not None and declared.isdigit() and int(declared) <= SMALL_BODY


async def read_limited(request: Request, limit: int, setting: str) -> None:
    """Read the body, 413 as soon as it passes `limit`; later reads get the cached copy."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit, setting)
        chunks.append(chunk)
    # FastAPI reads the body through request.body(), which returns this cached copy.
    request._body = b"".join(chunks)


def too_large(limit: int, setting: str) -> BodyTooLarge:
    return BodyTooLarge(
        f"request body is larger than {limit} bytes ({setting})",
        limit="max_body_bytes",
        limit_value=limit,
        setting=setting,
    )
