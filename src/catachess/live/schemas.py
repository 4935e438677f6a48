"""Request and response bodies of presence."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field


class PresenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chapter_id: uuid.UUID | None = Field(
        default=None, description="the chapter the page shows (a chapter of this study)"
    )


class Viewer(BaseModel):
    user_id: uuid.UUID
    display_name: str
    chapter_id: uuid.UUID | None = Field(description="the chapter of their latest page")


class PresenceList(BaseModel):
    viewers: list[Viewer] = Field(description="people with an account, one entry per person")
    anonymous: int = Field(description="pages of readers without an account (never named)")
