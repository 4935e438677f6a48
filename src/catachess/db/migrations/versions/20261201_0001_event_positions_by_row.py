"""events.position: each event numbered by its own trigger call, found by primary key

The deferred trigger of 20261130_0131 looked for the transaction's unnumbered events
with `WHERE position IS NULL` (a partial index). Every event enters that index when it is
inserted and leaves it only when VACUUM removes the dead entry its numbering left, so
under a steady stream of writes each commit walked the entries of every event numbered
since the last vacuum: a third of PostgreSQL's CPU per create in a profile under load.

Each call of the row trigger now numbers its own row (NEW), by primary key. Deferred
triggers fire in the order their rows were inserted, so a transaction's events are still
numbered in `seq` order, and the advisory lock (taken again by each call: held once,
counted) keeps positions visible in increasing order. NOTIFY's payload is empty, so a
transaction sends one notification however many events it records (PostgreSQL folds
identical notifications of a transaction; listeners read the log, not the payload).
The partial index has no reader left and is dropped.

Revision ID: 20261201_positions_by_row
Revises: 20261130_web_live_presence
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261201_positions_by_row"
down_revision: str | Sequence[str] | None = "20261130_web_live_presence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BY_ROW = """
CREATE OR REPLACE FUNCTION events_assign_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Held until the commit is visible: the next transaction numbers its events after
    -- this one's are readable, so positions become visible in increasing order.
    PERFORM pg_advisory_xact_lock(hashtextextended('catachess.events.position', 0));
    UPDATE events SET position = nextval('events_position_seq')
    WHERE event_id = NEW.event_id AND position IS NULL;
    PERFORM pg_notify('catachess_events', '');
    RETURN NULL;
END
$$
"""

# 20261130_0131's function, for downgrade.
BY_TRANSACTION = """
CREATE OR REPLACE FUNCTION events_assign_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events WHERE position IS NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('catachess.events.position', 0));
    WITH numbered AS (
        SELECT pending.event_id, nextval('events_position_seq') AS position
        FROM (SELECT event_id FROM events WHERE position IS NULL ORDER BY seq) AS pending
    )
    UPDATE events SET position = numbered.position
    FROM numbered WHERE events.event_id = numbered.event_id;
    PERFORM pg_notify('catachess_events', currval('events_position_seq')::text);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(BY_ROW)
    op.drop_index("ix_events_unpositioned", table_name="events")


def downgrade() -> None:
    op.create_index(
        "ix_events_unpositioned",
        "events",
        ["seq"],
        unique=False,
        postgresql_where=sa.text("position IS NULL"),
    )
    op.execute(BY_TRANSACTION)
