"""Discussion threads beside the moves: threads, posts, edit history, reactions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id


class Thread(CreatedAt, Base):
    __tablename__ = "discussion_threads"
    __table_args__ = (
        # Listing a study's (or a chapter's, or a move's) threads, pinned first.
        Index("ix_discussion_threads_study", "study_id", "chapter_id", "move_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    study_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    # A thread sits on the study, on one chapter, or on one move of a chapter.
    chapter_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("chapters.id", ondelete="CASCADE")
    )
    move_id: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    pinned_at: Mapped[datetime | None]
    pinned_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    post_count: Mapped[int] = mapped_column(default=0)


class Post(CreatedAt, Base):
    __tablename__ = "discussion_posts"
    __table_args__ = (
        Index("ix_discussion_posts_thread", "thread_id", "created_at", "id"),
        CheckConstraint("depth >= 0", name="depth_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussion_threads.id", ondelete="CASCADE")
    )
    parent_post_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("discussion_posts.id", ondelete="CASCADE")
    )
    depth: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    edited_at: Mapped[datetime | None]


class PostRevision(Base):
    """The text a post had before each edit; (post, version) is unique, so two edits
    racing on one version cannot both land."""

    __tablename__ = "discussion_post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "version", name="uq_discussion_post_revisions"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussion_posts.id", ondelete="CASCADE")
    )
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]


class Reaction(CreatedAt, Base):
    """One reaction of a kind per user per post: the primary key enforces it."""

    __tablename__ = "discussion_reactions"

    post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("discussion_posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
