"""Queries of live streams (the event log read by commit-ordered position) and presence."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.events.models import Event
from catachess.live.models import StudyPresence
from catachess.nodes.models import Node
from catachess.studies.models import Chapter

# NOTIFY channel of presence changes (the payload is the study id).
PRESENCE_CHANNEL = "catachess_presence"


async def head_position(session: AsyncSession) -> int:
    """The highest committed position: every position up to it is visible now."""
    head = await session.scalar(select(func.max(Event.position)))
    return int(head or 0)


def _wanted(
    node_ids: Sequence[uuid.UUID] = (),
    workspace_types: tuple[Sequence[uuid.UUID], Sequence[str]] = ((), ()),
    user_types: tuple[Sequence[uuid.UUID], Sequence[str]] = ((), ()),
) -> list[ColumnElement[bool]]:
    """Events of one of the nodes, or of one of the types in one of the workspaces, or
    one of the users' own events of the types."""
    wanted: list[ColumnElement[bool]] = []
    if node_ids:
        wanted.append(Event.node_id.in_(node_ids))
    workspaces, types = workspace_types
    if workspaces and types:
        wanted.append(and_(Event.workspace_id.in_(workspaces), Event.event_type.in_(types)))
    users, own_types = user_types
    if users and own_types:
        wanted.append(
            and_(
                Event.target_type == "user",
                Event.target_id.in_(users),
                Event.event_type.in_(own_types),
            )
        )
    return wanted


async def list_after(
    session: AsyncSession, after: int, upto: int, *, limit: int, **filters: Any
) -> Sequence[Event]:
    """Wanted events (see _wanted) in (after, upto], in position order."""
    wanted = _wanted(**filters)
    if not wanted:
        return []
    query = (
        select(Event)
        .where(Event.position > after, Event.position <= upto, or_(*wanted))
        .order_by(Event.position)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def count_after(
    session: AsyncSession, after: int, upto: int, *, cap: int, **filters: Any
) -> int:
    """How many wanted events lie in (after, upto], counting at most `cap + 1`."""
    wanted = _wanted(**filters)
    if not wanted:
        return 0
    capped = (
        select(literal(1))
        .where(Event.position > after, Event.position <= upto, or_(*wanted))
        .limit(cap + 1)
        .subquery()
    )
    return int(await session.scalar(select(func.count()).select_from(capped)) or 0)


async def is_trashed(session: AsyncSession, node_id: uuid.UUID) -> bool:
    """True if the node is in the trash or was purged."""
    trashed_at = await session.execute(select(Node.trashed_at).where(Node.id == node_id))
    row = trashed_at.first()
    return row is None or row[0] is not None


# ---- presence (study_presences): heartbeats of open pages, no events ----


@dataclass(frozen=True)
class PresenceRow:
    study_id: uuid.UUID
    user_id: uuid.UUID | None
    display_name: str | None
    chapter_id: uuid.UUID | None


def _alive(ttl: float) -> ColumnElement[bool]:
    return StudyPresence.seen_at > func.now() - timedelta(seconds=ttl)


async def get_presence(
    session: AsyncSession, page_id: uuid.UUID, ttl: float
) -> Row[uuid.UUID, uuid.UUID | None, uuid.UUID | None, bool] | None:
    """A page's row: its study, user, chapter and whether it is still alive."""
    query = select(
        StudyPresence.study_id,
        StudyPresence.user_id,
        StudyPresence.chapter_id,
        _alive(ttl),
    ).where(StudyPresence.page_id == page_id)
    return (await session.execute(query)).first()


async def put_presence(
    session: AsyncSession,
    *,
    page_id: uuid.UUID,
    study_id: uuid.UUID,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID | None,
    chapter_id: uuid.UUID | None,
) -> bool:
    """Insert or refresh a page's row; False when the page id is another reader's."""
    insert = pg_insert(StudyPresence).values(
        page_id=page_id,
        study_id=study_id,
        workspace_id=workspace_id,
        user_id=user_id,
        chapter_id=chapter_id,
    )
    upsert = insert.on_conflict_do_update(
        index_elements=[StudyPresence.page_id],
        set_={"chapter_id": insert.excluded.chapter_id, "seen_at": func.now()},
        # A page id is its first writer's: nobody refreshes or moves someone else's row.
        where=and_(
            StudyPresence.study_id == insert.excluded.study_id,
            StudyPresence.user_id.is_not_distinct_from(insert.excluded.user_id),
        ),
    ).returning(StudyPresence.page_id)
    return (await session.scalar(upsert)) is not None


async def delete_presence(
    session: AsyncSession, page_id: uuid.UUID, study_id: uuid.UUID, user_id: uuid.UUID | None
) -> bool:
    """Remove a page's row (only its writer may); True if there was one."""
    gone = await session.scalar(
        delete(StudyPresence)
        .where(
            StudyPresence.page_id == page_id,
            StudyPresence.study_id == study_id,
            StudyPresence.user_id.is_not_distinct_from(user_id),
        )
        .returning(StudyPresence.page_id)
    )
    return gone is not None


async def list_presence(
    session: AsyncSession, study_ids: Sequence[uuid.UUID], ttl: float
) -> Sequence[PresenceRow]:
    """The live rows of the studies, most recently seen first."""
    if not study_ids:
        return []
    rows = await session.execute(
        select(
            StudyPresence.study_id,
            StudyPresence.user_id,
            User.display_name,
            StudyPresence.chapter_id,
        )
        .outerjoin(User, User.id == StudyPresence.user_id)
        .where(StudyPresence.study_id.in_(study_ids), _alive(ttl))
        .order_by(StudyPresence.seen_at.desc())
    )
    return [PresenceRow(*row) for row in rows]


async def delete_expired_presence(session: AsyncSession, ttl: float, limit: int) -> int:
    """Delete up to `limit` rows of pages that stopped sending heartbeats."""
    stale = (
        select(StudyPresence.page_id)
        .where(StudyPresence.seen_at <= func.now() - timedelta(seconds=ttl))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    gone = await session.scalars(
        delete(StudyPresence)
        .where(StudyPresence.page_id.in_(stale))
        .returning(StudyPresence.page_id)
    )
    return len(gone.all())


async def chapter_in_study(
    session: AsyncSession, study_id: uuid.UUID, chapter_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        select(Chapter.id).where(Chapter.id == chapter_id, Chapter.study_id == study_id)
    )
    return found is not None


async def notify_presence(session: AsyncSession, study_id: uuid.UUID) -> None:
    """Wake every process's hub at commit: the study's presence list changed."""
    await session.execute(select(func.pg_notify(PRESENCE_CHANNEL, str(study_id))))
