"""Idempotency records: the stored result of a keyed request, committed with its effect."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, SmallInteger, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base
from catachess.events.models import EVENT_EXEMPT

# user_id of records made without an authenticated user (the primary key cannot hold NULL).
ANONYMOUS = uuid.UUID(int=0)


class IdempotencyRecord(Base):
    """One keyed operation: claimed (uncommitted) while it runs, committed with its result.

    Not workspace-scoped: a key belongs to a user (a workspace may not exist yet when a
    keyed POST /nodes creates it), so a Citus deployment keeps this table per user.
    """

    __tablename__ = "idempotency_records"
    # The record is part of the effect's transaction, whose own writes carry the events.
    __table_args__ = ({"info": {EVENT_EXEMPT: "replay bookkeeping of the request"}},)

    # Scope: (user, operation), where an HTTP operation is "METHOD /route/{template}".
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    operation: Mapped[str] = mapped_column(String(300), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # sha256 hex of the request (method, path, canonical body), to refuse a reused key.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # False while the claiming transaction runs; only completed records are replayed.
    completed: Mapped[bool]
    # NULL for results stored by non-HTTP callers of the service.
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    # [[name, value], ...] in response order: the headers a replay repeats.
    headers: Mapped[list[list[str]]] = mapped_column(JSONB)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
