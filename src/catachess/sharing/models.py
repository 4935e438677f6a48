"""Role grants on nodes and share links."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id

ROLE_CHECK = "role IN ('owner', 'admin', 'editor', 'commenter', 'viewer')"


class Grant(CreatedAt, Base):
    __tablename__ = "grants"
    __table_args__ = (
        UniqueConstraint("node_id", "user_id", name="uq_grants_node_user"),
        # Effective role: grants of one user on a handful of ancestor ids.
        Index("ix_grants_user_node", "user_id", "node_id"),
        CheckConstraint(ROLE_CHECK, name="known_role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    node_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ShareLink(CreatedAt, Base):
    __tablename__ = "share_links"
    __table_args__ = (CheckConstraint(ROLE_CHECK, name="known_role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Invitation(CreatedAt, Base):
    """A role on a node promised to an e-mail without an account (catachess.sharing.invitations)."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("node_id", "email", name="uq_invitations_node_email"),
        CheckConstraint(ROLE_CHECK, name="known_role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    node_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"))
    # Lower-cased, as users.email; registration looks its invitations up by it.
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
