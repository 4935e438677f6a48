"""exports.options: every export switch as a stored export applied it

Revision ID: 20261130_lead_export_options
Revises: 20261130_0152_search
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261130_lead_export_options"
down_revision: str | Sequence[str] | None = "20261130_0152_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Exports stored before the switches keep {} (their mode and comments say what they hold).
    op.add_column(
        "exports",
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("exports", "options")
