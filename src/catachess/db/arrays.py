"""Many rows in one statement of a fixed shape: one array parameter per column.

`INSERT ... VALUES (...), (...), ...` is a new statement for every number of rows:
SQLAlchemy compiles it again each time (most of the relay's CPU under load, before) and
PostgreSQL plans it again. `INSERT ... SELECT * FROM unnest(:a, :b, ...)` is one
statement whatever the number of rows, compiled once (db.raw.Prebuilt) and prepared once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Select, Text, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.types import JSON


def unnest_rows(columns: Sequence[KeyedColumnElement[Any]], prefix: str) -> Select[Any]:
    """SELECT of the rows given as one array per column, named `{prefix}{column key}`
    (see `arrays_of`), with the columns' types. JSON travels as text, cast row by row."""
    given = (
        func.unnest(
            *[
                cast(bindparam(f"{prefix}{c.key}"), ARRAY(Text if _is_json(c) else c.type))
                for c in columns
            ]
        )
        .table_valued(*[c.key for c in columns])
        .render_derived(name="given")
    )
    return select(
        *[cast(given.c[c.key], c.type) if _is_json(c) else given.c[c.key] for c in columns]
    )


def arrays_of(
    columns: Sequence[KeyedColumnElement[Any]], prefix: str, rows: Iterable[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """The parameters of `unnest_rows` for these rows (column key -> value)."""
    rows = list(rows)
    return {
        f"{prefix}{c.key}": [_json_text(row[c.key]) if _is_json(c) else row[c.key] for row in rows]
        for c in columns
    }


def names_of(columns: Sequence[KeyedColumnElement[Any]], prefix: str) -> list[str]:
    return [f"{prefix}{c.key}" for c in columns]


def _is_json(column: KeyedColumnElement[Any]) -> bool:
    return isinstance(column.type, JSON)


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()
