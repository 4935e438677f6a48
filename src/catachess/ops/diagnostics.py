"""One readable line for an error, for operators (CLI output, status tables, probes)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError


def describe(error: BaseException) -> str:
    """`Type: first line of message`, naming the database driver's error, not SQLAlchemy's."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        # The DBAPI adapter's error wraps the driver's (asyncpg), which has the precise type.
        error = error.orig.__cause__ or error.orig
    if isinstance(error, TimeoutError):
        return "TimeoutError: no answer in time"
    lines = str(error).strip().splitlines()
    name = type(error).__name__
    return f"{name}: {lines[0][:300]}" if lines else name
