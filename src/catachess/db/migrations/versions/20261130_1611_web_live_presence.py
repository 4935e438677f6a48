"""study_presences: which pages show a study now (presence, no events)

Revision ID: 20261130_web_live_presence
Revises: 20261130_lead_export_options
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_web_live_presence"
down_revision: str | Sequence[str] | None = "20261130_lead_export_options"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study_presences",
        sa.Column("page_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column(
            "seen_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_study_presences_chapter_id_chapters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["nodes.id"],
            name=op.f("fk_study_presences_study_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_study_presences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_study_presences")),
    )
    op.create_index("ix_study_presences_study", "study_presences", ["study_id", "seen_at"])
    op.create_index("ix_study_presences_seen", "study_presences", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_study_presences_seen", table_name="study_presences")
    op.drop_index("ix_study_presences_study", table_name="study_presences")
    op.drop_table("study_presences")
