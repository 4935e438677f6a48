"""Response bodies of the trash."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from catachess.nodes.models import NodeKind
from catachess.nodes.schemas import NodeRead


class TrashEntryRead(BaseModel):
    id: uuid.UUID = Field(description="the trashed root's node id")
    kind: NodeKind
    name: str
    workspace_id: uuid.UUID
    version: int = Field(description="pass as If-Match to restore or purge")
    original_parent_id: uuid.UUID | None
    original_path: list[str] = Field(
        description="names of the original ancestors down to the parent, as they were at "
        "deletion time, starting at the highest one you may read (empty for a workspace, or "
        "when you may read none of them)"
    )
    node_count: int = Field(description="nodes that went to the trash with this root")
    trashed_by: uuid.UUID | None
    trashed_by_name: str | None
    trashed_at: datetime
    purge_after: datetime = Field(description="trashed_at + TRASH_RETENTION_DAYS")


class TrashPage(BaseModel):
    items: list[TrashEntryRead]
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")


class RestoreResult(BaseModel):
    node: NodeRead = Field(description="the restored root, with your role on it")
    node_count: int = Field(description="nodes that came back with it")
    original_parent_id: uuid.UUID | None
    restored_to_workspace_root: bool = Field(
        description="true when the original parent was gone (trashed or purged)"
    )
    renamed_from: str | None = Field(
        description="its name in the trash, when a live sibling had taken it (node.name is "
        "the new one)"
    )


class PurgeResult(BaseModel):
    id: uuid.UUID
    kind: NodeKind
    name: str
    node_count: int = Field(description="nodes deleted for good")
    kept_in_trash: list[uuid.UUID] = Field(
        description="subtrees trashed separately earlier under this one: they stay in the "
        "trash, now located at the workspace root"
    )
