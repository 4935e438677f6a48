"""The current-user dependency: bearer token → user, or 401."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import service
from catachess.auth.models import User
from catachess.errors import Unauthorized
from catachess.routing import get_session

Session = Annotated[AsyncSession, Depends(get_session)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


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
