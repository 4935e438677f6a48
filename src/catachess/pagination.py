"""Opaque keyset-pagination cursors: the sort key of the last row, base64 JSON."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from catachess.errors import BadRequest
from catachess.text import storable


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode()


def decode_cursor(cursor: str, length: int) -> list[Any]:
    """The key a cursor carries; 400 naming `cursor` when it is not one we handed out."""
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        key = None
    if not isinstance(key, list) or len(key) != length:
        raise invalid_cursor()
    return key


def invalid_cursor() -> BadRequest:
    return BadRequest("cursor is not one this server handed out", field="cursor")


def encode_key_cursor(key: str, item_id: uuid.UUID) -> str:
    """A cursor for listings ordered by (a text key, id)."""
    return encode_cursor([key, str(item_id)])


def decode_key_cursor(cursor: str) -> tuple[str, uuid.UUID]:
    key, item_id = decode_cursor(cursor, 2)
    try:
        return storable(str(key)), uuid.UUID(str(item_id))
    except ValueError:
        raise invalid_cursor() from None


def cursor_datetime(value: object) -> datetime:
    """An aware timestamp from a cursor, in UTC; junk or out-of-range values are a 400."""
    try:
        parsed = datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            raise ValueError("naive timestamp")
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid_cursor() from None


def cursor_int(value: object) -> int:
    """A bigint sort key from a cursor (PostgreSQL's bigint range)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise invalid_cursor()
    return value
