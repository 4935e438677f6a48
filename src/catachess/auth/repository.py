"""Queries of the auth domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import DateTime, Row, String, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import ApiToken, User
from catachess.db.base import utcnow
from catachess.db.raw import Prebuilt, attach


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def get_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


# Built once (every authenticated request runs it) and sent to asyncpg directly (db.raw):
# no statement construction nor ORM loading per call; the user is attached to the session
# as a query would have loaded it.
USER_COLUMNS = tuple(User.__table__.c)
_USER_KEYS = tuple(column.key for column in USER_COLUMNS)
# The bearer of a valid token (:digest of it, at :now): also the caller of a keyed
# write's claim (idempotency.repository), so a token is checked one way everywhere.
CALLER_BY_TOKEN = (
    select(*USER_COLUMNS)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest", type_=String),
        ApiToken.expires_at > bindparam("now", type_=DateTime(timezone=True)),
        User.disabled_at.is_(None),
    )
)
BY_TOKEN_DIGEST = Prebuilt(CALLER_BY_TOKEN, "digest", "now")


async def get_by_token_digest(session: AsyncSession, digest: str) -> User | None:
    row = await BY_TOKEN_DIGEST.fetchrow(session, digest=digest, now=utcnow())
    return user_of_row(session, row) if row is not None else None


def user_of_row(session: AsyncSession, row: Sequence[Any]) -> User:
    """The user of a row of USER_COLUMNS, in the session as a query would have loaded it."""
    return attach(session, User, dict(zip(_USER_KEYS, row, strict=True)))


async def get_for_update(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.scalar(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def list_users(session: AsyncSession) -> Sequence[Row[User, int]]:
    """Every account with its count of live tokens, by e-mail."""
    live = (
        select(func.count())
        .where(ApiToken.user_id == User.id, ApiToken.expires_at > utcnow())
        .scalar_subquery()
    )
    return (await session.execute(select(User, live).order_by(User.email))).all()


async def list_tokens(session: AsyncSession, user_id: uuid.UUID) -> Sequence[ApiToken]:
    return (
        await session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.expires_at > utcnow())
            .order_by(ApiToken.created_at.desc(), ApiToken.id)
        )
    ).all()


async def delete_tokens(session: AsyncSession, user_id: uuid.UUID, *, keep: str | None) -> int:
    """Delete the user's tokens except the one with digest `keep`; how many."""
    query = delete(ApiToken).where(ApiToken.user_id == user_id)
    if keep is not None:
        query = query.where(ApiToken.token_hash != keep)
    deleted = await session.scalars(query.returning(ApiToken.id))
    return len(deleted.all())


async def delete_token_of(session: AsyncSession, user_id: uuid.UUID, token_id: uuid.UUID) -> bool:
    deleted = await session.scalar(
        delete(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        .returning(ApiToken.id)
    )
    return deleted is not None


async def get_many(session: AsyncSession, ids: list[uuid.UUID]) -> list[User]:
    return list((await session.scalars(select(User).where(User.id.in_(ids)))).all())


async def delete_expired_tokens(session: AsyncSession, limit: int) -> int:
    """Delete up to `limit` expired tokens, oldest first; returns how many."""
    expired = (
        select(ApiToken.id)
        .where(ApiToken.expires_at <= utcnow())
        .order_by(ApiToken.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    deleted = await session.scalars(
        delete(ApiToken).where(ApiToken.id.in_(expired.scalar_subquery())).returning(ApiToken.id)
    )
    return len(deleted.all())


async def count_expired_tokens(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ApiToken).where(ApiToken.expires_at <= utcnow())
    )
    return count or 0


async def delete_token(session: AsyncSession, digest: str) -> uuid.UUID | None:
    """Delete the token with this digest; its id, or None if there was none."""
    return await session.scalar(
        delete(ApiToken).where(ApiToken.token_hash == digest).returning(ApiToken.id)
    )
