"""Dependencies shared by the studies routes."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request

from catachess.config import Settings
from catachess.pgn import ExportMode, ExportOptions, PgnLimits
from catachess.studies.schemas import SWITCHES
from catachess.studies.service import limits_from


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def pgn_limits(request: Request) -> PgnLimits:
    return limits_from(request.app.state.settings)


AppSettings = Annotated[Settings, Depends(app_settings)]
Limits = Annotated[PgnLimits, Depends(pgn_limits)]
IfMatch = Annotated[str | None, Header(description='chapter ETag from a read, e.g. "3"')]


def _switch(name: str) -> object:
    return Query(description=SWITCHES[name])


def export_options(
    mode: Annotated[ExportMode, Query(description="full, no_comments or mainline")] = (
        ExportMode.FULL
    ),
    comments: Annotated[bool | None, _switch("comments")] = None,
    variations: Annotated[bool | None, _switch("variations")] = None,
    clocks: Annotated[bool | None, _switch("clocks")] = None,
    shapes: Annotated[bool | None, _switch("shapes")] = None,
    evals: Annotated[bool | None, _switch("evals")] = None,
    orientation: Annotated[bool | None, _switch("orientation")] = None,
    headers: Annotated[Literal["all", "roster"] | None, _switch("headers")] = None,
) -> ExportOptions:
    """A PGN export's mode and switches (each switch left out takes the mode's value)."""
    return ExportOptions.of(
        mode,
        comments=comments,
        variations=variations,
        clocks=clocks,
        shapes=shapes,
        evals=evals,
        orientation=orientation,
        headers=headers,
    )


Switches = Annotated[ExportOptions, Depends(export_options)]
