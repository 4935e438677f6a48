"""HTTP endpoints of accounts: register, log in, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from catachess.auth import service
from catachess.auth.deps import CurrentUser, Session, bearer_token
from catachess.auth.schemas import LoginRequest, TokenRead, UserCreate, UserRead
from catachess.idempotency.http import CREDENTIAL_SCOPED, KEYS_REFUSED
from catachess.openapi import problems
from catachess.routing import TransactionalRoute

router = APIRouter(route_class=TransactionalRoute, tags=["auth"])


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problems(409, 422),
)
async def register(body: UserCreate, session: Session) -> UserRead:
    """Create an account."""
    user = await service.register(session, body)
    return UserRead.model_validate(user)


@router.post(
    "/auth/login",
    response_model=TokenRead,
    responses=problems(401, 422),
    openapi_extra=KEYS_REFUSED,
)
async def login(body: LoginRequest, session: Session) -> TokenRead:
    """Exchange e-mail and password for a bearer token."""
    token, record, user = await service.login(session, body)
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
