"""search: the words index (search_entries) and the positions index (search_positions)

Both are derived data, filled here from what the database already holds (node names,
chapters with their headers, comments and move trees, discussion posts) and from then on
written in the same transaction as every change (catachess.search.indexing). Accents are
folded in Python, not with the `unaccent` extension, which the embedded PostgreSQL lacks.

Revision ID: 20261130_0151_search
Revises: 20261130_0101_harden
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "20261130_0151_search"
down_revision: str | Sequence[str] | None = "20261130_0101_harden"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 64


def upgrade() -> None:
    op.create_table(
        "search_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column("move_id", sa.String(length=32), nullable=True),
        sa.Column("post_id", sa.Uuid(), nullable=True),
        sa.Column("thread_id", sa.Uuid(), nullable=True),
        sa.Column("ply", sa.Integer(), nullable=True),
        sa.Column("san", sa.String(length=16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("white", sa.Text(), nullable=True),
        sa.Column("black", sa.Text(), nullable=True),
        sa.Column("eco", sa.String(length=8), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("played_on", sa.Date(), nullable=True),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_search_entries_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_search_entries_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["discussion_posts.id"],
            name=op.f("fk_search_entries_post_id_discussion_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
    )
    op.create_index(
        "ix_search_entries_chapter", "search_entries", ["chapter_id", "kind", "move_id"]
    )
    op.create_index(op.f("ix_search_entries_node_id"), "search_entries", ["node_id"])
    op.create_index(op.f("ix_search_entries_post_id"), "search_entries", ["post_id"])
    op.create_index("ix_search_entries_tsv", "search_entries", ["tsv"], postgresql_using="gin")
    op.create_table(
        "search_positions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=False),
        sa.Column("move_id", sa.String(length=32), nullable=False),
        sa.Column("ply", sa.Integer(), nullable=False),
        sa.Column("zobrist", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["chapter_id"],
            ["chapters.id"],
            name=op.f("fk_search_positions_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["nodes.id"],
            name=op.f("fk_search_positions_study_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_positions")),
    )
    op.create_index(op.f("ix_search_positions_study_id"), "search_positions", ["study_id"])
    op.create_index("ix_search_positions_zobrist", "search_positions", ["zobrist", "workspace_id"])
    op.create_index(
        "uq_search_positions_move", "search_positions", ["chapter_id", "move_id"], unique=True
    )
    _backfill()


def _backfill() -> None:
    # The indexing code of this release does the work: what is indexed, folded and hashed
    # here is exactly what the running server writes.
    from catachess.search import indexing
    from catachess.studies.models import Chapter

    bind = op.get_bind()

    def run(statements: list[indexing.Statement]) -> None:
        for statement, params in statements:
            bind.execute(statement, params)

    nodes = bind.execute(sa.text("SELECT id, workspace_id, name FROM nodes")).all()
    run(indexing.node_statements([(row[0], row[1], row[2]) for row in nodes]))
    posts = bind.execute(
        sa.text(
            "SELECT p.id, t.id, t.workspace_id, t.study_id, t.chapter_id, t.move_id, p.body "
            "FROM discussion_posts p JOIN discussion_threads t ON t.id = p.thread_id"
        )
    ).all()
    run(indexing.post_statements(indexing.PostText(*row) for row in posts))
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM chapters")).all()]
    for start in range(0, len(ids), BATCH):
        rows = bind.execute(
            sa.text(
                "SELECT id, workspace_id, study_id, name, headers, tree FROM chapters "
                "WHERE id = ANY(:ids)"
            ),
            {"ids": ids[start : start + BATCH]},
        ).all()
        chapters = [
            Chapter(
                id=row[0],
                workspace_id=row[1],
                study_id=row[2],
                name=row[3],
                headers=row[4],
                tree=row[5],
            )
            for row in rows
        ]
        run(indexing.new_chapter_statements(chapters))


def downgrade() -> None:
    op.drop_table("search_positions")
    op.drop_table("search_entries")
