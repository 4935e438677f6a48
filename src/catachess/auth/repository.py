"""Queries of the auth domain."""

from __future__ import annotations

import uuid

from sqlalchemy import DateTime, String, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import ApiToken, User
from catachess.db.base import utcnow


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.lower()))


async def get_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


# Built once (every authenticated request runs it): no statement construction per call.
BY_TOKEN_DIGEST = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest", type_=String),
        ApiToken.expires_at > bindparam("now", type_=DateTime(timezone=True)),
    )
)


async def get_by_token_digest(session: AsyncSession, digest: str) -> User | None:
    return await session.scalar(BY_TOKEN_DIGEST, {"digest": digest, "now": utcnow()})


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
