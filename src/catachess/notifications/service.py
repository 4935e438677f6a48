"""Notifications: who is told about an event, and the reader's inbox.

The `notifications` subscriber (subscriber.py) calls `notify` for each delivered event.
Delivery is at least once and may run on two processes at once: the notification's id
and its event's id derive from (event, recipient), and a unique constraint keeps one row
per pair, so a repeated delivery adds nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from catachess.auth.models import User
from catachess.db.base import utcnow
from catachess.errors import NotFound
from catachess.events import service as events
from catachess.events.models import Event
from catachess.events.service import Target
from catachess.events.types import (
    EventType,
    NotificationCreated,
    NotificationPreferencesSet,
    NotificationsRead,
    Payload,
)
from catachess.nodes.errors import NodeNotFound
from catachess.nodes.models import Node
from catachess.notifications import repository
from catachess.notifications.models import Kind, Notification
from catachess.sharing import access
from catachess.sharing.policy import Action

NAMESPACE = uuid.UUID("3b0d1f6e-5a49-4c1e-9a55-3f4e3c1d7a21")
# Events the subscriber reads; the others never notify anyone.
SOURCES = (
    EventType.acl_granted,
    EventType.discussion_thread_created,
    EventType.discussion_reply_added,
)
# @handle: an e-mail address or a display name without spaces.
MENTION = re.compile(r"(?<![\w@])@([\w][\w.+-]*(?:@[\w-]+(?:\.[\w-]+)+)?)")
# Handles read from one post; more are ignored (a post cannot page the whole workspace).
MAX_MENTIONS = 20
SUMMARY_TITLE = 120  # characters of a title or name quoted in a summary


def mentions(body: str) -> list[str]:
    """The handles a post mentions, lower-cased, at most MAX_MENTIONS."""
    found: list[str] = []
    for match in MENTION.finditer(body):
        handle = match.group(1).rstrip(".").lower()
        if handle not in found:
            found.append(handle)
    return found[:MAX_MENTIONS]


@dataclass
class Plan:
    """What an event tells whom: kinds per recipient, in the order of preference."""

    node: Node
    summary: dict[Kind, str]
    link: dict[str, Any]
    kinds: dict[uuid.UUID, list[Kind]] = field(default_factory=dict)

    def add(self, user_ids: Sequence[uuid.UUID], kind: Kind) -> None:
        for user_id in user_ids:
            self.kinds.setdefault(user_id, []).append(kind)


def _quote(text: str) -> str:
    short = text if len(text) <= SUMMARY_TITLE else text[: SUMMARY_TITLE - 1] + "…"
    return f"“{short}”"


async def notify(session: AsyncSession, event: Event) -> int:
    """Make the notifications an event calls for; returns how many are new."""
    plan = await _plan(session, event)
    if plan is None or not plan.kinds:
        return 0
    recipients = [user for user in plan.kinds if user != event.actor_id]  # not your own
    disabled = await repository.disabled_kinds(session, recipients)
    made = 0
    for recipient in recipients:
        wanted = [k for k in plan.kinds[recipient] if k.value not in disabled.get(recipient, ())]
        if not wanted or not await _may_read(session, recipient, plan.node.id):
            continue
        kind = min(wanted, key=list(Kind).index)
        made += await _add(session, event, recipient, kind, plan)
    return made


async def _may_read(session: AsyncSession, user_id: uuid.UUID, node_id: uuid.UUID) -> bool:
    try:
        await access.require(session, user_id, node_id, Action.read)
    except NodeNotFound:
        return False
    return True


async def _add(
    session: AsyncSession, event: Event, recipient: uuid.UUID, kind: Kind, plan: Plan
) -> int:
    notification_id = uuid.uuid5(NAMESPACE, f"{event.event_id}:{recipient}")
    inserted = await repository.add(
        session,
        {
            "id": notification_id,
            "recipient_id": recipient,
            "event_id": event.event_id,
            "kind": kind.value,
            "workspace_id": event.workspace_id,
            "node_id": plan.node.id,
            "actor_id": event.actor_id,
            "summary": plan.summary[kind],
            "link": plan.link,
            "created_at": utcnow(),
        },
    )
    # Recorded also when the row existed: a redelivery whose first run committed finds the
    # event too (same id), and one that raced it waited for its commit.
    await events.record(
        session,
        EventType.notification_created,
        event_id=uuid.uuid5(NAMESPACE, f"notification.created:{notification_id}"),
        actor_id=None,
        target=Target(recipient, "user"),
        workspace_id=None,
        version=None,
        payload=NotificationCreated(
            notification_id=notification_id,
            kind=kind.value,
            source_event_id=event.event_id,
            summary=plan.summary[kind],
        ),
    )
    return int(inserted)


async def _plan(session: AsyncSession, event: Event) -> Plan | None:
    names = await repository.display_names(session, [event.actor_id] if event.actor_id else [])
    actor = names.get(event.actor_id, "someone") if event.actor_id else "someone"
    payload = event.payload
    if event.event_type == EventType.acl_granted:
        node = await repository.get_node(session, event.target_id)
        if node is None:
            return None
        role = payload["role"]
        summary = f"{actor} shared {_quote(node.name)} with you as {role}"
        plan = Plan(node, {Kind.share: summary}, {"node_id": str(node.id), "role": role})
        plan.add([uuid.UUID(payload["user_id"])], Kind.share)
        return plan
    thread = await repository.get_thread(session, event.target_id)
    if thread is None:
        return None
    node = await repository.get_node(session, thread.study_id)
    post = await repository.get_post(session, uuid.UUID(payload["post_id"]))
    if node is None or post is None:
        return None
    title = _quote(thread.title)
    plan = Plan(
        node,
        {
            Kind.mention: f"{actor} mentioned you in {title}",
            Kind.reply: f"{actor} replied in {title}",
            Kind.move_comment: f"{actor} opened {title} on a move of {_quote(node.name)}",
        },
        {
            "study_id": str(thread.study_id),
            "thread_id": str(thread.id),
            "post_id": str(post.id),
            "chapter_id": str(thread.chapter_id) if thread.chapter_id else None,
            "move_id": thread.move_id,
        },
    )
    handles = mentions(post.body)
    if handles:
        plan.add(await repository.members_named(session, node, handles), Kind.mention)
    if event.event_type == EventType.discussion_reply_added:
        authors = [thread.created_by]
        if post.parent_post_id is not None:
            parent = await repository.get_post(session, post.parent_post_id)
            if parent is not None:
                authors.append(parent.author_id)
        plan.add(sorted(set(authors)), Kind.reply)
    elif thread.move_id is not None:
        plan.add(await repository.owners_of(session, node), Kind.move_comment)
    return plan


@dataclass(frozen=True)
class Inbox:
    items: Sequence[Notification]
    next_seq: int | None
    unread: int


async def list_notifications(
    session: AsyncSession, user: User, *, before_seq: int | None, unread_only: bool, limit: int
) -> Inbox:
    """The user's notifications, newest first, with the unread count."""
    rows = list(
        await repository.list_for(
            session, user.id, before_seq=before_seq, unread_only=unread_only, limit=limit + 1
        )
    )
    next_seq = rows[limit - 1].seq if len(rows) > limit else None
    unread = await repository.count_unread(session, user.id)
    return Inbox(items=rows[:limit], next_seq=next_seq, unread=unread)


