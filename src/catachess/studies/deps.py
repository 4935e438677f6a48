"""Dependencies shared by the studies routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from catachess.config import Settings
from catachess.pgn import PgnLimits
from catachess.studies.service import limits_from


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def pgn_limits(request: Request) -> PgnLimits:
    return limits_from(request.app.state.settings)


AppSettings = Annotated[Settings, Depends(app_settings)]
Limits = Annotated[PgnLimits, Depends(pgn_limits)]
IfMatch = Annotated[str | None, Header(description='chapter ETag from a read, e.g. "3"')]
