"""Request and response bodies of the node tree."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catachess.nodes.models import NodeKind
from catachess.sharing.policy import Role

NodeName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


class NodeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NodeKind
    name: NodeName
    parent_id: uuid.UUID | None = Field(
        default=None, description="required for folders and studies; absent for workspaces"
    )


class NodeUpdate(BaseModel):
    """Rename (name), move (parent_id), or both at once."""

    model_config = ConfigDict(extra="forbid")

    name: NodeName | None = None
    parent_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> NodeUpdate:
        if self.name is None and self.parent_id is None:
            raise ValueError("give name (rename) or parent_id (move)")
        return self


class NodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: NodeKind
    name: str
    version: int
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    role: Role | None = Field(default=None, description="the caller's effective role")


class NodePage(BaseModel):
    items: list[NodeRead]
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")


class Breadcrumbs(BaseModel):
    items: list[NodeRead] = Field(description="from the highest node the caller may read down")


class WorkspaceEntry(NodeRead):
    shared_entry: bool = Field(
        description="true for a folder or study shared with the caller inside a workspace "
        "they cannot otherwise read"
    )


class WorkspaceList(BaseModel):
    items: list[WorkspaceEntry]
