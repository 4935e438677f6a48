"""Structured logs: one JSON object per line, or a readable line when attached to a terminal.

structlog renders both its own events and those of the standard library (uvicorn,
SQLAlchemy, our `logging.getLogger(__name__)` loggers), so every line of the process
has one shape. The current correlation id is added to every line written while a
request is being handled.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from catachess import context
from catachess.config import Settings

HANDLER_NAME = "catachess"
# Loggers that servers configure on their own; we route them through our handler instead.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error")
# RequestObserver writes the request line (with route template, user, duration); uvicorn's
# own access line would repeat it with the raw path, which may carry a share-link token.
SILENCED_LOGGERS = ("uvicorn.access",)


def add_correlation_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    if "correlation_id" not in event:
        correlation_id = context.correlation_id.get()
        if correlation_id is not None:
            event["correlation_id"] = correlation_id
    return event


def drop_color_message(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    event.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message
    return event


def _dumps(value: Any, **kwargs: Any) -> str:
    return orjson.dumps(value, default=kwargs.get("default")).decode()


SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    add_correlation_id,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
]


def formatter(*, json: bool, colors: bool = False) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of our handler: JSON lines, or the console renderer."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=colors)
    )
    tail: list[Processor] = [structlog.processors.format_exc_info] if json else []
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED, structlog.stdlib.ExtraAdder(), drop_color_message],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    )


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment (test runners swap and close theirs)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def wants_json(log_format: str, stream: TextIO) -> bool:
    """LOG_FORMAT=auto means JSON unless the stream is a terminal."""
    if log_format == "auto":
        return not stream.isatty()
    return log_format == "json"


def configure(settings: Settings, stream: TextIO | None = None) -> None:
    """Route every logger of the process through one handler; safe to call again."""
    handler = StderrHandler() if stream is None else logging.StreamHandler(stream)
    stream = stream or sys.stderr
    json = wants_json(settings.log_format, stream)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler.name = HANDLER_NAME
    handler.setFormatter(formatter(json=json, colors=not json and stream.isatty()))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    # pgserver narrates every start and stop of the embedded server at INFO.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    for name in SILENCED_LOGGERS:
        silenced = logging.getLogger(name)
        silenced.handlers.clear()
        silenced.propagate = False  # uvicorn then skips formatting the line at all
