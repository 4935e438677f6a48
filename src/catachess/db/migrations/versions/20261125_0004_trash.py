"""trash: one entry per trashed root (original location, size, who and when)

Revision ID: 20261125_0004
Revises: 20261125_0001
Create Date: 2026-11-25 11:57:13.330179
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_0004"
down_revision: str | Sequence[str] | None = "20261125_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trash_entries",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("original_parent_id", sa.Uuid(), nullable=True),
        sa.Column("original_path", sa.ARRAY(sa.String(length=200)), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("trashed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trashed_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_trash_entries_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trashed_by"], ["users.id"], name=op.f("fk_trash_entries_trashed_by_users")
        ),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_trash_entries")),
    )
    op.create_index(
        "ix_trash_entries_listing",
        "trash_entries",
        ["workspace_id", "trashed_at", "node_id"],
        unique=False,
    )
    op.create_index("ix_trash_entries_trashed_at", "trash_entries", ["trashed_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_trash_entries_trashed_at", table_name="trash_entries")
    op.drop_index("ix_trash_entries_listing", table_name="trash_entries")
    op.drop_table("trash_entries")
