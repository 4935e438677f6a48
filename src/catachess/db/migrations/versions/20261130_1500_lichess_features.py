"""Visibility of nodes, descriptions of studies and chapters, stars on studies

Every existing node stays private (today's behaviour) and gets an empty description.

Revision ID: 20261130_lichess
Revises: 20261130_0132_live
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_lichess"
down_revision: str | Sequence[str] | None = "20261130_0132_live"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "nodes",
        sa.Column(
            "visibility",
            sa.Enum(
                "private",
                "unlisted",
                "public",
                name="node_visibility",
                native_enum=False,
                length=8,
            ),
            server_default="private",
            nullable=False,
        ),
    )
    op.add_column("nodes", sa.Column("description", sa.Text(), server_default="", nullable=False))
    op.create_index(
        "ix_nodes_not_private",
        "nodes",
        ["created_at"],
        postgresql_where=sa.text("visibility <> 'private'"),
    )
    op.add_column(
        "chapters", sa.Column("description", sa.Text(), server_default="", nullable=False)
    )
    op.create_table(
        "study_stars",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["nodes.id"],
            name=op.f("fk_study_stars_study_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_study_stars_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("study_id", "user_id", name=op.f("pk_study_stars")),
    )
    op.create_index(op.f("ix_study_stars_user_id"), "study_stars", ["user_id"])
    op.create_index(op.f("ix_study_stars_workspace_id"), "study_stars", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("study_stars")
    op.drop_column("chapters", "description")
    op.drop_index("ix_nodes_not_private", table_name="nodes")
    op.drop_column("nodes", "description")
    op.drop_column("nodes", "visibility")
