"""events.position: a commit-ordered position in the event log, for live streams

`seq` is assigned when a row is inserted, so a transaction that inserts first may commit
last: a reader following `seq` could skip an event that becomes visible behind it. The
position is assigned at commit instead, by a deferred constraint trigger holding one
transaction-level advisory lock until the commit is visible, so positions become visible
in increasing order: whoever sees position p has seen every position below p. The same
trigger sends `NOTIFY catachess_events` (delivered at commit) to wake live streams.

Revision ID: 20261130_0131_live
Revises: 20261130_0152_harden
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_0131_live"
down_revision: str | Sequence[str] | None = "20261130_0152_harden"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSIGN_POSITIONS = """
CREATE FUNCTION events_assign_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One call numbers every event of the transaction; the calls for its other rows
    -- find nothing left (rows of other transactions in flight are invisible here).
    IF NOT EXISTS (SELECT 1 FROM events WHERE position IS NULL) THEN
        RETURN NULL;
    END IF;
    -- Held until the commit is visible: the next transaction numbers its events after
    -- this one's are readable, so positions become visible in increasing order.
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
    op.add_column("events", sa.Column("position", sa.BigInteger(), nullable=True))
    op.execute("CREATE SEQUENCE events_position_seq AS bigint")
    op.execute(
        "UPDATE events SET position = numbered.n FROM "
        "(SELECT event_id, row_number() OVER (ORDER BY seq) AS n FROM events) AS numbered "
        "WHERE events.event_id = numbered.event_id"
    )
    op.execute(
        "SELECT setval('events_position_seq', "
        "(SELECT coalesce(max(position), 0) + 1 FROM events), false)"
    )
    op.create_unique_constraint(op.f("uq_events_position"), "events", ["position"])
    op.create_index("ix_events_node_position", "events", ["node_id", "position"], unique=False)
    op.create_index(
        "ix_events_unpositioned",
        "events",
        ["seq"],
        unique=False,
        postgresql_where=sa.text("position IS NULL"),
    )
    op.execute(ASSIGN_POSITIONS)
    op.execute(
        "CREATE CONSTRAINT TRIGGER events_position AFTER INSERT ON events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_assign_positions()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER events_position ON events")
    op.execute("DROP FUNCTION events_assign_positions()")
    op.drop_index("ix_events_unpositioned", table_name="events")
    op.drop_index("ix_events_node_position", table_name="events")
    op.drop_constraint(op.f("uq_events_position"), "events", type_="unique")
    op.execute("DROP SEQUENCE events_position_seq")
    op.drop_column("events", "position")
