"""Registration, login, token authentication, password changes and sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import passwords, repository, throttle
from catachess.auth.models import ApiToken, User
from catachess.auth.schemas import LoginRequest, PasswordChange, UserCreate
from catachess.auth.tokens import new_token, token_digest
from catachess.config import Settings, get_settings
from catachess.db.base import utcnow
from catachess.errors import Conflict, Forbidden, NotFound, Unauthorized
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import (
    EventType,
    UserDisabled,
    UserLoggedIn,
    UserLoggedOut,
    UserPasswordChanged,
    UserRegistered,
)
from catachess.sharing import invitations


class EmailTaken(Conflict):
    code = "email_taken"


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"


class RegistrationClosed(Forbidden):
    code = "registration_closed"


class WrongPassword(Forbidden):
    code = "wrong_password"


class SessionNotFound(NotFound):
    code = "session_not_found"


class UnknownUser(NotFound):
    code = "user_not_found"


def _self(user: User) -> Target:
    return Target(user.id, "user")


async def register(session: AsyncSession, body: UserCreate, settings: Settings) -> User:
    """Create an account (REGISTRATION permitting); pending invitations become grants."""
    email = body.email.lower()
    if settings.registration == "closed":
        raise RegistrationClosed("registration is closed here; ask an administrator for an account")
    if settings.registration == "invite" and not await invitations.has_invitation(session, email):
        raise RegistrationClosed(
            "registration is by invitation here; ask someone to share a node with this e-mail"
        )
    return await create_user(session, email, body.display_name, body.password)


async def create_user(session: AsyncSession, email: str, display_name: str, password: str) -> User:
    """A new account (registration, or `catachess users create`); the e-mail is unique
    regardless of case."""
    email = email.lower()
    user = User(
        email=email,
        display_name=display_name,
        password_hash=await passwords.hash_password(password),
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
        target=_self(user),
        workspace_id=None,
        version=None,
        payload=UserRegistered(email=email),
    )
    await invitations.redeem(session, user)
    return user


async def login(
    session: AsyncSession,
    body: LoginRequest,
    *,
    limiter: throttle.Throttle,
    settings: Settings,
    address: str,
) -> tuple[str, ApiToken, User]:
    """Check the password and hand out a new bearer token (only its hash is stored).

    The attempt is counted first (429 past the limits); the password is verified with no
    database connection held, so a flood of logins cannot starve the pool.
    """
    account = await throttle.admit_login(limiter, settings, body.email, address)
    user = await repository.get_by_email(session, body.email)
    # Ends the read-only transaction: Argon2 takes ~0.1 s and holds no connection meanwhile.
    await session.close()
    live = user is not None and user.disabled_at is None
    valid = await passwords.verify_password(
        user.password_hash if live and user else None, body.password
    )
    if user is None or not live or not valid:
        raise InvalidCredentials("e-mail or password is wrong")
    await limiter.clear(account)
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
        target=_self(user),
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
    await _logged_out(session, user, token_id)


async def _logged_out(session: AsyncSession, user: User, token_id: uuid.UUID) -> None:
    await events.record(
        session,
        EventType.user_logged_out,
        actor_id=user.id,
        target=_self(user),
        workspace_id=None,
        version=None,
        payload=UserLoggedOut(token_id=token_id),
    )


async def change_password(
    session: AsyncSession,
    user: User,
    body: PasswordChange,
    token: str,
    *,
    limiter: throttle.Throttle,
    settings: Settings,
    address: str,
) -> int:
    """Set a new password (the current one is required, and counted like a login
    attempt); every other token of the user is revoked. Returns how many."""
    account = await throttle.admit_login(limiter, settings, user.email, address)
    if not await passwords.verify_password(user.password_hash, body.current_password):
        raise WrongPassword("the current password is wrong", field="current_password")
    await limiter.clear(account)
    return await set_password(session, user, body.new_password, keep=token_digest(token), by="user")


async def set_password(
    session: AsyncSession, user: User, password: str, *, keep: str | None, by: str
) -> int:
    """Store a new password hash and revoke the user's tokens (all but `keep`)."""
    locked = await repository.get_for_update(session, user.id)
    assert locked is not None
    locked.password_hash = await passwords.hash_password(password)
    revoked = await repository.delete_tokens(session, user.id, keep=keep)
    await events.record(
        session,
        EventType.user_password_changed,
        actor_id=user.id if by == "user" else None,
        target=_self(user),
        workspace_id=None,
        version=None,
        payload=UserPasswordChanged(by=by, revoked_tokens=revoked),
    )
    return revoked


async def disable(session: AsyncSession, email: str) -> User:
    """Disable an account: no login, every token revoked (its grants and history stay)."""
    user = await repository.get_by_email(session, email)
    if user is None:
        raise UnknownUser(f"no account with e-mail {email.lower()!r}")
    locked = await repository.get_for_update(session, user.id)
    assert locked is not None
    locked.disabled_at = locked.disabled_at or utcnow()
    revoked = await repository.delete_tokens(session, user.id, keep=None)
    await events.record(
        session,
        EventType.user_disabled,
        actor_id=None,
        target=_self(user),
        workspace_id=None,
        version=None,
        payload=UserDisabled(revoked_tokens=revoked),
    )
    return locked


async def require_by_email(session: AsyncSession, email: str) -> User:
    user = await repository.get_by_email(session, email)
    if user is None:
        raise UnknownUser(f"no account with e-mail {email.lower()!r}")
    return user


async def list_sessions(session: AsyncSession, user: User) -> Sequence[ApiToken]:
    """The user's live bearer tokens, newest first."""
    return await repository.list_tokens(session, user.id)


async def revoke_session(session: AsyncSession, user: User, token_id: uuid.UUID) -> None:
    """Revoke one of the user's own tokens (404 for anyone else's)."""
    if not await repository.delete_token_of(session, user.id, token_id):
        raise SessionNotFound(f"you have no session {token_id}")
    await _logged_out(session, user, token_id)
