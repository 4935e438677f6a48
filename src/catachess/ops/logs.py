"""Structured logs: one JSON object per line, or a readable line when attached to a terminal.

structlog renders both its own events and those of the standard library (uvicorn,
SQLAlchemy, our `logging.getLogger(__name__)` loggers), so every line of the process
has one shape. The current correlation id is added to every line written while a
request is being handled.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO, cast

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


class Formatter(structlog.stdlib.ProcessorFormatter):
    """structlog's ProcessorFormatter, rendering structlog's events without first copying
    their LogRecord (it copies so as not to change the record other handlers see; this
    reads the record and changes nothing in it, and its format is "%(message)s" with no
    traceback or stack kept, so the line is the rendered event itself)."""

    def render(
        self,
        logger: WrappedLogger,
        method_name: str,
        event_dict: EventDict,
        record: logging.LogRecord | None = None,
    ) -> str:
        event: Any = {**event_dict, "_record": record, "_from_structlog": True}
        for processor in self.processors:
            event = processor(logger, method_name, event)
        return cast(str, event)

    def format(self, record: logging.LogRecord) -> str:
        logger, name = getattr(record, "_logger", None), getattr(record, "_name", None)
        if logger is None or name is None or record.args or not isinstance(record.msg, dict):
            return super().format(record)  # a foreign record: the pre-chain shapes it
        return self.render(logger, name, record.msg, record)


def formatter(*, json: bool, colors: bool = False) -> Formatter:
    """The formatter of our handler: JSON lines, or the console renderer."""
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if json
        else structlog.dev.ConsoleRenderer(colors=colors)
    )
    tail: list[Processor] = [structlog.processors.format_exc_info] if json else []
    return Formatter(
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


# Handlers whose emit() is "write the formatted line and the terminator, then flush".
PLAIN_STREAM_HANDLERS = (logging.StreamHandler, StderrHandler)
METHOD_NAMES = {logging.ERROR: "error", logging.WARNING: "warning", logging.INFO: "info"}


def log_event(logger: logging.Logger, level: int, event_dict: EventDict) -> None:
    """Write `event_dict` on `logger` at `level` (INFO, WARNING or ERROR) as structlog's
    bound logger would, on the request path's budget.

    The same processors add the same keys and the same handlers receive the line, but no
    LogRecord (nor its caller lookup) is made for the plain stream handlers with our
    formatter, which receive the rendered line directly; any other handler (a test's
    capture, a logger filter) receives the LogRecord structlog would have made.
    """
    if logger.disabled or not logger.isEnabledFor(level):
        return
    method_name = METHOD_NAMES[level]
    for processor in SHARED:  # each returns the dict it was given
        event_dict = cast(EventDict, processor(logger, method_name, event_dict))
    record: logging.LogRecord | None = None

    def as_record() -> logging.LogRecord:
        nonlocal record
        if record is None:
            caller = sys._getframe(2)  # the frame that called log_event
            record = logger.makeRecord(
                logger.name,
                level,
                caller.f_code.co_filename,
                caller.f_lineno,
                event_dict,
                (),
                None,
                caller.f_code.co_name,
                extra={"_logger": logger, "_name": method_name},
            )
        return record

    if logger.filters:
        logger.handle(as_record())
        return
    found = 0
    current: logging.Logger | None = logger
    while current is not None:  # Logger.callHandlers
        for handler in current.handlers:
            found += 1
            if level < handler.level:
                continue
            line_formatter = handler.formatter
            if (
                type(handler) in PLAIN_STREAM_HANDLERS
                and isinstance(line_formatter, Formatter)
                and not handler.filters
            ):
                line = line_formatter.render(logger, method_name, event_dict)
                stream_handler = cast("logging.StreamHandler[TextIO]", handler)
                handler.acquire()
                try:  # StreamHandler.emit
                    stream_handler.stream.write(line + stream_handler.terminator)
                    handler.flush()
                except RecursionError:
                    raise
                except Exception:
                    handler.handleError(as_record())
                finally:
                    handler.release()
            else:
                handler.handle(as_record())
        current = current.parent if current.propagate else None
    if not found:
        logger.handle(as_record())  # no handler anywhere: logging's last resort


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
