"""event delivery: the outbox of deliveries to subscribers, and the activity feed

Revision ID: 20261125_0002
Revises: 20261125_0001
Create Date: 2026-11-25 11:59:25.254913
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_0002"
down_revision: str | Sequence[str] | None = "20261125_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("node_kind", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.String(length=600), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_entries")),
        sa.UniqueConstraint("event_id", name=op.f("uq_activity_entries_event_id")),
        sa.UniqueConstraint("seq", name=op.f("uq_activity_entries_seq")),
    )
    op.create_index(
        "ix_activity_entries_node", "activity_entries", ["node_id", "seq"], unique=False
    )
    op.create_index(
        "ix_activity_entries_workspace", "activity_entries", ["workspace_id", "seq"], unique=False
    )
    op.create_table(
        "event_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("subscriber", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dead_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.event_id"],
            name=op.f("fk_event_deliveries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_deliveries")),
        sa.UniqueConstraint("event_id", "subscriber", name="uq_event_deliveries_event_subscriber"),
    )
    op.create_index(
        "ix_event_deliveries_dead",
        "event_deliveries",
        ["dead_at"],
        unique=False,
        postgresql_where=sa.text("dead_at IS NOT NULL"),
    )
    op.create_index(
        "ix_event_deliveries_delivered",
        "event_deliveries",
        ["delivered_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NOT NULL"),
    )
    op.create_index(
        "ix_event_deliveries_due",
        "event_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_event_deliveries_due",
        table_name="event_deliveries",
        postgresql_where=sa.text("delivered_at IS NULL AND dead_at IS NULL"),
    )
    op.drop_index(
        "ix_event_deliveries_delivered",
        table_name="event_deliveries",
        postgresql_where=sa.text("delivered_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_event_deliveries_dead",
        table_name="event_deliveries",
        postgresql_where=sa.text("dead_at IS NOT NULL"),
    )
    op.drop_table("event_deliveries")
    op.drop_index("ix_activity_entries_workspace", table_name="activity_entries")
    op.drop_index("ix_activity_entries_node", table_name="activity_entries")
    op.drop_table("activity_entries")
