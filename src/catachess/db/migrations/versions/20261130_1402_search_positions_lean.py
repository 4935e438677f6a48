"""search_positions: keyed by (chapter_id, move_id); no foreign key and index on study_id

An import writes one search_positions row per move (12,000 for 64 annotated games); the
study_id foreign key checked the nodes table once per row and its index was one more to
maintain, for nothing the chapter_id cascade does not already do (purging a study
deletes its chapters, and their rows with them). Searches join study_id to nodes by
the nodes' primary key. The surrogate id goes too: (chapter_id, move_id) was already
unique and becomes the primary key, so each row maintains two indexes instead of four.

Revision ID: 20261130_0152_search
Revises: 20261130_lichess
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_0152_search"
down_revision: str | Sequence[str] | None = "20261130_lichess"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(
        op.f("fk_search_positions_study_id_nodes"), "search_positions", type_="foreignkey"
    )
    op.drop_index(op.f("ix_search_positions_study_id"), table_name="search_positions")
    op.drop_index("uq_search_positions_move", table_name="search_positions")
    op.drop_constraint(op.f("pk_search_positions"), "search_positions", type_="primary")
    op.drop_column("search_positions", "id")
    op.create_primary_key(
        op.f("pk_search_positions"), "search_positions", ["chapter_id", "move_id"]
    )


def downgrade() -> None:
    op.drop_constraint(op.f("pk_search_positions"), "search_positions", type_="primary")
    op.add_column(
        "search_positions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
    )
    op.create_primary_key(op.f("pk_search_positions"), "search_positions", ["id"])
    op.create_index(
        "uq_search_positions_move", "search_positions", ["chapter_id", "move_id"], unique=True
    )
    op.create_index(op.f("ix_search_positions_study_id"), "search_positions", ["study_id"])
    op.create_foreign_key(
        op.f("fk_search_positions_study_id_nodes"),
        "search_positions",
        "nodes",
        ["study_id"],
        ["id"],
        ondelete="CASCADE",
    )
