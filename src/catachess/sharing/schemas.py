"""Request and response bodies of sharing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from catachess.sharing.policy import Role
from catachess.timestamps import UtcDatetime


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: uuid.UUID | None = None
    email: EmailStr | None = None
    role: Role

    @model_validator(mode="after")
    def _one_subject(self) -> ShareCreate:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("give exactly one of user_id or email")
        return self


class ShareRead(BaseModel):
    node_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str
    role: Role
    inherited_from: uuid.UUID | None = Field(
        description="the ancestor the grant sits on, when it is not this node"
    )
    granted_by: uuid.UUID | None
    created_at: datetime


class ShareList(BaseModel):
    items: list[ShareRead]


class ShareLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="owner cannot be granted by link")
    expires_at: UtcDatetime | None = Field(default=None, description="ISO 8601 with a timezone")

    @model_validator(mode="after")
    def _valid(self) -> ShareLinkCreate:
        if self.role is Role.owner:
            raise ValueError("a share link cannot grant the owner role")
        return self


class ShareLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    node_id: uuid.UUID
    role: Role
    created_by: uuid.UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ShareLinkCreated(ShareLinkRead):
    token: str = Field(description="shown once; only its hash is stored")


class ShareLinkList(BaseModel):
    items: list[ShareLinkRead]


class ShareLinkAccepted(BaseModel):
    node_id: uuid.UUID
    role: Role


class ShareGranted(BaseModel):
    node_id: uuid.UUID
    status: Literal["granted", "invited"] = Field(
        description="invited: the e-mail has no account yet; registering with it grants the role"
    )
    user_id: uuid.UUID | None = Field(description="the grantee (null for an invitation)")
    email: str | None = Field(default=None, description="the invited address")
    invitation_id: uuid.UUID | None = None
    role: Role


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    node_id: uuid.UUID
    email: str
    role: Role
    invited_by: uuid.UUID
    created_at: datetime


class InvitationList(BaseModel):
    items: list[InvitationRead]


class UserName(BaseModel):
    id: uuid.UUID
    display_name: str


class UserNameList(BaseModel):
    items: list[UserName]
