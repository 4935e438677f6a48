"""The node tree: workspaces, folders and studies, as a materialized path."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from catachess.db.base import Base, CreatedAt, new_id, utcnow
from catachess.db.raw import built


class Visibility(enum.StrEnum):
    """Who may read a node without a grant. A folder's setting covers all it holds: the
    effective visibility is the widest on the node's path (docs/visibility.md)."""

    private = "private"  # only people with a grant
    unlisted = "unlisted"  # anyone with its URL, logged in or not; listed nowhere
    public = "public"  # anyone, and listed in GET /public/studies

    @property
    def rank(self) -> int:
        return VISIBILITY_RANKS[self]


VISIBILITY_RANKS = {Visibility.private: 0, Visibility.unlisted: 1, Visibility.public: 2}


class NodeKind(enum.StrEnum):
    workspace = "workspace"
    folder = "folder"
    study = "study"


class Node(CreatedAt, Base):
    __tablename__ = "nodes"
    __table_args__ = (
        # Children of one parent, in listing order (keyset pagination on name, id).
        Index("ix_nodes_parent_listing", "parent_id", "name", "id"),
        # Descendants of a node: one range scan (see repository.below).
        Index("ix_nodes_path", "path"),
        # Live siblings have distinct names; trashed ones step aside (restore renames).
        Index(
            "uq_nodes_live_sibling_name",
            "parent_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("trashed_at IS NULL AND parent_id IS NOT NULL"),
        ),
        CheckConstraint("(kind = 'workspace') = (parent_id IS NULL)", name="workspace_is_root"),
        # The public listing: only the few nodes that are not private, newest first.
        Index(
            "ix_nodes_not_private",
            "created_at",
            postgresql_where=text("visibility <> 'private'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Distribution key for a future Citus deployment; a workspace's own id.
    workspace_id: Mapped[uuid.UUID] = mapped_column(index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("nodes.id"))
    kind: Mapped[NodeKind] = mapped_column(
        Enum(NodeKind, name="node_kind", native_enum=False, length=16)
    )
    name: Mapped[str] = mapped_column(String(200))
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="node_visibility", native_enum=False, length=8),
        default=Visibility.private,
        server_default=Visibility.private.value,
    )
    # Markdown written by the study's editors (studies only; rendered without raw HTML).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Ids from the workspace root down to this node, joined by '/'.
    path: Mapped[str] = mapped_column(String(4000, collation="C"))
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    trashed_at: Mapped[datetime | None]
    trashed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The root of the trashed subtree this node went to the trash with.
    trash_root_id: Mapped[uuid.UUID | None] = mapped_column(index=True)

    @property
    def ancestor_ids(self) -> list[uuid.UUID]:
        """Ids from the workspace root down to and including this node."""
        return [uuid.UUID(part) for part in self.path.split("/")]


# The columns of a node, in the order node_from_row reads them.
NODE_COLUMNS = tuple(Node.__table__.c)
_NODE_KEYS = tuple(column.key for column in NODE_COLUMNS)


def node_values(row: Sequence[Any], start: int = 0) -> dict[str, Any]:
    """A node's attributes from NODE_COLUMNS read by position (a raw asyncpg record)."""
    values = dict(zip(_NODE_KEYS, row[start : start + len(_NODE_KEYS)], strict=True))
    values["kind"] = NodeKind(values["kind"])
    values["visibility"] = Visibility(values["visibility"])
    return values


def node_from_row(row: Sequence[Any], start: int = 0) -> Node:
    """A transient Node (not in any session: for reading) from NODE_COLUMNS by position."""
    return built(Node, node_values(row, start))
