"""Maintenance jobs of the auth domain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth import repository, throttle
from catachess.config import Settings
from catachess.events import guard
from catachess.maintenance.registry import job


async def expired_tokens(session: AsyncSession, settings: Settings) -> int:
    return await repository.count_expired_tokens(session)


@job("tokens.expire", batch_size=1_000, backlog=expired_tokens)
async def expire_tokens(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete bearer tokens past their expiry (they no longer authenticate anyone)."""
    guard.upkeep(session.sync_session, "expired tokens")
    return await repository.delete_expired_tokens(session, batch_size)


async def stale_login_counters(session: AsyncSession, settings: Settings) -> int:
    return await throttle.count_stale(session, settings.login_window)


@job("login_attempts.expire", batch_size=1_000, backlog=stale_login_counters)
async def expire_login_counters(session: AsyncSession, settings: Settings, batch_size: int) -> int:
    """Delete login rate-limit counters whose window has ended (they limit nothing)."""
    guard.upkeep(session.sync_session, "ended login rate-limit windows")
    return await throttle.delete_stale(session, settings.login_window, batch_size)
