"""Stored exports list their studies; trash entries and node.trashed events keep ids

- exports.study_ids: a download checks that the caller may read each study now. A folder
  export made before this revision cannot say which studies it holds, so it cannot be
  checked: it is deleted (exports are snapshots rebuilt on request, kept 24 h by default).
- trash_entries.original_path_ids: GET /trash shows only the ancestor names the reader
  may read. Filled from the trashed root's path while it still has its original depth;
  otherwise the stored names are dropped (nothing left to check them against).
- node.trashed events stored the ancestor names, readable by everyone who may read the
  trashed node; they now store ids, and the names are removed from existing events.

Revision ID: 20261130_0101_harden
Revises: 20261125_0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261130_0101_harden"
down_revision: str | Sequence[str] | None = "20261125_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "exports",
        sa.Column("study_ids", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
    )
    op.execute("UPDATE exports SET study_ids = ARRAY[node_id] WHERE format = 'pgn'")
    op.execute("DELETE FROM exports WHERE format = 'zip'")
    op.add_column(
        "trash_entries",
        sa.Column("original_path_ids", sa.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
    )
    op.execute(
        """
        UPDATE trash_entries t
        SET original_path_ids = ids[1:array_length(ids, 1) - 1]
        FROM (SELECT id, string_to_array(path::text, '/')::uuid[] AS ids FROM nodes) n
        WHERE n.id = t.node_id
          AND array_length(n.ids, 1) - 1 = coalesce(array_length(t.original_path, 1), 0)
        """
    )
    op.execute(
        "UPDATE trash_entries SET original_path = '{}' "
        "WHERE coalesce(array_length(original_path, 1), 0) "
        "<> coalesce(array_length(original_path_ids, 1), 0)"
    )
    op.execute(
        "UPDATE events SET payload = payload - 'original_path' "
        "WHERE event_type = 'node.trashed' AND payload ? 'original_path'"
    )


def downgrade() -> None:
    op.drop_column("trash_entries", "original_path_ids")
    op.drop_column("exports", "study_ids")
