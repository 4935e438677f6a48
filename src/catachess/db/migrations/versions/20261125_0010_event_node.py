"""events.node_id: the node whose readers may see an event

Chapter, discussion, export and activity events now name the node they belong to (the
study, the exported node), so a study's readers see its chapter events and an event of a
trashed study disappears with it. Existing rows are filled in from the tables that still
know the link; rows whose link is gone keep NULL (visible to workspace admins only).

Revision ID: 20261125_0010
Revises: 20261125_0009
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_0010"
down_revision: str | Sequence[str] | None = "20261125_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = [
    "UPDATE events SET node_id = target_id WHERE target_type IN ('workspace', 'folder', 'study')",
    "UPDATE events e SET node_id = c.study_id FROM chapters c "
    "WHERE e.target_type = 'chapter' AND c.id = e.target_id",
    "UPDATE events e SET node_id = t.study_id FROM discussion_threads t "
    "WHERE e.target_type = 'discussion' AND t.id = e.target_id",
    "UPDATE events e SET node_id = t.study_id FROM discussion_posts p "
    "JOIN discussion_threads t ON t.id = p.thread_id "
    "WHERE e.target_type = 'discussion_post' AND p.id = e.target_id",
    "UPDATE events e SET node_id = x.node_id FROM exports x "
    "WHERE e.target_type = 'export' AND x.id = e.target_id",
    "UPDATE events e SET node_id = a.node_id FROM activity_entries a "
    "WHERE e.target_type = 'activity_entry' AND a.id = e.target_id",
]


def upgrade() -> None:
    op.add_column("events", sa.Column("node_id", sa.Uuid(), nullable=True))
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.drop_column("events", "node_id")
