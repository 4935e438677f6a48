"""Idempotency of HTTP writes, run by TransactionalRoute inside the request's transaction.

Not a middleware: the unit of work owns the session and the response before it is sent,
so the claim, the effect and the stored result share one transaction, and the result is
committed before the client can see it. See docs/idempotency.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette import types as asgi
from starlette.datastructures import URL

from catachess.auth.repository import user_of_row
from catachess.auth.tokens import bearer_token, token_digest
from catachess.config import Settings
from catachess.idempotency import metrics, service
from catachess.idempotency.cache import ReplayCache
from catachess.idempotency.errors import (
    IdempotencyKeyRefused,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    RequestInFlight,
)
from catachess.idempotency.keys import auto_key, key_from, request_fingerprint
from catachess.idempotency.service import Scope, StoredResult
from catachess.openapi import problems

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Response headers a replay repeats; the rest (correlation id, dates) belong to each answer.
REPLAYED_HEADERS = ("content-type", "location", "etag")
REPLAYED_MARKER = "Idempotent-Replayed"

# openapi_extra of a route whose response carries a secret (a bearer token, a share-link
# token): storing that response would keep the secret in plaintext, so keys are refused.
KEYS_REFUSED: dict[str, Any] = {
    "x-idempotency-key": "refused: the response carries a secret that is never stored"
}


# openapi_extra of a route whose effect depends on the credential itself, not only on
# the user (logout revokes the token it came with): a key is scoped to that credential,
# so the same key sent with another token of the same user runs again, never replaying
# an answer about a different token.
CREDENTIAL_SCOPED: dict[str, Any] = {
    "x-idempotency-scope": "user and bearer token: the effect depends on the token sent"
}


KEY_PARAMETERS = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "Printable ASCII. A retry with the same key and request replays the "
        "first response (Idempotent-Replayed: true) instead of running again.",
    },
    {
        "name": "X-Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        "description": "Alias of Idempotency-Key; both with different values: 400.",
    },
]


def accepts_keys(openapi_extra: dict[str, Any] | None) -> bool:
    return not (openapi_extra and "x-idempotency-key" in openapi_extra)


def credential_scoped(openapi_extra: dict[str, Any] | None) -> bool:
    return bool(openapi_extra and "x-idempotency-scope" in openapi_extra)


def documented(
    responses: dict[int | str, dict[str, Any]] | None, openapi_extra: dict[str, Any] | None
) -> dict[str, Any]:
    """OpenAPI options of a write route: the key headers and the errors a key can cause."""
    if not accepts_keys(openapi_extra):
        return {"responses": {**problems(400), **(responses or {})}}
    extra = dict(openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), *KEY_PARAMETERS]
    return {
        "responses": {**problems(400, 409, 422), **(responses or {})},
        "openapi_extra": extra,
    }


class ReplayResponse(Response):
    """A stored answer sent again; `release` runs once it is sent (or sending failed)."""

    release: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if self.release is not None:
                await self.release()


@dataclass
class Keyed:
    """A keyed request: either a replay to send, or a claim whose response gets stored."""

    session: AsyncSession
    scope: Scope
    key: str
    fingerprint: str
    cache: ReplayCache | None
    replay: ReplayResponse | None = None
    stored: StoredResult | None = None

    async def store(self, response: Response) -> None:
        """Store the response in the request's transaction (before its commit)."""
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):
            # A streamed body cannot be replayed; keyed writes must return a buffered one.
            raise TypeError(f"{self.scope.operation} returned a streaming response")
        headers = tuple(
            (name, value) for name in REPLAYED_HEADERS for value in response.headers.getlist(name)
        )
        self.stored = await service.complete(
            self.session,
            self.scope,
            self.key,
            StoredResult(self.fingerprint, response.status_code, headers, body),
        )

    async def after_commit(self) -> None:
        """Fill the Redis fast path once the record is durable."""
        if self.cache is not None and self.stored is not None:
            await self.cache.put(self.scope, self.key, self.stored)


async def begin(
    request: Request,
    session: AsyncSession,
    route: str,
    *,
    keys_accepted: bool,
    credential_scoped: bool = False,
) -> Keyed | None:
    """Claim the request's key, or prepare its replay; None when the request has no key.

    Raises 400 (bad or refused key), 409 (same key still running), 422 (key reused).
    """
    method = request.method
    if method not in WRITE_METHODS:
        return None
    key = key_from(request.headers)
    settings: Settings = request.app.state.settings
    if key is None and not (settings.idempotency_auto_key and keys_accepted):
        return None
    if not keys_accepted:
        raise IdempotencyKeyRefused(
            "this response carries a secret that is never stored, so it cannot be replayed; "
            "send the request without Idempotency-Key (it is safe to retry as is)"
        )
    user_id = await _user_id(request, session)
    ttl_seconds = settings.idempotency_ttl
    fingerprint = await _fingerprint(request)
    if key is None:
        if user_id is None:
            return None
        # Double-click guard: the same write within the window is the same operation.
        key, ttl_seconds = auto_key(fingerprint), settings.idempotency_auto_window
    scope = Scope(user_id, _operation(request, route, credential_scoped))
    cache: ReplayCache | None = request.app.state.idempotency_cache
    metrics.keyed(method, route)
    with _counted(method, route):
        stored = await cache.get(scope, key) if cache is not None else None
        if stored is not None:
            service.ensure_same_request(stored, fingerprint)
        else:
            stored = await service.claim(session, scope, key, fingerprint, ttl_seconds=ttl_seconds)
            if stored is not None and cache is not None:
                await cache.put(scope, key, stored)  # e.g. after a Redis restart
    return _keyed(Keyed(session, scope, key, fingerprint, cache), stored, method, route)


