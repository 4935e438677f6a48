"""HTTP endpoints of accounts: register, log in and out, who am I, password, sessions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from catachess.auth import service
from catachess.auth.deps import CurrentUser, Session
from catachess.auth.schemas import (
    LoginRequest,
    PasswordChange,
    SessionList,
    SessionRead,
    TokenRead,
    UserCreate,
    UserRead,
)
from catachess.auth.throttle import Throttle
from catachess.auth.tokens import bearer_token, token_digest
from catachess.config import Settings
from catachess.idempotency.http import CREDENTIAL_SCOPED, KEYS_REFUSED
from catachess.openapi import problems
from catachess.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["auth"])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.login_throttle
    return throttle


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn's FORWARDED_ALLOW_IPS makes it the
    real client's, from X-Forwarded-For)."""
    return request.client.host if request.client else "unknown"


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problems(403, 409, 422, 503),
)
async def register(request: Request, body: UserCreate, session: Session) -> UserRead:
    """Create an account (REGISTRATION: open, invite or closed)."""
    user = await service.register(session, body, _settings(request))
    return UserRead.model_validate(user)


@router.post(
    "/auth/login",
    response_model=TokenRead,
    responses=problems(401, 422, 429, 503),
    openapi_extra=KEYS_REFUSED,
)
async def login(request: Request, body: LoginRequest, session: Session) -> TokenRead:
    """Exchange e-mail and password for a bearer token (rate-limited: 429 + Retry-After)."""
    token, record, user = await service.login(
        session,
        body,
        limiter=_throttle(request),
        settings=_settings(request),
        address=client_address(request),
    )
    return TokenRead(
        access_token=token, expires_at=record.expires_at, user=UserRead.model_validate(user)
    )


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401),
    openapi_extra=CREDENTIAL_SCOPED,
)
async def logout(request: Request, user: CurrentUser, session: Session) -> Response:
    """Revoke the bearer token of this request."""
    await service.logout(session, user, bearer_token(request) or "")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/me", response_model=UserRead, responses=problems(401))
async def me(user: CurrentUser) -> UserRead:
    """The authenticated user."""
    return UserRead.model_validate(user)


@router.put(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 403, 422, 429, 503),
    openapi_extra=CREDENTIAL_SCOPED,
)
async def change_password(
    request: Request, body: PasswordChange, user: CurrentUser, session: Session
) -> Response:
    """Change your password (the current one is required); your other sessions end."""
    await service.change_password(
        session,
        user,
        body,
        bearer_token(request) or "",
        limiter=_throttle(request),
        settings=_settings(request),
        address=client_address(request),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/me/sessions", response_model=SessionList, responses=problems(401))
async def list_sessions(request: Request, user: CurrentUser, session: Session) -> SessionList:
    """Your signed-in sessions (bearer tokens), newest first; `current` is this one."""
    mine = token_digest(bearer_token(request) or "")
    tokens = await service.list_sessions(session, user)
    return SessionList(
        items=[
            SessionRead.model_validate(t).model_copy(update={"current": t.token_hash == mine})
            for t in tokens
        ]
    )


@router.delete(
    "/users/me/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 404),
)
async def revoke_session(session_id: uuid.UUID, user: CurrentUser, session: Session) -> Response:
    """Sign one of your sessions out (its token stops working)."""
    await service.revoke_session(session, user, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
