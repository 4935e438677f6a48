"""Whether an open stream may go on: access is checked on connect and then followed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.live import repository
from catachess.live.hub import Subscription
from catachess.nodes.errors import NodeNotFound
from catachess.sharing import access
from catachess.sharing.policy import Action


async def check_stream_access(session: AsyncSession, sub: Subscription) -> str | None:
    """None while the user may still read the study (keeping their role up to date),
    else the reason the stream closes: `study_trashed` or `access_revoked`."""
    if sub.study_id is None:
        return None
    try:
        granted = await access.require(session, sub.user_id, sub.study_id, Action.read)
    except NodeNotFound:
        trashed = await repository.is_trashed(session, sub.study_id)
        return "study_trashed" if trashed else "access_revoked"
    sub.role = granted.role
    return None
