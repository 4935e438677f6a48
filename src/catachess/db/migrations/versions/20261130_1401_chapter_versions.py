"""history: chapter_versions (a snapshot or a delta per chapter version)

Revision ID: 20261130_1401_history
Revises: 20261130_0151_search
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261130_1401_history"
down_revision: str | Sequence[str] | None = "20261130_0151_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chapter_versions",
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=True),
        sa.Column("delta", sa.LargeBinary(), nullable=True),
        sa.Column("chain_length", sa.Integer(), nullable=False),
        sa.Column("chain_bytes", sa.Integer(), nullable=False),
        sa.Column("base_bytes", sa.Integer(), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_chapter_versions_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["nodes.id"],
            name=op.f("fk_chapter_versions_study_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_chapter_versions")),
        sa.UniqueConstraint("chapter_id", "version", name="uq_chapter_versions_chapter_version"),
    )
    op.create_index(
        op.f("ix_chapter_versions_created_at"), "chapter_versions", ["created_at"], unique=False
    )
    op.create_index(
        "ix_chapter_versions_study_seq", "chapter_versions", ["study_id", "seq"], unique=False
    )
    op.create_index(
        op.f("ix_chapter_versions_workspace_id"),
        "chapter_versions",
        ["workspace_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_chapter_versions_workspace_id"), table_name="chapter_versions")
    op.drop_index("ix_chapter_versions_study_seq", table_name="chapter_versions")
    op.drop_index(op.f("ix_chapter_versions_created_at"), table_name="chapter_versions")
    op.drop_table("chapter_versions")
