"""Request-body size limit for the studies routes, checked before the body is parsed.

FastAPI reads and decodes a JSON body before any dependency or endpoint runs, so a
limit checked there comes too late: the memory and the parse are already spent. This
route class refuses a body whose Content-Length is too large without reading it, and
counts the bytes of a body sent without one (chunked), stopping at the limit.
"""

from __future__ import annotations

from fastapi import Request, Response

from catachess.config import Settings
from catachess.routing import Endpoint, TransactionalRoute
from catachess.studies.errors import BodyTooLarge

# JSON escaping of a PGN text (newlines as \\n, quotes as \\") at most about doubles it;
# the rest of an import body (name, ids) is small.
ENVELOPE_BYTES = 64 * 1024


def body_limit(settings: Settings) -> int:
    """Largest accepted request body: 2 x PGN_MAX_BYTES + 64 KiB."""
    return 2 * settings.pgn_max_bytes + ENVELOPE_BYTES


class LimitedBodyRoute(TransactionalRoute):
    def get_route_handler(self) -> Endpoint:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method in ("POST", "PUT", "PATCH"):
                await _read_limited(request, body_limit(request.app.state.settings))
            return await handler(request)

        return limited


async def _read_limited(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        # A Content-Length that understates the body, or no Content-Length at all.
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    # FastAPI reads the body through request.body(), which returns this cached copy.
    request._body = b"".join(chunks)


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(
        f"request body is larger than {limit} bytes (2 x PGN_MAX_BYTES + 64 KiB)",
        limit="max_body_bytes",
        limit_value=limit,
        setting="PGN_MAX_BYTES",
    )
