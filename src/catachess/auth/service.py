"""Registration, login and token authentication."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import passwords, repository
from catachess.auth.models import ApiToken, User
from catachess.auth.schemas import LoginRequest, UserCreate
from catachess.auth.tokens import new_token, token_digest
from catachess.config import get_settings
from catachess.db.base import utcnow
from catachess.errors import Conflict, Unauthorized
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import EventType, UserLoggedIn, UserLoggedOut, UserRegistered


class EmailTaken(Conflict):
    code = "email_taken"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


async def register(session: AsyncSession, body: UserCreate) -> User:
    """Create an account; the e-mail is unique regardless of case."""
    email = body.email.lower()
    user = User(
        email=email,
        display_name=body.display_name,
        password_hash=await passwords.hash_password(body.password),
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise EmailTaken(f"an account with e-mail {email!r} already exists") from None
    await events.record(
        session,
        EventType.user_registered,
        actor_id=user.id,
        target=Target(user.id, "user"),
        workspace_id=None,
        version=None,
        payload=UserRegistered(email=email),
    )
    return user


async def login(session: AsyncSession, body: LoginRequest) -> tuple[str, ApiToken, User]:
    """Check the password and hand out a new bearer token (only its hash is stored)."""
    user = await repository.get_by_email(session, body.email)
    stored = user.password_hash if user else passwords.DUMMY_HASH
    valid = await passwords.verify_password(stored, body.password)
    if user is None or not valid:
        raise InvalidCredentials("e-mail or password is wrong")
    token = new_token()
    record = ApiToken(
        user_id=user.id,
        token_hash=token_digest(token),
        expires_at=utcnow() + timedelta(days=get_settings().token_ttl_days),
    )
    session.add(record)
    await session.flush()
    await events.record(
        session,
        EventType.user_logged_in,
        actor_id=user.id,
        target=Target(user.id, "user"),
        workspace_id=None,
        version=None,
        payload=UserLoggedIn(token_id=record.id, expires_at=record.expires_at.isoformat()),
    )
    return token, record, user


async def authenticate(session: AsyncSession, token: str) -> User | None:
    return await repository.get_by_token_digest(session, token_digest(token))


async def logout(session: AsyncSession, user: User, token: str) -> None:
    """Revoke the bearer token this request came with (other sessions stay signed in)."""
    token_id = await repository.delete_token(session, token_digest(token))
    if token_id is None:  # a concurrent logout already removed it
        return
    await events.record(
        session,
        EventType.user_logged_out,
        actor_id=user.id,
        target=Target(user.id, "user"),
        workspace_id=None,
        version=None,
        payload=UserLoggedOut(token_id=token_id),
    )
