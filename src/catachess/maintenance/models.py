"""The last run of each maintenance job, whichever process ran it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base
from catachess.events.models import EVENT_EXEMPT


class MaintenanceRun(Base):
    """One row per job, replaced by each run that held the job's lock."""

    __tablename__ = "maintenance_runs"
    __table_args__ = ({"info": {EVENT_EXEMPT: "operational bookkeeping of the job runner"}},)

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    items: Mapped[int]
    batches: Mapped[int]
    duration_seconds: Mapped[float]
    # "host:pid" of the process that ran it, so an operator can find its logs.
    ran_on: Mapped[str] = mapped_column(String(255))
    # The failure that stopped the run early; items of batches before it were committed.
    error: Mapped[str | None] = mapped_column(Text)
