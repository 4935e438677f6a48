"""Accounts and bearer tokens (only hashes are stored)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id


class User(CreatedAt, Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Stored lower-cased so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    # A disabled account cannot log in and its tokens no longer authenticate
    # (`catachess users disable`); its grants and history stay.
    disabled_at: Mapped[datetime | None]


class ApiToken(CreatedAt, Base):
    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of a 256-bit random token: a slow hash adds nothing at that entropy.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Indexed for the tokens.expire maintenance job, which deletes the oldest first.
    expires_at: Mapped[datetime] = mapped_column(index=True)


def id_of(user: User | None) -> uuid.UUID | None:
    """The caller's id; None for an anonymous reader."""
    return user.id if user is not None else None


class LoginAttempt(Base):
    """A fixed-window login counter (catachess.auth.throttle): per account or address."""

    __tablename__ = "login_attempts"
    # Counters, not facts: logging each attempt as an event would let a flood fill the log.
    __table_args__ = ({"info": {"event_exempt": "rate-limit counters of login attempts"}},)

    # "account:<sha256 of the e-mail>" or "address:<client address>".
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Indexed for the maintenance job that deletes the counters of ended windows.
    window_started_at: Mapped[datetime] = mapped_column(index=True)
    attempts: Mapped[int]
