"""The current-user dependency: bearer token → user, or 401."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import service
from catachess.auth.models import User
from catachess.auth.tokens import bearer_token, token_digest
from catachess.errors import Unauthorized
from catachess.routing import get_session
from catachess.sharing import access
from catachess.sharing import repository as sharing_repository
from catachess.sharing.access import Access
from catachess.sharing.policy import Action

Session = Annotated[AsyncSession, Depends(get_session)]


async def resolve_user(request: Request, session: AsyncSession) -> User | None:
    """Authenticate once per request; later callers (idempotency, endpoint) reuse it."""
    if hasattr(request.state, "user"):
        user: User | None = request.state.user
        return user
    token = bearer_token(request)
    user = await service.authenticate(session, token) if token else None
    request.state.user = user
    return user


# Declares the bearer scheme in the OpenAPI document, so /docs has an Authorize button and
# sends the token; the header itself is read by resolve_user (auto_error=False: a missing
# or malformed header is our own problem+json 401, not FastAPI's).
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearer", description="a token from POST /auth/login"
)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)]
# The routes that anonymous visitors may call too (unlisted and public nodes) read the
# token themselves (`reader`, `reader_and_node`): they declare it as optional (OpenAPI's
# empty requirement), so that /docs sends it once authorized and clients know it counts.
OPTIONAL_BEARER: dict[str, Any] = {"security": [{bearer_scheme.scheme_name: []}, {}]}


def unauthorized() -> Unauthorized:
    return Unauthorized(
        "a valid bearer token is required (POST /auth/login)",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def current_user(request: Request, session: Session, _: Bearer = None) -> User:
    user = await resolve_user(request, session)
    if user is None:
        raise unauthorized()
    return user


async def caller_and_node(request: Request, node_id: uuid.UUID, action: Action) -> Access:
    """The authenticated caller's access to a node: one statement (one round trip)
    resolves the token, the user, the node and the caller's role on it, sent alone on a
    pool connection: a read route that needs nothing more opens no session.

    Raises 401 for an unknown or expired token, then 404/403 as access.require does.
    Leaves the caller's id (not the user: nothing else of it is loaded) in
    request.state.user_id, for the request's log line and span.
    """
    if hasattr(request.state, "user"):  # already authenticated (idempotency key, auto-key)
        session = await get_session(request)
        user = await current_user(request, session)
        return await access.require(session, user.id, node_id, action)
    token = bearer_token(request)
    if token is None:
        raise unauthorized()
    row = await sharing_repository.get_caller_and_node(
        request.app.state.read_engine, token_digest(token), node_id
    )
    if row is None:
        request.state.user = None
        raise unauthorized()
    user_id, node, rank = row
    request.state.user_id = user_id
    return access.checked(node_id, node, rank, action, live_path=None)


async def reader_and_node(request: Request, node_id: uuid.UUID, action: Action) -> Access:
    """caller_and_node for a read that anonymous visitors may make too (see `reader`):
    without a token the node's visibility decides; a token given must be valid (401)."""
    if bearer_token(request) is None:
        request.state.user = None
        return await access.require(await get_session(request), None, node_id, action)
    return await caller_and_node(request, node_id, action)


CurrentUser = Annotated[User, Depends(current_user)]


async def reader(request: Request, session: Session) -> User | None:
    """The caller of a read that anonymous visitors may make too (unlisted and public
    nodes): None without a token; a token that is given must be valid (401), so an
    expired session is never silently read as an anonymous one."""
    if bearer_token(request) is None:
        request.state.user = None
        return None
    return await current_user(request, session)


Reader = Annotated[User | None, Depends(reader)]
