"""In-app notifications, made from events by the `notifications` subscriber."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ForeignKey,
    Identity,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt


class Kind(enum.StrEnum):
    """What a notification tells, in the order one is chosen when several apply."""

    mention = "mention"  # @you in a discussion post
    reply = "reply"  # a reply to your thread or to your post
    move_comment = "move_comment"  # a discussion opened on a move of a study you own
    share = "share"  # a role granted to you


class Notification(CreatedAt, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # One notification per (event, recipient), however often the event is delivered.
        UniqueConstraint("event_id", "recipient_id", name="uq_notifications_event_recipient"),
        Index("ix_notifications_recipient", "recipient_id", "seq"),
        Index(
            "ix_notifications_unread",
            "recipient_id",
            "seq",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    recipient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The event it tells about (not a foreign key: the log outlives nothing here, but a
    # notification must not block anything the log does).
    event_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    workspace_id: Mapped[uuid.UUID | None]
    node_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    summary: Mapped[str] = mapped_column(String(600))
    # Where it points: thread_id, post_id, chapter_id, move_id, role … by kind.
    link: Mapped[dict[str, Any]] = mapped_column(JSONB)
    read_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """The kinds a user turned off (no row: everything on)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    disabled_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    updated_at: Mapped[datetime]