async def unread_count(session: AsyncSession, user: User) -> int:
    return await repository.count_unread(session, user.id)


async def mark_read(
    session: AsyncSession, user: User, ids: Sequence[uuid.UUID], up_to: uuid.UUID | None
) -> list[uuid.UUID]:
    """Mark notifications read: the given ones, and/or every one up to `up_to`."""
    up_to_seq = None
    if up_to is not None:
        up_to_seq = await repository.get_seq(session, user.id, up_to)
        if up_to_seq is None:
            raise NotFound("no such notification of yours", field="up_to")
    marked = await repository.mark_read(
        session, user.id, ids=ids, up_to_seq=up_to_seq, now=utcnow()
    )
    if marked:
        await _record_own(
            session, user, EventType.notifications_read, NotificationsRead(notification_ids=marked)
        )
    return marked


async def preferences(session: AsyncSession, user: User) -> set[Kind]:
    """The kinds the user receives."""
    disabled = set(await repository.get_preference(session, user.id))
    return {kind for kind in Kind if kind.value not in disabled}


async def set_preferences(session: AsyncSession, user: User, enabled: set[Kind]) -> set[Kind]:
    disabled = sorted(kind.value for kind in Kind if kind not in enabled)
    await repository.set_preference(session, user.id, disabled, utcnow())
    await _record_own(
        session,
        user,
        EventType.notification_preferences_set,
        NotificationPreferencesSet(disabled_kinds=disabled),
    )
    return enabled


async def _record_own(
    session: AsyncSession, user: User, event_type: EventType, payload: Payload
) -> None:
    """An account event of the user (only they see it; their /me/stream carries it)."""
    await events.record(
        session,
        event_type,
        actor_id=user.id,
        target=Target(user.id, "user"),
        workspace_id=None,
        version=None,
        payload=payload,
    )
