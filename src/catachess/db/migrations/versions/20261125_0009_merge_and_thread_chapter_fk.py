"""merge the parallel branches; discussion threads cascade with their chapter

The first day's domains were built side by side, each migration branching from the
foundation; this revision joins them into one head again. It also gives
discussion_threads.chapter_id its foreign key (chapters and discussions were written in
parallel): deleting a chapter, or purging its study, removes the threads on it.

Revision ID: 20261125_0009
Revises: 20261125_0002, 20261125_0003, 20261125_0005, 20261125_0006, 20261125_0007,
    20261125_0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261125_0009"
down_revision: str | Sequence[str] | None = (
    "20261125_0002",
    "20261125_0003",
    "20261125_0005",
    "20261125_0006",
    "20261125_0007",
    "20261125_0008",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Threads whose chapter no longer exists would violate the new key; they were
    # unreachable through their chapter anyway and go with it, as the key now says.
    op.execute(
        "DELETE FROM discussion_threads t WHERE t.chapter_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM chapters c WHERE c.id = t.chapter_id)"
    )
    op.create_foreign_key(
        op.f("fk_discussion_threads_chapter_id_chapters"),
        "discussion_threads",
        "chapters",
        ["chapter_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_discussion_threads_chapter_id_chapters"), "discussion_threads", type_="foreignkey"
    )