def key_to_claim_as_caller(request: Request, *, keys_accepted: bool) -> str | None:
    """The key begin_as_caller may claim for this write, None when it may not: it needs a
    well-formed key on a route that takes keys, a bearer token, and no Redis fast path
    (which looks the key up by its owner, so before PostgreSQL is asked). A malformed
    key is refused by `begin`, after the caller is authenticated, as before."""
    if request.method not in WRITE_METHODS or not keys_accepted:
        return None
    if request.app.state.idempotency_cache is not None or bearer_token(request) is None:
        return None
    try:
        return key_from(request.headers)
    except InvalidIdempotencyKey:
        return None


async def begin_as_caller(
    request: Request,
    session: AsyncSession,
    route: str,
    key: str,
    *,
    credential_scoped: bool = False,
) -> Keyed | None:
    """`begin` for a write with the key key_to_claim_as_caller gave, its caller
    authenticated in the same statement (one round trip fewer): request.state.user is
    the bearer of its token, and None is returned when the token is not valid (nothing
    was claimed: the caller is refused with 401). The body must have been read (its
    fingerprint is claimed)."""
    token = bearer_token(request)
    assert token is not None  # key_to_claim_as_caller's condition
    settings: Settings = request.app.state.settings
    method, fingerprint = request.method, await _fingerprint(request)
    operation = _operation(request, route, credential_scoped)
    found = await service.claim_as_caller(
        session,
        token_digest(token),
        operation,
        key,
        fingerprint,
        ttl_seconds=settings.idempotency_ttl,
    )
    if found is None:
        request.state.user = None
        return None
    caller, claim = found
    user = request.state.user = user_of_row(session, caller)
    metrics.keyed(method, route)
    with _counted(method, route):
        stored = service.claimed(claim, fingerprint)
    keyed = Keyed(session, Scope(user.id, operation), key, fingerprint, None)
    return _keyed(keyed, stored, method, route)


def _keyed(keyed: Keyed, stored: StoredResult | None, method: str, route: str) -> Keyed:
    """The claimed request, or the replay of its stored result."""
    if stored is not None:
        metrics.replayed(method, route)
        keyed.replay = replay_response(stored)
    return keyed


@contextmanager
def _counted(method: str, route: str) -> Iterator[None]:
    """Count the refusals of a keyed request: a reused key (422), a key in flight (409)."""
    try:
        yield
    except IdempotencyKeyReused:
        metrics.MISMATCHES.labels(method, route).inc()
        raise
    except RequestInFlight:
        metrics.CONFLICTS.labels(method, route).inc()
        raise


async def _fingerprint(request: Request) -> str:
    path, query = path_and_query(request.scope)
    return request_fingerprint(request.method, path, query, await request.body())


# What urlsplit removes from anywhere in a URL (urllib.parse._UNSAFE_URL_BYTES_TO_REMOVE).
_UNSAFE = str.maketrans("", "", "\t\r\n")


def path_and_query(scope: asgi.Scope) -> tuple[str, str]:
    """`request.url.path` and `request.url.query` (what fingerprints have always hashed),
    read from the scope as Starlette's URL reads them, without building the whole URL
    (the host header parsed, the URL joined and split again: a tenth of a keyed write's
    claim). tests/idempotency/test_fingerprint_parts.py compares both on any path."""
    if scope["path"].startswith("//"):  # may be read as a host: Starlette rewrites it
        url = URL(scope=scope)
        return url.path, url.query
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    query = scope.get("query_string", b"").decode()
    return path.translate(_UNSAFE), query.translate(_UNSAFE).partition("#")[0]


def _operation(request: Request, route: str, credential_scoped: bool) -> str:
    operation = f"{request.method} {route}"
    if credential_scoped:
        operation += f" @{_credential_digest(request)}"
    return operation


def replay_response(stored: StoredResult) -> ReplayResponse:
    """The stored status, body and headers, marked as a replay."""
    response = ReplayResponse(content=stored.body, status_code=stored.status_code or 200)
    for name, value in stored.headers:
        response.headers.append(name, value)
    response.headers[REPLAYED_MARKER] = "true"
    return response


async def _user_id(request: Request, session: AsyncSession) -> uuid.UUID | None:
    # Imported here: catachess.auth.deps imports the routing module that imports this one.
    from catachess.auth.deps import resolve_user

    user = await resolve_user(request, session)
    return user.id if user is not None else None


def _credential_digest(request: Request) -> str:
    """A short, one-way name of the request's bearer token (never the token itself)."""
    return token_digest(bearer_token(request) or "")[:32]
