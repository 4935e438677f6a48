"""Presence: who views a study now, and which chapter (docs/live.md#presence).

Each open page sends a heartbeat (`PUT /studies/{id}/presence/{page_id}`) every few
seconds and says goodbye on leaving (`DELETE`); a row not refreshed for PRESENCE_TTL
seconds no longer counts (its tab closed without a word, or its browser died), and the
`presence.expire` maintenance job deletes it. Presence is not a change of the study: it
writes no event. A change of who is here (a page joins, leaves or changes chapter) sends
`NOTIFY catachess_presence` at commit; every process's live hub then sends the new list
on the streams of that study, and reads the lists again every few seconds for expiries.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User, id_of
from catachess.errors import Conflict, Unprocessable
from catachess.live import repository
from catachess.live.repository import PresenceRow
from catachess.live.schemas import PresenceList, Viewer
from catachess.sharing import access
from catachess.sharing.policy import Action


def presence_list(rows: Sequence[PresenceRow]) -> PresenceList:
    """Named viewers (one per person, at the chapter of their latest page) and a count of
    anonymous pages; `rows` come most recently seen first."""
    viewers: dict[uuid.UUID, Viewer] = {}
    anonymous = 0
    for row in rows:
        if row.user_id is None:
            anonymous += 1
        elif row.user_id not in viewers:
            viewers[row.user_id] = Viewer(
                user_id=row.user_id,
                display_name=row.display_name or "",
                chapter_id=row.chapter_id,
            )
    named = sorted(viewers.values(), key=lambda v: (v.display_name.casefold(), v.user_id))
    return PresenceList(viewers=named, anonymous=anonymous)


async def lists_of(
    session: AsyncSession, study_ids: Sequence[uuid.UUID], ttl: float
) -> dict[uuid.UUID, PresenceList]:
    """The presence list of each study (one query for all)."""
    rows: dict[uuid.UUID, list[PresenceRow]] = {study_id: [] for study_id in study_ids}
    for row in await repository.list_presence(session, study_ids, ttl):
        rows[row.study_id].append(row)
    return {study_id: presence_list(found) for study_id, found in rows.items()}


async def list_viewers(
    session: AsyncSession, user: User | None, study_id: uuid.UUID, ttl: float
) -> PresenceList:
    """Who views the study now (readers of the study only)."""
    await access.require(session, id_of(user), study_id, Action.read)
    return (await lists_of(session, [study_id], ttl))[study_id]


async def heartbeat(
    session: AsyncSession,
    user: User | None,
    study_id: uuid.UUID,
    page_id: uuid.UUID,
    chapter_id: uuid.UUID | None,
    ttl: float,
) -> PresenceList:
    """The page shows the study (at that chapter) now; returns who else does."""
    granted = await access.require(session, id_of(user), study_id, Action.read)
    if chapter_id is not None and not await repository.chapter_in_study(
        session, study_id, chapter_id
    ):
        raise Unprocessable("chapter_id is not a chapter of this study", field="chapter_id")
    before = await repository.get_presence(session, page_id, ttl)
    stored = await repository.put_presence(
        session,
        page_id=page_id,
        study_id=study_id,
        workspace_id=granted.node.workspace_id,
        user_id=id_of(user),
        chapter_id=chapter_id,
    )
    if not stored:
        raise Conflict(
            "this page id belongs to another page; make a new random one", field="page_id"
        )
    if before is None or not before[3] or before[2] != chapter_id:
        await repository.notify_presence(session, study_id)
    return (await lists_of(session, [study_id], ttl))[study_id]


async def leave(
    session: AsyncSession, user: User | None, study_id: uuid.UUID, page_id: uuid.UUID
) -> None:
    """The page closed: it leaves the list at once (no-op when it was not there)."""
    await access.require(session, id_of(user), study_id, Action.read)
    if await repository.delete_presence(session, page_id, study_id, id_of(user)):
        await repository.notify_presence(session, study_id)
