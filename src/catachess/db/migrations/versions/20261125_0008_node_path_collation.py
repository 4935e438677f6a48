"""node paths in the "C" collation, indexed for range scans

Subtree queries become `path > p || '/' AND path < p || '0'`, which an ordinary btree on
a "C"-collated column serves also in the generic plans of prepared statements (a LIKE
prefix with text_pattern_ops only works when the pattern is a literal).

Revision ID: 20261125_0008
Revises: 20261125_0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_0008"
down_revision: str | Sequence[str] | None = "20261125_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_nodes_path", table_name="nodes")
    op.alter_column(
        "nodes",
        "path",
        type_=sa.String(length=4000, collation="C"),
        existing_type=sa.String(length=4000),
        existing_nullable=False,
    )
    op.create_index("ix_nodes_path", "nodes", ["path"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_nodes_path", table_name="nodes")
    op.alter_column(
        "nodes",
        "path",
        type_=sa.String(length=4000),
        existing_type=sa.String(length=4000, collation="C"),
        existing_nullable=False,
    )
    op.create_index(
        "ix_nodes_path",
        "nodes",
        ["path"],
        unique=False,
        postgresql_ops={"path": "text_pattern_ops"},
    )
