"""Request and response bodies of the node tree."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catachess.nodes.models import NodeKind, Visibility
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


DESCRIPTION_LENGTH = 20_000

Description = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_LENGTH, pattern=r"^[^\x00]*$"),
    Field(description="Markdown (rendered without raw HTML); at most 20,000 characters"),
]


class NodeUpdate(BaseModel):
    """Rename (name), move (parent_id) and/or describe (description), at once."""

    model_config = ConfigDict(extra="forbid")

    name: NodeName | None = None
    parent_id: uuid.UUID | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _something_to_change(self) -> NodeUpdate:
        if self.name is None and self.parent_id is None and self.description is None:
            raise ValueError("give name (rename), parent_id (move) or description")
        return self


class VisibilityUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visibility: Visibility = Field(
        description="private: grants only; unlisted: anyone with the URL; "
        "public: anyone, and listed in GET /public/studies (covers all a folder holds)"
    )


class NodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workspace_id: uuid.UUID
    parent_id: uuid.UUID | None
    kind: NodeKind
    name: str
    visibility: Visibility = Field(description="this node's own setting (see docs/visibility.md)")
    description: str
    version: int
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    role: Role | None = Field(default=None, description="the caller's effective role")


class PublicStudy(NodeRead):
    star_count: int


class PublicStudyPage(BaseModel):
    items: list[PublicStudy]
    next_cursor: str | None = Field(description="pass as ?cursor= to get the next page")


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
