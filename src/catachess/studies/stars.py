"""Stars: a user marks a study they may read; the count shows how liked a study is."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.events import service as events
from catachess.events.service import Target
from catachess.events.types import EventType, StudyStar
from catachess.nodes.models import Node
from catachess.pagination import cursor_datetime, decode_cursor, encode_cursor, invalid_cursor
from catachess.sharing.policy import Action
from catachess.sharing.repository import readable_by
from catachess.studies import repository
from catachess.studies.service import require_study


@dataclass(frozen=True)
class Stars:
    star_count: int
    starred: bool


async def set_star(session: AsyncSession, user: User, study_id: uuid.UUID, *, on: bool) -> Stars:
    """Star (`on`) or unstar a readable study; repeating either changes nothing."""
    granted = await require_study(session, user, study_id, Action.read)
    study = granted.node
    if on:
        changed = await repository.add_star(session, study, user.id)
    else:
        changed = await repository.remove_star(session, study.id, user.id)
    count, starred = await repository.star_counts(session, study.id, user.id)
    if changed:
        await events.record(
            session,
            EventType.study_starred if on else EventType.study_unstarred,
            actor_id=user.id,
            target=Target(study.id, "study"),
            workspace_id=study.workspace_id,
            version=study.version,
            payload=StudyStar(star_count=count),
        )
    return Stars(star_count=count, starred=starred)


async def stars_of(session: AsyncSession, user: User | None, study: Node) -> Stars:
    count, starred = await repository.star_counts(session, study.id, user.id if user else None)
    return Stars(star_count=count, starred=starred)


async def list_starred(
    session: AsyncSession, user: User, *, cursor: str | None, limit: int
) -> tuple[Sequence[tuple[Node, datetime]], str | None]:
    """Studies I starred and may still read, most recently starred first."""
    after = None
    if cursor is not None:
        starred_at, item = decode_cursor(cursor, 2)
        try:
            after = (cursor_datetime(starred_at), uuid.UUID(str(item)))
        except ValueError:
            raise invalid_cursor() from None
    rows = await repository.list_starred(
        session, user.id, readable_by(user.id), after=after, limit=limit + 1
    )
    page = [(node, starred_at) for node, starred_at in rows]
    if len(page) <= limit:
        return page, None
    node, starred_at = page[limit - 1]
    return page[:limit], encode_cursor([starred_at.isoformat(), str(node.id)])
